/**
 * Replication link cuts between two pods: iptables rules inside each pod's network namespace,
 * entered from the node with nsenter through the pid of the pod's sandbox (crictl, on containerd's
 * socket of the local cluster). A rule rejects (TCP reset) every packet to or from the peer's
 * address on the replication port, both ways, so established links break at their next packet
 * and new ones are refused — the service port (aku's SQL) stays open. Rules live in a chain of
 * their own (AKU-CHAOS) and go with the namespace: a recreated pod starts healed, and nothing
 * is left on the node. Needs root on the node that runs the pods (the local single-node cluster).
 */
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_DIR } from '../cluster/helpers.js';
import type { PodView } from './pods.js';

const CHAIN = 'AKU-CHAOS';
export const CONTAINERD_SOCKET = join(CLUSTER_DIR, 'run/containerd/containerd.sock');

async function must(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args, { reject: false, all: true, timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${r.command}: exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n${r.all ?? ''}`);
  return String(r.stdout);
}

/** crictl as scripts/cluster/build-tools.sh built it (CRICTL in cluster-tools.env), else from PATH. */
function crictl(): string {
  const file = join(process.env.AKU_CACHE ?? join(homedir(), '.cache/aku'), 'cluster-tools.env');
  const match = existsSync(file) ? /^CRICTL='(.*)'$/m.exec(readFileSync(file, 'utf8')) : null;
  return process.env.AKU_CRICTL ?? match?.[1] ?? 'crictl';
}

/**
 * The pids of the pod's sandboxes (their pause processes) on this node: a sandbox's network
 * namespace is the pod's, and it lives as long as the pod does, across restarts of the altibase
 * container. Usually one; after a forced deletion the old pod's sandbox can still run while the
 * StatefulSet's new pod of the same name has its own (Kubernetes' at-most-one guarantee is gone).
 */
export async function sandboxPids(namespace: string, pod: string): Promise<number[]> {
  const endpoint = ['--runtime-endpoint', `unix://${CONTAINERD_SOCKET}`];
  const ids = (await must(crictl(), [...endpoint, 'pods', '--namespace', namespace, '--name', `^${pod}$`, '--state', 'ready', '-q'])).split('\n').filter(Boolean);
  const pids: number[] = [];
  for (const id of ids) {
    const info = JSON.parse(await must(crictl(), [...endpoint, 'inspectp', '-o', 'json', id]));
    const pid = Number(info?.info?.pid);
    if (!(pid > 0)) throw new Error(`crictl inspectp ${id}: no pid in its info`);
    pids.push(pid);
  }
  return pids;
}

async function iptablesIn(pid: number, args: string[]): Promise<string> {
  return must('nsenter', ['-t', String(pid), '-n', 'iptables', '-w', '5', ...args]);
}

async function ensureChain(pid: number): Promise<void> {
  const rules = await iptablesIn(pid, ['-S']);
  if (!rules.split('\n').includes(`-N ${CHAIN}`)) await iptablesIn(pid, ['-N', CHAIN]);
  for (const hook of ['INPUT', 'OUTPUT']) {
    if (!rules.split('\n').includes(`-A ${hook} -j ${CHAIN}`)) await iptablesIn(pid, ['-I', hook, '1', '-j', CHAIN]);
  }
}

export class LinkCutter {
  constructor(private readonly namespace: string) {}

  /** Cut pairs, as `uidA uidB`. */
  private readonly cuts = new Set<string>();

  get anyCut(): boolean {
    return this.cuts.size > 0;
  }

  describe(): string[] {
    return [...this.cuts];
  }

  /** Cuts the replication path between two running pods (both sides). */
  async cut(a: PodView, b: PodView): Promise<void> {
    // Counted before the rules go in: a half-applied cut is still a cut until healAll.
    this.cuts.add([a.uid, b.uid].sort().join(' '));
    for (const [self, peer] of [[a, b], [b, a]] as const) {
      if (!peer.ip) throw new Error(`${peer.name} has no address`);
      const pids = await sandboxPids(this.namespace, self.name);
      if (pids.length === 0) throw new Error(`${self.name} has no running sandbox on this node`);
      for (const pid of pids) {
        await ensureChain(pid);
        for (const dir of ['-s', '-d']) {
          await iptablesIn(pid, ['-A', CHAIN, dir, peer.ip, '-p', 'tcp', '-m', 'multiport', '--ports', String(self.replicationPort), '-j', 'REJECT', '--reject-with', 'tcp-reset']);
        }
      }
    }
  }

  /** Empties the chain in every running pod; pods gone took their rules with their namespace. */
  async healAll(pods: PodView[]): Promise<string[]> {
    const problems: string[] = [];
    for (const pod of pods) {
      try {
        for (const pid of await sandboxPids(this.namespace, pod.name)) {
          const rules = await iptablesIn(pid, ['-S']);
          if (rules.split('\n').includes(`-N ${CHAIN}`)) await iptablesIn(pid, ['-F', CHAIN]);
        }
      } catch (error) {
        // A pod that stopped meanwhile has no namespace left to heal.
        problems.push(`${pod.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    this.cuts.clear();
    return problems;
  }
}
