/**
 * aku's `Driver` over an in-process cluster: resolves the host like the process driver does
 * (cluster host names, IP literals), and fails the way an Altibase ODBC client would —
 * DriverError with SQLSTATE, native code and text.
 */
import { DriverError, type Connection, type ConnectOptions, type Diagnostic, type Driver, type Row } from '../../db/driver.js';
import { clientDiagnostics } from '../../db/drivers/altisim-wire.js';
import { AltibaseError } from '../errors.js';
import { ServerDownError } from '../engine/database.js';
import type { SimServer } from '../engine/server.js';
import type { ServerSession } from '../engine/session.js';
import type { SimCluster } from './cluster.js';

/** Client address the server sees when the client is not on any simulated server. */
export const EXTERNAL_CLIENT_ADDRESS = '10.255.255.254';

export interface InProcessDriverOptions {
  /**
   * The server (pod) the client runs on. Service-path cuts between it and the target apply, and
   * its address is the client address (so SYSDBA to its own pod name counts as remote, as in k8s).
   */
  from?: string;
  /** Override the client address the server sees (e.g. '127.0.0.1' for a local isql). */
  clientAddress?: string;
}

export function toDiagnostic(error: unknown): Diagnostic {
  if (error instanceof AltibaseError) return error.toDiagnostic();
  if (error instanceof ServerDownError) return clientDiagnostics.linkFailure('(the server closed the connection)');
  return { state: 'HY000', code: 0, message: error instanceof Error ? error.message : String(error) };
}

export function createInProcessDriver(cluster: SimCluster, options: InProcessDriverOptions = {}): Driver {
  return {
    name: 'altisim-inprocess',
    async connect(connect: ConnectOptions): Promise<Connection> {
      await Promise.resolve();
      const address = cluster.network.resolve(connect.host);
      if (address === undefined) throw new DriverError([clientDiagnostics.hostNotResolved(connect.host)]);
      const server = cluster.network.serverAt(address, connect.port, 'service');
      if (!server || !server.isUp || !cluster.network.serviceReachable(options.from, server.name)) {
        throw new DriverError([clientDiagnostics.connectRefused()]);
      }
      const fromAddress = options.from !== undefined ? cluster.server(options.from).address : undefined;
      const clientAddress =
        options.clientAddress ?? (address.startsWith('127.') ? '127.0.0.1' : (fromAddress ?? EXTERNAL_CLIENT_ADDRESS));
      let session: ServerSession;
      try {
        session = server.login({
          user: connect.user,
          password: connect.password,
          sysdba: connect.sysdba,
          clientAddress,
          queryTimeoutSec: connect.queryTimeoutSec,
        });
      } catch (error) {
        throw new DriverError([toDiagnostic(error)]);
      }
      return new InProcessConnection(cluster, server, session, options.from);
    },
  };
}

class InProcessConnection implements Connection {
  private closed = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly server: SimServer,
    private readonly session: ServerSession,
    private readonly from: string | undefined,
  ) {}

  private linkBroken(): boolean {
    return this.session.closed || !this.server.isUp || !this.cluster.network.serviceReachable(this.from, this.server.name);
  }

  async query(sql: string, timeoutSec: number): Promise<Row[]> {
    await Promise.resolve();
    if (this.closed) throw new DriverError([clientDiagnostics.noConnection()]);
    if (this.linkBroken()) {
      this.server.closeSession(this.session);
      throw new DriverError([clientDiagnostics.linkFailure('(the connection to the server was lost)')]);
    }
    try {
      return await this.server.execute(this.session, sql, timeoutSec);
    } catch (error) {
      // Whatever the statement saw, a server that died under it reads as a lost connection.
      if (this.linkBroken()) throw new DriverError([clientDiagnostics.linkFailure('(the connection to the server was lost)')]);
      throw new DriverError([toDiagnostic(error)]);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.server.closeSession(this.session);
  }
}
