/**
 * A set of simulated servers on one in-process network: the fixture for fast, deterministic tests.
 *
 *   const cluster = new SimCluster();
 *   cluster.addServer({ name: 'pod0', hostNames: ['altibase-0.svc'], properties: { ADMIN_MODE: 1 } });
 *   const driver = createInProcessDriver(cluster);
 *   cluster.cut('pod0', 'pod1', 'replication'); cluster.heal('pod0', 'pod1');
 *   cluster.kill('pod1'); cluster.restart('pod1');
 *   cluster.server('pod0').faults.add({ match: /FLUSH/, error: { code: 0x61075 } });
 */
import type { Disk } from '../engine/persistence.js';
import { SimServer } from '../engine/server.js';
import { InProcessNetwork, type LinkPath } from './network.js';

export interface ClusterServerSpec {
  name: string;
  /** Default: 10.0.0.<n>, n counting servers from 1. */
  address?: string;
  /** Names that resolve to the address (default: the server name). */
  hostNames?: string[];
  servicePort?: number;
  replicationPort?: number;
  sysPassword?: string;
  /** Start-time properties (altibase.properties), over the cluster's defaults. */
  properties?: Record<string, number | string>;
  disk?: Disk;
  /** Boot right away (default true). */
  start?: boolean;
}

export interface SimClusterOptions {
  /** Start-time properties every server gets (e.g. a short ALTISIM_SENDER_RETRY_INTERVAL_MSEC). */
  defaultProperties?: Record<string, number | string>;
  cpuCount?: number;
}

export const DEFAULT_SERVICE_PORT = 20300;
export const DEFAULT_REPLICATION_PORT = 20301;
export const DEFAULT_SYS_PASSWORD = 'manager';

export class SimCluster {
  readonly network = new InProcessNetwork();
  private readonly byName = new Map<string, SimServer>();

  constructor(private readonly options: SimClusterOptions = {}) {}

  addServer(spec: ClusterServerSpec): SimServer {
    if (this.byName.has(spec.name)) throw new Error(`server ${spec.name} already exists`);
    const server = new SimServer(
      {
        name: spec.name,
        address: spec.address ?? `10.0.0.${this.byName.size + 1}`,
        servicePort: spec.servicePort ?? DEFAULT_SERVICE_PORT,
        replicationPort: spec.replicationPort ?? DEFAULT_REPLICATION_PORT,
        sysPassword: spec.sysPassword ?? DEFAULT_SYS_PASSWORD,
        properties: { ...(this.options.defaultProperties ?? {}), ...(spec.properties ?? {}) },
        ...(spec.disk ? { disk: spec.disk } : {}),
        ...(this.options.cpuCount !== undefined ? { cpuCount: this.options.cpuCount } : {}),
      },
      this.network.connectorFor(spec.name),
    );
    this.byName.set(spec.name, server);
    this.network.register(server, spec.hostNames ?? [spec.name]);
    if (spec.start ?? true) server.start();
    return server;
  }

  server(name: string): SimServer {
    const server = this.byName.get(name);
    if (!server) throw new Error(`no server named ${name}`);
    return server;
  }

  get servers(): SimServer[] {
    return [...this.byName.values()];
  }

  /** Make `name` resolve to `address` (a DNS record appearing). */
  addHost(name: string, address: string): void {
    this.network.addHost(name, address);
  }

  removeHost(name: string): void {
    this.network.removeHost(name);
  }

  start(name: string): void {
    this.server(name).start();
  }

  /** Crash a server: sessions and replication links drop, committed state stays. */
  kill(name: string): void {
    this.server(name).kill();
    this.network.dropLinksOf(name);
  }

  /** Crash and boot again (§0.10: started objects come back in RETRY). */
  restart(name: string): void {
    this.kill(name);
    this.start(name);
  }

  /** Crash, then boot on a new, empty disk: the server's volume was lost. */
  loseVolume(name: string): void {
    this.server(name).kill();
    this.network.dropLinksOf(name);
    this.server(name).loseVolume();
  }

  /** Orderly stop (writes a snapshot when the disk is a directory). */
  shutdown(name: string): void {
    this.server(name).shutdown();
    this.network.dropLinksOf(name);
  }

  cut(a: string, b: string, path: LinkPath = 'both'): void {
    this.network.cut(a, b, path);
  }

  heal(a: string, b: string, path: LinkPath = 'both'): void {
    this.network.heal(a, b, path);
  }

  /** One-way delay on every replication message between the two servers. */
  delay(a: string, b: string, delayMs: number): void {
    this.network.setDelay(a, b, delayMs);
  }

  /** Stop every server (tests call this in afterEach so no sender keeps running). */
  close(): void {
    for (const server of this.byName.values()) server.kill();
    this.network.closeAll();
  }
}
