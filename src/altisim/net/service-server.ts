/**
 * The service port of `altisim serve`: the JSON-lines protocol of altisim-wire.ts, one session
 * per connection. The listener stays open while the database is down so that admin requests
 * still work; logins then fail exactly as a refused TCP connect would (08001, errno=111).
 */
import type { Server, Socket } from 'node:net';
import type { Diagnostic } from '../../db/driver.js';
import {
  clientDiagnostics,
  encodeMessage,
  plainAddress,
  readMessages,
  type AdminRequestMessage,
  type ReplyMessage,
  type RequestMessage,
  WIRE_PROTOCOL_VERSION,
} from '../../db/drivers/altisim-wire.js';
import type { SimServer } from '../engine/server.js';
import { listenOn } from './listen.js';
import type { ServerSession } from '../engine/session.js';
import { toDiagnostic } from '../inprocess/driver.js';
import type { TrafficRules } from './traffic-rules.js';

export type AdminHandler = (request: AdminRequestMessage) => Promise<unknown>;

export class AdminError extends Error {}

interface ClientConnection {
  socket: Socket;
  address: string;
  session: ServerSession | null;
}

export class ServiceServer {
  private server: Server | null = null;
  private readonly clients = new Set<ClientConnection>();

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly database: SimServer,
    private readonly rules: TrafficRules,
    private readonly admin: AdminHandler,
  ) {
    rules.onCut((cutAddress, path) => {
      if (path === 'service') for (const client of [...this.clients]) if (client.address === cutAddress) client.socket.destroy();
    });
  }

  async listen(): Promise<void> {
    this.server = await listenOn(this.port, this.address, (socket) => this.accept(socket));
  }

  /** The database went down: its sessions' connections break, as they would with a real server. */
  dropSessions(): void {
    for (const client of [...this.clients]) if (client.session) client.socket.destroy();
  }

  async close(): Promise<void> {
    for (const client of [...this.clients]) client.socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const client: ClientConnection = { socket, address: plainAddress(socket.remoteAddress), session: null };
    if (this.rules.isCut(client.address, 'service')) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.clients.add(client);
    // Requests of one connection are answered in order, like statements on one ODBC connection.
    let queue: Promise<void> = Promise.resolve();
    readMessages<RequestMessage>(
      socket,
      (message) => {
        queue = queue.then(async () => {
          const reply = await this.handle(client, message);
          if (!socket.destroyed) socket.write(encodeMessage(reply));
        });
      },
      () => socket.destroy(),
    );
    const cleanup = (): void => {
      this.clients.delete(client);
      if (client.session) this.database.closeSession(client.session);
      client.session = null;
    };
    socket.on('close', cleanup);
    socket.on('error', cleanup);
  }

  private async handle(client: ClientConnection, message: RequestMessage): Promise<ReplyMessage> {
    const fail = (error: Diagnostic): ReplyMessage => ({ id: message.id, ok: false, error });
    switch (message.op) {
      case 'login': {
        if (message.protocol !== WIRE_PROTOCOL_VERSION) {
          return fail(clientDiagnostics.cannotConnect(`altisim protocol ${String(message.protocol)} is not ${WIRE_PROTOCOL_VERSION}`));
        }
        if (!this.database.isUp) return fail(clientDiagnostics.connectRefused());
        if (client.session) return fail({ state: '08002', code: 0, message: 'Connection name in use' });
        try {
          client.session = this.database.login({
            user: message.user,
            password: message.password,
            sysdba: message.sysdba,
            clientAddress: client.address,
            ...(message.queryTimeoutSec > 0 ? { queryTimeoutSec: message.queryTimeoutSec } : {}),
          });
          return { id: message.id, ok: true };
        } catch (error) {
          return fail(toDiagnostic(error));
        }
      }
      case 'query': {
        const session = client.session;
        if (!session) return fail(clientDiagnostics.noConnection());
        try {
          const rows = await this.database.execute(session, message.sql, message.timeoutSec);
          return { id: message.id, ok: true, rows };
        } catch (error) {
          if (session.closed) return fail(clientDiagnostics.linkFailure('(the server closed the connection)'));
          return fail(toDiagnostic(error));
        }
      }
      case 'logout':
        if (client.session) this.database.closeSession(client.session);
        client.session = null;
        return { id: message.id, ok: true };
      case 'admin':
        try {
          return { id: message.id, ok: true, result: await this.admin(message) };
        } catch (error) {
          return fail({ state: 'HY000', code: 0, message: error instanceof Error ? error.message : String(error) });
        }
      default:
        return fail({ state: 'HY000', code: 0, message: `unknown request ${(message as { op?: string }).op ?? ''}` });
    }
  }
}
