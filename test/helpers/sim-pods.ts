import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInProcessDriver } from '../../src/altisim/inprocess/driver.js';
import { SimCluster } from '../../src/altisim/inprocess/cluster.js';
import type { AkuConfig, ReplicationGroup } from '../../src/config/index.js';
import type { Row } from '../../src/db/driver.js';
import { ServerSessions } from '../../src/db/server-sessions.js';
import { sessionSettingsFromConfig } from '../../src/db/session.js';
import { runPodLifecycle, type LifecycleContext, type LifecycleOutcome, type PodAction, type SqlSession, type StopReason } from '../../src/lifecycle/index.js';
import { Logger } from '../../src/log/logger.js';
import { runRecover, type RecoverContext, type RecoverOutcome, type RecoverRequest } from '../../src/recover/index.js';
import { buildTopology } from '../../src/topology/index.js';
import { fixtureText, parse } from './conf.js';

export const STS = 'altibase-sts';
export const SVC = 'altibase-svc';
export const podName = (i: number) => `${STS}-${i}`;
export const podHost = (i: number) => `${STS}-${i}.${SVC}`;

/** The schema every pod has before aku runs (the chart's init scripts do this in a real cluster). */
export const SCHEMA = [
  'CREATE TABLE SYS.T1 (ID INTEGER PRIMARY KEY, V VARCHAR(40))',
  'CREATE TABLE SYS.T2 (ID INTEGER PRIMARY KEY, V VARCHAR(40)) PARTITION BY RANGE (ID) (PARTITION P1 VALUES LESS THAN (1000), PARTITION P2 VALUES DEFAULT)',
  'CREATE TABLE SYS.T3 (ID INTEGER PRIMARY KEY, V VARCHAR(40))',
];

export interface AkuRun {
  code: number;
  lines: string[];
  errors: string[];
}

/**
 * What a run in a simulated pod can be given. `killAtStatement: k` models the process being killed
 * just before its k-th statement (1-based, counted over every server): that statement and every
 * later one never reach a server, and no cleanup runs. `killAfterStatement: k` kills it after the
 * server applied the k-th statement but before aku saw the reply. A killed run writes no
 * completion file (the process died before it could).
 */
export interface RunOptions {
  config?: Partial<AkuConfig>;
  killAtStatement?: number;
  killAfterStatement?: number;
  /** A test clock instead of the real one (see TestClock). */
  clock?: TestClock;
  progressIntervalSec?: number;
  /** Runs before each statement reaches its server (`server` is `host:port`): lets a test interleave another pod's action, or change the world mid-run. */
  beforeStatement?: (sql: string, server: string) => Promise<void> | void;
}

/** Test-friendly defaults: short timeouts, one quick retry. */
export function testConfig(overrides: Partial<AkuConfig> = {}): AkuConfig {
  return {
    ...parse(fixtureText('sample-one-group.conf')).config,
    addressCheckCount: 2,
    queryTimeoutSec: 30,
    queryRetryCount: 1,
    queryRetryDelayMsec: 10,
    connectTimeoutSec: 1,
    flushTimeoutAtStartSec: 5,
    endTimeBudgetSec: 10,
    ...overrides,
  };
}

/**
 * A simulated StatefulSet: one altisim server per pod on an in-process network, named and
 * addressed as Kubernetes would (`altibase-sts-i.altibase-svc`), started with ADMIN_MODE=1 and
 * REMOTE_SYSDBA_ENABLE=1, each with the schema. `aku(i, action)` runs the real lifecycle in pod i.
 */
export class SimPods {
  readonly cluster: SimCluster;
  readonly dir = mkdtempSync(join(tmpdir(), 'aku-pods-'));
  config: AkuConfig;

  constructor(config: AkuConfig = testConfig(), extraProperties: Record<string, number | string> = {}) {
    this.config = config;
    this.cluster = new SimCluster({
      defaultProperties: {
        ADMIN_MODE: 1,
        REMOTE_SYSDBA_ENABLE: 1,
        // Test-only pace (docs/altisim.md): retry after 50 ms instead of REPLICATION_SENDER_SLEEP_TIMEOUT
        // (60 s), and apply XLogs on arrival. The invariant's faithful run overrides both.
        ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 50,
        ALTISIM_RECEIVER_APPLY_LAG_MSEC: 0,
        ...(config.replications.length > 1 ? { REPLICATION_ALLOW_DUPLICATE_HOSTS: 1 } : {}),
        ...extraProperties,
      },
    });
  }

  /** Creates pod i's server (a new PV: empty database plus the schema). */
  async addPod(i: number, schema: string[] = SCHEMA): Promise<void> {
    this.cluster.addServer({ name: podName(i), hostNames: [podHost(i)] });
    for (const statement of schema) await this.sysdba(i, statement);
  }

  /** Creates each pod in turn and runs `aku -p start` in it, as OrderedReady would; fails on any error. */
  async startPods(ordinals: number[]): Promise<void> {
    for (const i of ordinals) {
      await this.addPod(i);
      const run = await this.aku(i, 'start');
      if (run.code !== 0) throw new Error(`aku -p start in pod ${i} failed:\n${run.lines.join('\n')}`);
    }
  }

  async sysdba(i: number, sql: string): Promise<Row[]> {
    return this.run(i, sql, true);
  }

  /** An ordinary application session (needs ADMIN_MODE 0). */
  async app(i: number, sql: string): Promise<Row[]> {
    return this.run(i, sql, false);
  }

  async rows(i: number, table = 'SYS.T1'): Promise<string[]> {
    const rows = await this.sysdba(i, `SELECT ID, V FROM ${table} ORDER BY ID`);
    return rows.map((r) => `${r.ID}:${r.V}`);
  }

  async replications(i: number): Promise<Map<string, { xsn: number; started: boolean }>> {
    const rows = await this.sysdba(i, 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
    return new Map(rows.map((r) => [String(r.REPLICATION_NAME), { xsn: Number(r.XSN), started: Number(r.IS_STARTED) === 1 }]));
  }

  completionFile(i: number): string {
    return join(this.dir, `aku_start_completed-${i}`);
  }

  /** Runs `aku -p <action>` in pod i (kills and clocks: RunOptions). */
  async aku(
    i: number,
    action: PodAction,
    options: RunOptions & {
      dryRun?: boolean;
      /** Why the pod stops, for -p end (no Kubernetes API here). */
      stopReason?: StopReason;
      stopReasonProvider?: LifecycleContext['stopReason'];
    } = {},
  ): Promise<AkuRun & { statements: number; outcome: LifecycleOutcome }> {
    const run = this.context(i, options);
    const ctx: LifecycleContext = {
      ...run.ctx,
      dryRun: options.dryRun ?? false,
      // No Kubernetes API here: a test says why the pod stops, or AKU_REPLICATION_RESET_AT_END decides.
      stopReason: options.stopReasonProvider ?? (async () => options.stopReason ?? { kind: 'unknown', why: 'no Kubernetes API in the in-process simulation' }),
    };
    const outcome = await runPodLifecycle(action, ctx, () => run.sessions.closeAll());
    if (run.counter.killed) {
      // A killed process writes no banner and leaves no completion file behind it.
      if (action === 'start') rmSync(this.completionFile(i), { force: true });
      return { code: 137, lines: run.lines, errors: run.errors, statements: run.counter.statements, outcome };
    }
    return { code: outcome.exitCode, lines: run.lines, errors: run.errors, statements: run.counter.statements, outcome };
  }

  /** Runs `aku recover` in pod i (the MASTER's pod), with the same statement counting and killing as `aku()`. */
  async recover(
    i: number,
    request: Partial<RecoverRequest> & { source: number },
    options: RunOptions & { busyWaitSec?: number } = {},
  ): Promise<AkuRun & { statements: number; outcome: RecoverOutcome }> {
    const run = this.context(i, options);
    const ctx: RecoverContext = { ...run.ctx, busyWaitSec: options.busyWaitSec ?? 2 };
    const outcome = await runRecover(ctx, { act: false, acceptLoss: false, ...request }, () => run.sessions.closeAll());
    return { code: run.counter.killed ? 137 : outcome.exitCode, lines: run.lines, errors: run.errors, statements: run.counter.statements, outcome };
  }

  /** What every run in pod i shares: config, topology, sessions (counted, killable), clock, files. */
  private context(i: number, options: RunOptions): {
    ctx: Omit<LifecycleContext, 'dryRun' | 'stopReason'>;
    sessions: ServerSessions;
    counter: { statements: number; killed: boolean };
    lines: string[];
    errors: string[];
  } {
    const config = { ...this.config, ...options.config };
    const lines: string[] = [];
    const errors: string[] = [];
    const logger = new Logger({ write: (l) => lines.push(l), writeError: (l) => errors.push(l), level: 'DEBUG' });
    logger.addSecret(config.sysPassword);
    const driver = createInProcessDriver(this.cluster, { from: podName(i) });
    const sessions = new ServerSessions(driver, sessionSettingsFromConfig(config, {}));
    const self = podName(i);
    const counter = { statements: 0, killed: false };
    const ctx: Omit<LifecycleContext, 'dryRun' | 'stopReason'> = {
      config,
      topology: buildTopology(config, { name: self, ordinal: i, source: 'AKU_POD_NAME' }),
      logger,
      session: (host) => killable(sessions.get(host), counter, options.killAtStatement, options.killAfterStatement, options.beforeStatement),
      completionFile: this.completionFile(i),
      resolve: async (host) => {
        const address = this.cluster.network.resolve(host);
        if (address === undefined) throw Object.assign(new Error(`${host} not found`), { code: 'ENOTFOUND' });
        return [address];
      },
      isLocalAddress: (address) => this.cluster.server(self).address === address,
      localServerAddress: this.cluster.server(self).address,
      sleep: options.clock ? (ms) => options.clock!.sleep(ms) : (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
      now: options.clock ? () => options.clock!.now() : () => Date.now(),
      progressIntervalSec: options.progressIntervalSec ?? 1,
    };
    return { ctx, sessions, counter, lines, errors };
  }

  /** Waits until every listed pod holds the same rows of a table, or fails after a while. */
  async converged(pods: number[], table = 'SYS.T1', timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await Promise.all(pods.map((p) => this.rows(p, table)));
      const first = JSON.stringify(all[0]);
      if (all.every((r) => JSON.stringify(r) === first)) return all[0] as string[];
      if (Date.now() > deadline) throw new Error(`pods ${pods.join(',')} did not converge on ${table}:\n${all.map((r, k) => `${pods[k]}: ${r.join(' ')}`).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * The pod dies without `-p end` and Kubernetes starts a new container: the server restarts from
   * its volume (ADMIN_MODE=1 again) and /tmp, with the completion file, is new.
   */
  restartPod(i: number): void {
    this.cluster.restart(podName(i));
    rmSync(this.completionFile(i), { force: true });
  }

  /**
   * Pod i's volume is lost: its server comes back on a new, empty database (the chart's init
   * scripts create the schema again) and its /tmp is new.
   */
  async loseVolume(i: number, schema: string[] = SCHEMA): Promise<void> {
    this.cluster.loseVolume(podName(i));
    rmSync(this.completionFile(i), { force: true });
    for (const statement of schema) await this.sysdba(i, statement);
  }

  /** A new container's /tmp: the completion file of an earlier one is gone. */
  removeCompletionFile(i: number): void {
    rmSync(this.completionFile(i), { force: true });
  }

  close(): void {
    this.cluster.close();
  }

  private async run(i: number, sql: string, sysdba: boolean): Promise<Row[]> {
    const driver = createInProcessDriver(this.cluster, { clientAddress: '127.0.0.1' });
    const connection = await driver.connect({
      host: podHost(i), port: 20300, user: 'SYS', password: this.config.sysPassword, sysdba, connectTimeoutSec: 1, queryTimeoutSec: 30,
    });
    try {
      return await connection.query(sql, 30);
    } finally {
      await connection.close();
    }
  }
}

/**
 * Wraps a session so that, from the k-th statement on, nothing reaches the server (a killed aku);
 * with `killAfter`, the k-th statement still reaches the server and is applied, but its reply is lost.
 */
function killable(
  session: SqlSession,
  counter: { statements: number; killed: boolean },
  killAt: number | undefined,
  killAfter?: number,
  before?: (sql: string, server: string) => Promise<void> | void,
): SqlSession {
  return {
    server: session.server,
    open: (options) => (counter.killed ? Promise.reject(new Error('killed')) : session.open(options)),
    close: () => session.close(),
    release: () => session.release(),
    query: async (sql, options) => {
      // This statement's number, taken before any await: statements to several servers run in
      // parallel, and the shared counter moves on while this one waits.
      const n = ++counter.statements;
      if (killAt !== undefined && n >= killAt) counter.killed = true;
      if (counter.killed) throw new Error(`aku was killed before: ${sql}`);
      await before?.(sql, session.server);
      if (killAfter !== undefined && n === killAfter) {
        await session.query(sql, options).catch(() => undefined);
        counter.killed = true;
        throw new Error(`aku was killed before the reply to: ${sql}`);
      }
      return session.query(sql, options);
    },
  };
}

/**
 * A clock that stands still except when aku sleeps: every computed bound (FLUSH … WAIT n, a
 * step's seconds, a handover's wait) is then exact, and waits cost no real time. `onSleep` lets a
 * test change the world while aku waits (a name starts to resolve, a start stops).
 */
export class TestClock {
  readonly sleeps: number[] = [];
  constructor(
    private ms = Date.now(),
    public onSleep: (ms: number, clock: TestClock) => void = () => undefined,
  ) {}

  now(): number {
    return this.ms;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.ms += ms;
    this.onSleep(ms, this);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function groupsOf(config: AkuConfig): ReplicationGroup[] {
  return config.replications;
}

/** The message part of aku log lines (after `] `), for readable assertions. */
export function messages(run: AkuRun): string[] {
  return run.lines.map((l) => l.replace(/^\[AKU\]\[[^\]]*\]\[\d+\] \[[A-Z]+\]\[[^\]]*\]\[[^\]]*\]\[[^\]]*\] /, ''));
}
