import type { Driver } from '../db/driver.js';
import { AltibaseCode, DbError } from '../db/errors.js';
import { RETRY_UNTIL_DEADLINE, Session, type DbLogger, type SessionSettings } from '../db/session.js';
import type { ServerNode } from '../topology/index.js';
import { markedEnd, markedRecover, markedStart, runningEnd, runningRecover, runningStart } from './start-handover.js';

/**
 * Opening a server's one SYSDBA session for a command that must never take it from a run that
 * needs it (`aku status`, `aku reconcile`):
 *   - on this pod, a running `-p start`, `-p end` or `aku recover` (their pid files) holds the slot: no login is
 *     tried there at all;
 *   - elsewhere a login answered "another SYSDBA session" (ERR-41041) is tried again only for a
 *     short bound (`busyWaitMs`), then the server is reported busy; nobody's session is closed.
 */

export interface SlotContext {
  driver: Driver;
  sysdba: SessionSettings;
  /** Where the session layer's own lines go (connect retries are expected here: DEBUG). */
  dbLogger: DbLogger;
  /** This pod's ordinal, when the command runs in one of the set's pods. */
  selfOrdinal?: number;
  /** This pod's completion file, beside which start and end leave their pid. */
  completionFile: string;
  /**
   * The command runs in another container of this pod than start and end (AKU_SIDECAR=1, the
   * metrics sidecar): their pid files count whoever wrote them (start-handover.ts, markedStart).
   */
  lifecycleElsewhere?: boolean;
  busyWaitMs: number;
  now(): number;
}

export type SlotAnswer =
  | { kind: 'open'; session: Session }
  | { kind: 'busy'; reason: string; ownRun?: string }
  | { kind: 'unreachable'; reason: string };

export async function openSysdbaSlot(ctx: SlotContext, node: ServerNode): Promise<SlotAnswer> {
  const ownRun = node.ordinal === ctx.selfOrdinal ? runningLifecycle(ctx.completionFile, ctx.lifecycleElsewhere === true) : undefined;
  if (ownRun) return { kind: 'busy', reason: `${ownRun} is running on this pod`, ownRun };
  const session = new Session(ctx.driver, node.host, ctx.sysdba, { logger: ctx.dbLogger });
  let failure = await openOnce(session);
  if (failure !== undefined && isBusy(failure)) {
    // Someone holds the slot; it may be a moment (another status, a finishing run). Short bound only.
    failure = await session
      .open({ retry: RETRY_UNTIL_DEADLINE, deadline: ctx.now() + ctx.busyWaitMs })
      .then(() => undefined, (error: unknown) => error);
    if (failure !== undefined && isBusy(failure)) {
      await session.close();
      return { kind: 'busy', reason: 'another SYSDBA session is open on the server (ERR-41041)' };
    }
  }
  if (failure !== undefined) {
    await session.close();
    return { kind: 'unreachable', reason: shortError(failure) };
  }
  return { kind: 'open', session };
}

/** `aku -p start (pid N)`, `aku -p end (pid N)` or `aku recover (pid N)`, when one runs in this container (or, from a sidecar, is marked running in the pod). */
export function runningLifecycle(completionFile: string, elsewhere = false): string | undefined {
  const start = elsewhere ? markedStart(completionFile) : runningStart(completionFile);
  if (start !== undefined) return `aku -p start (pid ${start})`;
  const end = elsewhere ? markedEnd(completionFile) : runningEnd(completionFile);
  if (end !== undefined) return `aku -p end (pid ${end})`;
  const recover = elsewhere ? markedRecover(completionFile) : runningRecover(completionFile);
  return recover === undefined ? undefined : `aku recover (pid ${recover})`;
}

export async function openOnce(session: Session): Promise<unknown> {
  return session.open({ retry: false }).then(() => undefined, (error: unknown) => error);
}

export function isBusy(error: unknown): boolean {
  return error instanceof DbError && error.isCode(AltibaseCode.ANOTHER_SYSDBA_SESSION, AltibaseCode.CLIENT_ANOTHER_SYSDBA_SESSION);
}

/** The server did not answer at all (as opposed to answering with a refusal). */
export function isConnectFailure(error: unknown): boolean {
  return !(error instanceof DbError) || (error.verdict === 'transient-reconnect' && !isBusy(error));
}

export function shortError(error: unknown): string {
  if (error instanceof DbError) return `${error.altibaseCode} : ${error.primary.message}`;
  return error instanceof Error ? error.message : String(error);
}
