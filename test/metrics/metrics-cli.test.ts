import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { AKU_BIN } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { PASSWORD, ProcessPods } from '../helpers/process-pods.js';
import { parseExposition, samplesOf, valueOf, type Exposition } from '../helpers/prometheus-text.js';

const VERSION = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
const pod = (i: number) => `altibase-sts-${i}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `aku metrics` of the built CLI in pod i of a ProcessPods set, on a free port. */
class ExporterProcess {
  private constructor(
    readonly port: number,
    private readonly child: ResultPromise,
    private readonly output: { stdout: string; stderr: string },
  ) {}

  static async start(pods: ProcessPods, i: number, env: Record<string, string> = {}, args: string[] = []): Promise<ExporterProcess> {
    const port = await freePort();
    const child = execa(AKU_BIN, ['metrics', '--port', String(port), ...args], {
      reject: false,
      env: { ...pods.akuEnv(i), AKU_METRICS_MIN_INTERVAL_SEC: '0', ...env },
    });
    const output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk: Buffer) => { output.stdout += String(chunk); });
    child.stderr?.on('data', (chunk: Buffer) => { output.stderr += String(chunk); });
    const deadline = Date.now() + 20000;
    while (!output.stdout.includes('[akuMetrics:listen]')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`aku metrics did not start:\n${output.stdout}\n${output.stderr}`);
      }
      await sleep(25);
    }
    return new ExporterProcess(port, child, output);
  }

  get log(): string {
    return this.output.stdout + this.output.stderr;
  }

  async get(path: string, method = 'GET'): Promise<{ status: number; contentType: string; text: string }> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, { method });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  async scrape(): Promise<Exposition> {
    const page = await this.get('/metrics');
    assert.equal(page.status, 200, page.text);
    return parseExposition(page.text);
  }

  /** SIGTERM, and the exit status with how long it took. */
  async stop(): Promise<{ code: number | undefined; ms: number }> {
    const started = Date.now();
    this.child.kill('SIGTERM');
    const result = await this.child;
    return { code: result.exitCode, ms: Date.now() - started };
  }
}

const side = (replication: string, i: number, j: number) => ({ group: 'AKU_REP', replication, pod: pod(i), peer: pod(j) });
const PAIRS: [string, number, number][] = [['AKU_REP_01', 0, 1], ['AKU_REP_02', 0, 2], ['AKU_REP_12', 1, 2]];

/**
 * `aku metrics` from the built CLI against altisim processes (a set of three of four possible
 * pods): each value compared with what the servers themselves report, a stopped side, a cut
 * link, a conflict, the lifecycle records of real runs, pods that do not answer, a read beyond
 * its bound, a start that runs meanwhile, SIGTERM.
 */
describe('aku metrics (built CLI, altisim processes)', function () {
  this.timeout(120000);
  let pods: ProcessPods;

  before(async () => {
    pods = new ProcessPods(4);
    await pods.startPods([0, 1, 2]);
  });

  after(async () => pods.close());

  it('serves the set as the servers hold it: pods, every side of every pair, objects toward ordinal 3, the last start', async () => {
    const exporter = await ExporterProcess.start(pods, 1, { AKU_MONITOR_USER: 'SYS' });
    try {
      const page = await exporter.get('/metrics');
      assert.equal(page.status, 200);
      assert.match(page.contentType, /^text\/plain; version=0\.0\.4; charset=utf-8$/);
      const m = parseExposition(page.text);
      assert.equal(valueOf(m, 'aku_up'), 1);
      assert.equal(valueOf(m, 'aku_build_info', { version: VERSION }), 1);
      assert.equal(valueOf(m, 'aku_replicas', { source: 'answering' }), 3);
      assert.equal(valueOf(m, 'aku_verdict'), 0);
      // 3 pods, 3 pairs, 3 objects toward ordinal 3 (AKU_SERVER_COUNT 4), every one ok.
      assert.deepEqual(['ok', 'warn', 'fail'].map((verdict) => valueOf(m, 'aku_checks', { verdict })), [9, 0, 0]);
      for (const i of [0, 1, 2]) {
        assert.equal(valueOf(m, 'aku_pod_up', { pod: pod(i) }), 1);
        assert.equal(valueOf(m, 'aku_pod_in_service', { pod: pod(i) }), 1);
        assert.equal(valueOf(m, 'aku_pod_state', { pod: pod(i), state: 'reachable' }), 1);
        assert.equal(valueOf(m, 'aku_pod_state', { pod: pod(i), state: 'busy' }), 0);
      }
      for (const [name, a, b] of PAIRS) {
        for (const [i, j] of [[a, b], [b, a]] as const) {
          const labels = side(name, i, j);
          const object = (await pods.objects(i))[name];
          assert.ok(object, `${name} on ${pod(i)}`);
          assert.equal(valueOf(m, 'aku_replication_exists', labels), 1);
          assert.equal(valueOf(m, 'aku_replication_started', labels), object.started ? 1 : 0, `${name} on ${pod(i)}`);
          assert.equal(valueOf(m, 'aku_replication_xsn', labels), object.xsn);
          assert.equal(valueOf(m, 'aku_replication_sender_running', labels), 1);
          const [gap] = await pods.sysdba(i, `SELECT REP_GAP FROM V$REPGAP WHERE REP_NAME = '${name}'`);
          assert.equal(valueOf(m, 'aku_replication_gap', labels), Number(gap?.REP_GAP));
          assert.equal(valueOf(m, 'aku_replication_xsn_age_seconds', labels), 0);
          const [receiver] = await pods.sysdba(i, `SELECT INSERT_FAILURE_COUNT, UPDATE_FAILURE_COUNT, DELETE_FAILURE_COUNT FROM V$REPRECEIVER WHERE REP_NAME = '${name}'`);
          assert.ok(receiver, `a receiver of ${name} on ${pod(i)}`);
          for (const operation of ['insert', 'update', 'delete']) {
            assert.equal(valueOf(m, 'aku_replication_conflicts_total', { ...labels, operation }), Number(receiver[`${operation.toUpperCase()}_FAILURE_COUNT`]));
          }
        }
      }
      for (const i of [0, 1, 2]) {
        assert.equal(valueOf(m, 'aku_departed_replication_retaining_logs', { replication: `AKU_REP_${i}3`, pod: pod(i), peer: pod(3) }), 0);
      }
      // The start that pods.startPods ran in this pod, as it recorded it.
      const record = JSON.parse(readFileSync(`${pods.completionFile(1)}.start-outcome`, 'utf8'));
      assert.equal(record.exitCode, 0);
      const start = { pod: pod(1), action: 'start' };
      assert.equal(valueOf(m, 'aku_lifecycle_last_success', start), 1);
      assert.equal(valueOf(m, 'aku_lifecycle_last_duration_seconds', start), record.seconds);
      assert.ok(record.seconds > 0);
      assert.equal(valueOf(m, 'aku_lifecycle_last_finished_timestamp_seconds', start), Date.parse(record.finishedAt) / 1000);
      assert.equal(valueOf(m, 'aku_lifecycle_last_success', { action: 'end' }), undefined);
      assert.equal(m.types.get('aku_replication_conflicts_total'), 'counter');
      assert.equal(m.types.get('aku_read_failures_total'), 'counter');
      assert.equal(m.types.get('aku_replication_gap'), 'gauge');
      for (const name of new Set(m.samples.map((s) => s.name))) assert.ok((m.help.get(name) ?? '').length > 20, `help of ${name}`);

      assert.deepEqual(await exporter.get('/healthz'), { status: 200, contentType: 'text/plain; charset=utf-8', text: 'ok\n' });
      assert.equal((await exporter.get('/')).status, 404);
      assert.equal((await exporter.get('/metrics/x')).status, 404);
      assert.equal((await exporter.get('/metrics', 'POST')).status, 405);
      assert.doesNotMatch(exporter.log, new RegExp(PASSWORD));
    } finally {
      await exporter.stop();
    }
  });

  it('a stopped side: started 0 and no gap there; a cut link: the gap as V$REPGAP holds it, and the XSN age growing', async () => {
    const exporter = await ExporterProcess.start(pods, 0, { AKU_MONITOR_USER: 'SYS' });
    try {
      await pods.sysdba(2, 'ALTER REPLICATION AKU_REP_12 STOP');
      try {
        const m = await exporter.scrape();
        assert.equal(valueOf(m, 'aku_replication_started', side('AKU_REP_12', 2, 1)), 0);
        assert.equal(valueOf(m, 'aku_replication_started', side('AKU_REP_12', 1, 2)), 1);
        assert.equal(valueOf(m, 'aku_replication_sender_running', side('AKU_REP_12', 2, 1)), 0);
        assert.equal(valueOf(m, 'aku_replication_gap', side('AKU_REP_12', 2, 1)), undefined);
        assert.equal(valueOf(m, 'aku_replication_xsn', side('AKU_REP_12', 2, 1)), (await pods.objects(2)).AKU_REP_12?.xsn);
        assert.equal(valueOf(m, 'aku_verdict'), 2);
        assert.equal(valueOf(m, 'aku_checks', { verdict: 'fail' }), 1);
      } finally {
        await pods.sysdba(2, 'ALTER REPLICATION AKU_REP_12 START');
      }

      await pods.cut(0, 1);
      try {
        for (const id of [101, 102, 103]) await pods.app(0, `INSERT INTO SYS.T1 VALUES (${id}, 'cut')`);
        const cutSide = side('AKU_REP_01', 0, 1);
        const first = await exporter.scrape();
        await sleep(1500);
        const second = await exporter.scrape();
        const [gap] = await pods.sysdba(0, "SELECT REP_GAP FROM V$REPGAP WHERE REP_NAME = 'AKU_REP_01'");
        assert.ok(Number(gap?.REP_GAP) > 0, 'the sender of AKU_REP_01 on pod 0 has something to send');
        assert.equal(valueOf(second, 'aku_replication_gap', cutSide), Number(gap?.REP_GAP));
        const xsn = (await pods.objects(0)).AKU_REP_01?.xsn;
        assert.equal(valueOf(first, 'aku_replication_xsn', cutSide), xsn);
        assert.equal(valueOf(second, 'aku_replication_xsn', cutSide), xsn);
        const ageBefore = valueOf(first, 'aku_replication_xsn_age_seconds', cutSide) ?? -1;
        const ageAfter = valueOf(second, 'aku_replication_xsn_age_seconds', cutSide) ?? -1;
        assert.ok(ageAfter >= ageBefore + 1.4, `XSN age ${ageBefore} then ${ageAfter}`);
        assert.equal(valueOf(second, 'aku_replication_sender_running', cutSide), 0);
        // The side toward pod 2 delivers: no age.
        assert.equal(valueOf(second, 'aku_replication_xsn_age_seconds', side('AKU_REP_02', 0, 2)), 0);
      } finally {
        await pods.heal(0, 1);
      }
      await pods.converged([0, 1, 2]);
      const deadline = Date.now() + 10000;
      for (;;) {
        const m = await exporter.scrape();
        const cutSide = side('AKU_REP_01', 0, 1);
        if (valueOf(m, 'aku_replication_gap', cutSide) === 0 && valueOf(m, 'aku_replication_sender_running', cutSide) === 1) {
          assert.equal(valueOf(m, 'aku_replication_xsn_age_seconds', cutSide), 0);
          break;
        }
        assert.ok(Date.now() < deadline, 'the gap of AKU_REP_01 on pod 0 is back to 0 after the heal');
        await sleep(200);
      }
    } finally {
      await exporter.stop();
    }
  });

  it('pod 2 ends and starts again while scraped: never a SYSDBA session taken from it (busy meanwhile), then both runs recorded', async () => {
    const exporter = await ExporterProcess.start(pods, 2, { AKU_MONITOR_USER: 'SYS' });
    try {
      const end = await pods.aku(2, ['-p', 'end']);
      assert.equal(end.code, 0, end.stdout + end.stderr);
      await pods.restartPod(2);
      // Its server is back in ADMIN_MODE 1 and its start has not begun: it refuses SYS without
      // SYSDBA, and the exporter does not take the SYSDBA session the coming start needs.
      const waiting = await exporter.scrape();
      assert.equal(valueOf(waiting, 'aku_pod_state', { pod: pod(2), state: 'busy' }), 1);
      assert.equal(valueOf(waiting, 'aku_pod_in_service', { pod: pod(2) }), 0);
      let running = true;
      const starting = pods.aku(2, ['-p', 'start']).finally(() => { running = false; });
      const states: string[] = [];
      while (running) {
        const m = await exporter.scrape();
        assert.equal(valueOf(m, 'aku_up'), 1);
        const state = samplesOf(m, 'aku_pod_state', { pod: pod(2) }).find((s) => s.value === 1)?.labels.state ?? 'absent';
        states.push(`${state}/${valueOf(m, 'aku_pod_in_service', { pod: pod(2) })}`);
        await sleep(50);
      }
      const start = await starting;
      assert.equal(start.code, 0, start.stdout + start.stderr);
      // Had the exporter held pod 2's (or a peer's) SYSDBA session, start would have met ERR-41041.
      assert.doesNotMatch(start.stdout + start.stderr, /41041/);
      assert.ok(states.includes('busy/0'), `pod 2 is busy while it starts: ${states.join(' ')}`);
      assert.ok(states.length >= 3, `scraped while it started: ${states.join(' ')}`);

      const m = await exporter.scrape();
      assert.equal(valueOf(m, 'aku_pod_in_service', { pod: pod(2) }), 1);
      for (const action of ['start', 'end'] as const) {
        const record = JSON.parse(readFileSync(`${pods.completionFile(2)}.${action}-outcome`, 'utf8'));
        assert.equal(valueOf(m, 'aku_lifecycle_last_success', { pod: pod(2), action }), 1);
        assert.equal(valueOf(m, 'aku_lifecycle_last_finished_timestamp_seconds', { pod: pod(2), action }), Date.parse(record.finishedAt) / 1000);
      }
      const started = valueOf(m, 'aku_lifecycle_last_finished_timestamp_seconds', { action: 'start' }) ?? 0;
      assert.ok(started > (valueOf(m, 'aku_lifecycle_last_finished_timestamp_seconds', { action: 'end' }) ?? Infinity), 'the start after the end');
      assert.doesNotMatch(exporter.log, new RegExp(PASSWORD));
    } finally {
      await exporter.stop();
    }
  });

  it('a failed -p start is recorded as 0 with its duration', async () => {
    // Pod 3: its aku.conf and data, but no server: its start cannot reach its own server and fails.
    await pods.startServer(3);
    await pods.killServer(3);
    const run = await pods.aku(3, ['-p', 'start']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const exporter = await ExporterProcess.start(pods, 3);
    try {
      const m = await exporter.scrape();
      const record = JSON.parse(readFileSync(`${pods.completionFile(3)}.start-outcome`, 'utf8'));
      assert.equal(record.exitCode, 1);
      assert.equal(valueOf(m, 'aku_lifecycle_last_success', { pod: pod(3), action: 'start' }), 0);
      assert.equal(valueOf(m, 'aku_lifecycle_last_duration_seconds', { pod: pod(3), action: 'start' }), record.seconds);
      assert.ok(Math.abs(record.seconds - run.seconds) < 1.5, `recorded ${record.seconds} s, the run took ${run.seconds} s`);
    } finally {
      await exporter.stop();
    }
  });

  it('a pod that does not answer: aku_pod_up 0 within the bound; a read beyond its bound: aku_up 0 at the bound, then the late read', async () => {
    const refused = await ExporterProcess.start(pods, 0, { AKU_MONITOR_USER: 'SYS' }, ['--replicas', '4']);
    try {
      const began = Date.now();
      const m = await refused.scrape();
      assert.ok(Date.now() - began < 8000, `${Date.now() - began} ms`);
      assert.equal(valueOf(m, 'aku_up'), 1);
      assert.equal(valueOf(m, 'aku_replicas', { source: 'option' }), 4);
      assert.equal(valueOf(m, 'aku_pod_up', { pod: pod(3) }), 0);
      assert.equal(valueOf(m, 'aku_pod_state', { pod: pod(3), state: 'unreachable' }), 1);
      assert.deepEqual([0, 1, 2].map((i) => valueOf(m, 'aku_pod_up', { pod: pod(i) })), [1, 1, 1]);
    } finally {
      await refused.stop();
    }

    // Pod 3's address accepts connections and never answers: each connect waits AKU_CONNECT_TIMEOUT (2 s).
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(20300, pods.address(3), resolve));
    const bounded = await ExporterProcess.start(pods, 0, { AKU_MONITOR_USER: 'SYS', AKU_METRICS_READ_TIMEOUT_SEC: '1', AKU_METRICS_MIN_INTERVAL_SEC: '60' }, ['--replicas', '4']);
    try {
      const began = Date.now();
      const late = await bounded.scrape();
      const ms = Date.now() - began;
      assert.ok(ms >= 900 && ms < 1900, `answered after ${ms} ms`);
      assert.equal(valueOf(late, 'aku_up'), 0);
      assert.equal(valueOf(late, 'aku_read_failures_total'), 1);
      assert.deepEqual(samplesOf(late, 'aku_pod_up'), []);
      // The read goes on and, within its sessions' own timeouts (connect 2 s plus the session
      // layer's 2 s of grace), serves the next scrapes.
      await sleep(4500);
      const after = await bounded.scrape();
      assert.equal(valueOf(after, 'aku_up'), 1, bounded.log);
      assert.equal(valueOf(after, 'aku_pod_up', { pod: pod(3) }), 0);
      assert.equal(valueOf(after, 'aku_read_failures_total'), 1);
      assert.match(bounded.log, /\[WARN\]\[akuMetrics:read\]\[-\]\[-\] The status read failed: the status read did not finish within 1 s/);
    } finally {
      await bounded.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('beside the pod (AKU_SIDECAR=1): a start marked running by another container keeps it off the own pod\'s SYSDBA session', async () => {
    const marker = `${pods.completionFile(1)}.start-pid`;
    writeFileSync(marker, '4194000 another-container 1234\n');
    try {
      const sidecar = await ExporterProcess.start(pods, 1, { AKU_SIDECAR: '1' });
      try {
        const m = await sidecar.scrape();
        assert.equal(valueOf(m, 'aku_pod_state', { pod: pod(1), state: 'busy' }), 1);
        assert.equal(valueOf(m, 'aku_pod_state', { pod: pod(0), state: 'reachable' }), 1);
      } finally {
        await sidecar.stop();
      }
      // In the container that runs start, the same file names no process of its own: ignored.
      const same = await ExporterProcess.start(pods, 1);
      try {
        assert.equal(valueOf(await same.scrape(), 'aku_pod_state', { pod: pod(1), state: 'reachable' }), 1);
      } finally {
        await same.stop();
      }
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('a conflict: the rows each receiver skipped, as V$REPRECEIVER counts them', async () => {
    const exporter = await ExporterProcess.start(pods, 0, { AKU_MONITOR_USER: 'SYS' });
    try {
      // Pod 0 does not send to pod 1 for a moment; both write the same key (active-active).
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
      await pods.app(0, "INSERT INTO SYS.T1 VALUES (900, 'on-0')");
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (900, 'on-1')");
      // Pod 1's row reaches pod 0, which holds key 900 already: its receiver skips it.
      const deadline = Date.now() + 10000;
      while (Number((await pods.sysdba(0, "SELECT INSERT_FAILURE_COUNT FROM V$REPRECEIVER WHERE REP_NAME = 'AKU_REP_01'"))[0]?.INSERT_FAILURE_COUNT ?? 0) === 0) {
        assert.ok(Date.now() < deadline, 'pod 0 skipped the row of pod 1');
        await sleep(50);
      }
      const m = await exporter.scrape();
      assert.ok((valueOf(m, 'aku_replication_conflicts_total', { ...side('AKU_REP_01', 0, 1), operation: 'insert' }) ?? 0) >= 1);
      for (const [name, a, b] of PAIRS) {
        for (const [i, j] of [[a, b], [b, a]] as const) {
          const [receiver] = await pods.sysdba(i, `SELECT INSERT_FAILURE_COUNT, UPDATE_FAILURE_COUNT, DELETE_FAILURE_COUNT FROM V$REPRECEIVER WHERE REP_NAME = '${name}'`);
          for (const operation of ['insert', 'update', 'delete']) {
            const exported = valueOf(m, 'aku_replication_conflicts_total', { ...side(name, i, j), operation });
            assert.equal(exported, receiver ? Number(receiver[`${operation.toUpperCase()}_FAILURE_COUNT`]) : undefined, `${name} ${operation} on ${pod(i)}`);
          }
        }
      }
    } finally {
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 START');
      await exporter.stop();
    }
  });

  it('SIGTERM: the server closes and aku exits 0', async () => {
    const exporter = await ExporterProcess.start(pods, 0, { AKU_MONITOR_USER: 'SYS' });
    await exporter.scrape();
    const { code, ms } = await exporter.stop();
    assert.equal(code, 0, exporter.log);
    assert.ok(ms < 3000, `${ms} ms`);
    assert.match(exporter.log, /\[INFO\]\[akuMetrics:stop\]\[-\]\[-\] SIGTERM: closing the server/);
    assert.match(exporter.log, /\[INFO\]\[akuMetrics:listen\]\[-\]\[-\] Serving \/metrics and \/healthz on port \d+: the pods of altibase-sts are read as SYS without SYSDBA/);
    await assert.rejects(exporter.get('/healthz'));
  });
});
