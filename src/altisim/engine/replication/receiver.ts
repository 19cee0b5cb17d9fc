/**
 * The receiver for one replication object: exists while the peer's sender is connected, applies
 * the XLogs and SYNC rows it receives with Altibase's conflict rules (altibase-replication.md §7,
 * §0.11): a conflicting operation is skipped and counted, the rest of the transaction applies.
 * What it applies is committed as *replicated* work, which no local sender ships on (§0.1).
 */
import { partitionOf, primaryKeyOf, primaryKeyValues, tableKey, type TableData } from '../catalog.js';
import type { Change } from '../durable-state.js';
import type { PropertySet } from '../properties.js';
import { sleep } from '../signal.js';
import { valuesEqual, type Row } from '../values.js';
import type { ReplicationItemMeta, ReplicationMeta, WireItem } from './meta.js';
import type { PeerAddress, ReceiverReply, SenderMessage } from './protocol.js';

export interface ReceiverHost {
  readonly properties: PropertySet;
  /** False once this incarnation of the server has ended: nothing more is applied. */
  readonly isAlive: boolean;
  meta(name: string): ReplicationMeta | undefined;
  commitMeta(meta: ReplicationMeta): void;
  table(user: string, table: string): TableData | undefined;
  /** Commit changes applied on behalf of a peer (not shipped on by local senders). */
  commitReplicated(changes: Change[]): void;
}

export interface ReceiverCounters {
  insertSuccess: number;
  insertFailure: number;
  updateSuccess: number;
  updateFailure: number;
  deleteSuccess: number;
  deleteFailure: number;
}

/**
 * The rows of the tables as a transaction being built sees them: committed rows overlaid with the
 * transaction's own earlier changes, so two changes to one row in one transaction apply in order.
 */
class TransactionView {
  private readonly overlay = new Map<string, Row | null>();
  readonly changes: Change[] = [];

  row(data: TableData, key: string): Row | undefined {
    const overlayKey = `${tableKey(data.def.user, data.def.name)}\u0000${key}`;
    if (this.overlay.has(overlayKey)) return this.overlay.get(overlayKey) ?? undefined;
    return data.rows.get(key);
  }

  record(data: TableData, change: Change): void {
    const prefix = `${tableKey(data.def.user, data.def.name)}\u0000`;
    if (change.op === 'insert') {
      this.overlay.set(prefix + primaryKeyOf(data.def, change.row), change.row);
    } else if (change.op === 'delete') {
      this.overlay.set(prefix + primaryKeyOf(data.def, change.key), null);
    } else {
      const oldKey = primaryKeyOf(data.def, change.key);
      const current = this.row(data, oldKey);
      if (current) {
        const updated = { ...current, ...change.after };
        const newKey = primaryKeyOf(data.def, updated);
        if (newKey !== oldKey) this.overlay.set(prefix + oldKey, null);
        this.overlay.set(prefix + newKey, updated);
      }
    }
    this.changes.push(change);
  }
}

export class Receiver {
  readonly counters: ReceiverCounters = {
    insertSuccess: 0,
    insertFailure: 0,
    updateSuccess: 0,
    updateFailure: 0,
    deleteSuccess: 0,
    deleteFailure: 0,
  };
  /** Last SN applied from the peer (V$REPRECEIVER.APPLY_XSN); -1 before the first. */
  applyXsn: number;
  /** XLogs are applied one message after the other, in the order they arrived. */
  private applyQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: ReceiverHost,
    readonly name: string,
    readonly peer: PeerAddress,
    readonly local: PeerAddress,
    private readonly senderServerId: string,
    private readonly closeLink: () => void,
  ) {
    const meta = host.meta(name);
    this.applyXsn = meta && meta.remoteServerId === senderServerId ? meta.remoteXsn : -1;
  }

  /** End the link from this side (DROP, server shutdown); the peer's sender goes to RETRY. */
  close(): void {
    this.closeLink();
  }

  async handle(message: SenderMessage): Promise<ReceiverReply> {
    switch (message.type) {
      case 'handshake':
        return { ok: false, reason: 'handshake already done' };
      case 'xlog':
        return this.applyXlog(message.entries);
      case 'syncRows':
        return this.applySyncRows(message.item, message.rows, message.onConflict);
      case 'stop':
        // The stop message follows the XLogs on the stream: acknowledge it once they are applied.
        return this.applyQueue.then(() => ({ ok: true }));
    }
  }

  /**
   * Applies an XLog message ALTISIM_RECEIVER_APPLY_LAG_MSEC after it arrived, after every earlier
   * one, and acknowledges it once applied (the sender advances XSN on that acknowledgement). The
   * sender counted it as sent when it left, which is all a FLUSH waits for (§4.6). A message that
   * arrived is applied even if the link breaks meanwhile (it is in the receiver's hands, as after a
   * STOP, whose stop message follows the XLogs); only the end of the server discards it, and the
   * sender then resends it from XSN.
   */
  private applyXlog(entries: { sn: number; changes: Change[] }[]): Promise<ReceiverReply> {
    const due = Date.now() + this.host.properties.getNumber('ALTISIM_RECEIVER_APPLY_LAG_MSEC');
    const applied = this.applyQueue.then(async (): Promise<ReceiverReply> => {
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (!this.host.isAlive) return { ok: false, reason: 'the receiving server went down' };
      return this.applyNow(entries);
    });
    this.applyQueue = applied.catch(() => undefined);
    return applied;
  }

  private applyNow(entries: { sn: number; changes: Change[] }[]): ReceiverReply {
    // A newer receiver of the same object (after a reconnect) may have applied some of these already.
    const meta = this.host.meta(this.name);
    if (meta && meta.remoteServerId === this.senderServerId && meta.remoteXsn > this.applyXsn) this.applyXsn = meta.remoteXsn;
    let lastApplied = this.applyXsn;
    for (const entry of entries) {
      // Already applied before a lost acknowledgement: the sender resent it.
      if (entry.sn <= lastApplied) continue;
      const view = new TransactionView();
      for (const change of entry.changes) this.applyRemoteChange(view, change);
      if (view.changes.length > 0) this.host.commitReplicated(view.changes);
      lastApplied = entry.sn;
    }
    if (lastApplied !== this.applyXsn) {
      this.applyXsn = lastApplied;
      const current = this.host.meta(this.name);
      if (current) this.host.commitMeta({ ...current, remoteXsn: lastApplied, remoteServerId: this.senderServerId });
    }
    return { ok: true };
  }

  private applySyncRows(senderItem: WireItem, rows: Row[], onConflict: 'fail' | 'resolve'): ReceiverReply {
    const item = this.itemForRemote(senderItem.localUser, senderItem.localTable, senderItem.localPartition);
    const data = item ? this.host.table(item.localUser, item.localTable) : undefined;
    if (!item || !data) return { ok: false, reason: 'Replication items not found.' };
    const view = new TransactionView();
    let failure: string | null = null;
    for (const row of rows) {
      const key = primaryKeyOf(data.def, row);
      if (onConflict === 'fail' && view.row(data, key)) {
        failure = `duplicate primary key ${key} in ${data.def.user}.${data.def.name}`;
        break;
      }
      this.insert(view, data, row);
    }
    // Rows copied before the conflict stay, as in Altibase (the manual says to truncate and retry).
    if (view.changes.length > 0) this.host.commitReplicated(view.changes);
    return failure ? { ok: false, reason: failure } : { ok: true };
  }

  /** The local item a sender-side table (or partition) maps to. */
  private itemForRemote(user: string, table: string, partition: string | undefined): ReplicationItemMeta | undefined {
    const meta = this.host.meta(this.name);
    return meta?.items.find(
      (item) =>
        item.remoteUser === user &&
        item.remoteTable === table &&
        (item.remotePartition === undefined || item.remotePartition === partition),
    );
  }

  private applyRemoteChange(view: TransactionView, change: Change): void {
    const item = this.itemForRemote(change.user, change.table, change.partition);
    const data = item ? this.host.table(item.localUser, item.localTable) : undefined;
    if (!item || !data) return;
    switch (change.op) {
      case 'insert':
        this.insert(view, data, change.row);
        return;
      case 'update':
        this.update(view, data, change.key, change.before, change.after);
        return;
      case 'delete': {
        const current = view.row(data, primaryKeyOf(data.def, change.key));
        if (!current) {
          this.counters.deleteFailure++;
          return;
        }
        this.counters.deleteSuccess++;
        view.record(data, { op: 'delete', ...locate(data, current), key: primaryKeyValues(data.def, current), before: current });
      }
    }
  }

  /** INSERT with REPLICATION_INSERT_REPLACE: skip and count, or delete-then-insert. */
  private insert(view: TransactionView, data: TableData, row: Row): void {
    if (partitionOf(data.def, row) === null) {
      this.counters.insertFailure++;
      return;
    }
    const current = view.row(data, primaryKeyOf(data.def, row));
    if (current) {
      if (this.host.properties.getNumber('REPLICATION_INSERT_REPLACE') !== 1) {
        this.counters.insertFailure++;
        return;
      }
      view.record(data, { op: 'delete', ...locate(data, current), key: primaryKeyValues(data.def, current), before: current });
    }
    this.counters.insertSuccess++;
    view.record(data, { op: 'insert', ...locate(data, row), row });
  }

  /** UPDATE: a missing row, or one whose columns differ from the before image, is a conflict. */
  private update(view: TransactionView, data: TableData, key: Row, before: Row, after: Row): void {
    const current = view.row(data, primaryKeyOf(data.def, key));
    if (!current) {
      this.counters.updateFailure++;
      return;
    }
    const changedMeanwhile = Object.entries(before).some(([column, value]) => !valuesEqual(current[column] ?? null, value));
    if (changedMeanwhile && this.host.properties.getNumber('REPLICATION_UPDATE_REPLACE') !== 1) {
      this.counters.updateFailure++;
      return;
    }
    this.counters.updateSuccess++;
    const localBefore: Row = {};
    for (const column of Object.keys(after)) localBefore[column] = current[column] ?? null;
    view.record(data, { op: 'update', ...locate(data, current), key: primaryKeyValues(data.def, current), before: localBefore, after });
  }
}

function locate(data: TableData, row: Row): { user: string; table: string; partition?: string } {
  const partition = partitionOf(data.def, row);
  return partition ? { user: data.def.user, table: data.def.name, partition } : { user: data.def.user, table: data.def.name };
}
