/**
 * CREATE / ALTER / DROP REPLICATION: preconditions, errors and state changes exactly as
 * altibase-replication.md §0 and §3–§5 describe them. Only SYS gets here (the executor checks).
 */
import { isIP } from 'node:net';
import { AltibaseError, simError } from '../../errors.js';
import type { ReplicationAction, ReplicationItemAst, Statement, TableRef } from '../../sql/ast.js';
import { hasPartition, partitionOf } from '../catalog.js';
import { ServerDownError, type Database } from '../database.js';
import type { StatementContext } from '../session.js';
import { yieldToEventLoop } from '../signal.js';
import type { Row } from '../values.js';
import { NULL_SN, toWireItem, type ReplicationHostMeta, type ReplicationItemMeta, type ReplicationMeta } from './meta.js';
import { LinkClosedError } from './protocol.js';
import { SENDER_STATUS, START_FLAG, type Sender } from './sender.js';

/** FLUSH polls every 25 ms; WAIT n allows n × 40 polls (§0.8). */
const FLUSH_POLL_MS = 25;
const FLUSH_POLLS_PER_SECOND = 40;
const MAX_HOST_LENGTH = 64;

type CreateStatement = Extract<Statement, { kind: 'createReplication' }>;

export function createReplication(db: Database, statement: CreateStatement): void {
  if (statement.eager) throw simError('SIM_UNSUPPORTED', 'EAGER replication');
  if (db.state.replications.has(statement.name)) throw simError('RP_DUPLICATE_REPLICATION');

  // Hosts: the duplicate check (host string + port as written, against the other objects) comes
  // before format validation; with REPLICATION_ALLOW_DUPLICATE_HOSTS = 1 it never fires (§0.3).
  const allowDuplicates = db.properties.getNumber('REPLICATION_ALLOW_DUPLICATE_HOSTS') === 1;
  const ipOnly = db.properties.getNumber('ALTISIM_HOST_IP_ONLY') === 1;
  for (const target of statement.hosts) {
    const usedElsewhere = [...db.state.replications.values()].some((meta) =>
      meta.hosts.some((other) => other.host === target.host && other.port === target.port),
    );
    if (!allowDuplicates && usedElsewhere) throw simError('RP_ALREADY_EXIST_REPL_HOST');
    const literal = isIP(target.host.replace(/%.*$/, '')) !== 0;
    if (target.port > 65535 || target.host.length === 0 || target.host.length > MAX_HOST_LENGTH || (ipOnly && !literal)) {
      throw simError('RP_INVALID_HOST_IP_PORT');
    }
  }

  // The count check comes before the item checks (§0.3).
  if (db.state.replications.size >= db.properties.getNumber('REPLICATION_MAX_COUNT')) {
    throw simError('RP_MAX_REPLICATION_COUNT');
  }
  const items = statement.items.map((item) => validateItem(db, item));
  if (db.properties.getNumber('REPLICATION_PORT_NO') === 0) throw simError('RP_REPLICATION_DISABLED');

  const hosts: ReplicationHostMeta[] = statement.hosts.map((target) => ({
    hostNo: db.allocateHostNo(),
    host: target.host,
    port: target.port,
    connType: target.connType,
  }));
  const meta: ReplicationMeta = {
    name: statement.name,
    hosts,
    items,
    isStarted: 0,
    xsn: NULL_SN,
    lastUsedHostNo: (hosts[0] as ReplicationHostMeta).hostNo,
    conflictResolution: statement.conflictResolution,
    remoteFaultDetectTime: null,
    giveUpTime: null,
    giveUpXsn: null,
    remoteXsn: NULL_SN,
    remoteServerId: null,
  };
  db.commitMeta(meta);
}

/** Item checks of §3.3 step 5, on the local (FROM) side. */
function validateItem(db: Database, item: ReplicationItemAst): ReplicationItemMeta {
  const { from, to } = item;
  const user = from.table.user as string;
  if (!db.state.users.has(user)) throw simError('RP_NOT_EXISTS_USER', user);
  const data = db.table(user, from.table.name);
  if (!data) throw simError('RP_NOT_EXISTS_TABLE', `${user}.${from.table.name}`);
  let oid = data.def.oid;
  if (from.partition !== undefined) {
    if (!hasPartition(data.def, from.partition)) throw simError('RP_NOT_EXISTS_PARTITION', from.partition);
    oid = oid * 1000 + 1 + (data.def.partitioning?.partitions.findIndex((p) => p.name === from.partition) ?? 0);
  }
  if (data.def.primaryKey.length === 0) throw simError('RP_NOT_EXISTS_PRIMARY_KEY', user, data.def.name);
  const meta: ReplicationItemMeta = {
    tableOid: oid,
    localUser: user,
    localTable: data.def.name,
    remoteUser: to.table.user as string,
    remoteTable: to.table.name,
    isPartitioned: data.def.partitioning !== undefined,
    invalidMaxSN: NULL_SN,
  };
  if (from.partition !== undefined) meta.localPartition = from.partition;
  if (to.partition !== undefined) meta.remotePartition = to.partition;
  return meta;
}

export function dropReplication(db: Database, name: string): void {
  const meta = db.meta(name);
  if (!meta) throw simError('RP_NOT_EXIST_REPLICATION');
  if (meta.isStarted !== 0 || db.replication.senders.has(name)) throw simError('RP_ALREADY_STARTED_DDL');
  // DROP first kills the local receiver of that name: the peer's sender drops into RETRY (§0.9).
  db.replication.closeReceiver(name);
  db.commit({ t: 'replDrop', name });
}

export async function alterReplication(
  db: Database,
  name: string,
  action: ReplicationAction,
  context: StatementContext,
): Promise<void> {
  const meta = db.meta(name);
  if (!meta) {
    // Plain SYNC on an unknown name has its own error (§0.4).
    if (action.kind === 'sync' && action.tables === undefined) throw simError('RP_REPLICATION_NOT_FOUND');
    throw simError('RP_NOT_EXIST_REPLICATION');
  }
  switch (action.kind) {
    case 'start':
      return start(db, meta, action.quick, action.retry);
    case 'stop':
      return stop(db, meta);
    case 'reset':
      return reset(db, meta);
    case 'flush':
      return flush(db, name, action.all, action.waitSec, context);
    case 'sync':
      return sync(db, meta, action.only, action.parallel ?? 1, action.tables, context);
    case 'addTable':
      return addTable(db, meta, action.item);
    case 'dropTable':
      return dropTable(db, meta, action.item);
  }
}

/** START / QUICKSTART [RETRY] (§4.2, §0.6). */
async function start(db: Database, meta: ReplicationMeta, quick: boolean, retry: boolean): Promise<void> {
  if (db.replication.senders.has(meta.name)) throw simError('RP_ALREADY_STARTED');
  const sender = db.replication.createSender(meta.name, quick ? START_FLAG.QUICK : START_FLAG.NORMAL);
  if (retry) {
    // RETRY: the restart point and IS_STARTED are written before (and whatever) the handshake.
    const xsn = quick || meta.xsn === NULL_SN ? db.lastSN() : meta.xsn;
    db.commitMeta({ ...meta, xsn, isStarted: 1, ...(quick ? { remoteFaultDetectTime: null } : {}) });
    sender.run();
    return;
  }
  const failure = await sender.connectAndHandshake();
  if (failure !== null || sender.isStopped) {
    db.replication.removeSender(sender);
    throw simError('RP_SENDER_HANDSHAKE', failure ?? 'Handshake Process Error');
  }
  const current = db.meta(meta.name) ?? meta;
  const xsn = quick || current.xsn === NULL_SN ? db.lastSN() : current.xsn;
  db.commitMeta({ ...current, xsn, isStarted: 1, ...(quick ? { remoteFaultDetectTime: null } : {}) });
  sender.run();
}

/**
 * STOP (§4.4, §0.7): ends the sender, IS_STARTED = 0, XSN kept. The sender's stop message waits
 * for the peer to apply what was already sent (see Sender.stopGracefully).
 */
async function stop(db: Database, meta: ReplicationMeta): Promise<void> {
  const sender = db.replication.senders.get(meta.name);
  if (!sender && meta.isStarted !== 1 && db.properties.getNumber('REPLICATION_PORT_NO') !== 0) {
    throw simError('RP_NOT_STARTED');
  }
  if (sender) {
    await sender.stopGracefully();
    db.replication.removeSender(sender);
  }
  if (!db.isAlive) throw new ServerDownError(db.identity.name);
  db.commitMeta({ ...(db.meta(meta.name) ?? meta), isStarted: 0 });
}

/** RESET (§4.5, §0.9): only the sender matters, not IS_STARTED. */
function reset(db: Database, meta: ReplicationMeta): void {
  if (db.replication.senders.has(meta.name)) throw simError('RP_ALREADY_STARTED');
  db.commitMeta({
    ...meta,
    xsn: NULL_SN,
    isStarted: 0,
    remoteFaultDetectTime: null,
    giveUpTime: null,
    giveUpXsn: null,
  });
}

/** FLUSH [ALL] [WAIT n] (§4.6, §0.8). */
async function flush(
  db: Database,
  name: string,
  all: boolean,
  waitSec: number | undefined,
  context: StatementContext,
): Promise<void> {
  const sender = db.replication.senders.get(name);
  if (!sender) throw simError('RP_NOT_STARTED');
  let target = db.lastSN();
  const maxPolls = waitSec === undefined ? Infinity : waitSec * FLUSH_POLLS_PER_SECOND;
  for (let polls = 0; ; polls++) {
    if (!db.isAlive) throw new ServerDownError(db.identity.name);
    if (sender.isStopped) throw simError('RP_NOT_STARTED');
    if (all) target = db.lastSN();
    if (sender.lastProcessedSN !== null && sender.lastProcessedSN >= target) return;
    if (polls >= maxPolls) throw simError('RP_TIMEOUT_EXCEED');
    await context.pause(FLUSH_POLL_MS);
  }
}

/** SYNC / SYNC ONLY (§4.3, §0.4, §0.5): copy the local rows of the items to the peer, then run. */
async function sync(
  db: Database,
  meta: ReplicationMeta,
  only: boolean,
  parallel: number,
  tables: TableRef[] | undefined,
  context: StatementContext,
): Promise<void> {
  if (db.replication.senders.has(meta.name)) throw simError('RP_ALREADY_STARTED');
  const items = tables === undefined ? meta.items : selectItems(meta, tables);
  const sender = db.replication.createSender(meta.name, only ? START_FLAG.SYNC_ONLY : START_FLAG.SYNC, SENDER_STATUS.SYNC);
  const failure = await sender.connectAndHandshake();
  if (failure !== null || sender.isStopped) {
    db.replication.removeSender(sender);
    throw simError('RP_SENDER_HANDSHAKE', failure ?? 'Handshake Process Error');
  }

  // The snapshot: rows as of SN `syncSN`. Row objects are never mutated in place, so holding the
  // references is a consistent copy while other sessions keep writing.
  const syncSN = db.lastSN();
  const snapshots = items.map((item) => ({ item, rows: snapshotRows(db, item) }));
  // The restart point is fixed with the snapshot, so the log from here on is kept: a change
  // committed while the rows are copied is not in the snapshot and must reach the peer afterwards.
  const pinned = meta.xsn === NULL_SN;
  if (pinned) db.commitMeta({ ...(db.meta(meta.name) ?? meta), xsn: syncSN });
  const unpin = (): void => {
    const current = db.meta(meta.name);
    if (pinned && db.isAlive && current && current.isStarted === 0) db.commitMeta({ ...current, xsn: NULL_SN });
  };
  try {
    await copySnapshots(db, sender, snapshots, parallel, context);
  } catch (error) {
    unpin();
    db.replication.removeSender(sender);
    if (error instanceof AltibaseError && error.code === simError('ID_QUERY_TIMEOUT').code) throw error;
    throw simError('RP_SYNC_FAILED');
  }

  const current = db.meta(meta.name);
  if (!current || sender.isStopped) {
    unpin();
    db.replication.removeSender(sender);
    throw simError('RP_SYNC_FAILED');
  }
  const syncedOids = new Set(items.map((item) => item.tableOid));
  db.commitMeta({
    ...current,
    items: current.items.map((item) => (syncedOids.has(item.tableOid) ? { ...item, invalidMaxSN: syncSN } : item)),
    // XSN became the sync point if it was unset (pinned above); otherwise the old one is kept (§0.4).
    xsn: pinned ? syncSN : current.xsn,
    isStarted: only ? 0 : 1,
    remoteFaultDetectTime: null,
  });
  if (only) {
    db.replication.removeSender(sender);
    return;
  }
  sender.startFlag = START_FLAG.SYNC_END;
  sender.status = SENDER_STATUS.RUN;
  sender.run();
}

function selectItems(meta: ReplicationMeta, tables: TableRef[]): ReplicationItemMeta[] {
  return tables.map((ref) => {
    const item = meta.items.find(
      (candidate) =>
        candidate.localUser === ref.table.user &&
        candidate.localTable === ref.table.name &&
        candidate.localPartition === ref.partition,
    );
    if (!item) throw simError('RP_NOT_EXIST_REPL_ITEM');
    return item;
  });
}

function snapshotRows(db: Database, item: ReplicationItemMeta): Row[] {
  const data = db.table(item.localUser, item.localTable);
  if (!data) return [];
  const rows = [...data.rows.values()];
  if (item.localPartition === undefined) return rows;
  return rows.filter((row) => partitionOf(data.def, row) === item.localPartition);
}

/** Ship the snapshots in chunks with `parallel` workers, yielding to other sessions between chunks. */
async function copySnapshots(
  db: Database,
  sender: Sender,
  snapshots: { item: ReplicationItemMeta; rows: Row[] }[],
  parallel: number,
  context: StatementContext,
): Promise<void> {
  const chunkRows = db.properties.getNumber('ALTISIM_SYNC_CHUNK_ROWS');
  const onConflict = db.properties.getNumber('ALTISIM_SYNC_CONFLICT_RESOLVE') === 1 ? 'resolve' : 'fail';
  const workers = Math.max(1, Math.min(parallel, db.cpuCount * 2, snapshots.length));
  const queue = [...snapshots];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const wireItem = toWireItem(next.item);
      for (let offset = 0; offset < next.rows.length; offset += chunkRows) {
        context.checkTimeout();
        if (sender.isStopped) throw new LinkClosedError('SYNC interrupted by STOP');
        const reply = await sender.request({
          type: 'syncRows',
          item: wireItem,
          rows: next.rows.slice(offset, offset + chunkRows),
          onConflict,
        });
        if (!reply.ok) throw new Error(reply.reason);
        await yieldToEventLoop();
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

function isStarted(db: Database, meta: ReplicationMeta): boolean {
  return meta.isStarted !== 0 || db.replication.senders.has(meta.name);
}

/** ALTER REPLICATION … ADD TABLE (§4.7): only while stopped. */
function addTable(db: Database, meta: ReplicationMeta, item: ReplicationItemAst): void {
  if (isStarted(db, meta)) throw simError('RP_ALREADY_STARTED_DDL');
  const validated = validateItem(db, item);
  db.commitMeta({ ...meta, items: [...meta.items, validated] });
}

/** ALTER REPLICATION … DROP TABLE (§4.7): only while stopped, never the last item. */
function dropTable(db: Database, meta: ReplicationMeta, item: ReplicationItemAst): void {
  if (isStarted(db, meta)) throw simError('RP_ALREADY_STARTED_DDL');
  const index = meta.items.findIndex(
    (candidate) =>
      candidate.localUser === item.from.table.user &&
      candidate.localTable === item.from.table.name &&
      candidate.localPartition === item.from.partition &&
      candidate.remoteUser === item.to.table.user &&
      candidate.remoteTable === item.to.table.name &&
      candidate.remotePartition === item.to.partition,
  );
  if (index < 0) throw simError('RP_NOT_EXIST_REPL_ITEM');
  if (meta.items.length === 1) throw simError('RP_NOT_DROP_ONE_TABLE');
  db.commitMeta({ ...meta, items: meta.items.filter((_, i) => i !== index) });
}
