/**
 * The sender of one started replication object: connects to the peer's replication port,
 * handshakes, then ships the committed local changes of its items, in SN order, and advances XSN
 * as the peer acknowledges them. When the link breaks it stays alive in RETRY and reconnects
 * (altibase-replication.md §4.2, §0.8, §0.10). It never ships changes that were themselves
 * replicated in (§0.1): those are not in the log it reads.
 */
import { HANDSHAKE_REASONS } from '../../errors.js';
import type { Change, LogEntry } from '../durable-state.js';
import type { PropertySet } from '../properties.js';
import { Signal } from '../signal.js';
import { itemCovers, NULL_SN, toWireItem, type ReplicationMeta } from './meta.js';
import { LinkClosedError, type PeerAddress, type ReceiverReply, type ReplicationConnector, type ReplicationLink, type SenderMessage } from './protocol.js';

/** V$REPSENDER.STATUS values altisim uses. */
export const SENDER_STATUS = { RUN: 1, RETRY: 2, SYNC: 6 } as const;
export type SenderStatus = (typeof SENDER_STATUS)[keyof typeof SENDER_STATUS];

/** V$REPSENDER / V$REPGAP START_FLAG values. */
export const START_FLAG = { NORMAL: 0, QUICK: 1, SYNC: 2, SYNC_ONLY: 3, SYNC_RUN: 4, SYNC_END: 5 } as const;

/** What a sender needs from the server it runs in. */
export interface SenderHost {
  readonly serverId: string;
  readonly replicationAddress: PeerAddress;
  readonly connector: ReplicationConnector;
  readonly properties: PropertySet;
  lastSN(): number;
  meta(name: string): ReplicationMeta | undefined;
  commitMeta(meta: ReplicationMeta): void;
  /** Local log entries with SN greater than `sn`, ascending. */
  logAfter(sn: number): Iterable<LogEntry>;
  /** Wall-clock time as the meta tables show it. */
  now(): string;
}

export class Sender {
  status: SenderStatus;
  startFlag: number;
  netError = false;
  /**
   * SN up to which the log has been read and sent (not necessarily applied by the peer); null until
   * the first connection. FLUSH waits on it (§4.6); XSN moves only when the peer acknowledges.
   */
  lastProcessedSN: number | null = null;
  readLogCount = 0;
  sendLogCount = 0;
  private link: ReplicationLink | null = null;
  private stopped = false;
  /** Commits and stop: there may be something to ship. */
  private readonly work = new Signal();
  /** Peer restarted, or stop: retry the connection now. */
  private readonly wakeUp = new Signal();
  private loop: Promise<void> | null = null;
  private stream: LinkStream | null = null;
  /** STOP was asked: read nothing more from the log. */
  private stopping = false;

  constructor(
    private readonly host: SenderHost,
    readonly name: string,
    startFlag: number,
    status: SenderStatus = SENDER_STATUS.RETRY,
  ) {
    this.startFlag = startFlag;
    this.status = status;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get peer(): PeerAddress | null {
    return this.link?.peer ?? null;
  }

  get local(): PeerAddress | null {
    return this.link?.local ?? null;
  }

  get connected(): boolean {
    return this.link !== null;
  }

  /**
   * Connect and handshake once. Resolves null on success (the link is kept), else the reason that
   * goes into ERR-6100D.
   */
  async connectAndHandshake(): Promise<string | null> {
    const meta = this.host.meta(this.name);
    if (!meta) return HANDSHAKE_REASONS.noPeerObject;
    if (meta.items.length === 0) return HANDSHAKE_REASONS.noLocalItems;
    const hosts = [...meta.hosts].sort((a, b) => Number(b.hostNo === meta.lastUsedHostNo) - Number(a.hostNo === meta.lastUsedHostNo));
    const connectTimeoutMs = Math.max(1, this.host.properties.getNumber('REPLICATION_CONNECT_TIMEOUT')) * 1000;
    let reason: string = HANDSHAKE_REASONS.unreachable;
    for (const target of hosts) {
      if (this.stopped) return HANDSHAKE_REASONS.unreachable;
      let link: ReplicationLink;
      try {
        link = await this.host.connector.connect(target.host, target.port, connectTimeoutMs);
      } catch {
        reason = HANDSHAKE_REASONS.unreachable;
        continue;
      }
      let reply: ReceiverReply;
      try {
        reply = await link.request({
          type: 'handshake',
          repName: this.name,
          senderServerId: this.host.serverId,
          sender: this.host.replicationAddress,
          items: meta.items.map(toWireItem),
          conflictResolution: meta.conflictResolution,
        });
      } catch {
        link.close();
        reason = HANDSHAKE_REASONS.unreachable;
        continue;
      }
      if (!reply.ok) {
        link.close();
        reason = reply.reason;
        continue;
      }
      if (this.stopped) {
        link.close();
        return HANDSHAKE_REASONS.unreachable;
      }
      this.attach(link);
      const current = this.host.meta(this.name);
      if (current && current.lastUsedHostNo !== target.hostNo) this.host.commitMeta({ ...current, lastUsedHostNo: target.hostNo });
      return null;
    }
    return reason;
  }

  private attach(link: ReplicationLink): void {
    this.link = link;
    this.netError = false;
    void link.closed.then(() => {
      if (this.link === link) {
        this.link = null;
        this.work.notify();
      }
      this.forgetUnacknowledged(link);
    });
  }

  /**
   * What was sent on a link that broke before the peer acknowledged it was not delivered: the
   * sender resends it from XSN, so it no longer counts as sent, and a FLUSH waits for it again
   * (a FLUSH toward a peer that cannot be reached blocks, §0.8).
   */
  private forgetUnacknowledged(link: ReplicationLink): void {
    if (this.stream?.link !== link) return;
    this.stream = null;
    const meta = this.host.meta(this.name);
    if (meta && meta.xsn !== NULL_SN && this.lastProcessedSN !== null && this.lastProcessedSN > meta.xsn) this.lastProcessedSN = meta.xsn;
  }

  /** Send one message on the current link (used by SYNC). */
  async request(message: SenderMessage): Promise<ReceiverReply> {
    if (!this.link) throw new LinkClosedError();
    return this.link.request(message);
  }

  /** Run the shipping loop in the background (status RUN once connected, RETRY while not). */
  run(): void {
    if (this.loop) return;
    this.loop = this.shipLoop().catch((error: unknown) => {
      if (this.stopped) return; // the server went down under an in-flight step
      // A broken invariant inside the loop must not take the server down; the sender stays in RETRY.
      this.status = SENDER_STATUS.RETRY;
      this.netError = true;
      console.error(`altisim: sender ${this.name} stopped by an internal error:`, error);
    });
  }

  /**
   * STOP as Altibase does it: no more reading; a stop message follows the XLogs already sent, and
   * the peer's receiver acknowledges it once it has applied them, so what a FLUSH counted as sent
   * is on the peer when STOP returns (and XSN covers it). Bounded by REPLICATION_RECEIVE_TIMEOUT;
   * a broken link ends the wait at once (the unacknowledged changes stay behind XSN).
   */
  async stopGracefully(): Promise<void> {
    const link = this.link;
    const stream = this.stream;
    this.stopping = true;
    if (link && !this.stopped) {
      const timeoutMs = this.host.properties.getNumber('REPLICATION_RECEIVE_TIMEOUT') * 1000;
      let timer: NodeJS.Timeout | undefined;
      const expiry = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      try {
        await Promise.race([link.request({ type: 'stop' }).catch(() => undefined), expiry]);
        if (stream?.link === link) await Promise.race([Promise.all(stream.inFlight), expiry]);
      } finally {
        clearTimeout(timer);
      }
    }
    this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.link?.close();
    this.link = null;
    this.work.notify();
    this.wakeUp.notify();
  }

  /** New local commits may need shipping. */
  poke(): void {
    this.work.notify();
  }

  /** The peer (re)started: reconnect now instead of after the retry interval. */
  wake(): void {
    this.wakeUp.notify();
  }

  private async shipLoop(): Promise<void> {
    while (!this.stopped) {
      if (!this.link) {
        if (this.status !== SENDER_STATUS.SYNC) this.status = SENDER_STATUS.RETRY;
        const failure = await this.connectAndHandshake();
        if (this.stopped) return;
        if (failure !== null) {
          this.noteNetworkError();
          await this.wakeUp.wait(this.retryIntervalMs());
          continue;
        }
      }
      this.status = SENDER_STATUS.RUN;
      this.netError = false;
      try {
        await this.shipPending();
        if (!this.stopped && this.link) await this.work.wait();
      } catch (error) {
        if (!(error instanceof LinkClosedError)) throw error;
        this.link?.close();
        this.link = null;
        this.noteNetworkError();
      }
    }
  }

  /**
   * After every host failed, Altibase's sender sleeps REPLICATION_SENDER_SLEEP_TIMEOUT seconds
   * (default 60) unless a peer's boot wakes it (§0.10); ALTISIM_SENDER_RETRY_INTERVAL_MSEC > 0
   * shortens that for tests. A 0 s timeout still yields 10 ms (REPLICATION_SENDER_SLEEP_TIME's
   * default), so a refused peer does not spin the event loop.
   */
  private retryIntervalMs(): number {
    const override = this.host.properties.getNumber('ALTISIM_SENDER_RETRY_INTERVAL_MSEC');
    if (override > 0) return override;
    return Math.max(10, this.host.properties.getNumber('REPLICATION_SENDER_SLEEP_TIMEOUT') * 1000);
  }

  private noteNetworkError(): void {
    if (this.stopped) return;
    this.status = SENDER_STATUS.RETRY;
    this.netError = true;
    const meta = this.host.meta(this.name);
    if (meta && meta.remoteFaultDetectTime === null) this.host.commitMeta({ ...meta, remoteFaultDetectTime: this.host.now() });
  }

  /**
   * Ship everything committed so far, in batches, without waiting for each acknowledgement (the
   * XLogs stream, as in Altibase): what was read and sent is `lastProcessedSN`, which FLUSH waits
   * on; XSN, the restart point, advances only as the peer acknowledges batches, in order.
   */
  async shipPending(): Promise<void> {
    const batchLimit = this.host.properties.getNumber('ALTISIM_SENDER_BATCH_CHANGES');
    for (;;) {
      const link = this.link;
      const meta = this.host.meta(this.name);
      if (this.stopped || this.stopping || !link || !meta) return;
      if (meta.xsn === NULL_SN) {
        // Cannot happen through START/SYNC (they set XSN); be safe and start from now.
        this.host.commitMeta({ ...meta, xsn: this.host.lastSN() });
        continue;
      }
      const stream = this.streamFor(link, meta.xsn);
      const target = this.host.lastSN();
      if (this.lastProcessedSN === null || this.lastProcessedSN < stream.readSN) this.lastProcessedSN = stream.readSN;
      if (stream.readSN >= target) return;

      const batch: { sn: number; changes: Change[] }[] = [];
      let changeCount = 0;
      let scannedUpTo = stream.readSN;
      let full = false;
      for (const entry of this.host.logAfter(stream.readSN)) {
        if (entry.sn > target) break;
        this.readLogCount++;
        const relevant = entry.changes.filter((change) =>
          meta.items.some((item) => entry.sn > item.invalidMaxSN && itemCovers(item, change.user, change.table, change.partition)),
        );
        if (relevant.length > 0) {
          batch.push({ sn: entry.sn, changes: relevant });
          changeCount += relevant.length;
        }
        scannedUpTo = entry.sn;
        if (changeCount >= batchLimit) {
          full = true;
          break;
        }
      }
      const upTo = full ? scannedUpTo : target;
      stream.readSN = upTo;
      // Sent is what FLUSH counts (§4.6): the peer applies it later and acknowledges.
      this.lastProcessedSN = Math.max(this.lastProcessedSN, upTo);
      const pending: PendingAck = { upTo, acked: batch.length === 0 };
      stream.pending.push(pending);
      if (batch.length === 0) {
        this.advanceXsn(stream);
        continue;
      }
      this.sendLogCount += batch.length;
      const ack = link.request({ type: 'xlog', entries: batch }).then(
        (reply) => {
          if (!reply.ok) throw new LinkClosedError(reply.reason);
          pending.acked = true;
          this.advanceXsn(stream);
        },
        (error: unknown) => {
          throw error instanceof LinkClosedError ? error : new LinkClosedError(String(error));
        },
      );
      const settled = ack.catch(() => {
        // The link broke with this batch unacknowledged: drop the link; the sender reconnects
        // and resends from XSN (the receiver skips what it already applied).
        if (this.link === link) {
          link.close();
          this.link = null;
          this.work.notify();
        }
        this.forgetUnacknowledged(link);
      });
      stream.inFlight.push(settled);
      if (stream.inFlight.length > MAX_BATCHES_IN_FLIGHT) await stream.inFlight.shift();
    }
  }

  /** The read position of the current link: from XSN when the link is new. */
  private streamFor(link: ReplicationLink, xsn: number): LinkStream {
    if (this.stream?.link !== link) this.stream = { link, readSN: xsn, pending: [], inFlight: [] };
    return this.stream;
  }

  /** Acknowledged batches at the head of the queue move XSN (never past an unacknowledged one). */
  private advanceXsn(stream: LinkStream): void {
    let upTo: number | null = null;
    while (stream.pending[0]?.acked) upTo = (stream.pending.shift() as PendingAck).upTo;
    if (upTo === null || this.stopped || this.stream !== stream) return;
    const fresh = this.host.meta(this.name);
    if (fresh && upTo > fresh.xsn) this.host.commitMeta({ ...fresh, xsn: upTo });
  }
}

/** Batches a sender has on the wire before it waits for the oldest acknowledgement. */
const MAX_BATCHES_IN_FLIGHT = 32;

interface PendingAck {
  upTo: number;
  acked: boolean;
}

/** What a sender has read and sent over one link, and what the peer has not acknowledged yet. */
interface LinkStream {
  link: ReplicationLink;
  readSN: number;
  pending: PendingAck[];
  inFlight: Promise<void>[];
}
