/**
 * A scriptable in-memory `Driver` for the session tests: it can fail, hang, answer late, and it
 * records what the session did to it (connects, statements, overlaps, closes, cancels).
 */
import { DriverError, type Connection, type ConnectOptions, type Diagnostic, type Driver, type Row } from '../../src/db/driver.js';

export type ConnectBehaviour =
  | { kind: 'ok' }
  | { kind: 'fail'; diagnostics: Diagnostic[] }
  /** Never answers. */
  | { kind: 'hang' }
  /** Answers with a connection after `ms`, whatever the caller's timeout. */
  | { kind: 'late'; ms: number };

export type QueryHandler = (sql: string, timeoutSec: number, connection: FakeConnection) => Promise<Row[]>;

export function diag(code: number, state = 'HY000', message = `fake error 0x${code.toString(16)}`): Diagnostic {
  return { state, code, message };
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FakeConnection implements Connection {
  closed = false;
  cancelCalls = 0;
  running = 0;

  constructor(
    readonly id: number,
    readonly options: ConnectOptions,
    private readonly driver: FakeDriver,
  ) {}

  async query(sql: string, timeoutSec: number): Promise<Row[]> {
    if (this.closed) throw new DriverError([diag(0x51036, '08003', 'Connection does not exist.')]);
    const d = this.driver;
    d.statements.push({ sql, timeoutSec, connection: this.id });
    d.events.push(`query:${this.id}:${sql}`);
    this.running++;
    d.active++;
    d.maxActive = Math.max(d.maxActive, d.active);
    try {
      return await d.onQuery(sql, timeoutSec, this);
    } finally {
      this.running--;
      d.active--;
      d.events.push(`done:${this.id}:${sql}`);
    }
  }

  async cancel(): Promise<void> {
    this.cancelCalls++;
  }

  async close(): Promise<void> {
    this.driver.events.push(`close:${this.id}${this.running > 0 ? ':WHILE-RUNNING' : ''}`);
    this.closed = true;
  }
}

export class FakeDriver implements Driver {
  readonly name = 'fake';
  connectAttempts = 0;
  connections: FakeConnection[] = [];
  statements: Array<{ sql: string; timeoutSec: number; connection: number }> = [];
  events: string[] = [];
  active = 0;
  maxActive = 0;
  lastConnectOptions: ConnectOptions | undefined;
  /** Behaviour of connect attempt n (1-based); default: succeed. */
  connectPlan: (attempt: number, options: ConnectOptions) => ConnectBehaviour = () => ({ kind: 'ok' });
  onQuery: QueryHandler = async () => [];

  async connect(options: ConnectOptions): Promise<Connection> {
    const attempt = ++this.connectAttempts;
    this.lastConnectOptions = options;
    this.events.push(`connect:${attempt}`);
    const behaviour = this.connectPlan(attempt, options);
    switch (behaviour.kind) {
      case 'ok':
        return this.#open(options);
      case 'fail':
        throw new DriverError(behaviour.diagnostics);
      case 'hang':
        return new Promise<Connection>(() => undefined);
      case 'late':
        await delay(behaviour.ms);
        return this.#open(options);
    }
  }

  #open(options: ConnectOptions): FakeConnection {
    const connection = new FakeConnection(this.connections.length + 1, options, this);
    this.connections.push(connection);
    return connection;
  }
}

/** A sleep that records the delays instead of waiting. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
    },
  };
}
