/** INSERT, UPDATE and DELETE on user tables: validation, then one committed transaction per statement (autocommit). */
import { simError } from '../errors.js';
import type { Expr, QualifiedName, Statement } from '../sql/ast.js';
import { candidateRows } from './access-path.js';
import { columnOf, partitionOf, primaryKeyOf, primaryKeyValues, type ColumnDef, type TableData } from './catalog.js';
import type { Change } from './durable-state.js';
import { evaluate, referencedColumns, test } from './expressions.js';
import type { Database } from './database.js';
import type { ServerSession } from './session.js';
import { coerceToKind, type Row, type SqlValue } from './values.js';

export function resolveTable(db: Database, session: ServerSession, name: QualifiedName): TableData {
  const data = db.table(name.user ?? session.user, name.name);
  if (!data) throw simError('QP_TABLE_NOT_FOUND');
  return data;
}

function storedValue(column: ColumnDef, value: SqlValue): SqlValue {
  const stored = coerceToKind(value, column.kind, column.integer);
  if (stored === null && column.notNull) throw simError('QP_NOT_NULL_VIOLATION');
  return stored;
}

function requirePartition(data: TableData, row: Row): string | undefined {
  const partition = partitionOf(data.def, row);
  if (partition === null) throw simError('QP_NO_PARTITION_FOR_VALUE');
  return partition;
}

function located(data: TableData, partition: string | undefined): { user: string; table: string; partition?: string } {
  return partition === undefined ? { user: data.def.user, table: data.def.name } : { user: data.def.user, table: data.def.name, partition };
}

/** `ALTER SESSION SET REPLICATION = NONE` (or FALSE): the session's changes are not replicated. */
function shipped(session: ServerSession): boolean {
  return session.replicationMode !== 'NONE';
}

function checkColumnsExist(data: TableData, expr: Expr | undefined): void {
  if (!expr) return;
  for (const column of referencedColumns(expr)) if (!columnOf(data.def, column)) throw simError('QP_COLUMN_NOT_FOUND', column);
}

export function insert(db: Database, session: ServerSession, statement: Extract<Statement, { kind: 'insert' }>): void {
  const data = resolveTable(db, session, statement.table);
  const columns = (statement.columns ?? data.def.columns.map((column) => column.name)).map((name) => {
    const column = columnOf(data.def, name);
    if (!column) throw simError('QP_COLUMN_NOT_FOUND', name);
    return column;
  });
  const changes: Change[] = [];
  const newKeys = new Set<string>();
  for (const values of statement.rows) {
    if (values.length !== columns.length) throw simError('QP_VALUE_COUNT_MISMATCH');
    const given = new Map<string, SqlValue>();
    columns.forEach((column, index) => given.set(column.name, evaluate(values[index] as Expr, {})));
    const row: Row = {};
    for (const column of data.def.columns) {
      row[column.name] = storedValue(column, given.has(column.name) ? (given.get(column.name) ?? null) : (column.defaultValue ?? null));
    }
    const partition = requirePartition(data, row);
    if (data.def.primaryKey.length > 0) {
      const key = primaryKeyOf(data.def, row);
      if (data.rows.has(key) || newKeys.has(key)) throw simError('SM_UNIQUE_VIOLATION');
      newKeys.add(key);
    }
    changes.push({ op: 'insert', ...located(data, partition), row });
  }
  db.commitLocal(changes, shipped(session));
}

function matchingRows(data: TableData, where: Expr | undefined): Row[] {
  checkColumnsExist(data, where);
  const rows: Row[] = [];
  for (const row of candidateRows(data, where)) if (!where || test(where, row) === true) rows.push(row);
  return rows;
}

export function update(db: Database, session: ServerSession, statement: Extract<Statement, { kind: 'update' }>): void {
  const data = resolveTable(db, session, statement.table);
  const assignments = statement.assignments.map((assignment) => {
    const column = columnOf(data.def, assignment.column);
    if (!column) throw simError('QP_COLUMN_NOT_FOUND', assignment.column);
    checkColumnsExist(data, assignment.value);
    return { column, value: assignment.value };
  });
  const targets = matchingRows(data, statement.where);
  const changes: Change[] = [];
  const touchesKey = assignments.some(({ column }) => data.def.primaryKey.includes(column.name));
  const keysAfter = touchesKey ? new Set(data.rows.keys()) : undefined;
  if (keysAfter) for (const row of targets) keysAfter.delete(primaryKeyOf(data.def, row));
  for (const row of targets) {
    const before: Row = {};
    const after: Row = {};
    for (const { column, value } of assignments) {
      before[column.name] = row[column.name] ?? null;
      after[column.name] = storedValue(column, evaluate(value, row));
    }
    const updated = { ...row, ...after };
    requirePartition(data, updated);
    if (keysAfter) {
      const newKey = primaryKeyOf(data.def, updated);
      if (keysAfter.has(newKey)) throw simError('SM_UNIQUE_VIOLATION');
      keysAfter.add(newKey);
    }
    changes.push({
      op: 'update',
      ...located(data, partitionOf(data.def, row) ?? undefined),
      key: primaryKeyValues(data.def, row),
      before,
      after,
    });
  }
  db.commitLocal(changes, shipped(session));
}

export function deleteRows(db: Database, session: ServerSession, statement: Extract<Statement, { kind: 'delete' }>): void {
  const data = resolveTable(db, session, statement.table);
  const changes: Change[] = matchingRows(data, statement.where).map((row) => ({
    op: 'delete',
    ...located(data, partitionOf(data.def, row) ?? undefined),
    key: primaryKeyValues(data.def, row),
    before: row,
  }));
  db.commitLocal(changes, shipped(session));
}
