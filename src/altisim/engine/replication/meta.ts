/**
 * The persisted definition and restart state of a replication object (altibase-replication.md §1.1),
 * i.e. what SYS_REPLICATIONS_, SYS_REPL_HOSTS_ and SYS_REPL_ITEMS_ show.
 */

/** XSN / SN value meaning "none" (SM_SN_NULL, shown as -1). */
export const NULL_SN = -1;

export interface ReplicationHostMeta {
  hostNo: number;
  /** As written in CREATE REPLICATION (a name stays a name). */
  host: string;
  port: number;
  connType: 'TCP' | 'IB';
}

export interface ReplicationItemMeta extends WireItem {
  tableOid: number;
  /** The local table is partitioned (IS_PARTITION). */
  isPartitioned: boolean;
  /** Log records of this item up to this SN are skipped (set by SYNC and TRUNCATE). */
  invalidMaxSN: number;
}

export interface ReplicationMeta {
  name: string;
  hosts: ReplicationHostMeta[];
  items: ReplicationItemMeta[];
  isStarted: 0 | 1;
  /** Restart SN: the sender resumes after it. NULL_SN after CREATE/RESET. */
  xsn: number;
  lastUsedHostNo: number;
  conflictResolution: 0 | 1 | 2;
  remoteFaultDetectTime: string | null;
  giveUpTime: string | null;
  giveUpXsn: number | null;
  /** Receiver side: last SN applied from the peer's sender, and which server that SN belongs to. */
  remoteXsn: number;
  remoteServerId: string | null;
}

export interface TableLocator {
  user: string;
  table: string;
  partition?: string;
}

/** Does a change on `user.table` (row in `partition`) belong to this item? */
export function itemCovers(item: ReplicationItemMeta, user: string, table: string, partition: string | undefined): boolean {
  if (item.localUser !== user || item.localTable !== table) return false;
  return item.localPartition === undefined || item.localPartition === partition;
}

/** The receiving side's item that mirrors the sender's item (FROM a TO b ↔ FROM b TO a). */
export function mirrorItemIn(items: ReplicationItemMeta[], senderItem: WireItem): ReplicationItemMeta | undefined {
  return items.find(
    (item) =>
      item.localUser === senderItem.remoteUser &&
      item.localTable === senderItem.remoteTable &&
      item.localPartition === senderItem.remotePartition &&
      item.remoteUser === senderItem.localUser &&
      item.remoteTable === senderItem.localTable &&
      item.remotePartition === senderItem.localPartition,
  );
}

/** An item as the handshake carries it (no OIDs: they are local to a server). */
export interface WireItem {
  localUser: string;
  localTable: string;
  localPartition?: string;
  remoteUser: string;
  remoteTable: string;
  remotePartition?: string;
}

export function toWireItem(item: ReplicationItemMeta): WireItem {
  const wire: WireItem = {
    localUser: item.localUser,
    localTable: item.localTable,
    remoteUser: item.remoteUser,
    remoteTable: item.remoteTable,
  };
  if (item.localPartition !== undefined) wire.localPartition = item.localPartition;
  if (item.remotePartition !== undefined) wire.remotePartition = item.remotePartition;
  return wire;
}

export function describeItem(item: WireItem): string {
  const side = (user: string, table: string, partition?: string): string =>
    `${user}.${table}${partition !== undefined ? ` PARTITION ${partition}` : ''}`;
  return `FROM ${side(item.localUser, item.localTable, item.localPartition)} TO ${side(item.remoteUser, item.remoteTable, item.remotePartition)}`;
}
