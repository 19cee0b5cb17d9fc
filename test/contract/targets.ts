/**
 * What the contract suite runs against. The same tests run on:
 *   - altisim in-process (always; a fresh cluster per test),
 *   - altisim processes spawned from bin/altisim's source (unless ALTISIM_CONTRACT_PROCESS=0),
 *   - a real Altibase when ALTIBASE_TEST_SERVERS is set (see realAltibaseTarget).
 * Tests that need faults (restart, cut, delay) only run where `faults` exists.
 */
import type { Driver } from '../../src/db/driver.js';
import { createInProcessDriver, SimCluster } from '../../src/altisim/index.js';

export interface ServerEndpoint {
  /** Host and service port clients connect to. */
  host: string;
  port: number;
  /** What a peer writes in `CREATE REPLICATION … WITH 'host', port` to reach this server. */
  replicationHost: string;
  replicationPort: number;
}

export interface FaultControl {
  /** Crash the server and boot it again (altibase-replication.md §0.10). */
  restart(index: number): Promise<void>;
  kill(index: number): Promise<void>;
  start(index: number): Promise<void>;
  cutReplication(a: number, b: number): Promise<void>;
  healReplication(a: number, b: number): Promise<void>;
  /** One-way delay on replication messages between two servers. */
  delayReplication(a: number, b: number, ms: number): Promise<void>;
}

export interface ContractTarget {
  readonly label: string;
  readonly servers: ServerEndpoint[];
  readonly driver: Driver;
  readonly sysPassword: string;
  readonly faults?: FaultControl;
  /** A replication address where nothing listens (a peer that is down). */
  readonly deadPeer: { host: string; port: number };
  /** Called before each test: fresh servers, or cleaned ones. `cleanBySql` runs the generic SQL cleanup. */
  reset(cleanBySql: () => Promise<void>): Promise<void>;
  dispose(): Promise<void>;
}

export interface TargetFactory {
  label: string;
  create(): Promise<ContractTarget>;
}

const SERVER_COUNT = 3;
/**
 * Test-only pace: a sender in RETRY tries again after 20 ms instead of Altibase's 60 s, so the
 * fault tests need not wait a minute for a healed link. The receiver keeps its faithful apply lag:
 * no rule here may assume a FLUSH means the peer has applied the changes.
 */
export const CONTRACT_PROPERTIES = { ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 20 };

/** altisim in one process: each test gets a new cluster of three servers. */
export function inProcessTarget(): TargetFactory {
  return {
    label: 'altisim in-process',
    async create() {
      let cluster = new SimCluster();
      const names = Array.from({ length: SERVER_COUNT }, (_, i) => `pod${i}`);
      const build = (): void => {
        cluster.close();
        cluster = new SimCluster({ defaultProperties: CONTRACT_PROPERTIES });
        for (const name of names) cluster.addServer({ name, hostNames: [`${name}.altisim`] });
      };
      build();
      const driver: Driver = {
        name: 'altisim-inprocess',
        connect: (options) => createInProcessDriver(cluster).connect(options),
      };
      const faults: FaultControl = {
        restart: async (i) => cluster.restart(names[i] as string),
        kill: async (i) => cluster.kill(names[i] as string),
        start: async (i) => cluster.start(names[i] as string),
        cutReplication: async (a, b) => cluster.cut(names[a] as string, names[b] as string, 'replication'),
        healReplication: async (a, b) => cluster.heal(names[a] as string, names[b] as string, 'replication'),
        delayReplication: async (a, b, ms) => cluster.delay(names[a] as string, names[b] as string, ms),
      };
      return {
        label: 'altisim in-process',
        servers: names.map((name) => ({ host: `${name}.altisim`, port: 20300, replicationHost: `${name}.altisim`, replicationPort: 20301 })),
        driver,
        sysPassword: 'manager',
        faults,
        deadPeer: { host: '127.0.0.1', port: 1 },
        async reset() {
          build();
        },
        async dispose() {
          cluster.close();
        },
      };
    },
  };
}

/**
 * A real Altibase: ALTIBASE_TEST_SERVERS=host1:port1,host2:port2[,host3:port3],
 * ALTIBASE_TEST_PASSWORD (SYS), ALTIBASE_TEST_REPLICATION_PORT (same on every server),
 * optionally ALTIBASE_TEST_REPLICATION_HOSTS (names the servers use for each other; default the hosts).
 * Connects through aku's odbc driver, imported only here.
 */
export function realAltibaseTarget(env: NodeJS.ProcessEnv = process.env): TargetFactory | undefined {
  const list = env.ALTIBASE_TEST_SERVERS;
  if (!list) return undefined;
  return {
    label: 'real Altibase',
    async create() {
      const { odbcDriver } = await import('../../src/db/drivers/odbc.js');
      const replicationPort = Number(env.ALTIBASE_TEST_REPLICATION_PORT ?? 20301);
      const replicationHosts = env.ALTIBASE_TEST_REPLICATION_HOSTS?.split(',');
      const servers = list.split(',').map((entry, i) => {
        const [host, port] = entry.trim().split(':');
        return {
          host: host as string,
          port: Number(port ?? 20300),
          replicationHost: replicationHosts?.[i] ?? (host as string),
          replicationPort,
        };
      });
      return {
        label: 'real Altibase',
        servers,
        driver: odbcDriver,
        sysPassword: env.ALTIBASE_TEST_PASSWORD ?? 'manager',
        deadPeer: { host: '127.0.0.1', port: 1 },
        async reset(cleanBySql) {
          await cleanBySql();
        },
        async dispose() {},
      };
    },
  };
}
