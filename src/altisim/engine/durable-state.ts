/**
 * Everything about a server that survives a restart, and the only ways it changes.
 *
 * The engine never mutates durable state directly: it commits a `DurableOp`, which `applyOp`
 * applies and the disk journals. Replaying the same ops over the last snapshot rebuilds the state,
 * so a killed server comes back exactly as committed (altibase-replication.md §0.10).
 */
import { partitionOf, primaryKeyOf, tableKey, type TableData, type TableDef, type UserRecord } from './catalog.js';
import { NULL_SN, type ReplicationMeta } from './replication/meta.js';
import type { Row } from './values.js';

/** One row-level change of a committed transaction, as the log (and the XLog stream) carries it. */
export type Change =
  | { op: 'insert'; user: string; table: string; partition?: string; row: Row }
  | {
      op: 'update';
      user: string;
      table: string;
      partition?: string;
      /** Primary key of the row before the update. */
      key: Row;
      /** Old values of the assigned columns (the before image used for conflict detection). */
      before: Row;
      /** New values of the assigned columns. */
      after: Row;
    }
  | { op: 'delete'; user: string; table: string; partition?: string; key: Row; before: Row };

export interface LogEntry {
  sn: number;
  changes: Change[];
}

export interface DurableState {
  /** Identifies the database (not the process): the self-replication check compares it. */
  serverId: string;
  users: Map<string, UserRecord>;
  tables: Map<string, TableData>;
  replications: Map<string, ReplicationMeta>;
  /** Local (not replicated-in) transactions a sender may still have to ship, ascending SN. */
  log: LogEntry[];
  /** SN of the newest committed transaction (local or replicated-in). */
  lastSN: number;
  nextHostNo: number;
  nextOid: number;
}

export type DurableOp =
  | { t: 'user'; user: UserRecord }
  | { t: 'dropUser'; name: string }
  | { t: 'createTable'; def: TableDef }
  | { t: 'dropTable'; user: string; table: string }
  | { t: 'txn'; sn: number; replicated: boolean; changes: Change[] }
  | { t: 'truncate'; user: string; table: string; partition?: string }
  | { t: 'repl'; meta: ReplicationMeta }
  | { t: 'replDrop'; name: string }
  | { t: 'counters'; nextHostNo: number; nextOid: number };

export function createInitialState(serverId: string, sysPassword: string): DurableState {
  return {
    serverId,
    users: new Map([['SYS', { name: 'SYS', password: sysPassword }]]),
    tables: new Map(),
    replications: new Map(),
    log: [],
    lastSN: 0,
    nextHostNo: 1,
    nextOid: 1000,
  };
}

/** True while some replication object keeps a restart point, i.e. someone may need the log. */
function logIsRetained(state: DurableState): boolean {
  for (const meta of state.replications.values()) if (meta.xsn !== NULL_SN) return true;
  return false;
}

export function applyOp(state: DurableState, op: DurableOp): void {
  switch (op.t) {
    case 'user':
      state.users.set(op.user.name, { ...op.user });
      return;
    case 'dropUser':
      state.users.delete(op.name);
      for (const [key, data] of state.tables) if (data.def.user === op.name) state.tables.delete(key);
      return;
    case 'createTable':
      state.tables.set(tableKey(op.def.user, op.def.name), { def: op.def, rows: new Map(), nextRowId: 1 });
      state.nextOid = Math.max(state.nextOid, op.def.oid + 1);
      return;
    case 'dropTable':
      state.tables.delete(tableKey(op.user, op.table));
      return;
    case 'txn':
      for (const change of op.changes) applyChange(state, change);
      state.lastSN = Math.max(state.lastSN, op.sn);
      if (!op.replicated && op.changes.length > 0 && logIsRetained(state)) {
        state.log.push({ sn: op.sn, changes: op.changes });
      }
      return;
    case 'truncate':
      applyTruncate(state, op.user, op.table, op.partition);
      return;
    case 'repl':
      state.replications.set(op.meta.name, structuredClone(op.meta));
      trimLog(state);
      return;
    case 'replDrop':
      state.replications.delete(op.name);
      trimLog(state);
      return;
    case 'counters':
      state.nextHostNo = op.nextHostNo;
      state.nextOid = op.nextOid;
      return;
  }
}

function applyChange(state: DurableState, change: Change): void {
  const data = state.tables.get(tableKey(change.user, change.table));
  if (!data) return; // the table was dropped after the change was logged
  switch (change.op) {
    case 'insert': {
      const key = data.def.primaryKey.length > 0 ? primaryKeyOf(data.def, change.row) : String(data.nextRowId++);
      data.rows.set(key, { ...change.row });
      return;
    }
    case 'update': {
      const oldKey = primaryKeyOf(data.def, change.key);
      const current = data.rows.get(oldKey);
      if (!current) return;
      const updated = { ...current, ...change.after };
      const newKey = primaryKeyOf(data.def, updated);
      if (newKey !== oldKey) data.rows.delete(oldKey);
      data.rows.set(newKey, updated);
      return;
    }
    case 'delete':
      data.rows.delete(primaryKeyOf(data.def, change.key));
      return;
  }
}

function applyTruncate(state: DurableState, user: string, table: string, partition: string | undefined): void {
  const data = state.tables.get(tableKey(user, table));
  if (!data) return;
  if (partition === undefined) {
    data.rows.clear();
  } else {
    for (const [key, row] of data.rows) {
      if (rowPartition(data, row) === partition) data.rows.delete(key);
    }
  }
  // DDL is not replicated; older unsent log records of the truncated data must not be shipped either.
  for (const meta of state.replications.values()) {
    for (const item of meta.items) {
      const sameTable = item.localUser === user && item.localTable === table;
      const samePartition = partition === undefined || item.localPartition === undefined || item.localPartition === partition;
      if (sameTable && samePartition) item.invalidMaxSN = state.lastSN;
    }
  }
}

function rowPartition(data: TableData, row: Row): string | undefined {
  return partitionOf(data.def, row) ?? undefined;
}

/** Drop log records every replication object has already sent (or will never send). */
export function trimLog(state: DurableState): void {
  let minXsn = Infinity;
  for (const meta of state.replications.values()) if (meta.xsn !== NULL_SN) minXsn = Math.min(minXsn, meta.xsn);
  if (minXsn === Infinity) {
    state.log.length = 0;
    return;
  }
  let firstKept = 0;
  while (firstKept < state.log.length && (state.log[firstKept] as LogEntry).sn <= minXsn) firstKept++;
  if (firstKept > 0) state.log.splice(0, firstKept);
}

// ------------------------------------------------------------------ serialisation

interface SerializedState {
  serverId: string;
  users: UserRecord[];
  tables: { def: TableDef; rows: Row[]; nextRowId: number }[];
  replications: ReplicationMeta[];
  log: LogEntry[];
  lastSN: number;
  nextHostNo: number;
  nextOid: number;
}

export function serializeState(state: DurableState): SerializedState {
  return {
    serverId: state.serverId,
    users: [...state.users.values()],
    tables: [...state.tables.values()].map((data) => ({ def: data.def, rows: [...data.rows.values()], nextRowId: data.nextRowId })),
    replications: [...state.replications.values()],
    log: state.log,
    lastSN: state.lastSN,
    nextHostNo: state.nextHostNo,
    nextOid: state.nextOid,
  };
}

export function deserializeState(raw: unknown): DurableState {
  const data = raw as SerializedState;
  if (typeof data?.serverId !== 'string' || !Array.isArray(data.tables)) throw new Error('not an altisim state image');
  const tables = new Map<string, TableData>();
  for (const table of data.tables) {
    const rows = new Map<string, Row>();
    let rowId = 1;
    for (const row of table.rows) {
      rows.set(table.def.primaryKey.length > 0 ? primaryKeyOf(table.def, row) : String(rowId++), row);
    }
    tables.set(tableKey(table.def.user, table.def.name), { def: table.def, rows, nextRowId: Math.max(table.nextRowId, rowId) });
  }
  return {
    serverId: data.serverId,
    users: new Map(data.users.map((user) => [user.name, user])),
    tables,
    replications: new Map(data.replications.map((meta) => [meta.name, meta])),
    log: data.log,
    lastSN: data.lastSN,
    nextHostNo: data.nextHostNo,
    nextOid: data.nextOid,
  };
}
