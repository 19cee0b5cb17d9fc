/**
 * The runtime side of replication on one server: which senders and receivers exist right now.
 * None of it is persisted; a restart rebuilds the senders from IS_STARTED (§0.10).
 */
import { HANDSHAKE_REASONS } from '../../errors.js';
import { mirrorItemIn, type ReplicationMeta, type WireItem } from './meta.js';
import type { InboundLinkHandler, PeerAddress, ReceiverReply, SenderMessage } from './protocol.js';
import { Receiver, type ReceiverHost } from './receiver.js';
import { Sender, START_FLAG, type SenderHost } from './sender.js';

export interface ReplicationHost extends SenderHost, ReceiverHost {
  /** Every replication object (for boot and wake-ups). */
  allMeta(): ReplicationMeta[];
}

/** Handshake pairs that may talk (AS MASTER/AS SLAVE): (0,0), (1,2), (2,1). */
function conflictResolutionCompatible(sender: number, receiver: number): boolean {
  return (sender === 0 && receiver === 0) || (sender === 1 && receiver === 2) || (sender === 2 && receiver === 1);
}

export class ReplicationManager {
  readonly senders = new Map<string, Sender>();
  readonly receivers = new Map<string, Receiver>();

  constructor(private readonly host: ReplicationHost) {}

  /** Server start: restart the senders of started objects with START RETRY semantics. */
  boot(autoStart: boolean): void {
    for (const meta of this.host.allMeta()) {
      if (meta.isStarted === 0) continue;
      if (!autoStart) {
        this.host.commitMeta({ ...meta, isStarted: 0 });
        continue;
      }
      const sender = new Sender(this.host, meta.name, START_FLAG.NORMAL);
      this.senders.set(meta.name, sender);
      sender.run();
    }
    // Tell every peer we are back, so their retrying senders reconnect now (§0.10).
    const woken = new Set<string>();
    for (const meta of this.host.allMeta()) {
      for (const target of meta.hosts) {
        const key = `${target.host}:${target.port}`;
        if (woken.has(key)) continue;
        woken.add(key);
        this.host.connector.wake(target.host, target.port);
      }
    }
  }

  createSender(name: string, startFlag: number, status?: Sender['status']): Sender {
    const sender = new Sender(this.host, name, startFlag, status);
    this.senders.set(name, sender);
    return sender;
  }

  removeSender(sender: Sender): void {
    sender.stop();
    if (this.senders.get(sender.name) === sender) this.senders.delete(sender.name);
  }

  /** Local commits happened: senders may have work. */
  pokeSenders(): void {
    for (const sender of this.senders.values()) sender.poke();
  }

  peerWoke(_peer: PeerAddress): void {
    // Which sender points at that peer depends on name resolution; waking all is cheap and harmless.
    for (const sender of this.senders.values()) if (!sender.connected) sender.wake();
  }

  /** Drop the receiver of `name` (DROP REPLICATION kills it first, §0.9). */
  closeReceiver(name: string): void {
    const receiver = this.receivers.get(name);
    if (!receiver) return;
    this.receivers.delete(name);
    receiver.close();
  }

  /** The server goes down: runtime state vanishes without touching the persisted metadata. */
  shutdown(): void {
    for (const sender of this.senders.values()) sender.stop();
    this.senders.clear();
    for (const receiver of this.receivers.values()) receiver.close();
    this.receivers.clear();
  }

  /** A peer's sender connected to our replication port. */
  acceptLink(peer: PeerAddress, local: PeerAddress, closeLink: () => void): InboundLinkHandler {
    let receiver: Receiver | null = null;
    return {
      handle: async (message: SenderMessage): Promise<ReceiverReply> => {
        if (receiver) return receiver.handle(message);
        if (message.type !== 'handshake') return { ok: false, reason: 'no handshake' };
        const refusal = this.checkHandshake(message.repName, message.senderServerId, message.items, message.conflictResolution, local);
        if (refusal) return { ok: false, reason: refusal };
        // A new connection for the same object replaces a stale one.
        this.closeReceiver(message.repName);
        receiver = new Receiver(this.host, message.repName, message.sender, local, message.senderServerId, closeLink);
        this.receivers.set(message.repName, receiver);
        return { ok: true, remoteXsn: receiver.applyXsn };
      },
      closed: () => {
        if (receiver && this.receivers.get(receiver.name) === receiver) this.receivers.delete(receiver.name);
        receiver = null;
      },
    };
  }

  /** §6 minimum: not ourselves, same-named object, mirrored item set, compatible roles. */
  private checkHandshake(
    name: string,
    senderServerId: string,
    senderItems: WireItem[],
    senderConflictResolution: number,
    local: PeerAddress,
  ): string | null {
    if (senderServerId === this.host.serverId) return HANDSHAKE_REASONS.selfReplication(local.address, local.port);
    const meta = this.host.meta(name);
    if (!meta) return HANDSHAKE_REASONS.noPeerObject;
    if (meta.items.length !== senderItems.length) {
      return `The replication's item count does not match [${senderItems.length}:${meta.items.length}].`;
    }
    if (senderItems.some((item) => !mirrorItemIn(meta.items, item))) return 'Replication items not found.';
    if (!conflictResolutionCompatible(senderConflictResolution, meta.conflictResolution)) {
      return `Master/Slave conflict resolution not allowed [${senderConflictResolution}:${meta.conflictResolution}]`;
    }
    return null;
  }
}
