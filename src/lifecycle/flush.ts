import type { AkuConfig } from '../config/model.js';
import { AltibaseCode, DbError } from '../db/errors.js';
import { flushReplication, selectReplicationGap } from '../sql/index.js';
import type { LifecycleContext } from './context.js';
import { podOf, shortReason, type Server } from './server.js';

/**
 * Every FLUSH aku sends is bounded (decision 17). A long wait is cut into slices of
 * `FLUSH … WAIT s` (s = the progress interval), and between slices aku reads the pair's gap
 * from V$REPGAP, so an operator sees which peer is behind and by how much, and the wait ends
 * at a deadline aku chooses rather than at the statement's QUERY_TIMEOUT.
 */

/** The bound of a FLUSH at start when AKU_FLUSH_TIMEOUT_AT_START is 0 ("FLUSH ALL" in the original). */
export const MAX_DEFAULT_FLUSH_AT_START_SEC = 120;

/**
 * AKU_FLUSH_TIMEOUT_AT_START when set; for 0, half of AKU_QUERY_TIMEOUT but at most
 * MAX_DEFAULT_FLUSH_AT_START_SEC: under OrderedReady a pod that waits holds every later pod.
 */
export function flushAtStartBoundSec(config: Pick<AkuConfig, 'flushTimeoutAtStartSec' | 'queryTimeoutSec'>): number {
  if (config.flushTimeoutAtStartSec > 0) return config.flushTimeoutAtStartSec;
  const half = config.queryTimeoutSec > 0 ? Math.floor(config.queryTimeoutSec / 2) : MAX_DEFAULT_FLUSH_AT_START_SEC;
  return Math.max(1, Math.min(MAX_DEFAULT_FLUSH_AT_START_SEC, half));
}

export type FlushResult =
  /** Everything up to the target was sent. */
  | { kind: 'flushed' }
  /** No sender runs for the object (ERR-61027): nothing is being sent. */
  | { kind: 'no-sender' }
  /** The deadline came first; `gap` is the last V$REPGAP.REP_GAP seen. */
  | { kind: 'expired'; boundSec: number; gap?: number }
  | { kind: 'failed'; reason: string };

export interface FlushRequest {
  where: string;
  server: Server;
  name: string;
  /** The peer's host, for messages. */
  peerHost: string;
  /** FLUSH ALL chases the newest log position; FLUSH fixes its target when issued. */
  all: boolean;
  /** Epoch milliseconds by which the FLUSH must be over. */
  deadline: number;
  /** The whole bound, for messages ("3 s of 10 s"). */
  boundSec: number;
  /** Retries of a connect refused because the server's SYSDBA slot is busy (default none). */
  busyRetries?: number;
}

export async function flushWithin(ctx: LifecycleContext, request: FlushRequest): Promise<FlushResult> {
  const { where, server, name, all, deadline, boundSec } = request;
  const peer = podOf(request.peerHost);
  const target = { pod: server.pod, replication: name };
  const started = ctx.now();
  let gap: number | undefined;
  for (;;) {
    const leftSec = Math.floor((deadline - ctx.now()) / 1000);
    if (leftSec < 1) return { kind: 'expired', boundSec, ...(gap === undefined ? {} : { gap }) };
    const slice = Math.min(leftSec, Math.max(1, ctx.progressIntervalSec));
    try {
      await server.change(flushReplication(name, { all, waitSec: slice }), { timeoutSec: slice + 2, retry: request.busyRetries ?? false, deadline: deadline + 2000 });
      return { kind: 'flushed' };
    } catch (error) {
      if (error instanceof DbError && error.isCode(AltibaseCode.REPLICATION_NOT_STARTED)) return { kind: 'no-sender' };
      if (!(error instanceof DbError && error.isCode(AltibaseCode.FLUSH_WAIT_EXPIRED, AltibaseCode.QUERY_TIMEOUT))) {
        return { kind: 'failed', reason: shortReason(error) };
      }
    }
    gap = await readGap(server, name, deadline);
    const elapsed = Math.round((ctx.now() - started) / 1000);
    ctx.logger.info(
      where,
      `FLUSH of ${name} on ${server.pod} toward ${peer}: gap ${gap ?? 'unknown'} (V$REPGAP.REP_GAP), ${elapsed} s of ${boundSec} s.`,
      target,
    );
  }
}

/** The pair's replication gap as the sender sees it; undefined when no sender row is there or the read fails. */
async function readGap(server: Server, name: string, deadline: number): Promise<number | undefined> {
  try {
    const rows = await server.read(selectReplicationGap(name), { retry: false, deadline: Math.max(deadline, Date.now() + 2000) });
    const value = rows[0]?.REP_GAP;
    return value === undefined || value === null ? undefined : Number(value);
  } catch {
    return undefined;
  }
}
