/** Runs one parsed statement in a session: privilege checks, then the statement's handler. */
import { simError } from '../errors.js';
import { isReplicationDdl, type Statement } from '../sql/ast.js';
import { candidateRows } from './access-path.js';
import { hasPartition, partitionOf } from './catalog.js';
import { alterUserPassword, createTable, createUser, dropTable, dropUser, truncate } from './ddl.js';
import { deleteRows, insert, resolveTable, update } from './dml.js';
import type { Database } from './database.js';
import { runSelect, type RowSource } from './query.js';
import { alterReplication, createReplication, dropReplication } from './replication/commands.js';
import type { ServerSession, StatementContext } from './session.js';
import type { Row } from './values.js';
import { findView } from './views.js';

const SYS = 'SYS';

function requireSys(session: ServerSession): void {
  if (session.user !== SYS) throw simError('QP_NO_GRANT');
}

export async function executeStatement(
  db: Database,
  session: ServerSession,
  statement: Statement,
  context: StatementContext,
): Promise<Row[]> {
  if (isReplicationDdl(statement)) requireSys(session);
  switch (statement.kind) {
    case 'createReplication':
      createReplication(db, statement);
      return [];
    case 'alterReplication':
      await alterReplication(db, statement.name, statement.action, context);
      return [];
    case 'dropReplication':
      dropReplication(db, statement.name);
      return [];
    case 'truncateTable':
      truncate(db, session, statement.table);
      return [];
    case 'truncatePartition':
      truncate(db, session, statement.table, statement.partition);
      return [];
    case 'alterSystemSet':
      requireSys(session);
      db.properties.alter(statement.property, statement.value);
      return [];
    case 'alterSessionSet':
      alterSession(session, statement.property, statement.value);
      return [];
    case 'createUser':
      requireSys(session);
      createUser(db, statement);
      return [];
    case 'alterUserPassword':
      // SYS changes anyone's password, a user only their own; the session stays logged in.
      if (session.user !== statement.name) requireSys(session);
      alterUserPassword(db, statement);
      return [];
    case 'dropUser':
      requireSys(session);
      dropUser(db, statement);
      return [];
    case 'grant':
      return [];
    case 'createTable':
      createTable(db, session, statement);
      return [];
    case 'dropTable':
      dropTable(db, session, statement.table);
      return [];
    case 'insert':
      insert(db, session, statement);
      return [];
    case 'update':
      update(db, session, statement);
      return [];
    case 'delete':
      deleteRows(db, session, statement);
      return [];
    case 'select':
      return runSelect(rowSource(db, session, statement), statement);
    case 'commit':
    case 'rollback':
      // Autocommit: every statement is already its own transaction.
      return [];
  }
}

function rowSource(db: Database, session: ServerSession, statement: Extract<Statement, { kind: 'select' }>): RowSource {
  const from = statement.from;
  if (!from) throw simError('QP_TABLE_NOT_FOUND');
  const view = findView(from.user, from.name);
  if (view) return view(db);
  const data = resolveTable(db, session, from);
  const columns = data.def.columns.map((column) => column.name);
  const partition = statement.partition;
  if (partition === undefined) return { columns, rows: candidateRows(data, statement.where) };
  if (!hasPartition(data.def, partition)) throw simError('QP_PARTITION_NOT_FOUND', partition);
  return { columns, rows: [...candidateRows(data, statement.where)].filter((row) => partitionOf(data.def, row) === partition) };
}

function alterSession(session: ServerSession, property: string, value: string | number | null): void {
  switch (property) {
    case 'QUERY_TIMEOUT': {
      const seconds = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(seconds) || seconds < 0) throw simError('ID_PROPERTY_OUT_OF_RANGE', property, String(value));
      session.queryTimeoutSec = seconds;
      return;
    }
    case 'REPLICATION': {
      const mode = String(value).toUpperCase();
      if (!['DEFAULT', 'NONE', 'TRUE', 'FALSE', 'LAZY', 'EAGER'].includes(mode)) {
        throw simError('ID_PROPERTY_OUT_OF_RANGE', property, String(value));
      }
      session.replicationMode = mode === 'FALSE' ? 'NONE' : mode;
      return;
    }
    default:
      throw simError('ID_PROPERTY_NOT_FOUND', property);
  }
}
