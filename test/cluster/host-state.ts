/**
 * What the local cluster may leave on the host, captured before `up` and after `down` and compared
 * by the teardown test: processes, mounts, network links, iptables rules, nft tables, and the
 * kernel settings the kubelet, kube-proxy and the CNI bridge change.
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { CLUSTER_DIR } from './helpers.js';

export interface HostState {
  processes: string[];
  mounts: string[];
  links: string[];
  iptables: string[];
  nftTables: string[];
  sysctls: string[];
}

const SYSCTLS = ['vm.overcommit_memory', 'kernel.panic', 'kernel.panic_on_oops', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.route_localnet'];
// Processes the cluster starts, by command name (ps -e -o comm) or by naming its directory.
const CLUSTER_COMMANDS = /^(etcd|kube-apiserver|kube-controll|kube-scheduler|kubelet|kube-proxy|coredns|containerd|containerd-shim|pause|runc)$/;

async function lines(file: string, args: string[]): Promise<string[]> {
  const r = await execa(file, args, { reject: false });
  return String(r.stdout).split('\n').map((l) => l.trim()).filter(Boolean);
}

export async function captureHostState(): Promise<HostState> {
  const ps = await lines('ps', ['-e', '-o', 'pid=,comm=,args=']);
  const processes = ps
    .map((l) => l.split(/\s+/))
    .filter(([, comm, ...args]) => CLUSTER_COMMANDS.test(comm ?? '') || args.join(' ').includes(CLUSTER_DIR))
    .map(([pid, comm]) => `${comm} (pid ${pid})`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const f = l.split(' ');
      return `${f[4]} (${f[f.indexOf('-') + 1]})`;
    })
    // Other tests on the machine add and remove network namespaces of their own: only what the
    // cluster could have mounted counts.
    .filter((m) => m.includes(CLUSTER_DIR) || /containerd|kubelet|\/cni-|kubepods/.test(m))
    .sort();
  const links = (await lines('ip', ['-o', 'link', 'show']))
    .map((l) => (l.split(':')[1] ?? '').trim().replace(/@.*/, ''))
    .filter((name) => name === 'aku0' || /^veth[0-9a-f]{8}$/.test(name))
    .sort();
  const iptables = [
    ...(await lines('iptables-save', [])),
    ...(await lines('ip6tables-save', [])),
  ].filter((l) => !l.startsWith('#') && !/^:\S+ \S+ \[\d+:\d+\]$/.test(l) || /^:(KUBE|CNI)-/.test(l)).map((l) => l.replace(/ \[\d+:\d+\]$/, ''));
  const nftTables = await lines('nft', ['list', 'tables']);
  const sysctls = await Promise.all(SYSCTLS.map(async (k) => `${k} = ${(await lines('sysctl', ['-n', k]))[0] ?? '?'}`));
  return { processes, mounts, links, iptables, nftTables, sysctls };
}

/** Entries present after but not before (and, for settings, changed values), per kind. */
export function leftovers(before: HostState, after: HostState): Partial<Record<keyof HostState, string[]>> {
  const out: Partial<Record<keyof HostState, string[]>> = {};
  for (const key of Object.keys(before) as (keyof HostState)[]) {
    const had = new Set(before[key]);
    const added = after[key].filter((entry) => !had.has(entry));
    if (added.length > 0) out[key] = added;
  }
  return out;
}
