import { strict as assert } from 'node:assert';
import { createInProcessDriver } from '../../src/altisim/inprocess/driver.js';
import type { Connection, Driver } from '../../src/db/driver.js';
import { sessionSettingsFromConfig } from '../../src/db/session.js';
import { clearEndRunning, clearStartRunning, markEndRunning, markStartRunning } from '../../src/lifecycle/start-handover.js';
import { Logger } from '../../src/log/logger.js';
import { renderStatusText, runStatus, type KnownReplicas, type StatusReport } from '../../src/status/index.js';
import type { MonitorLogin } from '../../src/status/monitor-login.js';
import { podHost, podName, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * `aku status` against altisim in-process pods: every verdict from a real state of the set, the
 * JSON compared field by field with altisim's own state, and nothing changed by a run.
 */

interface StatusRun {
  report: StatusReport;
  lines: string[];
  /** Every statement and login status sent, with the server. */
  statements: { host: string; sql: string }[];
  logins: { host: string; user: string; sysdba: boolean }[];
  ms: number;
}

/** A driver that records what passes through it. */
function recording(inner: Driver, log: Pick<StatusRun, 'statements' | 'logins'>): Driver {
  return {
    name: inner.name,
    async connect(options) {
      log.logins.push({ host: options.host, user: options.user, sysdba: options.sysdba });
      const connection = await inner.connect(options);
      return {
        query: (sql, timeoutSec) => {
          log.statements.push({ host: options.host, sql });
          return connection.query(sql, timeoutSec);
        },
        close: () => connection.close(),
      } satisfies Connection;
    },
  };
}

async function status(
  pods: SimPods,
  options: { from?: number; replicas?: KnownReplicas; failOn?: 'warn' | 'fail'; monitor?: MonitorLogin; busyWaitMs?: number } = {},
): Promise<StatusRun> {
  const lines: string[] = [];
  const log = { statements: [] as StatusRun['statements'], logins: [] as StatusRun['logins'] };
  const driver = recording(createInProcessDriver(pods.cluster, options.from === undefined ? {} : { from: podName(options.from) }), log);
  const logger = new Logger({ write: (l) => lines.push(l), level: 'DEBUG' });
  const started = Date.now();
  const report = await runStatus(
    {
      config: pods.config,
      driver,
      sysdba: sessionSettingsFromConfig(pods.config, {}),
      ...(options.monitor ? { monitor: options.monitor } : {}),
      logger,
      ...(options.from === undefined ? {} : { selfOrdinal: options.from, observer: podName(options.from) }),
      completionFile: pods.completionFile(options.from ?? 0),
      busyWaitMs: options.busyWaitMs ?? 300,
      statementTimeoutSec: 5,
      now: () => Date.now(),
    },
    { failOn: options.failOn ?? 'fail', ...(options.replicas ? { replicas: options.replicas } : {}) },
  );
  return { report, lines, ...log, ms: Date.now() - started };
}

/** Rows, XSNs and started flags of every pod, to show a status run changed nothing. */
async function snapshot(pods: SimPods, ordinals: number[]): Promise<string> {
  const parts = [];
  for (const i of ordinals) {
    parts.push(JSON.stringify({ rows: await pods.rows(i), objects: [...(await pods.replications(i))].sort() }));
  }
  return parts.join('\n');
}

const pair = (report: StatusReport, name: string) => {
  const found = report.pairs.find((p) => p.name === name);
  assert.ok(found, `no pair ${name} in the report`);
  return found;
};

describe('aku status (altisim in-process pods)', function () {
  this.timeout(30000);
  let pods: SimPods;

  beforeEach(async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1, 2]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'a')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (2, 'b')");
    await pods.converged([0, 1, 2]);
  });

  afterEach(() => pods.close());

  it('healthy 3 pods: every check ok, exit 0, and the JSON matches altisim field by field', async () => {
    const { report, lines } = await status(pods, { from: 1 });
    assert.equal(report.verdict, 'ok', renderStatusText(report));
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.replicas, { count: 3, source: 'answering' });
    assert.equal(report.observer, 'altibase-sts-1');
    assert.deepEqual(report.pods.map((p) => [p.pod, p.state, p.login, p.adminMode, p.verdict]), [
      ['altibase-sts-0', 'reachable', 'sysdba', 0, 'ok'],
      ['altibase-sts-1', 'reachable', 'sysdba', 0, 'ok'],
      ['altibase-sts-2', 'reachable', 'sysdba', 0, 'ok'],
    ]);
    assert.deepEqual(report.pairs.map((p) => p.name), ['AKU_REP_01', 'AKU_REP_02', 'AKU_REP_12']);
    // aku -p start creates every pod's objects toward every ordinal AKU_SERVER_COUNT (4) allows;
    // those toward ordinal 3, which does not exist, are stopped and hold no restart point: ok.
    assert.deepEqual(report.beyond.map((d) => [d.name, d.pod, d.peerOrdinal, d.started, d.xsn, d.verdict]), [
      ['AKU_REP_03', 'altibase-sts-0', 3, false, -1, 'ok'],
      ['AKU_REP_13', 'altibase-sts-1', 3, false, -1, 'ok'],
      ['AKU_REP_23', 'altibase-sts-2', 3, false, -1, 'ok'],
    ]);
    for (const p of report.pairs) {
      for (const s of p.sides) {
        const db = pods.cluster.server(podName(s.ordinal)).running;
        const meta = db.meta(p.name);
        assert.ok(meta, `${p.name} on ${s.pod}`);
        assert.equal(s.exists, true);
        assert.equal(s.started, meta.isStarted === 1, `${p.name} started on ${s.pod}`);
        assert.equal(s.xsn, meta.xsn, `${p.name} XSN on ${s.pod}`);
        const sender = db.replication.senders.get(p.name);
        assert.ok(sender);
        assert.deepEqual(s.sender, { status: 'RUN', statusCode: sender.status, netError: sender.netError });
        assert.equal(s.receiving, db.replication.receivers.has(p.name), `${p.name} receiver on ${s.pod}`);
        assert.equal(s.receiving, true);
        const receiver = db.replication.receivers.get(p.name);
        assert.deepEqual(s.conflicts, { insert: receiver?.counters.insertFailure, update: receiver?.counters.updateFailure, delete: receiver?.counters.deleteFailure });
        const [gap] = await pods.sysdba(s.ordinal, `SELECT REP_GAP FROM V$REPGAP WHERE REP_NAME = '${p.name}'`);
        assert.equal(s.gap, Number(gap?.REP_GAP));
      }
      assert.equal(p.verdict, 'ok');
      assert.equal(p.problem, null);
    }
    assert.ok(lines.some((l) => /\[INFO\]\[akuStatus:verdict\]\[-\]\[-\] OK: 9 ok, 0 warn, 0 fail/.test(l)), lines.join('\n'));
    assert.match(renderStatusText(report), /AKU_REP_12\s+1-2\s+yes\/yes\s+\d+\/\d+\s+0\/0\s+RUN\/RUN\s+yes\/yes\s+OK/);
  });

  it('is read-only: only SELECTs are sent, and rows, XSNs and started flags are unchanged', async () => {
    const before = await snapshot(pods, [0, 1, 2]);
    const run = await status(pods, { replicas: { count: 4, source: 'option' } });
    assert.ok(run.statements.length >= 15, `${run.statements.length} statements`);
    for (const { host, sql } of run.statements) assert.match(sql, /^SELECT /, `${host}: ${sql}`);
    assert.equal(await snapshot(pods, [0, 1, 2]), before);
    // --replicas 4 with three pods: the fourth does not answer.
    assert.equal(run.report.pods[3]?.state, 'unreachable');
  });

  it('a stopped pair fails with the next step; exit 1', async () => {
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_12 STOP');
    const { report } = await status(pods);
    const stopped = pair(report, 'AKU_REP_12');
    assert.equal(stopped.verdict, 'fail');
    assert.equal(stopped.sides[0].started, false);
    assert.equal(stopped.sides[0].sender, null);
    assert.equal(stopped.sides[1].started, true);
    assert.match(stopped.problem ?? '', /AKU_REP_12 is stopped on altibase-sts-1 \(XSN \d+\): its changes do not reach altibase-sts-2/);
    assert.match(stopped.nextStep ?? '', /on altibase-sts-1: aku-sql --sysdba "ALTER REPLICATION AKU_REP_12 START"/);
    assert.equal(pair(report, 'AKU_REP_01').verdict, 'ok');
    assert.equal(report.verdict, 'fail');
    assert.equal(report.exitCode, 1);
  });

  it('a broken link is a warn: exit 0, or 1 with --fail-on warn', async () => {
    pods.cluster.cut(podName(1), podName(2), 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (3, 'c')");
    const deadline = Date.now() + 5000;
    let run = await status(pods);
    while (pair(run.report, 'AKU_REP_12').sides[0].sender?.status !== 'RETRY' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await status(pods);
    }
    const broken = pair(run.report, 'AKU_REP_12');
    assert.equal(broken.verdict, 'warn', renderStatusText(run.report));
    assert.equal(broken.sides[0].sender?.status, 'RETRY');
    assert.match(broken.problem ?? '', /the sender of AKU_REP_12 on altibase-sts-1 cannot reach altibase-sts-2 \(RETRY/);
    assert.equal(run.report.verdict, 'warn');
    assert.equal(run.report.exitCode, 0);
    const strict = await status(pods, { failOn: 'warn' });
    assert.equal(strict.report.exitCode, 1);
  });

  it('objects toward a departed ordinal: reset ones are ok, ones that keep a restart point are flagged', async () => {
    // Scale-down by one: pod 2 ends properly, its peers' sides toward it are stopped and reset.
    const end = await pods.aku(2, 'end');
    assert.equal(end.code, 0, end.lines.join('\n'));
    pods.cluster.kill(podName(2));
    const clean = await status(pods, { replicas: { count: 2, source: 'option' } });
    assert.deepEqual(clean.report.beyond.map((d) => [d.name, d.pod, d.peerOrdinal, d.started, d.xsn, d.verdict]), [
      ['AKU_REP_02', 'altibase-sts-0', 2, false, -1, 'ok'],
      ['AKU_REP_03', 'altibase-sts-0', 3, false, -1, 'ok'],
      ['AKU_REP_12', 'altibase-sts-1', 2, false, -1, 'ok'],
      ['AKU_REP_13', 'altibase-sts-1', 3, false, -1, 'ok'],
    ]);
    assert.equal(clean.report.verdict, 'ok', renderStatusText(clean.report));

    // Pod 1 goes without -p end: its pairs keep their restart points on pod 0, started.
    pods.cluster.kill(podName(1));
    const run = await status(pods); // no --replicas: from the pods that answer (pod 0 only)
    assert.deepEqual(run.report.replicas, { count: 1, source: 'answering' });
    const toward1 = run.report.beyond.find((d) => d.name === 'AKU_REP_01');
    assert.ok(toward1, renderStatusText(run.report));
    assert.equal(toward1.verdict, 'warn');
    assert.equal(toward1.started, true);
    assert.equal(toward1.xsn, pods.cluster.server(podName(0)).running.meta('AKU_REP_01')?.xsn);
    assert.match(toward1.problem ?? '', /AKU_REP_01 on altibase-sts-0 is started toward altibase-sts-1, which is not in the set/);
    // The count came from the answers, so it is not handed to reconcile (a pod that is only down is not departed).
    assert.match(toward1.nextStep ?? '', /otherwise aku reconcile \(it reads the replica count from the StatefulSet; elsewhere pass --replicas with the StatefulSet's spec.replicas\) \(docs\/reconcile.md\): it stops and resets AKU_REP_01 on altibase-sts-0/);
    const counted = await status(pods, { replicas: { count: 1, source: 'option' } });
    assert.match(counted.report.beyond.find((d) => d.name === 'AKU_REP_01')?.nextStep ?? '', /otherwise aku reconcile --replicas 1 \(docs\/reconcile.md\)/);
    assert.equal(run.report.verdict, 'warn');
  });

  it('an unreachable pod fails, and its pairs are reported from the side that answered', async () => {
    pods.cluster.kill(podName(1));
    const { report, ms } = await status(pods, { replicas: { count: 3, source: 'option' } });
    const pod1 = report.pods[1];
    assert.equal(pod1?.state, 'unreachable');
    assert.equal(pod1?.verdict, 'fail');
    assert.match(pod1?.problem ?? '', /altibase-sts-1 does not answer at altibase-sts-1\.altibase-svc \(ERR-50032/);
    assert.match(pod1?.nextStep ?? '', /kubectl describe pod altibase-sts-1/);
    const p01 = pair(report, 'AKU_REP_01');
    assert.equal(p01.sides[1].read, false);
    assert.equal(p01.sides[1].xsn, null);
    assert.equal(p01.sides[0].read, true);
    assert.notEqual(p01.verdict, 'ok');
    assert.equal(report.exitCode, 1);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('a busy SYSDBA slot is reported busy within the bound, and the holder keeps it', async () => {
    const driver = createInProcessDriver(pods.cluster, { clientAddress: '127.0.0.1' });
    const holder = await driver.connect({ host: podHost(1), port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 30 });
    try {
      const { report, ms } = await status(pods, { busyWaitMs: 300 });
      assert.equal(report.pods[1]?.state, 'busy');
      assert.equal(report.pods[1]?.verdict, 'warn');
      assert.match(report.pods[1]?.reason ?? '', /another SYSDBA session/);
      assert.equal(report.pods[0]?.state, 'reachable');
      assert.ok(ms < 3000, `${ms} ms`);
      // Busy is an answer: the set still has three pods, and pod 1's sides are unread.
      assert.equal(report.replicas.count, 3);
      assert.equal(pair(report, 'AKU_REP_12').sides[0].read, false);
      // Not stolen: the holder's session still works.
      const rows = await holder.query('SELECT REPLICATION_NAME FROM SYSTEM_.SYS_REPLICATIONS_', 5);
      assert.equal(rows.length, 3);
    } finally {
      await holder.close();
    }
  });

  for (const action of ['start', 'end'] as const) {
    it(`a -p ${action} running on this pod: its server is not logged into as SYSDBA at all`, async () => {
      const [mark, clear] = action === 'start' ? [markStartRunning, clearStartRunning] : [markEndRunning, clearEndRunning];
      mark(pods.completionFile(1));
      try {
        const run = await status(pods, { from: 1 });
        assert.equal(run.report.pods[1]?.state, 'busy');
        assert.match(run.report.pods[1]?.reason ?? '', new RegExp(`aku -p ${action} \\(pid ${process.pid}\\) is running on this pod`));
        assert.deepEqual(run.logins.filter((l) => l.host === podHost(1)), []);
        assert.equal(run.report.pods[0]?.state, 'reachable');
      } finally {
        clear(pods.completionFile(1));
      }
      // Once it is over, this pod is read again.
      assert.equal((await status(pods, { from: 1 })).report.pods[1]?.state, 'reachable');
    });
  }

  it('with a monitoring user: no SYSDBA login where ADMIN_MODE is 0, SYSDBA where it is 1', async () => {
    for (const i of [0, 1, 2]) await pods.sysdba(i, "CREATE USER AKUMON IDENTIFIED BY 'mon-pw'");
    await pods.sysdba(2, 'ALTER SYSTEM SET ADMIN_MODE = 1');
    const driver = createInProcessDriver(pods.cluster, { clientAddress: '127.0.0.1' });
    const holder = await driver.connect({ host: podHost(1), port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 30 });
    try {
      const run = await status(pods, { monitor: { user: 'AKUMON', password: 'mon-pw' } });
      assert.deepEqual(run.report.pods.map((p) => [p.state, p.login, p.adminMode, p.verdict]), [
        ['reachable', 'monitor', 0, 'ok'],
        ['reachable', 'monitor', 0, 'ok'], // its SYSDBA slot is held, and it does not matter
        ['reachable', 'sysdba', 1, 'warn'],
      ]);
      assert.match(run.report.pods[2]?.problem ?? '', /not in service: ADMIN_MODE = 1/);
      assert.deepEqual(run.logins.filter((l) => l.sysdba).map((l) => l.host), [podHost(2)]);
      assert.ok(!run.lines.some((l) => l.includes('mon-pw')));
    } finally {
      await holder.close();
    }
  });
});
