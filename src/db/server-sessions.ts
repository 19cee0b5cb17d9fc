/**
 * The one `Session` per server of an aku run. Every part of aku that talks to a server asks this
 * registry, so all of them share that server's single SYSDBA connection (a second one would be
 * refused with ERR-41041) and its statement queue.
 */
import type { Driver } from './driver.js';
import { DbError } from './errors.js';
import { Session, type OpenOptions, type SessionDeps, type SessionSettings } from './session.js';

export interface Unreachable {
  host: string;
  server: string;
  error: DbError;
}

export interface ReachResult {
  /** Sessions that are connected, in the order of the hosts asked for. */
  reached: Session[];
  unreachable: Unreachable[];
}

export class ServerSessions {
  readonly #driver: Driver;
  readonly #settings: SessionSettings;
  readonly #deps: SessionDeps;
  readonly #sessions = new Map<string, Session>();
  #closed = false;

  constructor(driver: Driver, settings: SessionSettings, deps: SessionDeps = {}) {
    this.#driver = driver;
    this.#settings = settings;
    this.#deps = deps;
  }

  /** The session for this server, created on first use (it connects at its first statement or `open`). */
  get(host: string, port: number = this.#settings.port): Session {
    if (this.#closed) throw new Error(`aku: the database sessions are closed; cannot open one to ${host}:${port}`);
    const key = `${host}:${port}`;
    let session = this.#sessions.get(key);
    if (!session) {
      session = new Session(this.#driver, host, { ...this.#settings, port }, this.#deps);
      this.#sessions.set(key, session);
    }
    return session;
  }

  /**
   * Connect to all these servers at once. Each connect is bounded by the connect timeout (and
   * retried per the session's policy unless `retry: false`), and they run in parallel: five absent
   * peers cost about one connect timeout, not five. Never rejects: failures are reported per host.
   */
  async reach(hosts: readonly string[], options: OpenOptions = {}): Promise<ReachResult> {
    const sessions = hosts.map((host) => this.get(host));
    const outcomes = await Promise.allSettled(sessions.map((session) => session.open(options)));
    const result: ReachResult = { reached: [], unreachable: [] };
    outcomes.forEach((outcome, i) => {
      const session = sessions[i]!;
      if (outcome.status === 'fulfilled') result.reached.push(session);
      else {
        const error =
          outcome.reason instanceof DbError
            ? outcome.reason
            : new DbError({
                server: session.server,
                phase: 'connect',
                diagnostics: [{ state: 'HY000', code: 0, message: String(outcome.reason) }],
                verdict: 'permanent',
                attempts: 1,
              });
        result.unreachable.push({ host: session.host, server: session.server, error });
      }
    });
    return result;
  }

  get sessions(): Session[] {
    return [...this.#sessions.values()];
  }

  /** Close every session (each after its running statement) and refuse new ones. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.sessions.map((session) => session.close()));
  }
}
