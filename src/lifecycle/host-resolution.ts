import { lookup } from 'node:dns/promises';
import { BlockList, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolveHost as resolveThroughHostsFile } from '../db/drivers/altisim-wire.js';

/**
 * Host-name resolution as aku's drivers see it: the system resolver, or, when ALTISIM_HOSTS
 * names a hosts-format file (the simulated cluster on loopback addresses), the altisim
 * driver's own resolution, so the address check waits for the name the driver will dial.
 */
export function hostResolver(env: NodeJS.ProcessEnv = process.env): (host: string) => Promise<string[]> {
  if (env.ALTISIM_HOSTS) {
    return async (host) => {
      const address = await resolveThroughHostsFile(host, env);
      if (address === undefined) throw Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' });
      return [address];
    };
  }
  return async (host) => (await lookup(host, { all: true })).map((a) => a.address);
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
