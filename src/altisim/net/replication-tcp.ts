/**
 * Replication between altisim processes over real sockets: the connector senders use, and the
 * listener on the replication port that hands incoming links to the server. Messages are JSON
 * lines: `{id, msg}` from the sender, `{id, reply}` back; a connection whose first line is
 * `{wake}` is a restart announcement (§0.10) and carries nothing else.
 */
import { connect as netConnect, type Server, type Socket } from 'node:net';
import { listenOn } from './listen.js';
import { encodeMessage, plainAddress, readMessages, resolveHost } from '../../db/drivers/altisim-wire.js';
import {
  LinkClosedError,
  PeerUnreachableError,
  type InboundReplication,
  type PeerAddress,
  type ReceiverReply,
  type ReplicationConnector,
  type ReplicationLink,
  type SenderMessage,
} from '../engine/replication/protocol.js';
import type { TrafficRules } from './traffic-rules.js';

type WireFromSender = { id: number; msg: SenderMessage } | { wake: PeerAddress };
type WireFromReceiver = { id: number; reply: ReceiverReply };

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

class TcpLink implements ReplicationLink {
  readonly closed: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: ReceiverReply) => void; reject: (error: Error) => void }>();
  private open = true;
  private markClosed!: () => void;
  private sent: Promise<void> = Promise.resolve();
  private lastSendAt = 0;

  constructor(
    private readonly socket: Socket,
    readonly peer: PeerAddress,
    readonly local: PeerAddress,
    private readonly rules: TrafficRules,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    readMessages<WireFromReceiver>(
      socket,
      (message) => {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        waiter?.resolve(message.reply);
      },
      () => this.close(),
    );
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
  }

  async request(message: SenderMessage): Promise<ReceiverReply> {
    if (!this.open) throw new LinkClosedError();
    // A link is a stream: a delayed message never lets a later one overtake it.
    const sendAt = Math.max(Date.now() + this.rules.delayTo(this.peer.address), this.lastSendAt);
    this.lastSendAt = sendAt;
    const turn = this.sent.then(async () => {
      const wait = sendAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    });
    this.sent = turn;
    await turn;
    if (!this.open) throw new LinkClosedError();
    const id = this.nextId++;
    return new Promise<ReceiverReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encodeMessage({ id, msg: message }));
    });
  }

  close(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private shutdown(): void {
    if (!this.open) return;
    this.open = false;
    for (const waiter of this.pending.values()) waiter.reject(new LinkClosedError());
    this.pending.clear();
    this.markClosed();
  }
}

export interface TcpReplicationOptions {
  /** This server's address; outgoing sockets bind to it so peers see who is calling. */
  localAddress: string;
  /** This server's replication port (sent in wake-ups). */
  replicationPort: number;
  rules: TrafficRules;
}

/** Outgoing replication connections of one process. */
export class TcpReplicationConnector implements ReplicationConnector {
  private readonly links = new Set<TcpLink>();

  constructor(private readonly options: TcpReplicationOptions) {
    options.rules.onCut((address, path) => {
      if (path !== 'replication') return;
      for (const link of [...this.links]) if (link.peer.address === address) link.close();
    });
  }

  private openSocket(address: string, port: number, timeoutMs: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({
        host: address,
        port,
        ...(isWildcard(this.options.localAddress) ? {} : { localAddress: this.options.localAddress }),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new PeerUnreachableError(`connect to ${address}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new PeerUnreachableError(`connect to ${address}:${port} failed: ${error.message}`));
      });
    });
  }

  async connect(host: string, port: number, timeoutMs: number): Promise<ReplicationLink> {
    const address = await resolveHost(host);
    if (address === undefined) throw new PeerUnreachableError(`cannot resolve ${host}`);
    if (this.options.rules.isCut(address, 'replication')) throw new PeerUnreachableError(`link to ${address} is cut`);
    const socket = await this.openSocket(address, port, timeoutMs);
    socket.setNoDelay(true);
    const link = new TcpLink(
      socket,
      { address, port },
      { address: plainAddress(socket.localAddress), port: socket.localPort ?? 0 },
      this.options.rules,
    );
    this.links.add(link);
    void link.closed.then(() => this.links.delete(link));
    return link;
  }

  wake(host: string, port: number): void {
    void (async () => {
      const address = await resolveHost(host);
      if (address === undefined || this.options.rules.isCut(address, 'replication')) return;
      const socket = await this.openSocket(address, port, 2000).catch(() => undefined);
      if (!socket) return;
      socket.on('error', () => undefined);
      socket.end(encodeMessage({ wake: { address: this.options.localAddress, port: this.options.replicationPort } }));
    })();
  }

  closeAll(): void {
    for (const link of [...this.links]) link.close();
  }
}

/** The replication port of one process: accepts links while the database is up. */
export class TcpReplicationListener {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly target: InboundReplication,
    private readonly rules: TrafficRules,
  ) {
    rules.onCut((cutAddress, path) => {
      if (path !== 'replication') return;
      for (const socket of [...this.sockets]) if (plainAddress(socket.remoteAddress) === cutAddress) socket.destroy();
    });
  }

  /** Start listening (the database came up). */
  async open(): Promise<void> {
    if (this.server) return;
    this.server = await listenOn(this.port, this.address, (socket) => this.accept(socket));
  }

  /** Stop listening and drop every link (the database went down: peers see refused connections). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of [...this.sockets]) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const peer: PeerAddress = { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 };
    if (this.rules.isCut(peer.address, 'replication')) {
      socket.destroy();
      return;
    }
    const handler = this.target.acceptReplication(peer, () => socket.destroy());
    if (!handler) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    let closed = false;
    const onClose = (): void => {
      if (closed) return;
      closed = true;
      this.sockets.delete(socket);
      handler.closed();
    };
    socket.on('close', onClose);
    socket.on('error', onClose);
    readMessages<WireFromSender>(
      socket,
      (message) => {
        if ('wake' in message) {
          this.target.peerWoke(message.wake);
          socket.end();
          return;
        }
        handler.handle(message.msg).then(
          (reply) => {
            if (!socket.destroyed) socket.write(encodeMessage({ id: message.id, reply }));
          },
          () => socket.destroy(),
        );
      },
      () => socket.destroy(),
    );
  }
}
