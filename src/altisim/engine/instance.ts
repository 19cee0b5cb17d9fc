/**
 * One running incarnation of a database server: durable state loaded from its disk, properties,
 * sessions, senders and receivers. Killing the server ends the incarnation; restarting it creates
 * a new one from the same disk, so only persisted state carries over (§0.10).
 */
import { parseStatement } from '../sql/parser.js';
import { ServerDownError, type Database, type InstanceIdentity } from './database.js';
import { tableKey, type TableData } from './catalog.js';
import { applyOp, type Change, type DurableOp, type DurableState, type LogEntry } from './durable-state.js';
import { executeStatement } from './executor.js';
import { admitLogin } from './login.js';
import type { Disk } from './persistence.js';
import { PropertySet } from './properties.js';
import { ReplicationManager, type ReplicationHost } from './replication/manager.js';
import type { ReplicationMeta } from './replication/meta.js';
import type { InboundLinkHandler, PeerAddress, ReplicationConnector } from './replication/protocol.js';
import { ServerSession, StatementContext, type LoginRequest } from './session.js';
import type { Row } from './values.js';

export { ServerDownError, type InstanceIdentity } from './database.js';

export class DatabaseInstance implements Database, ReplicationHost {
  readonly properties: PropertySet;
  readonly replication: ReplicationManager;
  readonly sessions = new Set<ServerSession>();
  private alive = true;

  constructor(
    readonly identity: InstanceIdentity,
    readonly state: DurableState,
    private readonly disk: Disk,
    startProperties: Record<string, number | string>,
  ) {
    this.properties = new PropertySet({
      ...startProperties,
      PORT_NO: identity.servicePort,
      REPLICATION_PORT_NO: identity.replicationPort,
    });
    this.replication = new ReplicationManager(this);
    disk.attach(state);
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Restart the senders of started objects and wake the peers. */
  boot(): void {
    this.replication.boot(this.properties.getNumber('REPLICATION_SENDER_AUTO_START') === 1);
  }

  /** End this incarnation. `clean` (orderly shutdown) also writes a snapshot. */
  terminate(clean: boolean): void {
    if (!this.alive) return;
    this.alive = false;
    for (const session of this.sessions) session.closed = true;
    this.sessions.clear();
    this.replication.shutdown();
    if (clean) this.disk.checkpoint();
    this.disk.detach();
  }

  // ---------------------------------------------------------------- durable changes

  commit(op: DurableOp): void {
    if (!this.alive) throw new ServerDownError(this.identity.name);
    applyOp(this.state, op);
    this.disk.append(op);
  }

  commitMeta(meta: ReplicationMeta): void {
    this.commit({ t: 'repl', meta });
  }

  /** A local transaction: gets the next SN and is what senders ship. */
  commitLocal(changes: Change[], ship = true): void {
    if (changes.length === 0) return;
    this.commit({ t: 'txn', sn: this.state.lastSN + 1, replicated: !ship, changes });
    this.replication.pokeSenders();
  }

  commitReplicated(changes: Change[]): void {
    if (changes.length === 0) return;
    this.commit({ t: 'txn', sn: this.state.lastSN + 1, replicated: true, changes });
    // Senders do not ship it, but their processed SN moves past it (FLUSH ALL targets it).
    this.replication.pokeSenders();
  }

  allocateHostNo(): number {
    const hostNo = this.state.nextHostNo;
    this.commit({ t: 'counters', nextHostNo: hostNo + 1, nextOid: this.state.nextOid });
    return hostNo;
  }

  allocateOid(): number {
    const oid = this.state.nextOid;
    this.commit({ t: 'counters', nextHostNo: this.state.nextHostNo, nextOid: oid + 1 });
    return oid;
  }

  // ---------------------------------------------------------------- lookups (ReplicationHost)

  get serverId(): string {
    return this.state.serverId;
  }

  get replicationAddress(): PeerAddress {
    return { address: this.identity.address, port: this.identity.replicationPort };
  }

  get connector(): ReplicationConnector {
    return this.identity.connector;
  }

  get cpuCount(): number {
    return this.identity.cpuCount;
  }

  lastSN(): number {
    return this.state.lastSN;
  }

  meta(name: string): ReplicationMeta | undefined {
    return this.state.replications.get(name);
  }

  allMeta(): ReplicationMeta[] {
    return [...this.state.replications.values()];
  }

  table(user: string, table: string): TableData | undefined {
    return this.state.tables.get(tableKey(user, table));
  }

  *logAfter(sn: number): Iterable<LogEntry> {
    const log = this.state.log;
    let low = 0;
    let high = log.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((log[mid] as LogEntry).sn <= sn) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < log.length; i++) yield log[i] as LogEntry;
  }

  now(): string {
    return new Date().toISOString().replace('T', ' ').slice(0, 19);
  }

  // ---------------------------------------------------------------- sessions

  login(request: LoginRequest): ServerSession {
    if (!this.alive) throw new ServerDownError(this.identity.name);
    const user = admitLogin(request, {
      properties: this.properties,
      users: this.state.users,
      sysdbaSessionOpen: [...this.sessions].some((session) => session.sysdba),
    });
    const timeout = request.queryTimeoutSec !== undefined && request.queryTimeoutSec > 0
      ? request.queryTimeoutSec
      : this.properties.getNumber('QUERY_TIMEOUT');
    const session = new ServerSession(user, request.sysdba, request.clientAddress, timeout);
    this.sessions.add(session);
    return session;
  }

  closeSession(session: ServerSession): void {
    session.closed = true;
    this.sessions.delete(session);
  }

  /**
   * Run one statement. `timeoutSec` > 0 is the statement's own limit (SQL_ATTR_QUERY_TIMEOUT);
   * otherwise the session's QUERY_TIMEOUT applies.
   */
  execute(session: ServerSession, sql: string, timeoutSec = 0): Promise<Row[]> {
    return session.serialize(async () => {
      if (!this.alive || session.closed) throw new ServerDownError(this.identity.name);
      const statement = parseStatement(sql);
      const context = new StatementContext(timeoutSec > 0 ? timeoutSec : session.queryTimeoutSec);
      return executeStatement(this, session, statement, context);
    });
  }

  // ---------------------------------------------------------------- replication port

  acceptReplication(peer: PeerAddress, closeLink: () => void): InboundLinkHandler | null {
    if (!this.alive) return null;
    return this.replication.acceptLink(peer, this.replicationAddress, closeLink);
  }

  peerWoke(peer: PeerAddress): void {
    if (this.alive) this.replication.peerWoke(peer);
  }
}
