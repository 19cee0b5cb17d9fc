import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { Row } from '../../src/db/driver.js';
import { altisimAdmin, altisimDriver } from '../../src/db/drivers/altisim.js';
import { AKU_BIN } from './cli.js';

/**
 * A StatefulSet of `bin/altisim serve` processes on loopback addresses, with the built `bin/aku`
 * run in each "pod" exactly as the entrypoint and preStop run it. Each instance draws its own
 * 127.x.y.0/24 block, so test files (and other people's runs on the same machine) never collide.
 */

const ALTISIM_BIN = fileURLToPath(new URL('../../bin/altisim', import.meta.url));
export const PASSWORD = 's3cret-pw';
const SERVICE_PORT = 20300;
/** AKU_CONNECT_TIMEOUT of every pod's aku.conf, seconds. */
export const CONNECT_TIMEOUT_SEC = 2;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock seconds. */
  seconds: number;
}

export interface ProcessPodsOptions {
  /** Extra aku.conf lines (after the defaults below). */
  conf?: string[];
  /** REPLICATIONS line; default one group on SYS.T1. */
  replications?: string;
  /** Extra server properties. */
  properties?: Record<string, string | number>;
  schema?: string[];
}

export class ProcessPods {
  readonly work = mkdtempSync(join(tmpdir(), 'aku-proc-'));
  readonly hosts = join(this.work, 'hosts');
  private readonly servers = new Map<number, ResultPromise>();
  private readonly block = `127.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}`;
  readonly env: Record<string, string>;

  constructor(readonly count: number, private readonly options: ProcessPodsOptions = {}) {
    writeFileSync(this.hosts, Array.from({ length: 6 }, (_, i) => `${this.address(i)} altibase-sts-${i}.altibase-svc`).join('\n') + '\n');
    // No Kubernetes API unless a test gives one: -p end then falls back to AKU_REPLICATION_RESET_AT_END.
    this.env = { ALTISIM_HOSTS: this.hosts, AKU_DRIVER: 'altisim', AKU_SYS_PASSWORD: PASSWORD, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };
  }

  address(i: number): string {
    return `${this.block}.${10 + i}`;
  }

  home(i: number): string {
    return join(this.work, `pod-${i}`);
  }

  completionFile(i: number): string {
    return join(this.home(i), 'aku_start_completed');
  }

  /** Starts pod i's server (a new or an existing data directory) and, on a new one, creates the schema. */
  async startServer(i: number, { schema = true } = {}): Promise<void> {
    const home = this.home(i);
    const fresh = !this.servers.has(i) && !existsSync(join(home, 'data'));
    mkdirSync(join(home, 'conf'), { recursive: true });
    writeFileSync(join(home, 'conf', 'aku.conf'), [
      'AKU_STS_NAME = altibase-sts', 'AKU_SVC_NAME = altibase-svc', `AKU_SERVER_COUNT = ${this.count}`,
      'AKU_QUERY_RETRY_DELAY_MSEC = 50', 'AKU_QUERY_RETRY_COUNT = 1', `AKU_CONNECT_TIMEOUT = ${CONNECT_TIMEOUT_SEC}`, 'AKU_ADDRESS_CHECK_COUNT = 2',
      'AKU_QUERY_TIMEOUT = 30', 'AKU_END_TIME_BUDGET = 8', 'AKU_FLUSH_TIMEOUT_AT_START = 5',
      ...(this.options.conf ?? []),
      this.options.replications ?? 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = AKU_REP ( SYS.T1 ) )', '',
    ].join('\n'));
    const properties = { ADMIN_MODE: 1, REMOTE_SYSDBA_ENABLE: 1, ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 100, ...this.options.properties };
    const server = execa(ALTISIM_BIN, [
      'serve', '--host', this.address(i), '--port', String(SERVICE_PORT), '--replication-port', '20301',
      '--data-dir', join(home, 'data'), '--name', `altibase-sts-${i}`, '--sys-password', PASSWORD,
      ...Object.entries(properties).flatMap(([k, v]) => ['--property', `${k}=${v}`]),
    ], { env: this.env, reject: false, buffer: false });
    this.servers.set(i, server);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`altisim for pod ${i} did not start within 30 s:\n${seen}`)), 30000);
      server.stdout?.on('data', (chunk: Buffer) => {
        seen += String(chunk);
        if (seen.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.stderr?.on('data', (chunk: Buffer) => { seen += String(chunk); });
      void server.then((result) => {
        clearTimeout(timer);
        reject(new Error(`altisim for pod ${i} exited (${result.exitCode}):\n${seen}`));
      });
    });
    if (fresh && schema) for (const statement of this.options.schema ?? ['CREATE TABLE SYS.T1 (ID INTEGER PRIMARY KEY, V VARCHAR(40))']) await this.sysdba(i, statement);
  }

  /** kill -9 of pod i's server process: committed state stays in its data directory. */
  async killServer(i: number): Promise<void> {
    const server = this.servers.get(i);
    if (!server) return;
    server.kill('SIGKILL');
    await server.catch(() => undefined);
    this.servers.delete(i);
  }

  /** The pod's container restarts: the server comes back from its volume and /tmp is new. */
  async restartPod(i: number): Promise<void> {
    await this.killServer(i);
    rmSync(this.completionFile(i), { force: true });
    await this.startServer(i);
  }

  /** A network partition between i and j on the given path (both directions). */
  async cut(i: number, j: number, path: 'replication' | 'service' | 'both' = 'replication'): Promise<void> {
    await altisimAdmin(this.address(i), SERVICE_PORT, 'cut', { peer: this.address(j), path });
    await altisimAdmin(this.address(j), SERVICE_PORT, 'cut', { peer: this.address(i), path });
  }

  async heal(i: number, j: number, path: 'replication' | 'service' | 'both' = 'replication'): Promise<void> {
    await altisimAdmin(this.address(i), SERVICE_PORT, 'heal', { peer: this.address(j), path });
    await altisimAdmin(this.address(j), SERVICE_PORT, 'heal', { peer: this.address(i), path });
  }

  async sysdba(i: number, sql: string): Promise<Row[]> {
    return this.query(i, sql, true);
  }

  /** An application session (needs ADMIN_MODE 0). */
  async app(i: number, sql: string): Promise<Row[]> {
    return this.query(i, sql, false);
  }

  /** Every row of a table, sorted, as `ID:V`. */
  async rows(i: number, table = 'SYS.T1'): Promise<string[]> {
    return (await this.sysdba(i, `SELECT ID, V FROM ${table} ORDER BY ID`)).map((r) => `${r.ID}:${r.V}`);
  }

  /** name → `xsn/started` of every replication object, sorted, for "nothing changed" assertions. */
  async objects(i: number): Promise<Record<string, { xsn: number; started: boolean }>> {
    const rows = await this.sysdba(i, 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
    return Object.fromEntries(rows.map((r) => [String(r.REPLICATION_NAME), { xsn: Number(r.XSN), started: Number(r.IS_STARTED) === 1 }]).sort());
  }

  /** Waits until every listed pod holds the same rows, and returns them. */
  async converged(pods: number[], timeoutMs = 8000, table = 'SYS.T1'): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await Promise.all(pods.map((p) => this.rows(p, table)));
      if (all.every((r) => JSON.stringify(r) === JSON.stringify(all[0]))) return all[0] as string[];
      if (Date.now() > deadline) throw new Error(`pods ${pods.join(',')} did not converge:\n${all.map((r, k) => `${pods[k]}: ${r.join(' ')}`).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The environment aku runs with in pod i (as the entrypoint and preStop give it). */
  akuEnv(i: number): Record<string, string> {
    return {
      ...this.env, ALTIBASE_HOME: this.home(i), AKU_POD_NAME: `altibase-sts-${i}`, AKU_START_COMPLETED_FILE: this.completionFile(i),
      AKU_PROGRESS_INTERVAL_SEC: '1', ALTISIM_CLIENT_ADDRESS: this.address(i),
    };
  }

  /** Runs the built aku in pod i (`-p start`, `-p end`, …) with that pod's environment. */
  async aku(i: number, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    const started = Date.now();
    const result = await execa(AKU_BIN, args, { reject: false, env: { ...this.akuEnv(i), ...env } });
    return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), seconds: (Date.now() - started) / 1000 };
  }

  /** Starts servers 0..n-1 and runs `-p start` in each in turn (OrderedReady); throws on any failure. */
  async startPods(ordinals: number[]): Promise<void> {
    for (const i of ordinals) {
      await this.startServer(i);
      const run = await this.aku(i, ['-p', 'start']);
      if (run.code !== 0) throw new Error(`aku -p start in pod ${i} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    }
  }

  async close(): Promise<void> {
    for (const i of [...this.servers.keys()]) await this.killServer(i);
    rmSync(this.work, { recursive: true, force: true });
  }

  private async query(i: number, sql: string, sysdba: boolean): Promise<Row[]> {
    const connection = await altisimDriver.connect({
      host: this.address(i), port: SERVICE_PORT, user: 'SYS', password: PASSWORD, sysdba, connectTimeoutSec: 5, queryTimeoutSec: 30,
    });
    try {
      return await connection.query(sql, 30);
    } finally {
      await connection.close();
    }
  }
}

/** The `[where]` tags and messages of aku's log lines. */
export function logMessages(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.replace(/^\[AKU\]\[[^\]]*\]\[\d+\] \[[A-Z]+\]\[[^\]]*\]\[[^\]]*\]\[[^\]]*\] /, ''));
}
