/**
 * One SYSDBA session to one Altibase server.
 *
 * Altibase admits a single SYSDBA session per server (ERR-41041), so aku keeps exactly one
 * connection per server and runs one statement at a time on it, however many callers share the
 * `Session`. On top of the raw driver connection a Session adds:
 *   - serialisation (a promise queue: statements run in call order, never overlapping);
 *   - a time limit per statement (the driver's QUERY_TIMEOUT, plus aku's own clock as a backstop for
 *     a driver or network that never answers) and per connect (AKU_CONNECT_TIMEOUT);
 *   - retries of transient failures (see the table in errors.ts), reopening a lost connection first;
 *   - errors with context (`DbError`: server, statement, diagnostics, attempts), passwords redacted;
 *   - log lines through a logger the caller passes.
 */
import type { AkuConfig } from '../config/model.js';
import { DriverError, type Connection, type ConnectOptions, type Diagnostic, type Driver, type Row } from './driver.js';
import { AltibaseCode, DbError, classify, describeDiagnostic, isRetryable, passwordForms, redact, type DbPhase, type Verdict } from './errors.js';
import { attemptWithRetries, realSleep, withinDeadline, type Sleep } from './retry.js';

export type DbLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface DbLogContext {
  /** `host:port` */
  server: string;
  /** The host alone (the pod's DNS name), for the `[target pod]` field of aku's log line. */
  host: string;
  sql?: string;
}

/** Where the session layer reports what it does. The levels are aku's log levels. */
export interface DbLogger {
  log(level: DbLogLevel, message: string, context: DbLogContext): void;
}

export const silentLogger: DbLogger = { log: () => undefined };

/** How every session of one aku run connects and behaves; `sessionSettingsFromConfig` builds it from aku.conf. */
export interface SessionSettings extends Omit<ConnectOptions, 'host'> {
  /** AKU_QUERY_RETRY_COUNT: retries after a transient failure; 0 = none. */
  retryCount: number;
  /** AKU_QUERY_RETRY_DELAY_MSEC */
  retryDelayMsec: number;
  /**
   * How long aku waits beyond the driver's own limit before it stops waiting itself. The driver's
   * error (with real diagnostics) should normally come first; aku's clock is for drivers and
   * networks that never answer. Default 2000 ms.
   */
  deadlineGraceMs?: number;
  /** Level of the "retrying" log line. Default WARN. */
  retryLogLevel?: DbLogLevel;
}

export const DEFAULT_DEADLINE_GRACE_MS = 2000;

/** A `retry` count that means "as often as the deadline allows" (the deadline bounds it). */
export const RETRY_UNTIL_DEADLINE = 1_000_000;

export function sessionSettingsFromConfig(config: AkuConfig, env: NodeJS.ProcessEnv = process.env): SessionSettings {
  const nlsUse = env.ALTIBASE_NLS_USE?.trim();
  return {
    port: config.portNo,
    user: 'SYS',
    password: config.sysPassword,
    sysdba: true,
    connectTimeoutSec: config.connectTimeoutSec,
    queryTimeoutSec: config.queryTimeoutSec,
    retryCount: config.queryRetryCount,
    retryDelayMsec: config.queryRetryDelayMsec,
    ...(nlsUse ? { nlsUse } : {}),
  };
}

export interface SessionDeps {
  logger?: DbLogger;
  /** Injectable for tests: the wait between retries. */
  sleep?: Sleep;
  /** Injectable for tests: the clock deadlines are measured on (epoch milliseconds). */
  now?: () => number;
}

export interface OpenOptions {
  /** `false`: one attempt only; a number: that many retries instead of the configured count. */
  retry?: boolean | number;
  /**
   * A time budget, as an epoch-milliseconds instant (`Date.now()` scale) by which the call must be
   * over, retries included (e.g. what is left of `-p end`'s AKU_END_TIME_BUDGET): each attempt's
   * limit is cut to the time left, and no retry starts once its wait would reach the deadline.
   */
  deadline?: number;
}

export interface StatementOptions extends OpenOptions {
  /** Time limit for this statement, seconds (e.g. a bounded FLUSH); default the session's queryTimeoutSec. */
  timeoutSec?: number;
}

/** Runs tasks one after another, in the order they were handed in, whatever each one's outcome. */
export class StatementQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** node-odbc can cancel a running statement (SQLCancel); other drivers may not. Used when aku's clock runs out. */
interface CancellableConnection extends Connection {
  cancel(): Promise<void>;
}
function isCancellable(connection: Connection): connection is CancellableConnection {
  return typeof (connection as Partial<CancellableConnection>).cancel === 'function';
}

/**
 * One failed attempt, already classified and redacted; `Session` turns the last one into a DbError.
 * The driver's original error is deliberately not kept: it may carry the password unmasked.
 */
class AttemptFailure extends Error {
  constructor(
    readonly phase: DbPhase,
    readonly diagnostics: Diagnostic[],
    readonly verdict: Verdict,
    readonly timedOutByAku: boolean,
  ) {
    super(diagnostics[0]?.message ?? 'database error');
  }
}

export class Session {
  readonly host: string;
  readonly port: number;
  /** `host:port`, as every message names the server. */
  readonly server: string;

  readonly #driver: Driver;
  readonly #settings: SessionSettings;
  readonly #logger: DbLogger;
  readonly #sleep: Sleep;
  readonly #now: () => number;
  readonly #queue = new StatementQueue();
  readonly #secrets: string[];
  #connection: Connection | undefined;
  #closed: Promise<void> | undefined;

  constructor(driver: Driver, host: string, settings: SessionSettings, deps: SessionDeps = {}) {
    this.#driver = driver;
    this.host = host;
    this.port = settings.port;
    this.server = `${host}:${settings.port}`;
    this.#settings = settings;
    this.#logger = deps.logger ?? silentLogger;
    this.#sleep = deps.sleep ?? realSleep;
    this.#now = deps.now ?? Date.now;
    this.#secrets = passwordForms(settings.password);
  }

  get isConnected(): boolean {
    return this.#connection !== undefined;
  }

  get isClosed(): boolean {
    return this.#closed !== undefined;
  }

  /** Connect now (with retries) instead of at the first statement. Resolves at once when already connected. */
  open(options: OpenOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError(undefined));
    return this.#queue.run(async () => {
      if (this.#connection) return;
      await this.#withRetries(undefined, 'connect', options, async (secondsLeft) => {
        await this.#connectionForAttempt(undefined, secondsLeft);
      });
    });
  }

  /**
   * Run one statement and return its rows (empty for DDL and ALTER REPLICATION). Statements on one
   * session never overlap; they run in call order. Rejects with DbError.
   */
  query(sql: string, options: StatementOptions = {}): Promise<Row[]> {
    if (this.#closed) return Promise.reject(this.#closedError(sql));
    return this.#queue.run(() =>
      this.#withRetries(sql, 'statement', options, async (secondsLeft) => {
        const connection = await this.#connectionForAttempt(sql, secondsLeft);
        const limit = options.timeoutSec ?? this.#settings.queryTimeoutSec;
        // 0 is "no limit" for the driver; a budget still bounds it.
        const timeoutSec = limit > 0 ? Math.min(limit, secondsLeft) : Number.isFinite(secondsLeft) ? secondsLeft : 0;
        this.#log('DEBUG', `Running the statement (time limit ${timeoutSec > 0 ? `${roundSec(timeoutSec)} s` : 'none'}).`, sql);
        return this.#runOnce(connection, sql, timeoutSec);
      }),
    );
  }

  /**
   * Give the server's SYSDBA slot back after the statements already handed in, but stay usable:
   * the next statement connects again. Altibase admits one SYSDBA session per server, so a run
   * that needs a peer only now and then (every pod's `-p end` at once) lets the others in between.
   */
  release(): Promise<void> {
    if (this.#closed) return this.#closed;
    return this.#queue.run(async () => {
      const connection = this.#connection;
      this.#connection = undefined;
      if (connection) await this.#closeQuietly(connection);
    });
  }

  /**
   * Close the connection after the statements already handed in have finished (closing under a
   * running node-odbc query can crash the process). Later calls to `query` are refused.
   */
  close(): Promise<void> {
    this.#closed ??= this.#queue.run(async () => {
      const connection = this.#connection;
      this.#connection = undefined;
      if (connection) await this.#closeQuietly(connection);
    });
    return this.#closed;
  }

  /**
   * Run `attempt` under the retry policy. It receives the seconds left of the caller's budget
   * (Infinity without one) so that it can cut its own limits to them.
   */
  async #withRetries<T>(sql: string | undefined, phase: DbPhase, options: OpenOptions, attempt: (secondsLeft: number) => Promise<T>): Promise<T> {
    const retryOption = options.retry;
    const retries = retryOption === false ? 0 : typeof retryOption === 'number' ? retryOption : this.#settings.retryCount;
    const delayMs = this.#settings.retryDelayMsec;
    const { deadline } = options;
    const secondsLeft = () => (deadline === undefined ? Infinity : (deadline - this.#now()) / 1000);
    const budgeted = async () => {
      const left = secondsLeft();
      if (left <= 0) {
        throw new AttemptFailure(
          phase,
          [{ state: 'HYT00', code: AltibaseCode.QUERY_TIMEOUT, message: 'aku: the time budget for this operation was used up before it could run' }],
          'permanent',
          true,
        );
      }
      return attempt(left);
    };
    const outcome = await attemptWithRetries(budgeted, { retries, delayMs }, {
      sleep: this.#sleep,
      shouldRetry: (error) =>
        error instanceof AttemptFailure && isRetryable(error.verdict) && (deadline === undefined || this.#now() + delayMs < deadline),
      beforeRetry: (error, nextAttempt, delayMs) => {
        const failure = error as AttemptFailure;
        const first = failure.diagnostics[0];
        const what = first ? describeDiagnostic(first) : 'failure';
        this.#log(
          this.#settings.retryLogLevel ?? 'WARN',
          `${failure.phase === 'connect' ? 'Connect' : 'Statement'} failed (${what}); retrying in ${delayMs} ms (attempt ${nextAttempt} ${
            retries >= RETRY_UNTIL_DEADLINE && deadline !== undefined ? `, retried until the time budget ends in ${roundSec(secondsLeft())} s` : `of ${retries + 1}`
          }).`,
          sql,
        );
      },
    });
    if (outcome.ok) return outcome.value;
    throw this.#toDbError(outcome.error, sql, outcome.attempts);
  }

  /** The open connection, or a new one (one attempt, bounded by the connect timeout). */
  async #connectionForAttempt(sql: string | undefined, secondsLeft: number): Promise<Connection> {
    if (this.#connection) return this.#connection;
    const settings = this.#settings;
    const connecting = Promise.resolve().then(() =>
      this.#driver.connect({
        host: this.host,
        port: settings.port,
        user: settings.user,
        password: settings.password,
        sysdba: settings.sysdba,
        connectTimeoutSec: settings.connectTimeoutSec,
        queryTimeoutSec: settings.queryTimeoutSec,
        ...(settings.nlsUse ? { nlsUse: settings.nlsUse } : {}),
      }),
    );
    // A connect timeout of 0 leaves the bound to the driver (and to the caller's budget, if any).
    const limitSec = Math.min(settings.connectTimeoutSec > 0 ? settings.connectTimeoutSec : Infinity, secondsLeft);
    let outcome;
    try {
      outcome = Number.isFinite(limitSec)
        ? await withinDeadline(connecting, this.#deadlineMs(limitSec), (late) => {
            // The driver ignored its login timeout and answered after we gave up: that connection is
            // nobody's, and as a SYSDBA session it would block the next one (ERR-41041). Close it.
            this.#log('DEBUG', 'A connection arrived after the connect timeout; closing it.', sql);
            void this.#closeQuietly(late);
          })
        : { settled: true as const, value: await connecting };
    } catch (error) {
      throw this.#failure('connect', error);
    }
    if (!outcome.settled) {
      throw new AttemptFailure(
        'connect',
        [{ state: 'HYT01', code: 0, message: `aku: no answer from the server within ${roundSec(limitSec)} s (connect timeout)` }],
        'transient-reconnect',
        true,
      );
    }
    this.#connection = outcome.value;
    this.#log('DEBUG', `Connected as ${settings.user}${settings.sysdba ? ' (SYSDBA)' : ''}.`, sql);
    return outcome.value;
  }

  async #runOnce(connection: Connection, sql: string, timeoutSec: number): Promise<Row[]> {
    const running = Promise.resolve().then(() => connection.query(sql, timeoutSec));
    try {
      if (!(timeoutSec > 0)) return await running;
      const outcome = await withinDeadline(running, this.#deadlineMs(timeoutSec));
      if (outcome.settled) return outcome.value;
    } catch (error) {
      const failure = this.#failure('statement', error);
      if (failure.verdict === 'transient-reconnect') this.#discard(connection);
      throw failure;
    }
    this.#abandon(connection, running, timeoutSec, sql);
    throw new AttemptFailure(
      'statement',
      [
        {
          state: 'HYT00',
          code: AltibaseCode.QUERY_TIMEOUT,
          message: `aku: the statement did not finish within ${roundSec(timeoutSec)} s; its connection was abandoned`,
        },
      ],
      'permanent',
      true,
    );
  }

  /** The connection is broken (lost session): forget it and close it; the next attempt opens a new one. */
  #discard(connection: Connection): void {
    if (this.#connection === connection) this.#connection = undefined;
    void this.#closeQuietly(connection);
  }

  /**
   * The statement overran aku's clock and is still running in the driver. Closing under a running
   * query can crash node-odbc, so: ask the driver to cancel it if it can, forget the connection, and
   * close it only once the statement has ended. Until then the server may still count it as the
   * SYSDBA session, so the next connect may meet ERR-41041, which is retried.
   */
  #abandon(connection: Connection, running: Promise<unknown>, timeoutSec: number, sql: string): void {
    if (this.#connection === connection) this.#connection = undefined;
    this.#log('WARN', `No answer within ${roundSec(timeoutSec)} s; abandoning the connection (it is closed when the statement ends).`, sql);
    if (isCancellable(connection)) connection.cancel().catch(() => undefined);
    running.then(
      () => this.#closeQuietly(connection),
      () => this.#closeQuietly(connection),
    );
  }

  async #closeQuietly(connection: Connection): Promise<void> {
    try {
      await connection.close();
    } catch (error) {
      this.#log('DEBUG', `Closing the connection failed: ${redact(errorText(error), this.#secrets)}`, undefined);
    }
  }

  #failure(phase: DbPhase, error: unknown): AttemptFailure {
    const diagnostics = diagnosticsOf(error).map((d) => ({ ...d, message: redact(d.message, this.#secrets) }));
    return new AttemptFailure(phase, diagnostics, classify(diagnostics).verdict, false);
  }

  #toDbError(error: unknown, sql: string | undefined, attempts: number): DbError {
    const failure = error instanceof AttemptFailure ? error : this.#failure('statement', error);
    return new DbError({
      server: this.server,
      ...(sql === undefined ? {} : { sql: redact(sql, this.#secrets) }),
      phase: failure.phase,
      diagnostics: failure.diagnostics,
      verdict: failure.verdict,
      attempts,
      timedOutByAku: failure.timedOutByAku,
    });
  }

  #closedError(sql: string | undefined): DbError {
    return new DbError({
      server: this.server,
      ...(sql === undefined ? {} : { sql: redact(sql, this.#secrets) }),
      phase: 'statement',
      diagnostics: [{ state: '08003', code: 0, message: 'aku: this session has been closed' }],
      verdict: 'permanent',
      attempts: 0,
    });
  }

  #deadlineMs(limitSec: number): number {
    return Math.max(0, limitSec * 1000) + (this.#settings.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS);
  }

  #log(level: DbLogLevel, message: string, sql: string | undefined): void {
    this.#logger.log(level, message, {
      server: this.server,
      host: this.host,
      ...(sql === undefined ? {} : { sql: redact(sql, this.#secrets) }),
    });
  }
}

/** The driver's diagnostics, or one synthesised record for an error that is not a DriverError. */
function diagnosticsOf(error: unknown): Diagnostic[] {
  if (error instanceof DriverError && error.diagnostics.length > 0) return error.diagnostics.map((d) => ({ ...d }));
  if (error instanceof DriverError) return [{ ...error.primary }];
  return [{ state: 'HY000', code: 0, message: errorText(error) }];
}

/** Seconds for a message: whole when whole, else to the millisecond. */
function roundSec(sec: number): number {
  return Math.round(sec * 1000) / 1000;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
