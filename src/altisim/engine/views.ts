/**
 * Meta tables and performance views (altibase-replication.md §10), computed from the server's
 * persisted metadata (SYSTEM_.SYS_*) and its runtime senders/receivers (V$*).
 */
import type { Database } from './database.js';
import type { RowSource } from './query.js';
import { itemCovers, NULL_SN } from './replication/meta.js';
import type { Row } from './values.js';

type ViewBuilder = (db: Database) => RowSource;

const REPL_MODE_LAZY = 0;
const APPLIER_INIT_BUFFER_SIZE = 128 * 1024 * 1024;

function sysReplications(db: Database): RowSource {
  return {
    columns: [
      'REPLICATION_NAME', 'LAST_USED_HOST_NO', 'HOST_COUNT', 'IS_STARTED', 'XSN', 'ITEM_COUNT', 'CONFLICT_RESOLUTION',
      'REPL_MODE', 'ROLE', 'OPTIONS', 'INVALID_RECOVERY', 'REMOTE_FAULT_DETECT_TIME', 'GIVE_UP_TIME', 'GIVE_UP_XSN',
      'PARALLEL_APPLIER_COUNT', 'REMOTE_XSN', 'APPLIER_INIT_BUFFER_SIZE',
    ],
    rows: [...db.state.replications.values()].map((meta) => ({
      REPLICATION_NAME: meta.name,
      LAST_USED_HOST_NO: meta.lastUsedHostNo,
      HOST_COUNT: meta.hosts.length,
      IS_STARTED: meta.isStarted,
      XSN: meta.xsn,
      ITEM_COUNT: meta.items.length,
      CONFLICT_RESOLUTION: meta.conflictResolution,
      REPL_MODE: REPL_MODE_LAZY,
      ROLE: 0,
      OPTIONS: 0,
      INVALID_RECOVERY: 0,
      REMOTE_FAULT_DETECT_TIME: meta.remoteFaultDetectTime,
      GIVE_UP_TIME: meta.giveUpTime,
      GIVE_UP_XSN: meta.giveUpXsn,
      PARALLEL_APPLIER_COUNT: 0,
      REMOTE_XSN: meta.remoteXsn,
      APPLIER_INIT_BUFFER_SIZE,
    })),
  };
}

function sysReplHosts(db: Database): RowSource {
  const rows: Row[] = [];
  for (const meta of db.state.replications.values()) {
    for (const target of meta.hosts) {
      rows.push({
        HOST_NO: target.hostNo,
        REPLICATION_NAME: meta.name,
        HOST_IP: target.host,
        PORT_NO: target.port,
        CONN_TYPE: target.connType,
        IB_LATENCY: 'N/A',
      });
    }
  }
  return { columns: ['HOST_NO', 'REPLICATION_NAME', 'HOST_IP', 'PORT_NO', 'CONN_TYPE', 'IB_LATENCY'], rows };
}

function sysReplItems(db: Database): RowSource {
  const rows: Row[] = [];
  for (const meta of db.state.replications.values()) {
    for (const item of meta.items) {
      rows.push({
        REPLICATION_NAME: meta.name,
        TABLE_OID: item.tableOid,
        LOCAL_USER_NAME: item.localUser,
        LOCAL_TABLE_NAME: item.localTable,
        LOCAL_PARTITION_NAME: item.localPartition ?? null,
        REMOTE_USER_NAME: item.remoteUser,
        REMOTE_TABLE_NAME: item.remoteTable,
        REMOTE_PARTITION_NAME: item.remotePartition ?? null,
        IS_PARTITION: item.isPartitioned ? 'Y' : 'N',
        INVALID_MAX_SN: item.invalidMaxSN,
        CONDITION: null,
        REPLICATION_UNIT: item.localPartition !== undefined ? 'P' : 'T',
        IS_CONDITION_SYNCED: 0,
      });
    }
  }
  return {
    columns: [
      'REPLICATION_NAME', 'TABLE_OID', 'LOCAL_USER_NAME', 'LOCAL_TABLE_NAME', 'LOCAL_PARTITION_NAME', 'REMOTE_USER_NAME',
      'REMOTE_TABLE_NAME', 'REMOTE_PARTITION_NAME', 'IS_PARTITION', 'INVALID_MAX_SN', 'CONDITION', 'REPLICATION_UNIT',
      'IS_CONDITION_SYNCED',
    ],
    rows,
  };
}

function vRepSender(db: Database): RowSource {
  const rows: Row[] = [];
  for (const sender of db.replication.senders.values()) {
    const meta = db.meta(sender.name);
    const configured = meta?.hosts.find((h) => h.hostNo === meta.lastUsedHostNo) ?? meta?.hosts[0];
    const xsn = meta?.xsn ?? NULL_SN;
    rows.push({
      REP_NAME: sender.name,
      START_FLAG: sender.startFlag,
      NET_ERROR_FLAG: sender.netError ? 1 : 0,
      XSN: xsn,
      COMMIT_XSN: xsn,
      STATUS: sender.status,
      SENDER_IP: sender.local?.address ?? db.identity.address,
      PEER_IP: sender.peer?.address ?? configured?.host ?? null,
      SENDER_PORT: sender.local?.port ?? null,
      PEER_PORT: sender.peer?.port ?? configured?.port ?? null,
      READ_LOG_COUNT: sender.readLogCount,
      SEND_LOG_COUNT: sender.sendLogCount,
      REPL_MODE: 'LAZY',
      ACT_REPL_MODE: 'LAZY',
    });
  }
  return {
    columns: [
      'REP_NAME', 'START_FLAG', 'NET_ERROR_FLAG', 'XSN', 'COMMIT_XSN', 'STATUS', 'SENDER_IP', 'PEER_IP', 'SENDER_PORT',
      'PEER_PORT', 'READ_LOG_COUNT', 'SEND_LOG_COUNT', 'REPL_MODE', 'ACT_REPL_MODE',
    ],
    rows,
  };
}

function vRepReceiver(db: Database): RowSource {
  const rows: Row[] = [...db.replication.receivers.values()].map((receiver) => ({
    REP_NAME: receiver.name,
    MY_IP: receiver.local.address,
    MY_PORT: receiver.local.port,
    PEER_IP: receiver.peer.address,
    PEER_PORT: receiver.peer.port,
    APPLY_XSN: receiver.applyXsn,
    INSERT_SUCCESS_COUNT: receiver.counters.insertSuccess,
    INSERT_FAILURE_COUNT: receiver.counters.insertFailure,
    UPDATE_SUCCESS_COUNT: receiver.counters.updateSuccess,
    UPDATE_FAILURE_COUNT: receiver.counters.updateFailure,
    DELETE_SUCCESS_COUNT: receiver.counters.deleteSuccess,
    DELETE_FAILURE_COUNT: receiver.counters.deleteFailure,
    PARALLEL_ID: 0,
    SQL_APPLY_TABLE_COUNT: 0,
    APPLIER_INIT_BUFFER_USAGE: 0,
  }));
  return {
    columns: [
      'REP_NAME', 'MY_IP', 'MY_PORT', 'PEER_IP', 'PEER_PORT', 'APPLY_XSN', 'INSERT_SUCCESS_COUNT', 'INSERT_FAILURE_COUNT',
      'UPDATE_SUCCESS_COUNT', 'UPDATE_FAILURE_COUNT', 'DELETE_SUCCESS_COUNT', 'DELETE_FAILURE_COUNT', 'PARALLEL_ID',
      'SQL_APPLY_TABLE_COUNT', 'APPLIER_INIT_BUFFER_USAGE',
    ],
    rows,
  };
}

/** REP_GAP is the SN distance (altisim SNs count transactions); REP_GAP_SIZE estimates the unsent bytes. */
function vRepGap(db: Database): RowSource {
  const rows: Row[] = [];
  const lastSN = db.lastSN();
  for (const sender of db.replication.senders.values()) {
    const meta = db.meta(sender.name);
    if (!meta) continue;
    // REP_SN is where the sender reads (what it has sent), not what the peer acknowledged.
    const repSN = sender.lastProcessedSN ?? (meta.xsn === NULL_SN ? lastSN : meta.xsn);
    let gapBytes = 0;
    for (const entry of db.logAfter(repSN)) {
      for (const change of entry.changes) {
        if (meta.items.some((item) => itemCovers(item, change.user, change.table, change.partition))) {
          gapBytes += JSON.stringify(change).length;
        }
      }
    }
    rows.push({
      REP_NAME: sender.name,
      START_FLAG: sender.startFlag,
      REP_LAST_SN: lastSN,
      REP_SN: repSN,
      REP_GAP: Math.max(0, lastSN - repSN),
      REP_GAP_SIZE: gapBytes,
      READ_LFG_ID: 0,
      READ_FILE_NO: 0,
      READ_OFFSET: 0,
    });
  }
  return {
    columns: ['REP_NAME', 'START_FLAG', 'REP_LAST_SN', 'REP_SN', 'REP_GAP', 'REP_GAP_SIZE', 'READ_LFG_ID', 'READ_FILE_NO', 'READ_OFFSET'],
    rows,
  };
}

function vProperty(db: Database): RowSource {
  return {
    columns: ['NAME', 'VALUE1'],
    rows: db.properties.entries().map(([name, value]) => ({ NAME: name, VALUE1: String(value) })),
  };
}

function sysUsers(db: Database): RowSource {
  let id = 0;
  return {
    columns: ['USER_ID', 'USER_NAME'],
    rows: [...db.state.users.values()].map((user) => ({ USER_ID: id++, USER_NAME: user.name })),
  };
}

function sysTables(db: Database): RowSource {
  return {
    columns: ['USER_NAME', 'TABLE_NAME', 'TABLE_OID', 'TABLE_TYPE', 'IS_PARTITIONED'],
    rows: [...db.state.tables.values()].map((data) => ({
      USER_NAME: data.def.user,
      TABLE_NAME: data.def.name,
      TABLE_OID: data.def.oid,
      TABLE_TYPE: 'T',
      IS_PARTITIONED: data.def.partitioning ? 'T' : 'F',
    })),
  };
}

function sysTablePartitions(db: Database): RowSource {
  const rows: Row[] = [];
  for (const data of db.state.tables.values()) {
    for (const partition of data.def.partitioning?.partitions ?? []) {
      rows.push({ USER_NAME: data.def.user, TABLE_NAME: data.def.name, PARTITION_NAME: partition.name });
    }
  }
  return { columns: ['USER_NAME', 'TABLE_NAME', 'PARTITION_NAME'], rows };
}

const SYSTEM_VIEWS: Record<string, ViewBuilder> = {
  SYS_REPLICATIONS_: sysReplications,
  SYS_REPL_HOSTS_: sysReplHosts,
  SYS_REPL_ITEMS_: sysReplItems,
  SYS_USERS_: sysUsers,
  SYS_TABLES_: sysTables,
  SYS_TABLE_PARTITIONS_: sysTablePartitions,
};

const PERFORMANCE_VIEWS: Record<string, ViewBuilder> = {
  V$REPSENDER: vRepSender,
  V$REPRECEIVER: vRepReceiver,
  V$REPGAP: vRepGap,
  V$PROPERTY: vProperty,
};

/** The view named `user.name` (or `name`), if it is one. */
export function findView(user: string | undefined, name: string): ViewBuilder | undefined {
  if (user === 'SYSTEM_') return SYSTEM_VIEWS[name];
  if (user === undefined || user === 'SYS') {
    if (name === 'DUAL') return () => ({ columns: ['DUMMY'], rows: [{ DUMMY: 'X' }] });
    return PERFORMANCE_VIEWS[name];
  }
  return undefined;
}
