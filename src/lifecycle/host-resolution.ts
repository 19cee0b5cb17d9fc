import { lookup } from 'node:dns/promises';
import { BlockList, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Driver } from '../db/driver.js';

/**
 * Host-name resolution as aku's driver sees it: the driver's own (Driver.resolve) when it has
 * one, else the system resolver, so the own-address check waits for the name the driver dials.
 */
export function hostResolver(driver: Pick<Driver, 'resolve'>): (host: string) => Promise<string[]> {
  if (driver.resolve) return (host) => (driver.resolve as (host: string) => Promise<string[]>)(host);
  return async (host) => (await lookup(host, { all: true })).map((a) => a.address);
}

/**
 * True for an address of one of this machine's interfaces (a whole loopback /8 counts). Only a
 * loopback interface counts by its subnet: another pod on the same node shares the pod subnet,
 * and its address (a stale DNS record) must not pass for this pod's.
 */
export function isLocalAddress(address: string): boolean {
  const local = new BlockList();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      const type = entry.family === 'IPv4' ? 'ipv4' : 'ipv6';
      const prefix = Number(entry.cidr?.split('/')[1] ?? (type === 'ipv4' ? 32 : 128));
      if (entry.internal) local.addSubnet(entry.address, prefix, type);
      else local.addAddress(entry.address, type);
    }
  }
  return local.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}
