/**
 * The model of acknowledged writes: for each key of the sample table SYS.T1, the state the last
 * acknowledged write left (a value, or absent after a DELETE), which pod made it, and that pod's
 * log position (SN) right after it.
 *
 * The rule (docs/chaos.md): a write is acknowledged when its statement returned success to the
 * writer. Every acknowledged write must survive in every in-service pod after quiescing, whatever
 * happened to the pod that took it: a pod that is scaled away or deleted hands its changes over
 * in `aku -p end` (exit 0), or keeps them on its volume (end exit 1, or no end at all) until its
 * ordinal is in service again — the quiesce step brings such an ordinal back, as the operator
 * would — and a pod that is then reset and re-synced has delivered first. So no acknowledged
 * write is excused. A write whose outcome the writer could not learn (the connection broke after
 * the statement was sent) makes its key *uncertain*: no later write touches it and the check only
 * asks the pods to agree on it. A refused write (login or statement error) is not in the model.
 */
export interface KeyState {
  /** The value, or null when the last acknowledged write deleted the row. */
  value: string | null;
  /** Ordinal of the pod that made the last acknowledged write. */
  owner: number;
  /** That pod's MAX(V$REPGAP.REP_LAST_SN) right after the write; null when it could not be read. */
  sn: number | null;
  uncertain: boolean;
}

export type Op = 'insert' | 'update' | 'delete';

export class WriteModel {
  readonly keys = new Map<number, KeyState>();
  acknowledged = 0;
  uncertainWrites = 0;
  private nextKey = 1;
  private nextValue = 1;

  constructor(private readonly valuePrefix: string) {}

  newKey(): number {
    return this.nextKey++;
  }

  newValue(): string {
    return `${this.valuePrefix}-${this.nextValue++}`;
  }

  /** Keys a write may touch: known and certain, in key order. */
  writable(): number[] {
    return [...this.keys.entries()].filter(([, s]) => !s.uncertain).map(([k]) => k).sort((a, b) => a - b);
  }

  /** The statement that changes `key` as `op` says, given what the model holds. */
  statement(key: number, op: Op, value: string): { sql: string; after: string | null } {
    const exists = this.keys.get(key)?.value != null;
    if (!exists) return { sql: `INSERT INTO SYS.T1 VALUES (${key}, '${value}')`, after: value };
    if (op === 'delete') return { sql: `DELETE FROM SYS.T1 WHERE ID = ${key}`, after: null };
    return { sql: `UPDATE SYS.T1 SET V = '${value}' WHERE ID = ${key}`, after: value };
  }

  acknowledge(key: number, after: string | null, owner: number, sn: number | null): void {
    this.keys.set(key, { value: after, owner, sn, uncertain: false });
    this.acknowledged++;
  }

  /** The outcome is unknown: the key is left alone from now on. */
  uncertain(key: number, owner: number): void {
    const before = this.keys.get(key);
    this.keys.set(key, { value: before?.value ?? null, owner, sn: null, uncertain: true });
    this.uncertainWrites++;
  }

  setSn(key: number, sn: number | null): void {
    const state = this.keys.get(key);
    if (state) state.sn = sn;
  }
}
