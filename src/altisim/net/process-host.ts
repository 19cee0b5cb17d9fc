/**
 * One `altisim serve` process: a SimServer on a data directory, its service listener (sessions
 * and admin requests), its replication listener, and the admin operations that inject faults.
 */
import { availableParallelism } from 'node:os';
import type { AdminRequestMessage } from '../../db/drivers/altisim-wire.js';
import { DirectoryDisk } from '../engine/persistence.js';
import { SimServer } from '../engine/server.js';
import { TcpReplicationConnector, TcpReplicationListener } from './replication-tcp.js';
import { AdminError, ServiceServer } from './service-server.js';
import { TrafficRules, type TrafficPath } from './traffic-rules.js';

export interface ProcessHostOptions {
  name: string;
  /** Listen address (service and replication); outgoing replication binds to it too. */
  host: string;
  port: number;
  replicationPort: number;
  dataDir: string;
  sysPassword: string;
  properties: Record<string, number | string>;
  /** fsync every journal write (default off: a kill -9 loses nothing either way). */
  fsync?: boolean;
}

export class ProcessHost {
  readonly rules = new TrafficRules();
  readonly database: SimServer;
  private readonly connector: TcpReplicationConnector;
  private readonly replicationListener: TcpReplicationListener;
  private readonly service: ServiceServer;

  constructor(private readonly options: ProcessHostOptions) {
    this.connector = new TcpReplicationConnector({
      localAddress: options.host,
      replicationPort: options.replicationPort,
      rules: this.rules,
    });
    this.database = new SimServer(
      {
        name: options.name,
        address: options.host,
        servicePort: options.port,
        replicationPort: options.replicationPort,
        sysPassword: options.sysPassword,
        properties: options.properties,
        disk: new DirectoryDisk(options.dataDir, { fsyncEachCommit: options.fsync ?? false }),
        cpuCount: availableParallelism(),
      },
      this.connector,
    );
    this.replicationListener = new TcpReplicationListener(options.host, options.replicationPort, this.database, this.rules);
    this.service = new ServiceServer(options.host, options.port, this.database, this.rules, (request) => this.admin(request));
  }

  async start(): Promise<void> {
    await this.startDatabase();
    await this.service.listen();
  }

  private async startDatabase(): Promise<void> {
    if (this.database.isUp) return;
    // Listen first: the boot wakes the peers, and their senders reconnect at once.
    await this.replicationListener.open();
    this.database.start();
  }

  /** Take the database down. `clean` writes a snapshot (orderly shutdown); otherwise it is a crash. */
  private async stopDatabase(clean: boolean): Promise<void> {
    if (clean) this.database.shutdown();
    else this.database.kill();
    this.connector.closeAll();
    this.service.dropSessions();
    await this.replicationListener.close();
  }

  /** SIGTERM: persist and stop listening. */
  async shutdown(): Promise<void> {
    await this.stopDatabase(true);
    await this.service.close();
  }

  private async admin(request: AdminRequestMessage): Promise<unknown> {
    const args = request.args;
    const peer = (): string => {
      if (typeof args.peer !== 'string' || args.peer.length === 0) throw new AdminError('--peer ADDRESS is required');
      return args.peer;
    };
    const path = (): TrafficPath => {
      const value = (args.path ?? 'both') as string;
      if (!['service', 'replication', 'both'].includes(value)) throw new AdminError(`bad --path ${value}`);
      return value as TrafficPath;
    };
    switch (request.action) {
      case 'status':
        return {
          name: this.options.name,
          host: this.options.host,
          port: this.options.port,
          replicationPort: this.options.replicationPort,
          up: this.database.isUp,
          pendingFaults: this.database.faults.pending,
        };
      case 'kill':
        // Answer first, then die like kill -9: no snapshot, the journal already holds every commit.
        setImmediate(() => process.kill(process.pid, 'SIGKILL'));
        return { killed: true };
      case 'shutdown':
        setImmediate(() => {
          void this.shutdown().then(() => process.exit(0));
        });
        return { shutdown: true };
      case 'stop-server':
        await this.stopDatabase(false);
        return { up: false };
      case 'start-server':
        await this.startDatabase();
        return { up: true };
      case 'restart':
        await this.stopDatabase(false);
        await this.startDatabase();
        return { up: true };
      case 'cut':
        this.rules.cut(peer(), path());
        return { cut: peer() };
      case 'heal': {
        this.rules.heal(peer(), path());
        // Reconnect retrying senders now rather than at their next retry.
        this.database.peerWoke({ address: peer(), port: 0 });
        return { healed: peer() };
      }
      case 'delay':
        this.rules.setDelay(peer(), Number(args.ms ?? 0));
        return { delayMs: Number(args.ms ?? 0) };
      case 'fail': {
        if (args.code === undefined) throw new AdminError('--code is required');
        const code = typeof args.code === 'number' ? args.code : Number.parseInt(String(args.code).replace(/^(ERR-|0x)/i, ''), 16);
        this.database.faults.add({
          count: Number(args.count ?? 1),
          ...(args.match !== undefined ? { match: new RegExp(String(args.match), 'i') } : {}),
          error: {
            code,
            ...(args.state !== undefined ? { state: String(args.state) } : {}),
            ...(args.message !== undefined ? { message: String(args.message) } : {}),
          },
        });
        return { pending: this.database.faults.pending };
      }
      case 'stall':
        this.database.faults.add({
          count: Number(args.count ?? 1),
          ...(args.match !== undefined ? { match: new RegExp(String(args.match), 'i') } : {}),
          delayMs: Number(args.ms ?? 0),
        });
        return { pending: this.database.faults.pending };
      case 'clear-faults':
        this.database.faults.clear();
        return { pending: 0 };
      default:
        throw new AdminError(`unknown admin action ${String(request.action)}`);
    }
  }
}
