import type { AkuConfig } from '../config/model.js';
import type { Row } from '../db/driver.js';
import type { Logger } from '../log/logger.js';
import type { ServerNode, Topology } from '../topology/index.js';
import type { StopReason } from './stop-reason.js';

export interface OpenOptions {
  /** `false`: one attempt (an absent pod is normal, not worth AKU_QUERY_RETRY_COUNT waits). */
  retry?: boolean | number;
  /** Epoch milliseconds by which the call must be over, retries included (`-p end`'s budget). */
  deadline?: number;
}

export interface StatementOptions extends OpenOptions {
  timeoutSec?: number;
}

/** What the lifecycle needs of a database session (the `Session` of src/db satisfies it). */
export interface SqlSession {
  /** `host:port`, for messages. */
  readonly server: string;
  open(options?: OpenOptions): Promise<void>;
  query(sql: string, options?: StatementOptions): Promise<Row[]>;
  /** Give the SYSDBA slot back; the next statement connects again. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** Where the lifecycle runs: configuration, who is who, how to reach a server, and the outside world. */
export interface LifecycleContext {
  config: AkuConfig;
  topology: Topology;
  logger: Logger;
  /** A session to the server at `host` (not yet opened). One per server for the whole run. */
  session(host: string): SqlSession;
  /** `/tmp/aku_start_completed` or AKU_START_COMPLETED_FILE. */
  completionFile: string;
  /** Print every change instead of making it; reads still happen. */
  dryRun: boolean;
  /** Resolves a host name to addresses (system resolver, or the simulator's hosts file). */
  resolve(host: string): Promise<string[]>;
  /**
   * An address of this pod's own server that needs no DNS (127.0.0.1 in a pod): `-p end` reaches
   * its server there first (server.ts reachSelf says why).
   */
  localServerAddress?: string;
  /** True when an address belongs to this machine. */
  isLocalAddress(address: string): boolean;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Seconds between progress lines of a long SYNC or FLUSH. */
  progressIntervalSec: number;
  /**
   * Why this pod stops, for `-p end`: the CLI reads the Kubernetes API (src/kube/stop-facts.ts),
   * tests give a reason. Must answer within `boundMs`; a rejection counts as an unknown reason.
   */
  stopReason(boundMs: number): Promise<StopReason>;
}

export type { ServerNode };
