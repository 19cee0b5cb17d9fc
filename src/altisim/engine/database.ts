/**
 * What statement execution needs from a running server: its durable state, properties, the
 * replication runtime and the commit paths. The executor and the DDL, DML, view and replication
 * command modules depend on this interface only; `DatabaseInstance` (instance.ts) implements it and
 * is the one module that imports the executor, so no import cycle runs through the engine.
 */
import type { TableData } from './catalog.js';
import type { Change, DurableOp, DurableState, LogEntry } from './durable-state.js';
import type { PropertySet } from './properties.js';
import type { ReplicationManager } from './replication/manager.js';
import type { ReplicationMeta } from './replication/meta.js';
import type { ReplicationConnector } from './replication/protocol.js';

/** Who the server is on the network; fixed across restarts. */
export interface InstanceIdentity {
  readonly name: string;
  /** The address the server's replication and service endpoints answer on. */
  readonly address: string;
  readonly servicePort: number;
  readonly replicationPort: number;
  readonly connector: ReplicationConnector;
  /** SYNC PARALLEL is capped at twice this. */
  readonly cpuCount: number;
}

/** Thrown into work that outlives its incarnation (the server was killed meanwhile). */
export class ServerDownError extends Error {
  constructor(name: string) {
    super(`server ${name} is down`);
    this.name = 'ServerDownError';
  }
}

export interface Database {
  readonly identity: InstanceIdentity;
  readonly state: DurableState;
  readonly properties: PropertySet;
  readonly replication: ReplicationManager;
  readonly isAlive: boolean;
  readonly cpuCount: number;
  commit(op: DurableOp): void;
  commitMeta(meta: ReplicationMeta): void;
  /**
   * A local transaction: gets the next SN and is what senders ship — unless `ship` is false (a
   * session with `ALTER SESSION SET REPLICATION = NONE`): then it is logged like a change
   * received from a peer, which no sender ships.
   */
  commitLocal(changes: Change[], ship?: boolean): void;
  allocateHostNo(): number;
  allocateOid(): number;
  lastSN(): number;
  meta(name: string): ReplicationMeta | undefined;
  logAfter(sn: number): Iterable<LogEntry>;
  table(user: string, table: string): TableData | undefined;
}
