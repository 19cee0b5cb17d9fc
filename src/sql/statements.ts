import { isSafeIdentifier, MAX_REPLICATION_NAME_BYTES } from '../config/identifiers.js';
import type { ReplicationItem } from '../config/model.js';

/**
 * Every statement aku sends, in Altibase's exact grammar. Names reaching these builders were
 * validated by the config layer; the builders check again, because a statement is the last
 * place where a malformed name could change what the server does.
 */

export type FlushMode = { all: boolean; waitSec?: number };

/** What aku reads to decide a path: name, restart point and started flag of every object. */
export const SELECT_REPLICATIONS = 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_';

/**
 * What `aku status` reads besides SYS_REPLICATIONS_: the running senders (one row per sender
 * thread), the receivers (one row per connected peer sender, with the rows each could not apply:
 * a conflict the receiver skipped) and the senders' gaps. Views only: status changes nothing.
 */
export const SELECT_SENDERS = 'SELECT REP_NAME, STATUS, NET_ERROR_FLAG, XSN FROM V$REPSENDER';
export const SELECT_RECEIVERS =
  'SELECT REP_NAME, PEER_IP, APPLY_XSN, INSERT_FAILURE_COUNT, UPDATE_FAILURE_COUNT, DELETE_FAILURE_COUNT FROM V$REPRECEIVER';
export const SELECT_GAPS = 'SELECT REP_NAME, REP_GAP, REP_LAST_SN, REP_SN FROM V$REPGAP';

/** The items of every object, to compare an existing object with aku.conf. */
export const SELECT_REPLICATION_ITEMS =
  'SELECT REPLICATION_NAME, LOCAL_USER_NAME, LOCAL_TABLE_NAME, LOCAL_PARTITION_NAME FROM SYSTEM_.SYS_REPL_ITEMS_';

/** The gap of one object's sender (no row when no sender runs). */
export function selectReplicationGap(name: string): string {
  return `SELECT REP_NAME, REP_GAP, REP_LAST_SN, REP_SN FROM V$REPGAP WHERE REP_NAME = '${replication(name)}'`;
}

/**
 * aku's record of pairs this server left deliberately (`-p clean`): a small table other pods'
 * starts read, so that an object missing or reset on purpose is told apart from one lost by
 * accident (docs/lifecycle.md, "Deliberate leaves").
 */
export const LEAVES_TABLE = 'SYS.AKU_LEFT_PAIRS';
export const CREATE_LEAVES_TABLE = `CREATE TABLE ${LEAVES_TABLE} (REPLICATION_NAME VARCHAR(40) PRIMARY KEY, LEFT_AT VARCHAR(32))`;
export const SELECT_LEAVES = `SELECT REPLICATION_NAME, LEFT_AT FROM ${LEAVES_TABLE}`;

export function insertLeave(name: string, at: string): string {
  if (!/^[0-9TZ:.-]{1,32}$/.test(at)) throw new Error(`refusing timestamp ${JSON.stringify(at)}`);
  return `INSERT INTO ${LEAVES_TABLE} VALUES ('${replication(name)}', '${at}')`;
}

export function deleteLeave(name: string): string {
  return `DELETE FROM ${LEAVES_TABLE} WHERE REPLICATION_NAME = '${replication(name)}'`;
}

/** Server properties aku depends on. */
export type ServerProperty =
  | 'ADMIN_MODE'
  | 'REPLICATION_DDL_ENABLE'
  | 'REPLICATION_ALLOW_DUPLICATE_HOSTS'
  | 'REPLICATION_MAX_COUNT';

export function selectProperty(name: ServerProperty): string {
  return `SELECT NAME, VALUE1 FROM V$PROPERTY WHERE NAME = '${name}'`;
}

export function alterSystemSet(name: 'ADMIN_MODE' | 'REPLICATION_DDL_ENABLE', value: 0 | 1): string {
  return `ALTER SYSTEM SET ${name} = ${value}`;
}

export function createReplication(name: string, peerHost: string, replicationPort: number, items: readonly ReplicationItem[]): string {
  if (items.length === 0) throw new Error(`replication ${name} needs at least one item`);
  const from = items.map((item) => `FROM ${qualified(item)} TO ${qualified(item)}`).join(', ');
  return `CREATE REPLICATION ${replication(name)} WITH '${host(peerHost)}', ${port(replicationPort)} ${from}`;
}

/** START waits for the handshake; START RETRY creates the sender (and its restart point) even when the peer cannot answer yet. */
export const startReplication = (name: string, options: { retry?: boolean } = {}) =>
  `ALTER REPLICATION ${replication(name)} START${options.retry ? ' RETRY' : ''}`;
export const stopReplication = (name: string) => `ALTER REPLICATION ${replication(name)} STOP`;
export const resetReplication = (name: string) => `ALTER REPLICATION ${replication(name)} RESET`;
export const dropReplication = (name: string) => `DROP REPLICATION ${replication(name)}`;

export function syncReplication(name: string, parallel: number): string {
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`SYNC PARALLEL needs a positive integer, not ${parallel}`);
  return `ALTER REPLICATION ${replication(name)} SYNC PARALLEL ${parallel}`;
}

/** `FLUSH [ALL] [WAIT n]`: FLUSH ALL keeps re-reading the newest log position; WAIT bounds the wait. */
export function flushReplication(name: string, mode: FlushMode): string {
  let sql = `ALTER REPLICATION ${replication(name)} FLUSH`;
  if (mode.all) sql += ' ALL';
  if (mode.waitSec !== undefined) {
    if (!Number.isInteger(mode.waitSec) || mode.waitSec < 1) throw new Error(`FLUSH WAIT needs at least 1 second, not ${mode.waitSec}`);
    sql += ` WAIT ${mode.waitSec}`;
  }
  return sql;
}

/** `ADD TABLE` / `DROP TABLE` of one item (the replication must be stopped): what reconciles an object with aku.conf. */
export function alterReplicationItem(name: string, change: 'ADD' | 'DROP', item: ReplicationItem): string {
  return `ALTER REPLICATION ${replication(name)} ${change} TABLE FROM ${qualified(item)} TO ${qualified(item)}`;
}

/** Rows of an item's table (a partition item counts its whole table: enough to tell empty from not). */
export function countRows(item: Pick<ReplicationItem, 'user' | 'table'>): string {
  return `SELECT COUNT(*) AS ROW_COUNT FROM ${qualified({ user: item.user, table: item.table })}`;
}

/**
 * Every row of an item, for `aku recover`'s comparison of pods: the whole table, or one partition
 * (`FROM u.t PARTITION (p)`), so that rows of partitions aku does not replicate are not compared.
 */
export function selectItemRows(item: ReplicationItem): string {
  const table = qualified({ user: item.user, table: item.table });
  return item.partition === undefined ? `SELECT * FROM ${table}` : `SELECT * FROM ${table} PARTITION (${identifier(item.partition)})`;
}

/** TRUNCATE of a whole table, or of one partition. Needs REPLICATION_DDL_ENABLE = 1 on a replicated table. */
export function truncateItem(item: ReplicationItem): string {
  return item.partition === undefined
    ? `TRUNCATE TABLE ${qualified({ user: item.user, table: item.table })}`
    : `ALTER TABLE ${qualified({ user: item.user, table: item.table })} TRUNCATE PARTITION ${identifier(item.partition)}`;
}

function qualified(item: Pick<ReplicationItem, 'user' | 'table'> & { partition?: string }): string {
  const base = `${identifier(item.user)}.${identifier(item.table)}`;
  return item.partition === undefined ? base : `${base} PARTITION ${identifier(item.partition)}`;
}

function identifier(name: string): string {
  if (!isSafeIdentifier(name)) throw new Error(`refusing to put ${JSON.stringify(name)} in SQL: not an upper-case Altibase identifier`);
  return name;
}

function replication(name: string): string {
  if (!isSafeIdentifier(name, MAX_REPLICATION_NAME_BYTES)) throw new Error(`refusing replication name ${JSON.stringify(name)}`);
  return name;
}

/** A host goes inside single quotes; a DNS name or an IP literal never contains one. */
function host(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.:%_-]{0,63}$/.test(name)) throw new Error(`refusing replication host ${JSON.stringify(name)}`);
  return name;
}

function port(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`refusing replication port ${value}`);
  return value;
}

/**
 * The lineage of a server's data (docs/lifecycle.md, "Lineage"): on the MASTER, the id it made
 * for its database the first time aku started it; on a slave, the id of the MASTER it last
 * synchronised from. Not replicated: each server keeps its own row.
 */
export const LINEAGE_TABLE = 'SYS.AKU_LINEAGE';
export const CREATE_LINEAGE_TABLE = `CREATE TABLE ${LINEAGE_TABLE} (LINEAGE_ID VARCHAR(40) PRIMARY KEY, SINCE VARCHAR(32))`;
export const SELECT_LINEAGE = `SELECT LINEAGE_ID, SINCE FROM ${LINEAGE_TABLE}`;
export const DELETE_LINEAGE = `DELETE FROM ${LINEAGE_TABLE}`;

export function insertLineage(id: string, since: string): string {
  if (!/^[0-9a-f-]{1,40}$/.test(id)) throw new Error(`refusing lineage id ${JSON.stringify(id)}`);
  if (!/^[0-9TZ:.-]{1,32}$/.test(since)) throw new Error(`refusing timestamp ${JSON.stringify(since)}`);
  return `INSERT INTO ${LINEAGE_TABLE} VALUES ('${id}', '${since}')`;
}

/**
 * `aku recover`'s record on the MASTER (docs/recover.md): which pod it is being restored from,
 * since when, and whether that finished. A rerun finds it and resumes instead of taking the
 * history the recovery gave the MASTER for a MASTER that did not fail. Not replicated.
 */
export const RECOVERY_TABLE = 'SYS.AKU_RECOVERY';
export const CREATE_RECOVERY_TABLE = `CREATE TABLE ${RECOVERY_TABLE} (STARTED_AT VARCHAR(32) PRIMARY KEY, SOURCE_ORDINAL INTEGER, STATE VARCHAR(8))`;
export const SELECT_RECOVERY = `SELECT STARTED_AT, SOURCE_ORDINAL, STATE FROM ${RECOVERY_TABLE}`;
export const DELETE_RECOVERY = `DELETE FROM ${RECOVERY_TABLE}`;
export const MARK_RECOVERY_DONE = `UPDATE ${RECOVERY_TABLE} SET STATE = 'DONE'`;

export function insertRecovery(startedAt: string, sourceOrdinal: number): string {
  if (!/^[0-9TZ:.-]{1,32}$/.test(startedAt)) throw new Error(`refusing timestamp ${JSON.stringify(startedAt)}`);
  if (!Number.isInteger(sourceOrdinal) || sourceOrdinal < 0) throw new Error(`refusing ordinal ${sourceOrdinal}`);
  return `INSERT INTO ${RECOVERY_TABLE} VALUES ('${startedAt}', ${sourceOrdinal}, 'RUNNING')`;
}
