/** CREATE / ALTER USER, CREATE TABLE / DROP TABLE / TRUNCATE (altibase-replication.md §8 for replicated tables). */
import { simError } from '../errors.js';
import type { QualifiedName, Statement } from '../sql/ast.js';
import { hasPartition, type ColumnDef, type Partitioning, type TableDef } from './catalog.js';
import type { Database } from './database.js';
import type { ServerSession } from './session.js';
import { coerceToKind, kindOfType } from './values.js';
import { resolveTable } from './dml.js';

const INTEGER_TYPES = new Set(['INTEGER', 'INT', 'BIGINT', 'SMALLINT']);

export function createUser(db: Database, statement: Extract<Statement, { kind: 'createUser' }>): void {
  if (db.state.users.has(statement.name)) throw simError('QP_DUPLICATE_OBJECT', statement.name);
  db.commit({ t: 'user', user: { name: statement.name, password: statement.password } });
}

/** ALTER USER … IDENTIFIED BY: the new password is durable; later logins need it. */
export function alterUserPassword(db: Database, statement: Extract<Statement, { kind: 'alterUserPassword' }>): void {
  const user = db.state.users.get(statement.name);
  if (!user) throw simError('QP_USER_NOT_FOUND');
  db.commit({ t: 'user', user: { ...user, password: statement.password } });
}

export function dropUser(db: Database, statement: Extract<Statement, { kind: 'dropUser' }>): void {
  if (!db.state.users.has(statement.name) || statement.name === 'SYS') throw simError('QP_USER_NOT_FOUND');
  const owned = [...db.state.tables.values()].filter((data) => data.def.user === statement.name);
  if (owned.length > 0 && !statement.cascade) throw simError('QP_USER_HAS_OBJECTS');
  if (owned.some((data) => isReplicated(db, data.def.user, data.def.name))) throw simError('QP_DDL_WITH_REPLICATED_TABLE');
  db.commit({ t: 'dropUser', name: statement.name });
}

export function createTable(
  db: Database,
  session: ServerSession,
  statement: Extract<Statement, { kind: 'createTable' }>,
): void {
  const user = statement.table.user ?? session.user;
  if (!db.state.users.has(user)) throw simError('QP_USER_NOT_FOUND');
  if (db.table(user, statement.table.name)) throw simError('QP_DUPLICATE_OBJECT', statement.table.name);
  const columns: ColumnDef[] = statement.columns.map((column) => {
    const kind = kindOfType(column.type);
    const def: ColumnDef = {
      name: column.name,
      type: column.type,
      kind,
      integer: INTEGER_TYPES.has(column.type) || (kind === 'number' && column.scale === 0 && column.length !== undefined),
      notNull: column.notNull,
    };
    if (column.length !== undefined) def.length = column.length;
    if (column.scale !== undefined) def.scale = column.scale;
    if (column.defaultValue !== undefined) def.defaultValue = coerceToKind(column.defaultValue, kind);
    return def;
  });
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name)) throw simError('QP_DUPLICATE_OBJECT', column.name);
    names.add(column.name);
  }
  for (const key of statement.primaryKey) {
    const column = columns.find((c) => c.name === key);
    if (!column) throw simError('QP_COLUMN_NOT_FOUND', key);
    column.notNull = true;
  }
  const def: TableDef = { oid: db.allocateOid(), user, name: statement.table.name, columns, primaryKey: statement.primaryKey };
  if (statement.partitioning) def.partitioning = buildPartitioning(statement.partitioning, columns);
  db.commit({ t: 'createTable', def });
}

function buildPartitioning(ast: NonNullable<Extract<Statement, { kind: 'createTable' }>['partitioning']>, columns: ColumnDef[]): Partitioning {
  const keyColumn = columns.find((column) => column.name === ast.column);
  if (!keyColumn) throw simError('QP_COLUMN_NOT_FOUND', ast.column);
  const names = new Set<string>();
  ast.partitions.forEach((partition, index) => {
    if (names.has(partition.name)) throw simError('QP_DUPLICATE_OBJECT', partition.name);
    names.add(partition.name);
    if (partition.bound.kind === 'default' && index !== ast.partitions.length - 1) {
      throw simError('QP_SYNTAX', 1, 'at column 1: the DEFAULT partition must be the last one');
    }
  });
  return {
    method: ast.method,
    column: ast.column,
    partitions: ast.partitions.map((partition) => ({
      name: partition.name,
      bound:
        partition.bound.kind === 'default'
          ? { kind: 'default' }
          : { kind: partition.bound.kind, values: partition.bound.values.map((value) => coerceToKind(value, keyColumn.kind)) },
    })),
  };
}

/** Is the table (or one of its partitions) an item of any replication object? */
export function isReplicated(db: Database, user: string, table: string, partition?: string): boolean {
  for (const meta of db.state.replications.values()) {
    for (const item of meta.items) {
      if (item.localUser !== user || item.localTable !== table) continue;
      if (partition === undefined || item.localPartition === undefined || item.localPartition === partition) return true;
    }
  }
  return false;
}

export function dropTable(db: Database, session: ServerSession, name: QualifiedName): void {
  const data = resolveTable(db, session, name);
  if (isReplicated(db, data.def.user, data.def.name)) throw simError('QP_DDL_WITH_REPLICATED_TABLE');
  db.commit({ t: 'dropTable', user: data.def.user, table: data.def.name });
}

/** TRUNCATE TABLE / ALTER TABLE … TRUNCATE PARTITION: local only, never replicated (§0.12, §8). */
export function truncate(db: Database, session: ServerSession, name: QualifiedName, partition?: string): void {
  const data = resolveTable(db, session, name);
  if (partition !== undefined && !hasPartition(data.def, partition)) throw simError('QP_PARTITION_NOT_FOUND', partition);
  if (isReplicated(db, data.def.user, data.def.name, partition)) {
    if (db.properties.getNumber('REPLICATION_DDL_ENABLE') !== 1) throw simError('QP_REPLICATION_DDL_DISABLED');
    if (session.replicationMode === 'NONE') throw simError('QP_CANNOT_WRITE_REPL_INFO');
  }
  db.commit(partition === undefined ? { t: 'truncate', user: data.def.user, table: data.def.name } : { t: 'truncate', user: data.def.user, table: data.def.name, partition });
}
