/**
 * A simulated Altibase server: a network identity, a configuration (its altibase.properties),
 * a disk, and at most one running incarnation. Used the same way by the in-process cluster and by
 * `altisim serve`.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createInitialState } from './durable-state.js';
import { StatementFaults } from './faults.js';
import { DatabaseInstance, ServerDownError } from './instance.js';
import { MemoryDisk, type Disk } from './persistence.js';
import type { InboundLinkHandler, InboundReplication, PeerAddress, ReplicationConnector } from './replication/protocol.js';
import type { LoginRequest, ServerSession } from './session.js';
import type { Row } from './values.js';

export interface SimServerConfig {
  name: string;
  /** The address the server listens on (service and replication). */
  address: string;
  servicePort: number;
  replicationPort: number;
  /** SYS password for a new database (an existing disk keeps its own). */
  sysPassword: string;
  /** Start-time property values, as altibase.properties would give them. */
  properties?: Record<string, number | string>;
  disk?: Disk;
  cpuCount?: number;
}

export class SimServer implements InboundReplication {
  readonly name: string;
  readonly address: string;
  readonly servicePort: number;
  readonly replicationPort: number;
  readonly faults = new StatementFaults();
  #disk: Disk;
  private readonly sysPassword: string;
  private readonly startProperties: Record<string, number | string>;
  private readonly cpuCount: number;
  private instance: DatabaseInstance | null = null;

  constructor(
    config: SimServerConfig,
    private readonly connector: ReplicationConnector,
  ) {
    this.name = config.name;
    this.address = config.address;
    this.servicePort = config.servicePort;
    this.replicationPort = config.replicationPort;
    this.sysPassword = config.sysPassword;
    this.startProperties = { ...(config.properties ?? {}) };
    this.#disk = config.disk ?? new MemoryDisk();
    this.cpuCount = config.cpuCount ?? availableParallelism();
  }

  get disk(): Disk {
    return this.#disk;
  }

  get isUp(): boolean {
    return this.instance?.isAlive ?? false;
  }

  /** The running incarnation (for inspection in tests); throws when the server is down. */
  get running(): DatabaseInstance {
    if (!this.instance?.isAlive) throw new ServerDownError(this.name);
    return this.instance;
  }

  /** Boot: load the disk (or create a database), restart started replications, wake peers. */
  start(): void {
    if (this.isUp) return;
    const state = this.disk.load() ?? createInitialState(randomUUID(), this.sysPassword);
    this.instance = new DatabaseInstance(
      {
        name: this.name,
        address: this.address,
        servicePort: this.servicePort,
        replicationPort: this.replicationPort,
        connector: this.connector,
        cpuCount: this.cpuCount,
      },
      state,
      this.disk,
      this.startProperties,
    );
    this.instance.boot();
  }

  /** Crash: the runtime vanishes, committed state stays on the disk. */
  kill(): void {
    this.instance?.terminate(false);
    this.instance = null;
  }

  /** Orderly shutdown (also writes a snapshot). */
  shutdown(): void {
    this.instance?.terminate(true);
    this.instance = null;
  }

  restart(): void {
    this.kill();
    this.start();
  }

  /**
   * The volume is lost: the server crashes and boots on a new, empty disk (a new database, as a
   * pod whose PersistentVolume was replaced would create). Name and address stay.
   */
  loseVolume(): void {
    this.kill();
    this.#disk = new MemoryDisk();
    this.start();
  }

  /** Change a start-time property for the next start (editing altibase.properties). */
  setStartProperty(name: string, value: number | string): void {
    this.startProperties[name.toUpperCase()] = value;
  }

  login(request: LoginRequest): ServerSession {
    return this.running.login(request);
  }

  async execute(session: ServerSession, sql: string, timeoutSec = 0): Promise<Row[]> {
    const instance = this.running;
    await this.faults.apply(sql);
    return instance.execute(session, sql, timeoutSec);
  }

  closeSession(session: ServerSession): void {
    this.instance?.closeSession(session);
  }

  acceptReplication(peer: PeerAddress, closeLink: () => void): InboundLinkHandler | null {
    return this.instance?.acceptReplication(peer, closeLink) ?? null;
  }

  peerWoke(peer: PeerAddress): void {
    this.instance?.peerWoke(peer);
  }
}
