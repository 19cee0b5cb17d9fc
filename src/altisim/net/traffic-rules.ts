/**
 * Network faults of one altisim process, by peer address: which addresses are cut off on the
 * service path and on the replication path, and how long replication messages to an address are
 * delayed. Both the service listener and the replication transport consult it.
 */
export type TrafficPath = 'service' | 'replication' | 'both';

export class TrafficRules {
  private readonly serviceCut = new Set<string>();
  private readonly replicationCut = new Set<string>();
  private readonly delays = new Map<string, number>();
  private readonly listeners = new Set<(address: string, path: 'service' | 'replication') => void>();

  cut(address: string, path: TrafficPath): void {
    if (path !== 'replication') this.serviceCut.add(address);
    if (path !== 'service') this.replicationCut.add(address);
    for (const listener of this.listeners) {
      if (path !== 'replication') listener(address, 'service');
      if (path !== 'service') listener(address, 'replication');
    }
  }

  heal(address: string, path: TrafficPath): void {
    if (path !== 'replication') this.serviceCut.delete(address);
    if (path !== 'service') this.replicationCut.delete(address);
  }

  setDelay(address: string, ms: number): void {
    if (ms > 0) this.delays.set(address, ms);
    else this.delays.delete(address);
  }

  delayTo(address: string): number {
    return this.delays.get(address) ?? 0;
  }

  isCut(address: string, path: 'service' | 'replication'): boolean {
    return (path === 'service' ? this.serviceCut : this.replicationCut).has(address);
  }

  /** Called when an address gets cut, so open connections to it can be dropped. */
  onCut(listener: (address: string, path: 'service' | 'replication') => void): void {
    this.listeners.add(listener);
  }
}
