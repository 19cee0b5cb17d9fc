/**
 * SQL from the node to the pods, as an application would send it: SYS (not SYSDBA, so a pod whose
 * ADMIN_MODE is 1 refuses the login) to each pod's address on the service port, through aku's own
 * driver (altisim for the stand-in image; AKU_CHAOS_DRIVER=odbc for a real Altibase image). One
 * session per pod instance, reopened after any error. Every statement is bounded on the client
 * side too: a pod that vanishes from the network never answers.
 */
import type { Connection, Driver, Row } from '../../src/db/driver.js';
import { DriverError } from '../../src/db/driver.js';
import { loadDriver } from '../../src/db/drivers/index.js';
import type { PodView } from './pods.js';

export class StatementTimeout extends Error {}

/** Whether a failed statement may have been applied all the same (the link broke after sending it). */
export function outcomeUnknown(error: unknown): boolean {
  if (error instanceof StatementTimeout) return true;
  if (error instanceof DriverError) return /^(08S01|08003|HYT00|HYT01)$/.test(error.primary.state);
  return true;
}

export class PodSql {
  private readonly sessions = new Map<string, Promise<Connection>>();

  private constructor(private readonly driver: Driver, private readonly password: string, private readonly port: number) {}

  static async open(password: string, port = 20300): Promise<PodSql> {
    return new PodSql(await loadDriver(process.env.AKU_CHAOS_DRIVER ?? 'altisim'), password, port);
  }

  private session(pod: PodView): Promise<Connection> {
    let s = this.sessions.get(pod.uid);
    if (!s) {
      if (!pod.ip) return Promise.reject(new Error(`${pod.name} has no address`));
      s = this.driver.connect({ host: pod.ip, port: this.port, user: 'SYS', password: this.password, sysdba: false, connectTimeoutSec: 3, queryTimeoutSec: 30 });
      this.sessions.set(pod.uid, s);
      s.catch(() => this.sessions.delete(pod.uid));
    }
    return s;
  }

  /** Opens (or reuses) the pod's session; rejects when the login fails (nothing was sent). */
  async connect(pod: PodView): Promise<void> {
    await this.session(pod);
  }

  /** One statement on the pod's session; on any error the session is dropped. */
  async query(pod: PodView, sql: string, timeoutMs = 15_000): Promise<Row[]> {
    const connection = await this.session(pod);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        connection.query(sql, Math.ceil(timeoutMs / 1000)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StatementTimeout(`no answer from ${pod.name} in ${timeoutMs} ms: ${sql}`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      this.drop(pod.uid);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  drop(uid: string): void {
    const s = this.sessions.get(uid);
    this.sessions.delete(uid);
    void s?.then((c) => c.close()).catch(() => undefined);
  }

  /** Closes the sessions of pods no longer in the list. */
  keepOnly(pods: PodView[]): void {
    const live = new Set(pods.map((p) => p.uid));
    for (const uid of [...this.sessions.keys()]) if (!live.has(uid)) this.drop(uid);
  }

  async close(): Promise<void> {
    for (const uid of [...this.sessions.keys()]) this.drop(uid);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof DriverError) return `${error.primary.state} ${error.primary.message}`;
  return error instanceof Error ? error.message : String(error);
}
