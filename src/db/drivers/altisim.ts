/**
 * aku's driver for altisim processes (`altisim serve`): the `Driver` contract over the JSON-lines
 * protocol of altisim-wire.ts. Host names resolve through ALTISIM_HOSTS (a hosts file) or the
 * system resolver, so a whole simulated StatefulSet can live on loopback addresses.
 * Errors are DriverErrors shaped like the Altibase ODBC driver's diagnostics.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { DriverError, type Connection, type ConnectOptions, type Diagnostic, type Driver, type Row } from '../driver.js';
import {
  clientDiagnostics,
  encodeMessage,
  readMessages,
  resolveHost,
  type AdminAction,
  type ReplyMessage,
  type RequestBody,
  WIRE_PROTOCOL_VERSION,
} from './altisim-wire.js';

type Pending = { resolve: (reply: ReplyMessage) => void; reject: (error: DriverError) => void };

/** One TCP connection to an altisim service port, with request/reply matching. */
class WireChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private broken: Diagnostic | null = null;

  constructor(private readonly socket: Socket) {
    readMessages<ReplyMessage>(
      socket,
      (message) => {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        waiter?.resolve(message);
      },
      () => {
        this.fail(clientDiagnostics.linkFailure('(malformed reply from the server)'));
        socket.destroy();
      },
    );
    socket.on('close', () => this.fail(clientDiagnostics.linkFailure('(the server closed the connection)')));
    socket.on('error', (error) => this.fail(clientDiagnostics.linkFailure(`(${error.message})`)));
  }

  get isBroken(): boolean {
    return this.broken !== null;
  }

  private fail(diagnostic: Diagnostic): void {
    if (this.broken) return;
    this.broken = diagnostic;
    for (const waiter of this.pending.values()) waiter.reject(new DriverError([diagnostic]));
    this.pending.clear();
  }

  request(message: RequestBody): Promise<ReplyMessage> {
    if (this.broken) return Promise.reject(new DriverError([this.broken]));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encodeMessage({ ...message, id }));
    });
  }

  close(): void {
    this.broken ??= clientDiagnostics.noConnection();
    this.socket.destroy();
  }
}

/**
 * ALTISIM_CLIENT_ADDRESS binds the client's end to that address, so a client playing "aku in pod i"
 * reaches the servers from pod i's loopback address (REMOTE_SYSDBA_ENABLE sees it as remote).
 */
function openSocket(address: string, port: number, timeoutSec: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const localAddress = process.env.ALTISIM_CLIENT_ADDRESS;
    const socket = netConnect({ host: address, port, ...(localAddress ? { localAddress } : {}) });
    const timer =
      timeoutSec > 0
        ? setTimeout(() => {
            socket.destroy();
            reject(new DriverError([clientDiagnostics.connectionTimeout()]));
          }, timeoutSec * 1000)
        : undefined;
    socket.once('connect', () => {
      if (timer) clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      const diagnostic =
        error.code === 'ECONNREFUSED'
          ? clientDiagnostics.connectRefused()
          : clientDiagnostics.cannotConnect(`Failed to invoke the connect() system function, ${error.code ?? error.message}`);
      reject(new DriverError([diagnostic]));
    });
  });
}

async function openChannel(host: string, port: number, timeoutSec: number): Promise<WireChannel> {
  const address = await resolveHost(host);
  if (address === undefined) throw new DriverError([clientDiagnostics.hostNotResolved(host)]);
  return new WireChannel(await openSocket(address, port, timeoutSec));
}

class AltisimConnection implements Connection {
  private closed = false;

  constructor(private readonly channel: WireChannel) {}

  async query(sql: string, timeoutSec: number): Promise<Row[]> {
    if (this.closed) throw new DriverError([clientDiagnostics.noConnection()]);
    const reply = await this.channel.request({ op: 'query', sql, timeoutSec });
    if (!reply.ok) throw new DriverError([reply.error]);
    return (reply.rows ?? []) as Row[];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Log out first so the server has freed the session (its SYSDBA slot) when close resolves.
    if (!this.channel.isBroken) await this.channel.request({ op: 'logout' }).catch(() => undefined);
    this.channel.close();
  }
}

export function createAltisimDriver(): Driver {
  return {
    name: 'altisim',
    // ALTISIM_HOSTS (a hosts-format file), then the system resolver: what openChannel dials.
    async resolve(host: string): Promise<string[]> {
      const address = await resolveHost(host);
      if (address === undefined) throw Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' });
      return [address];
    },
    async connect(options: ConnectOptions): Promise<Connection> {
      const channel = await openChannel(options.host, options.port, options.connectTimeoutSec);
      const reply = await channel.request({
        op: 'login',
        protocol: WIRE_PROTOCOL_VERSION,
        user: options.user,
        password: options.password,
        sysdba: options.sysdba,
        queryTimeoutSec: options.queryTimeoutSec,
        ...(options.nlsUse !== undefined ? { nlsUse: options.nlsUse } : {}),
      });
      if (!reply.ok) {
        channel.close();
        throw new DriverError([reply.error]);
      }
      return new AltisimConnection(channel);
    },
  };
}

export const altisimDriver: Driver = createAltisimDriver();
export default altisimDriver;

/** Send one admin request to an altisim process (fault injection; see ADMIN_ACTIONS). */
export async function altisimAdmin(
  host: string,
  port: number,
  action: AdminAction,
  args: Record<string, string | number | boolean | undefined> = {},
  timeoutSec = 10,
): Promise<unknown> {
  const channel = await openChannel(host, port, timeoutSec);
  try {
    const reply = await channel.request({ op: 'admin', action, args });
    if (!reply.ok) throw new DriverError([reply.error]);
    return reply.result;
  } finally {
    channel.close();
  }
}
