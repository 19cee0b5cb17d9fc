/**
 * What `aku reconcile` reports, as data. `--json` prints a `ReconcileReport` as it is; the field
 * names are part of aku's interface (docs/reconcile.md lists them) and change only with a new
 * `schemaVersion`.
 */

export const RECONCILE_SCHEMA_VERSION = 1;

/** Where the replica count came from: `--replicas`, or the StatefulSet's spec.replicas. */
export type ReplicaSource = 'option' | 'kubernetes';

export interface KnownReplicas {
  count: number;
  source: ReplicaSource;
}

/**
 * `reset`: stopped and reset (and the leave recorded); `planned`: what a run without --dry-run
 * does; `skipped`: not touched, `reason` says why; `failed`: a statement failed, `reason` names it.
 */
export type ObjectAction = 'reset' | 'planned' | 'skipped' | 'kept' | 'failed';

/** V$REPGAP of the object's sender just before its STOP (no row: no sender ran). */
export interface GapReading {
  /** REP_GAP: how far the sender was behind the newest log (REPLICATION_GAP_UNIT units on Altibase). */
  repGap: number;
  /** REP_SN: where the sender was reading. */
  repSn: number;
  /** REP_LAST_SN: the newest log record on the holder. */
  lastSn: number;
}

export interface ObjectReport {
  /** The pod holding the object (in the set). */
  pod: string;
  ordinal: number;
  name: string;
  /** The group's REPLICATION_NAME_PREFIX. */
  group: string;
  /** The ordinal at or beyond the replica count. */
  peerOrdinal: number;
  peerPod: string;
  /** As found: IS_STARTED = 1 */
  started: boolean;
  /** As found: the restart point. */
  xsn: number;
  action: ObjectAction;
  /** Null when no sender ran (the object was stopped) or the object was not read that far. */
  gap: GapReading | null;
  reason: string | null;
}

/**
 * `read`: reached and read; `busy`: its one SYSDBA session belongs to a running aku or someone
 * else; `unreachable`: no session; `starting`: the API shows the pod not Ready yet (its `aku -p
 * start` runs and needs the session), so it was left alone — not a failure.
 */
export type PodState = 'read' | 'busy' | 'unreachable' | 'starting';

export interface PodReport {
  ordinal: number;
  pod: string;
  host: string;
  state: PodState;
  /** Why the pod was not read; null when it was. */
  reason: string | null;
}

/**
 * A departed ordinal some object points at. `gone`: no Pod object (when the API was read) and
 * its server does not answer; `running`: the Pod still exists, or its server answers — its own
 * `aku -p end` decommissions it; `unknown`: the API could not say whether the Pod exists.
 */
export type DepartedState = 'gone' | 'running' | 'unknown';

export interface DepartedReport {
  ordinal: number;
  pod: string;
  state: DepartedState;
  reason: string | null;
}

export interface ReconcileReport {
  schemaVersion: typeof RECONCILE_SCHEMA_VERSION;
  command: 'reconcile';
  dryRun: boolean;
  /** 0: done or nothing to do; 1: something was skipped or failed (named in problems). */
  exitCode: 0 | 1;
  replicas: KnownReplicas;
  /** AKU_SERVER_COUNT: the ordinals aku names objects for. */
  serverCount: number;
  pods: PodReport[];
  departed: DepartedReport[];
  objects: ObjectReport[];
  problems: string[];
}
