/**
 * What `aku status` reports, as data. `--json` prints a `StatusReport` as it is; the field names
 * are part of aku's interface (docs/status.md lists them) and change only with a new
 * `schemaVersion`.
 */

export const STATUS_SCHEMA_VERSION = 1;

export type Verdict = 'ok' | 'warn' | 'fail';

const RANK: Record<Verdict, number> = { ok: 0, warn: 1, fail: 2 };

export function worst(verdicts: Iterable<Verdict>): Verdict {
  let result: Verdict = 'ok';
  for (const verdict of verdicts) if (RANK[verdict] > RANK[result]) result = verdict;
  return result;
}

export function atLeast(verdict: Verdict, threshold: Verdict): boolean {
  return RANK[verdict] >= RANK[threshold];
}

/** Where the replica count came from. */
export type ReplicaSource = 'option' | 'answering' | 'kubernetes';

/**
 * `reachable`: read; `unreachable`: no session could be opened (or a read failed); `busy`: the
 * server answered, but its one SYSDBA session belongs to someone else (a running `-p start` or
 * `-p end`, an operator's `isql -sysdba`) and status did not take it.
 */
export type PodState = 'reachable' | 'unreachable' | 'busy';

/** How status logged in: the monitoring user (no SYSDBA slot taken) or SYS as SYSDBA. */
export type Login = 'monitor' | 'sysdba';

export interface PodReport {
  ordinal: number;
  pod: string;
  host: string;
  state: PodState;
  login: Login | null;
  /** ADMIN_MODE of the server (1 while `-p start` has not finished, or after `-p end` began); null when not read. */
  adminMode: number | null;
  /** Why the pod could not be read, or who holds its SYSDBA slot; null when it was read. */
  reason: string | null;
  verdict: Verdict;
  problem: string | null;
  nextStep: string | null;
}

/** V$REPSENDER.STATUS as a word (altibase-replication.md §10.4). */
export type SenderStatus =
  | 'STOP'
  | 'RUN'
  | 'RETRY'
  | 'FAILBACK NORMAL'
  | 'FAILBACK MASTER'
  | 'FAILBACK SLAVE'
  | 'SYNC'
  | 'FAILBACK EAGER'
  | 'FAILBACK FLUSH'
  | 'IDLE'
  | 'UNKNOWN';

export interface SenderReport {
  status: SenderStatus;
  /** V$REPSENDER.STATUS as the server gave it. */
  statusCode: number;
  /** V$REPSENDER.NET_ERROR_FLAG = 1: the link to the peer is down. */
  netError: boolean;
}

/**
 * Rows this pod's receiver could not apply from the peer since the receiver started
 * (V$REPRECEIVER INSERT/UPDATE/DELETE_FAILURE_COUNT): a duplicate key, a row missing or changed
 * here. Replication skips them and goes on, so the two pods' tables differ from then on; with
 * writes on several pods (active-active) that is how a conflict shows.
 */
export interface ConflictCounts {
  insert: number;
  update: number;
  delete: number;
}

/** One pod's side of a pair, as read on that pod; the fields are null where the pod was not read. */
export interface PairSide {
  ordinal: number;
  pod: string;
  /** The pod was read (state `reachable`). */
  read: boolean;
  exists: boolean | null;
  /** SYS_REPLICATIONS_.IS_STARTED = 1 */
  started: boolean | null;
  /** SYS_REPLICATIONS_.XSN (the restart point; -1 after CREATE and RESET). */
  xsn: number | null;
  /** The sender thread (V$REPSENDER), null when none runs. */
  sender: SenderReport | null;
  /** V$REPRECEIVER has a row: the peer's sender is connected to this pod. */
  receiving: boolean | null;
  /** V$REPGAP.REP_GAP of this pod's sender (null without a sender). */
  gap: number | null;
  /** What this pod's receiver skipped of the peer's changes (null when no receiver runs here). */
  conflicts: ConflictCounts | null;
}

export interface PairReport {
  name: string;
  /** The group's REPLICATION_NAME_PREFIX. */
  group: string;
  /** The two ordinals, smaller first. */
  ordinals: [number, number];
  sides: [PairSide, PairSide];
  verdict: Verdict;
  problem: string | null;
  nextStep: string | null;
}

/** A replication object on a pod in the set, toward an ordinal at or beyond the replica count. */
export interface BeyondReport {
  name: string;
  group: string;
  /** The pod holding the object. */
  ordinal: number;
  pod: string;
  /** The ordinal that does not exist (any more). */
  peerOrdinal: number;
  started: boolean;
  xsn: number;
  verdict: Verdict;
  problem: string | null;
  nextStep: string | null;
}

export interface StatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  command: 'status';
  verdict: Verdict;
  /** Verdict that makes the exit status 1 (`--fail-on`). */
  failOn: Exclude<Verdict, 'ok'>;
  exitCode: number;
  replicas: { count: number; source: ReplicaSource };
  /** AKU_SERVER_COUNT: the ordinals aku names objects for. */
  serverCount: number;
  /** The pod status ran in, when it ran in one of the set (null in a test pod or outside). */
  observer: string | null;
  counts: Record<Verdict, number>;
  pods: PodReport[];
  pairs: PairReport[];
  beyond: BeyondReport[];
}
