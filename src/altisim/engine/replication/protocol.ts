/**
 * What a sender and the peer's receiver say to each other, and the transport seam that carries it.
 *
 * The engine only sees `ReplicationConnector` (outgoing) and `acceptReplication` (incoming), so
 * the same sender/receiver code runs over the in-process network (engine/cluster.ts) and over
 * real sockets between altisim processes (net/replication-tcp.ts).
 */
import type { Change } from '../durable-state.js';
import type { Row } from '../values.js';
import type { WireItem } from './meta.js';

export interface PeerAddress {
  address: string;
  port: number;
}

export type SenderMessage =
  | {
      type: 'handshake';
      repName: string;
      senderServerId: string;
      sender: PeerAddress;
      items: WireItem[];
      conflictResolution: number;
    }
  | { type: 'xlog'; entries: { sn: number; changes: Change[] }[] }
  | { type: 'syncRows'; item: WireItem; rows: Row[]; onConflict: 'fail' | 'resolve' }
  /** STOP: answered once everything sent before it has been applied. */
  | { type: 'stop' };

export type ReceiverReply =
  | { ok: true; remoteXsn?: number }
  | { ok: false; reason: string };

/** One established connection from a sender to a peer's replication port. */
export interface ReplicationLink {
  /** The peer end as connected (its address and replication port). */
  readonly peer: PeerAddress;
  /** The local end (this server's address and the ephemeral port). */
  readonly local: PeerAddress;
  /** Rejects with `LinkClosedError` when the link breaks. */
  request(message: SenderMessage): Promise<ReceiverReply>;
  close(): void;
  /** Resolves once the link is closed, from either end. */
  readonly closed: Promise<void>;
}

export class LinkClosedError extends Error {
  constructor(reason = 'replication link closed') {
    super(reason);
    this.name = 'LinkClosedError';
  }
}

/** Raised by `connect` when the peer cannot be reached (refused, unresolvable, cut). */
export class PeerUnreachableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PeerUnreachableError';
  }
}

export interface ReplicationConnector {
  connect(host: string, port: number, timeoutMs: number): Promise<ReplicationLink>;
  /** Tell the server at host:port that this server (re)started (best effort). */
  wake(host: string, port: number): void;
}

/** The receiving end of one link, as the server hands it to a transport. */
export interface InboundLinkHandler {
  handle(message: SenderMessage): Promise<ReceiverReply>;
  /** The transport lost the link (peer closed, network cut, …). */
  closed(): void;
}

/** How a transport delivers an incoming link to the server listening on the replication port. */
export interface InboundReplication {
  /** Returns null when the server is down (the connection is refused). `closeLink` ends the link from this side. */
  acceptReplication(peer: PeerAddress, closeLink: () => void): InboundLinkHandler | null;
  /** A peer announced that it (re)started. */
  peerWoke(peer: PeerAddress): void;
}
