import type { Driver } from '../db/driver.js';
import { AltibaseCode, DbError } from '../db/errors.js';
import { Session, type DbLogger, type SessionSettings } from '../db/session.js';
import { isConnectFailure, openOnce, openSysdbaSlot, shortError as short } from '../lifecycle/sysdba-slot.js';
import type { Logger } from '../log/logger.js';
import { SELECT_GAPS, SELECT_RECEIVERS, SELECT_REPLICATIONS, SELECT_SENDERS, selectProperty } from '../sql/index.js';
import type { ServerNode } from '../topology/index.js';
import type { ConflictCounts, Login, PodState } from './model.js';
import type { MonitorLogin } from './monitor-login.js';

/**
 * Reading one server for `aku status`, without ever taking its one SYSDBA session from a run that
 * needs it:
 *   - on this pod, a running `-p start` or `-p end` (their pid files) holds the slot: status does
 *     not try SYSDBA there at all;
 *   - elsewhere a SYSDBA login answered "another SYSDBA session" (ERR-41041) is tried again only
 *     for a short bound (`busyWaitMs`), then reported as busy;
 *   - with a monitoring user, status logs in as that user (no SYSDBA) and uses SYSDBA only where
 *     the server refuses it for ADMIN_MODE = 1 (ERR-4106E);
 *   - the session is closed as soon as the server has been read.
 * Every statement is a SELECT.
 */

export interface ObserveContext {
  driver: Driver;
  /** SYS as SYSDBA, as every aku command logs in. */
  sysdba: SessionSettings;
  monitor?: MonitorLogin;
  logger: Logger;
  /** This pod's ordinal, when status runs in one of the set's pods. */
  selfOrdinal?: number;
  /** This pod's completion file, beside which start and end leave their pid. */
  completionFile: string;
  /**
   * Status runs in another container of this pod than start and end (AKU_SIDECAR=1, the metrics
   * sidecar): their pid files count whoever wrote them (start-handover.ts, markedStart).
   */
  lifecycleElsewhere?: boolean;
  /**
   * With a monitoring user, never log in as SYSDBA where the server refuses that user for
   * ADMIN_MODE = 1: report the pod busy instead (`aku metrics`, which reads every few seconds for
   * as long as it runs: a pod in ADMIN_MODE 1 is starting or ending, and the one SYSDBA session
   * is what its start or end needs, even in the moment before it opens it). Other refusals of the
   * monitoring user (a wrong password) still fall back to SYSDBA, with a WARN.
   */
  monitorOnly?: boolean;
  /** How long a busy SYSDBA slot is waited for before it is reported busy. */
  busyWaitMs: number;
  /** Time limit of each statement, seconds. */
  statementTimeoutSec: number;
  now(): number;
}

export interface ObjectRow {
  xsn: number;
  started: boolean;
}

export interface SenderRow {
  statusCode: number;
  netError: boolean;
}

export interface ServerObservation {
  node: ServerNode;
  state: PodState;
  login: Login | null;
  reason: string | null;
  adminMode: number | null;
  objects: Map<string, ObjectRow>;
  senders: Map<string, SenderRow>;
  /** Each receiving object's skipped rows (summed over its receiver threads). */
  receivers: Map<string, ConflictCounts>;
  gaps: Map<string, number>;
}

const where = 'akuStatus:read';

export async function observeServer(ctx: ObserveContext, node: ServerNode): Promise<ServerObservation> {
  const pod = node.host.split('.')[0] ?? node.host;
  const blank = { node, login: null, adminMode: null, objects: new Map(), senders: new Map(), receivers: new Map<string, ConflictCounts>(), gaps: new Map() };

  if (ctx.monitor) {
    const session = new Session(ctx.driver, node.host, { ...ctx.sysdba, user: ctx.monitor.user, password: ctx.monitor.password, sysdba: false }, { logger: quietDbLogger(ctx.logger) });
    const opened = await openOnce(session);
    if (opened === undefined) return read(ctx, session, node, 'monitor', blank);
    if (isConnectFailure(opened)) return { ...blank, state: 'unreachable', reason: short(opened) };
    const adminMode = opened instanceof DbError && opened.isCode(AltibaseCode.ADMIN_MODE_REFUSED);
    if (adminMode && ctx.monitorOnly) {
      ctx.logger.info(where, `${node.host} is in ADMIN_MODE 1 and refuses ${ctx.monitor.user}; not reading it as SYSDBA (its aku -p start or -p end needs that session).`, { pod });
      return { ...blank, state: 'busy', reason: 'in ADMIN_MODE 1 (aku -p start has not finished, or -p end has begun); not read as SYSDBA' };
    }
    if (!adminMode) {
      ctx.logger.warn(where, `The monitoring user ${ctx.monitor.user} was refused (${short(opened)}); reading as SYSDBA instead.`, { pod });
    }
  }
  const slot = await openSysdbaSlot({ ...ctx, dbLogger: quietDbLogger(ctx.logger) }, node);
  if (slot.kind === 'busy') {
    ctx.logger.info(
      where,
      slot.ownRun ? `${slot.ownRun} is running on this pod and holds its SYSDBA session; not reading it.` : `Another SYSDBA session holds ${node.host}; not waiting for it longer than ${ctx.busyWaitMs} ms.`,
      { pod },
    );
    return { ...blank, state: 'busy', reason: slot.reason };
  }
  if (slot.kind === 'unreachable') {
    ctx.logger.info(where, `${node.host} is not reachable (${slot.reason}).`, { pod });
    return { ...blank, state: 'unreachable', reason: slot.reason };
  }
  return read(ctx, slot.session, node, 'sysdba', blank);
}

async function read(ctx: ObserveContext, session: Session, node: ServerNode, login: Login, blank: Omit<ServerObservation, 'state' | 'reason'>): Promise<ServerObservation> {
  const options = { retry: false, timeoutSec: ctx.statementTimeoutSec } as const;
  try {
    // One after another on the one session (a Session runs its statements in order anyway).
    const admin = await session.query(selectProperty('ADMIN_MODE'), options);
    const objects = await session.query(SELECT_REPLICATIONS, options);
    const senders = await session.query(SELECT_SENDERS, options);
    const receivers = await session.query(SELECT_RECEIVERS, options);
    const gaps = await session.query(SELECT_GAPS, options);
    return {
      ...blank,
      state: 'reachable',
      login,
      reason: null,
      adminMode: admin[0] ? Number(admin[0].VALUE1) : null,
      objects: new Map(objects.map((r) => [text(r.REPLICATION_NAME), { xsn: xsnOf(r.XSN), started: Number(r.IS_STARTED ?? 0) === 1 }])),
      senders: new Map(senders.map((r) => [text(r.REP_NAME), { statusCode: Number(r.STATUS), netError: Number(r.NET_ERROR_FLAG ?? 0) === 1 }])),
      receivers: conflictCounts(receivers),
      gaps: new Map(gaps.map((r) => [text(r.REP_NAME), Number(r.REP_GAP ?? 0)])),
    };
  } catch (error) {
    const pod = node.host.split('.')[0] ?? node.host;
    ctx.logger.warn(where, `Reading ${node.host} failed (${short(error)}).`, { pod });
    return { ...blank, state: 'unreachable', login, reason: `reading failed: ${short(error)}` };
  } finally {
    await session.close();
  }
}

/** A receiver may run several apply threads (PARALLEL_ID), one row each: their counts add up. */
function conflictCounts(rows: readonly Record<string, unknown>[]): Map<string, ConflictCounts> {
  const counts = new Map<string, ConflictCounts>();
  for (const row of rows) {
    const name = text(row.REP_NAME);
    const sum = counts.get(name) ?? { insert: 0, update: 0, delete: 0 };
    sum.insert += Number(row.INSERT_FAILURE_COUNT ?? 0);
    sum.update += Number(row.UPDATE_FAILURE_COUNT ?? 0);
    sum.delete += Number(row.DELETE_FAILURE_COUNT ?? 0);
    counts.set(name, sum);
  }
  return counts;
}

function text(value: unknown): string {
  return String(value ?? '');
}

/** iSQL shows a NULL restart point as -1; both mean "no history". */
function xsnOf(value: unknown): number {
  return value === null || value === undefined ? -1 : Number(value);
}

/** Connect retries are expected here (a busy slot): the session layer's lines go to DEBUG only. */
export function quietDbLogger(logger: Logger): DbLogger {
  return { log: (_level, message, context) => logger.debug('db', message, { pod: context.host.split('.')[0] ?? context.host }) };
}
