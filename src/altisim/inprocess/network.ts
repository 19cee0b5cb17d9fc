/**
 * The in-process network between simulated servers: name resolution, per-pair link state (cut on
 * the service path, the replication path, or both; one-way delay), and replication links that
 * carry deep-copied messages, so no object is ever shared between two servers.
 */
import { isIP } from 'node:net';
import type { InboundLinkHandler, PeerAddress, ReceiverReply, ReplicationConnector, ReplicationLink, SenderMessage } from '../engine/replication/protocol.js';
import { LinkClosedError, PeerUnreachableError } from '../engine/replication/protocol.js';
import type { SimServer } from '../engine/server.js';
import { sleep } from '../engine/signal.js';

export type LinkPath = 'service' | 'replication' | 'both';

interface LinkState {
  serviceCut: boolean;
  replicationCut: boolean;
  delayMs: number;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

export class InProcessNetwork {
  private readonly hosts = new Map<string, string>();
  private readonly servers = new Map<string, SimServer>();
  private readonly links = new Map<string, LinkState>();
  private readonly openLinks = new Set<InProcessLink>();
  private nextEphemeralPort = 40000;

  register(server: SimServer, hostNames: string[]): void {
    this.servers.set(server.name, server);
    for (const name of hostNames) this.hosts.set(name.toLowerCase(), server.address);
  }

  addHost(name: string, address: string): void {
    this.hosts.set(name.toLowerCase(), address);
  }

  removeHost(name: string): void {
    this.hosts.delete(name.toLowerCase());
  }

  /** The address a host name resolves to (IP literals resolve to themselves). */
  resolve(host: string): string | undefined {
    if (isIP(host) !== 0) return host;
    if (host.toLowerCase() === 'localhost') return '127.0.0.1';
    return this.hosts.get(host.toLowerCase());
  }

  /** The server listening on address:port for the given path, whether up or not. */
  serverAt(address: string, port: number, path: 'service' | 'replication'): SimServer | undefined {
    for (const server of this.servers.values()) {
      const listens = path === 'service' ? server.servicePort === port : server.replicationPort === port;
      if (listens && server.address === address) return server;
    }
    return undefined;
  }

  private state(a: string, b: string): LinkState {
    const key = pairKey(a, b);
    let state = this.links.get(key);
    if (!state) {
      state = { serviceCut: false, replicationCut: false, delayMs: 0 };
      this.links.set(key, state);
    }
    return state;
  }

  cut(a: string, b: string, path: LinkPath = 'both'): void {
    const state = this.state(a, b);
    if (path !== 'replication') state.serviceCut = true;
    if (path !== 'service') {
      state.replicationCut = true;
      for (const link of [...this.openLinks]) if (link.joins(a, b)) link.close();
    }
  }

  heal(a: string, b: string, path: LinkPath = 'both'): void {
    const state = this.state(a, b);
    if (path !== 'replication') state.serviceCut = false;
    if (path !== 'service') state.replicationCut = false;
    // Nothing tells a sender that a network healed: it reconnects at its next retry, as in Altibase
    // (REPLICATION_SENDER_SLEEP_TIMEOUT, or ALTISIM_SENDER_RETRY_INTERVAL_MSEC in tests).
  }

  setDelay(a: string, b: string, delayMs: number): void {
    this.state(a, b).delayMs = delayMs;
  }

  delayBetween(a: string, b: string): number {
    return this.links.get(pairKey(a, b))?.delayMs ?? 0;
  }

  serviceReachable(from: string | undefined, to: string): boolean {
    if (from === undefined || from === to) return true;
    return !(this.links.get(pairKey(from, to))?.serviceCut ?? false);
  }

  replicationReachable(a: string, b: string): boolean {
    return a === b || !(this.links.get(pairKey(a, b))?.replicationCut ?? false);
  }

  /** Close every replication link of a server (it was killed). */
  dropLinksOf(name: string): void {
    for (const link of [...this.openLinks]) if (link.from === name || link.to === name) link.close();
  }

  closeAll(): void {
    for (const link of [...this.openLinks]) link.close();
  }

  /** The connector a server uses for its outgoing replication links. */
  connectorFor(serverName: string): ReplicationConnector {
    return {
      connect: async (host, port) => {
        await Promise.resolve(); // connecting is never synchronous
        const self = this.servers.get(serverName);
        const address = this.resolve(host);
        const target = address === undefined ? undefined : this.serverAt(address, port, 'replication');
        if (!self || !target || !this.replicationReachable(serverName, target.name)) {
          throw new PeerUnreachableError(`connect to ${host}:${port} refused`);
        }
        const local: PeerAddress = { address: self.address, port: this.nextEphemeralPort++ };
        const link = new InProcessLink(this, serverName, target.name, { address: target.address, port }, local);
        const handler = target.acceptReplication(local, () => link.close());
        if (!handler) throw new PeerUnreachableError(`connect to ${host}:${port} refused`);
        link.attach(handler);
        this.openLinks.add(link);
        return link;
      },
      wake: (host, port) => {
        const address = this.resolve(host);
        const target = address === undefined ? undefined : this.serverAt(address, port, 'replication');
        const self = this.servers.get(serverName);
        if (!target || !self || !this.replicationReachable(serverName, target.name)) return;
        setImmediate(() => target.peerWoke({ address: self.address, port: self.replicationPort }));
      },
    };
  }

  forget(link: InProcessLink): void {
    this.openLinks.delete(link);
  }
}

class InProcessLink implements ReplicationLink {
  readonly closed: Promise<void>;
  private open = true;
  private handler: InboundLinkHandler | null = null;
  private delivered: Promise<void> = Promise.resolve();
  private lastDeliveryAt = 0;
  private markClosed!: () => void;

  constructor(
    private readonly network: InProcessNetwork,
    readonly from: string,
    readonly to: string,
    readonly peer: PeerAddress,
    readonly local: PeerAddress,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  attach(handler: InboundLinkHandler): void {
    this.handler = handler;
  }

  joins(a: string, b: string): boolean {
    return (this.from === a && this.to === b) || (this.from === b && this.to === a);
  }

  async request(message: SenderMessage): Promise<ReceiverReply> {
    if (!this.open || !this.handler) throw new LinkClosedError();
    const copy = structuredClone(message);
    // A link is a stream: a message never overtakes an earlier one, even if the delay shrank.
    const deliverAt = Math.max(Date.now() + this.network.delayBetween(this.from, this.to), this.lastDeliveryAt);
    this.lastDeliveryAt = deliverAt;
    const turn = this.delivered.then(async () => {
      const wait = deliverAt - Date.now();
      if (wait > 0) await sleep(wait);
      else await Promise.resolve();
    });
    this.delivered = turn;
    await turn;
    if (!this.open || !this.handler) throw new LinkClosedError();
    const reply = await this.handler.handle(copy);
    if (!this.open) throw new LinkClosedError();
    return structuredClone(reply);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.network.forget(this);
    this.handler?.closed();
    this.markClosed();
  }
}
