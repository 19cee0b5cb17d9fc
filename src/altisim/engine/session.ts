/**
 * A client session on one server, and the per-statement context (its time limit).
 */
import { simError } from '../errors.js';
import { sleep } from './signal.js';

export interface LoginRequest {
  user: string;
  password: string;
  sysdba: boolean;
  /** Where the client connects from, as the server sees it (127.0.0.1 for local clients). */
  clientAddress: string;
  /** Session QUERY_TIMEOUT from the connection string; undefined = the server property. */
  queryTimeoutSec?: number;
}

let nextSessionId = 1;

export class ServerSession {
  readonly id = nextSessionId++;
  closed = false;
  /** ALTER SESSION SET REPLICATION (DEFAULT/NONE/…): NONE forbids DDL on replicated tables. */
  replicationMode = 'DEFAULT';
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly user: string,
    readonly sysdba: boolean,
    readonly clientAddress: string,
    /** Session QUERY_TIMEOUT in seconds, 0 = unlimited. */
    public queryTimeoutSec: number,
  ) {}

  /** Statements of one session run one after another, as on one ODBC connection. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The time limit of one statement (QUERY_TIMEOUT → ERR-01044 / HYT00). */
export class StatementContext {
  private readonly deadline: number | null;

  constructor(timeoutSec: number) {
    this.deadline = timeoutSec > 0 ? Date.now() + timeoutSec * 1000 : null;
  }

  get expired(): boolean {
    return this.deadline !== null && Date.now() >= this.deadline;
  }

  checkTimeout(): void {
    if (this.expired) throw simError('ID_QUERY_TIMEOUT');
  }

  /** Sleep, but never past the deadline; throws the timeout error once it has passed. */
  async pause(ms: number): Promise<void> {
    this.checkTimeout();
    const remaining = this.deadline === null ? ms : Math.min(ms, Math.max(0, this.deadline - Date.now()));
    await sleep(remaining);
    this.checkTimeout();
  }
}
