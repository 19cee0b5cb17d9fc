import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { BlockList, isIPv4 } from 'node:net';

/**
 * Host-name resolution as aku's drivers see it: the system resolver, or, when ALTISIM_HOSTS
 * names a hosts-format file (`address name …`), that file — the way a whole simulated cluster
 * runs on loopback addresses without root.
 */
export function hostResolver(env: NodeJS.ProcessEnv = process.env): (host: string) => Promise<string[]> {
  const hostsFile = env.ALTISIM_HOSTS;
  if (hostsFile) {
    return async (host) => {
      const addresses = readHostsFile(hostsFile).get(host.toLowerCase()) ?? [];
      if (addresses.length === 0) throw Object.assign(new Error(`${host} is not in ${hostsFile}`), { code: 'ENOTFOUND' });
      return addresses;
    };
  }
  return async (host) => (await lookup(host, { all: true })).map((a) => a.address);
}

function readHostsFile(path: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || names.length === 0) continue;
    for (const name of names) map.set(name.toLowerCase(), [...(map.get(name.toLowerCase()) ?? []), address]);
  }
  return map;
}

/** True for an address of one of this machine's interfaces (a whole loopback /8 counts). */
export function isLocalAddress(address: string): boolean {
  const local = new BlockList();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      const prefix = Number(entry.cidr?.split('/')[1] ?? (entry.family === 'IPv4' ? 32 : 128));
      local.addSubnet(entry.address, prefix, entry.family === 'IPv4' ? 'ipv4' : 'ipv6');
    }
  }
  return local.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}
