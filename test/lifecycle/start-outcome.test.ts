import { strict as assert } from 'node:assert';
import { existsSync, writeFileSync } from 'node:fs';
import { AltibaseCode, DbError } from '../../src/db/errors.js';
import { containerIdentity, recordDdlEnable, recordedDdlEnable } from '../../src/lifecycle/completion-file.js';
import { messages, SimPods, TestClock, testConfig } from '../helpers/sim-pods.js';
import { plan, statements, tagged } from '../helpers/run-output.js';

/**
 * What an operator sees of `-p start`: the steps of `--json`, the statements per server, the
 * messages of each path, the bounds it announces and waits, and how it stops when `-p end` asks.
 */

/** Statements with the lineage id and time a MASTER's first start or a SYNC writes replaced by placeholders. */
const sent = (run: Parameters<typeof statements>[0]) =>
  statements(run).map((s) => s.replace(/VALUES \('[0-9a-f-]{36}', '[^']*'\)/, "VALUES ('<id>', '<now>')"));
const lineage = (pod: number) => [
  `altibase-sts-${pod}: CREATE TABLE SYS.AKU_LINEAGE (LINEAGE_ID VARCHAR(40) PRIMARY KEY, SINCE VARCHAR(32))`,
  `altibase-sts-${pod}: DELETE FROM SYS.AKU_LINEAGE`,
  `altibase-sts-${pod}: INSERT INTO SYS.AKU_LINEAGE VALUES ('<id>', '<now>')`,
];
const steps = (run: { outcome: { steps: { step: string; status: string }[] } }) => run.outcome.steps.map((s) => `${s.step.replace('akuRunStart:', '')}:${s.status}`);
const done = (...names: string[]) => names.map((n) => `${n}:done`);
const ddlEnable = async (pods: SimPods, i: number) =>
  String((await pods.sysdba(i, "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'REPLICATION_DDL_ENABLE'"))[0]?.VALUE1);

describe('-p start as the operator sees it: steps, statements, messages, bounds (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('MASTER first start: its steps, one CREATE per peer with every item, then ADMIN_MODE 0 and the completion file', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.addPod(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(steps(run), done('role', 'connect', 'detect', 'items', 'path', 'create', 'start', 'flush', 'admin', 'complete'));
    assert.deepEqual(sent(run), [
      "altibase-sts-0: CREATE REPLICATION AKU_REP_01 WITH 'altibase-sts-1.altibase-svc', 20301 FROM SYS.T1 TO SYS.T1, FROM SYS.T2 PARTITION P1 TO SYS.T2 PARTITION P1, FROM SYS.T3 TO SYS.T3",
      "altibase-sts-0: CREATE REPLICATION AKU_REP_02 WITH 'altibase-sts-2.altibase-svc', 20301 FROM SYS.T1 TO SYS.T1, FROM SYS.T2 PARTITION P1 TO SYS.T2 PARTITION P1, FROM SYS.T3 TO SYS.T3",
      ...lineage(0),
      'altibase-sts-0: ALTER SYSTEM SET ADMIN_MODE = 0',
    ]);
    const said = tagged(run);
    for (const line of [
      '[DEBUG][akuRunStart:create][altibase-sts-0][AKU_REP_02] Created AKU_REP_02 toward altibase-sts-2.altibase-svc.',
      '[INFO][akuRunStart:admin][-][-] ADMIN_MODE is 0: the server accepts ordinary users.',
      `[DEBUG][akuRunStart:complete][-][-] Wrote ${pods.completionFile(0)}.`,
    ]) assert.ok(said.includes(line), `missing ${line}\n${said.join('\n')}`);
    assert.ok(!messages(run).includes('Flush replications.'), 'nothing to flush on a first start');
    assert.ok(!existsSync(`${pods.completionFile(0)}.start-pid`), 'the running marker is gone once start is over');
  });

  it('slave join: its steps, TRUNCATE of every item between REPLICATION_DDL_ENABLE 1 and 0, SYNC on the MASTER, START here', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
    await pods.addPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(steps(run), done('role', 'connect', 'detect', 'items', 'path', 'source', 'create', 'prepare', 'truncate', 'sync', 'start', 'flush', 'admin', 'complete'));
    const sent = statements(run);
    const from = sent.indexOf('altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1');
    assert.deepEqual(sent.slice(from, from + 5), [
      'altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1',
      'altibase-sts-1: TRUNCATE TABLE SYS.T1',
      'altibase-sts-1: ALTER TABLE SYS.T2 TRUNCATE PARTITION P1',
      'altibase-sts-1: TRUNCATE TABLE SYS.T3',
      'altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0',
    ]);
    assert.ok(sent.indexOf('altibase-sts-0: ALTER REPLICATION AKU_REP_01 SYNC PARALLEL 1') > from + 4, sent.join('\n'));
    assert.ok(sent.includes('altibase-sts-1: ALTER REPLICATION AKU_REP_01 START'));
    assert.equal(sent.at(-1), 'altibase-sts-1: ALTER SYSTEM SET ADMIN_MODE = 0');
    const said = tagged(run);
    for (const line of [
      '[INFO][akuRunStart:path][-][AKU_REP_01] No replication information yet: group AKU_REP will be truncated and synchronised from the MASTER.',
      '[INFO][akuRunStart:truncate][-][-] Truncate tables for replications.',
      '[INFO][akuRunStart:sync][-][-] Replication sync has ended.',
    ]) assert.ok(said.includes(line), `missing ${line}\n${said.join('\n')}`);
    assert.equal(await ddlEnable(pods, 1), '0');
    assert.ok(!existsSync(`${pods.completionFile(1)}.replication_ddl_enable`), 'the value found is forgotten once restored');
  });

  it('a third pod joins by decision 23: the other slave pins its pair toward it and flushes to the MASTER before the SYNC, and reconnects after it', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    await pods.addPod(2);
    const run = await pods.aku(2, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    const create = (name: string, peer: number) =>
      `altibase-sts-2: CREATE REPLICATION ${name} WITH 'altibase-sts-${peer}.altibase-svc', 20301 FROM SYS.T1 TO SYS.T1, FROM SYS.T2 PARTITION P1 TO SYS.T2 PARTITION P1, FROM SYS.T3 TO SYS.T3`;
    assert.deepEqual(sent(run), [
      create('AKU_REP_02', 0),
      create('AKU_REP_12', 1),
      // prepare: this pod has no P_12 while pod 1 records toward it, so nothing reaches tables about to be truncated
      'altibase-sts-2: DROP REPLICATION AKU_REP_12',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 START RETRY',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 START RETRY',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH WAIT 1',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 START RETRY',
      'altibase-sts-2: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1',
      'altibase-sts-2: TRUNCATE TABLE SYS.T1',
      'altibase-sts-2: ALTER TABLE SYS.T2 TRUNCATE PARTITION P1',
      'altibase-sts-2: TRUNCATE TABLE SYS.T3',
      'altibase-sts-2: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_02 SYNC PARALLEL 1',
      ...lineage(2),
      create('AKU_REP_12', 1),
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 START',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 START',
      // pod 1's sender, started in RETRY before the snapshot, reconnects from its pinned point
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 START',
      'altibase-sts-2: ALTER SYSTEM SET ADMIN_MODE = 0',
    ]);
    assert.ok(tagged(run).includes('[INFO][akuRunStart:prepare][altibase-sts-1][AKU_REP_12] altibase-sts-1 keeps its changes for this pod from now on; flushing its changes to the MASTER before the sync.'));
  });

  it('a join where REPLICATION_DDL_ENABLE is already 1 truncates without touching it', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.addPod(1);
    await pods.sysdba(1, 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1');
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(!statements(run).some((s) => s.includes('REPLICATION_DDL_ENABLE')), statements(run).join('\n'));
    assert.ok(statements(run).includes('altibase-sts-1: TRUNCATE TABLE SYS.T1'));
    assert.equal(await ddlEnable(pods, 1), '1');
  });

  it('a slave whose objects were reset (ended with reset) is told so, and is truncated and synchronised again', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    assert.equal((await pods.aku(1, 'end')).code, 0);
    pods.restartPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(tagged(run).includes('[INFO][akuRunStart:path][-][AKU_REP_01] Replication information was reset: group AKU_REP will be truncated and synchronised from the MASTER.'), run.lines.join('\n'));
  });

  it('a resumed slave starts both sides and FLUSHes within the bound it announces: ALL here, to a fixed point on the peer', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    const xsn = (await pods.replications(1)).get('AKU_REP_01')?.xsn;
    const run = await pods.aku(1, 'start', { clock: new TestClock(), progressIntervalSec: 60 });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(steps(run), done('role', 'connect', 'detect', 'items', 'path', 'create', 'start', 'flush', 'admin', 'complete'));
    assert.deepEqual(statements(run), [
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 START',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 START',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 5',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 FLUSH WAIT 5',
      'altibase-sts-1: ALTER SYSTEM SET ADMIN_MODE = 0',
    ]);
    const said = tagged(run);
    for (const line of [
      `[INFO][akuRunStart:path][-][AKU_REP_01] Replication information is intact (XSN ${xsn}): group AKU_REP resumes.`,
      '[INFO][akuRunStart:start][altibase-sts-0][AKU_REP_01] AKU_REP_01 was already running on altibase-sts-0.altibase-svc.',
      '[INFO][akuRunStart:flush][-][-] Flush replications.',
      '[INFO][akuRunStart:flush][-][-] Every FLUSH ends within 5 s (AKU_FLUSH_TIMEOUT_AT_START).',
      '[INFO][akuRunStart:flush][-][-] Replication flush has ended.',
    ]) assert.ok(said.includes(line), `missing ${line}\n${said.join('\n')}`);
    // AKU_FLUSH_TIMEOUT_AT_START = 0: half of AKU_QUERY_TIMEOUT (30 s), in slices of the progress interval.
    pods.restartPod(1);
    const half = await pods.aku(1, 'start', { clock: new TestClock(), progressIntervalSec: 7, config: { flushTimeoutAtStartSec: 0 } });
    assert.ok(tagged(half).includes('[INFO][akuRunStart:flush][-][-] Every FLUSH ends within 15 s (half of AKU_QUERY_TIMEOUT, at most 120 s, as AKU_FLUSH_TIMEOUT_AT_START is 0).'), half.lines.join('\n'));
    assert.deepEqual(statements(half).filter((s) => s.includes('FLUSH')), [
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 7',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 FLUSH WAIT 7',
    ]);
  });

  it('a FLUSH at start that runs out of time reports the gap as it goes, warns, and the start still completes', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (1, 'not sent yet')");
    const run = await pods.aku(1, 'start', { config: { flushTimeoutAtStartSec: 2 } });
    assert.equal(run.code, 0, run.lines.join('\n'));
    const said = tagged(run).join('\n');
    assert.match(said, /\[INFO\]\[akuRunStart:flush\]\[altibase-sts-1\]\[AKU_REP_01\] FLUSH of AKU_REP_01 on altibase-sts-1 toward altibase-sts-0: gap \d+ \(V\$REPGAP\.REP_GAP\), 1 s of 2 s\./);
    assert.match(said, /\[WARN\]\[akuRunStart:flush\]\[altibase-sts-1\]\[AKU_REP_01\] AKU_REP_01 on altibase-sts-1 was not fully flushed within 2 s \(gap \d+\); replication goes on and its sender delivers the rest when the link heals\./);
    pods.cluster.heal('altibase-sts-1', 'altibase-sts-0', 'replication');
    assert.deepEqual(await pods.converged([0, 1]), ['1:not sent yet']);
  });

  it('a slave waits AKU_DELAY_START_COMPLETE_TIME before leaving ADMIN_MODE; the admin step takes that long; the MASTER does not wait', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, delayStartCompleteTimeSec: 3 }));
    await pods.addPod(0);
    const masterClock = new TestClock();
    const master = await pods.aku(0, 'start', { clock: masterClock });
    assert.equal(master.code, 0, master.lines.join('\n'));
    assert.deepEqual(masterClock.sleeps, []);
    assert.ok(!messages(master).some((l) => l.includes('AKU_DELAY_START_COMPLETE_TIME')));
    await pods.addPod(1);
    const clock = new TestClock();
    const run = await pods.aku(1, 'start', { clock });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(tagged(run).includes('[INFO][akuRunStart:admin][-][-] Waiting 3 s (AKU_DELAY_START_COMPLETE_TIME) before leaving ADMIN_MODE.'));
    assert.deepEqual(clock.sleeps, [3000]);
    assert.equal(run.outcome.steps.find((s) => s.step === 'akuRunStart:admin')?.seconds, 3);
    assert.ok(run.outcome.steps.filter((s) => s.step !== 'akuRunStart:admin').every((s) => s.seconds === 0));
    // A dry run announces the wait but does not wait.
    pods.restartPod(1);
    const dryClock = new TestClock();
    const dry = await pods.aku(1, 'start', { clock: dryClock, dryRun: true });
    assert.equal(dry.code, 0, dry.lines.join('\n'));
    assert.ok(messages(dry).includes('Waiting 3 s (AKU_DELAY_START_COMPLETE_TIME) before leaving ADMIN_MODE.'));
    assert.deepEqual(dryClock.sleeps, []);
  });

  it('a start asked to stop by -p end stops before its next step, exits 1, and leaves no completion file and no running marker', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, delayStartCompleteTimeSec: 1 }));
    await pods.startPods([0]);
    await pods.addPod(1);
    const file = pods.completionFile(1);
    // A stop request an earlier end left behind is not this start's: it is cleared when start begins.
    writeFileSync(`${file}.stop-requested`, '1\n');
    const clock = new TestClock(undefined, () => writeFileSync(`${file}.stop-requested`, '1\n'));
    const run = await pods.aku(1, 'start', { clock });
    assert.equal(run.code, 1, run.lines.join('\n'));
    const message = 'aku -p end on this pod asked this start to stop; it stopped before akuRunStart:complete. The next aku -p start resumes from here.';
    assert.deepEqual(run.outcome.problems, [message]);
    assert.ok(tagged(run).includes(`[ERROR][akuRunStart:complete][-][-] ${message}`));
    assert.equal(steps(run).at(-1), 'admin:done');
    assert.ok(!existsSync(file));
    assert.ok(!existsSync(`${file}.start-pid`) && !existsSync(`${file}.stop-requested`));
    // The next start resumes and completes.
    pods.restartPod(1);
    assert.equal((await pods.aku(1, 'start')).code, 0);
  });

  it('-p end while a start runs here: asks it to stop, waits half the budget, then SIGTERM and SIGKILL, and ends', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const file = pods.completionFile(1);
    // A start in this very process (pid and this container's identity): it never stops by itself here.
    writeFileSync(`${file}.start-pid`, `${process.pid} ${containerIdentity()}\n`);
    let requested = false;
    const clock = new TestClock(undefined, () => (requested ||= existsSync(`${file}.stop-requested`)));
    const run = await pods.aku(1, 'end', { clock });
    assert.ok(requested, 'end wrote the stop request while it waited');
    // The wait is part of the budget: 9 of its 10 s are gone, too few for a FLUSH, so the pair is kept.
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.deepEqual(run.outcome.problems, ['-p end could not deliver every change: AKU_REP_01 (the end time budget (AKU_END_TIME_BUDGET = 10 s) ran out before its FLUSH). Both sides of every pair keep their restart points; the next aku -p start on this pod delivers them.']);
    const said = tagged(run);
    const handover = said.filter((l) => l.includes('[akuRunEnd:handover]'));
    assert.deepEqual(handover, [
      `[INFO][akuRunEnd:handover][-][-] aku -p start (pid ${process.pid}) is still running on this pod; asking it to stop at its next step (waiting at most 5 s).`,
      `[WARN][akuRunEnd:handover][-][-] aku -p start (pid ${process.pid}) did not stop in time; sending SIGTERM. The next aku -p start resumes from where it was.`,
      `[WARN][akuRunEnd:handover][-][-] aku -p start (pid ${process.pid}) did not stop in time; sending SIGKILL. The next aku -p start resumes from where it was.`,
      '[INFO][akuRunEnd:handover][-][-] aku -p start is no longer running; ending.',
    ]);
    // 5 s (half of AKU_END_TIME_BUDGET 10), then 2 s after each signal, in steps of 100 ms.
    assert.equal(clock.sleeps.reduce((a, b) => a + b, 0), 9000);
    assert.ok(clock.sleeps.every((ms) => ms === 100));
    assert.ok(!existsSync(`${file}.start-pid`) && !existsSync(`${file}.stop-requested`));
    assert.equal(run.outcome.steps[1]?.seconds, 9);
  });

  it('-p end while a start runs here that stops when asked: no signal is sent', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const file = pods.completionFile(1);
    writeFileSync(`${file}.start-pid`, `${process.pid} ${containerIdentity()}\n`);
    const { rmSync } = await import('node:fs');
    const clock = new TestClock(undefined, (_ms, c) => {
      if (c.sleeps.length === 3) rmSync(`${file}.start-pid`);
    });
    const run = await pods.aku(1, 'end', { clock, config: { endTimeBudgetSec: 1 } });
    const handover = tagged(run).filter((l) => l.includes('[akuRunEnd:handover]'));
    assert.deepEqual(handover, [
      // half of the budget, but at least 1 s
      `[INFO][akuRunEnd:handover][-][-] aku -p start (pid ${process.pid}) is still running on this pod; asking it to stop at its next step (waiting at most 1 s).`,
      '[INFO][akuRunEnd:handover][-][-] aku -p start is no longer running; ending.',
    ]);
    assert.deepEqual(clock.sleeps, [100, 100, 100]);
  });

  it('-p end --dry-run with a start running here neither asks it to stop nor waits', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const file = pods.completionFile(1);
    writeFileSync(`${file}.start-pid`, `${process.pid} ${containerIdentity()}\n`);
    const clock = new TestClock();
    const run = await pods.aku(1, 'end', { clock, dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(tagged(run).filter((l) => l.includes('[akuRunEnd:handover]')), []);
    assert.deepEqual(clock.sleeps, []);
    assert.ok(existsSync(`${file}.start-pid`) && !existsSync(`${file}.stop-requested`));
  });

  it('waits for its own name to resolve to this pod, tries of a second looking every 200 ms, saying so on the first and every fifth try', async () => {
    pods = new SimPods(testConfig({ serverCount: 1, addressCheckCount: 12 }));
    await pods.addPod(0);
    const address = pods.cluster.server('altibase-sts-0').address;
    pods.cluster.removeHost('altibase-sts-0.altibase-svc');
    const clock = new TestClock(undefined, (_ms, c) => {
      if (c.sleeps.length === 15) pods.cluster.addHost('altibase-sts-0.altibase-svc', '10.200.0.9');
      if (c.sleeps.length === 32) {
        pods.cluster.removeHost('altibase-sts-0.altibase-svc');
        pods.cluster.addHost('altibase-sts-0.altibase-svc', address);
      }
    });
    const run = await pods.aku(0, 'start', { clock });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(tagged(run).filter((l) => l.includes('[akuRunStart:address]')), [
      '[INFO][akuRunStart:address][-][-] Waiting for altibase-sts-0.altibase-svc to resolve to this pod (ENOTFOUND; try 1/12).',
      '[INFO][akuRunStart:address][-][-] Waiting for altibase-sts-0.altibase-svc to resolve to this pod (resolves to 10.200.0.9, not to this pod; try 5/12).',
      '[INFO][akuRunStart:address][-][-] altibase-sts-0.altibase-svc resolves to this pod (try 7/12).',
    ]);
    assert.deepEqual(clock.sleeps, Array(32).fill(200), 'found on the third look of the seventh try');
  });

  it('refuses when its own name never resolves to this pod, after AKU_ADDRESS_CHECK_COUNT tries, naming the Service to check', async () => {
    pods = new SimPods(testConfig({ serverCount: 1, addressCheckCount: 3 }));
    await pods.addPod(0);
    pods.cluster.removeHost('altibase-sts-0.altibase-svc');
    const clock = new TestClock();
    const run = await pods.aku(0, 'start', { clock });
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, [
      'altibase-sts-0.altibase-svc did not resolve to this pod after 3 tries (ENOTFOUND). Check that the headless Service altibase-svc selects this pod and has publishNotReadyAddresses: true.',
    ]);
    assert.ok(run.lines.some((l) => l.includes('[ERROR][akuRunStart:address][-][-] altibase-sts-0.altibase-svc did not resolve')));
    assert.deepEqual(clock.sleeps, Array(14).fill(200), 'three tries of five looks, no wait after the last');
    assert.deepEqual(steps(run), ['role:done', 'connect:failed']);
    assert.ok(!run.lines.some((l) => l.includes('[sql]')), 'nothing was sent');
  });

  it('refuses objects whose items differ from aku.conf on this pod and on a peer, with the statements that reconcile each', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    const run = await pods.aku(1, 'start', { config: { replications: [{ prefix: 'AKU_REP', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] }] } });
    assert.equal(run.code, 1);
    const reconcile = 'To reconcile, run on both pods of the pair: ALTER REPLICATION AKU_REP_01 STOP; ALTER REPLICATION AKU_REP_01 DROP TABLE FROM SYS.T2 PARTITION P1 TO SYS.T2 PARTITION P1; ALTER REPLICATION AKU_REP_01 DROP TABLE FROM SYS.T3 TO SYS.T3; ALTER REPLICATION AKU_REP_01 START;';
    const on = (host: string) => `AKU_REP_01 on ${host} replicates SYS.T1, SYS.T2 PARTITION P1, SYS.T3, but aku.conf's group AKU_REP lists SYS.T1; not in aku.conf: SYS.T2 PARTITION P1, SYS.T3. ${reconcile}`;
    assert.deepEqual(run.outcome.problems, [
      `the replication items differ from aku.conf, so nothing was changed: ${on('altibase-sts-1.altibase-svc')} ${on('altibase-sts-0.altibase-svc')}`,
    ]);
    assert.deepEqual(statements(run), []);
  });

  it('a join whose MASTER is fresh but already holds rows goes ahead (rows there make it a source)', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.addPod(0);
    await pods.sysdba(0, "INSERT INTO SYS.T3 VALUES (1, 'loaded before aku')");
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await pods.addPod(1);
    await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (5, 'stale')");
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(await pods.rows(1, 'SYS.T3'), ['1:loaded before aku']);
    assert.deepEqual(await pods.rows(1), []);
  });

  it('refuses a join from a MASTER that lost its volume while another slave holds rows, counting that slave\'s rows', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0]);
    await pods.addPod(2);
    assert.equal((await pods.aku(2, 'start')).code, 0);
    for (const sql of ["INSERT INTO SYS.T1 VALUES (1, 'a')", "INSERT INTO SYS.T1 VALUES (2, 'b')", "INSERT INTO SYS.T3 VALUES (1, 'c')"]) await pods.app(2, sql);
    await pods.converged([0, 2]);
    // The MASTER comes back empty: no objects, no rows (in service, as a server restored by hand would be).
    for (const name of ['AKU_REP_01', 'AKU_REP_02']) {
      await pods.sysdba(0, `ALTER REPLICATION ${name} STOP`).catch(() => undefined);
      await pods.sysdba(0, `DROP REPLICATION ${name}`);
    }
    for (const sql of ['TRUNCATE TABLE SYS.T1', 'TRUNCATE TABLE SYS.T3', 'DROP TABLE SYS.AKU_LINEAGE']) await pods.sysdba(0, sql);
    await pods.addPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.deepEqual(run.outcome.problems, [
      'the MASTER altibase-sts-0.altibase-svc looks freshly created (no replication history, its replicated tables empty) while altibase-sts-2.altibase-svc holds 3 rows: ' +
        'a SYNC from it would empty this pod. If the MASTER lost its volume, restore it from a slave first. Nothing was truncated. See "Manual recovery of a failed MASTER" in docs/lifecycle.md.',
    ]);
    assert.deepEqual(statements(run), []);
  });

  it('REPLICATION_DDL_ENABLE left by an interrupted run: put back to the recorded value (1 as well as 0) and forgotten; already right: only forgotten', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const file = pods.completionFile(1);
    pods.restartPod(1);
    recordDdlEnable(file, '1');
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.equal(statements(run)[0], 'altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1');
    assert.ok(tagged(run).includes('[WARN][akuRunStart:connect][altibase-sts-1][-] REPLICATION_DDL_ENABLE was left at 0 by an interrupted run; restored to 1, the value it had before.'), run.lines.join('\n'));
    assert.equal(await ddlEnable(pods, 1), '1');
    assert.equal(recordedDdlEnable(file), undefined);

    pods.restartPod(1); // the server starts from its properties: 0 again
    recordDdlEnable(file, '0');
    const same = await pods.aku(1, 'start');
    assert.equal(same.code, 0, same.lines.join('\n'));
    assert.ok(!statements(same).some((s) => s.includes('REPLICATION_DDL_ENABLE')));
    assert.ok(!messages(same).some((l) => l.includes('REPLICATION_DDL_ENABLE')));
    assert.equal(recordedDdlEnable(file), undefined);

    pods.restartPod(1);
    await pods.sysdba(1, 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1');
    recordDdlEnable(file, '0');
    const dry = await pods.aku(1, 'start', { dryRun: true });
    assert.ok(dry.lines.some((l) => l.endsWith('[plan][altibase-sts-1][-] ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0')), dry.lines.join('\n'));
    assert.equal(recordedDdlEnable(file), '0', 'a dry run keeps the record');
    assert.equal(await ddlEnable(pods, 1), '1');
  });

  it('--dry-run of a join prints TRUNCATE between REPLICATION_DDL_ENABLE 1 and 0 and the SYNC, records nothing, truncates nothing', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
    await pods.addPod(1);
    await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (9, 'kept')");
    const run = await pods.aku(1, 'start', { dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
    const planned = plan(run);
    const from = planned.indexOf('altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1');
    assert.deepEqual(planned.slice(from, from + 6), [
      'altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1',
      'altibase-sts-1: TRUNCATE TABLE SYS.T1',
      'altibase-sts-1: ALTER TABLE SYS.T2 TRUNCATE PARTITION P1',
      'altibase-sts-1: TRUNCATE TABLE SYS.T3',
      'altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 SYNC PARALLEL 1',
    ]);
    assert.equal(recordedDdlEnable(pods.completionFile(1)), undefined);
    assert.deepEqual(await pods.rows(1), ['9:kept']);
    assert.equal((await pods.replications(1)).size, 0);
  });

  it('a join while a lower-ordinal pod that never joined is down starts the pair toward it in RETRY mode (changes kept until it returns); none toward an absent higher ordinal', async () => {
    pods = new SimPods(testConfig({ serverCount: 4 }));
    await pods.startPods([0]);
    await pods.addPod(1); // created (OrderedReady), its aku -p start not run: nothing of it is at the MASTER to miss
    pods.cluster.kill('altibase-sts-1');
    await pods.addPod(2);
    const run = await pods.aku(2, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(statements(run).includes('altibase-sts-2: ALTER REPLICATION AKU_REP_12 START RETRY'), statements(run).join('\n'));
    assert.ok(tagged(run).includes('[INFO][akuRunStart:start][-][AKU_REP_12] AKU_REP_12: its peer is down; started in RETRY mode so changes are kept until it returns.'));
    assert.ok(!statements(run).some((s) => s.includes('AKU_REP_23 START')), 'pod 3 does not exist yet: it joins by SYNC');
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'while 1 was down')");
    pods.restartPod(1);
    assert.equal((await pods.aku(1, 'start')).code, 0);
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:while 1 was down']);
  });

  it('refuses a pod whose name is not the StatefulSet\'s, saying what to set, before anything else', async () => {
    pods = new SimPods(testConfig({ serverCount: 1 }));
    await pods.addPod(0);
    const run = await pods.aku(0, 'start', { config: { stsName: 'another-sts' } });
    assert.equal(run.code, 1);
    assert.equal(run.outcome.problems.length, 1);
    assert.deepEqual(run.outcome.problems, [
      "pod name altibase-sts-0 does not match AKU_STS_NAME = another-sts (expected another-sts-0); the other pods would look for this one as another-sts-0. Set AKU_STS_NAME to the StatefulSet's name.",
    ]);
    assert.deepEqual(steps(run), ['role:failed']);
    assert.ok(tagged(run).includes('[INFO][akuRunStart:role][-][-] Start as MASTER Pod.'));
  });

  it('refuses a join while the MASTER has not completed its own start, in so many words', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
    pods.restartPod(0);
    await pods.addPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, [
      'the MASTER altibase-sts-0.altibase-svc has not completed its own aku -p start (its ADMIN_MODE is 1: still starting, ending, or it reported ' +
        '"The MASTER server is detected to have failed"), so it is not a source to SYNC from. aku -p start here retries once the MASTER is in service. ' +
        'Nothing was truncated. See "Manual recovery of a failed MASTER" in docs/lifecycle.md.',
    ]);
  });

  it('refuses a second start in so many words, naming the file', async () => {
    pods = new SimPods(testConfig({ serverCount: 1 }));
    await pods.startPods([0]);
    const run = await pods.aku(0, 'start');
    assert.deepEqual(run.outcome.problems, [
      `aku -p start already completed on this pod (${pods.completionFile(0)} exists). Run aku -p end first; if the server was restarted without it, delete the file and run aku -p start again.`,
    ]);
  });

  it('a join is refused when another slave cannot flush to the MASTER because its FLUSH fails or finds no sender, naming why', async () => {
    for (const [failure, why] of [
      [new Error('socket closed'), 'socket closed'],
      [new DbError({
        server: 'altibase-sts-1.altibase-svc:20300', sql: 'ALTER REPLICATION AKU_REP_01 FLUSH WAIT 1', phase: 'statement',
        diagnostics: [{ state: 'HY000', code: AltibaseCode.REPLICATION_NOT_STARTED, message: 'The replication has not been started.' }], verdict: 'permanent', attempts: 1,
      }), 'its sender is not running'],
    ] as const) {
      pods?.close();
      pods = new SimPods(testConfig({ serverCount: 3 }));
      await pods.startPods([0, 1]);
      await pods.addPod(2);
      const run = await pods.aku(2, 'start', {
        beforeStatement: (sql, server) => {
          if (server.startsWith('altibase-sts-1') && sql.includes('FLUSH')) throw failure;
        },
      });
      assert.equal(run.code, 1);
      assert.deepEqual(run.outcome.problems, [
        `altibase-sts-1.altibase-svc could not flush its changes to the MASTER (AKU_REP_01: ${why}); a SYNC now could miss them. Nothing was truncated; aku -p start will try again.`,
      ]);
    }
  });

  it('REPLICATION_MAX_COUNT exactly what aku needs is enough; one less is refused with the number to raise it to', async () => {
    const two = testConfig({ serverCount: 3, replications: [
      { prefix: 'AKU_A', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] },
      { prefix: 'AKU_B', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T3' }] },
    ] });
    pods = new SimPods(two, { REPLICATION_MAX_COUNT: 3 });
    await pods.addPod(0);
    const refused = await pods.aku(0, 'start');
    assert.equal(refused.code, 1);
    assert.deepEqual(refused.outcome.problems, [
      'altibase-sts-0.altibase-svc has 0 replication objects and aku needs 4 more, but REPLICATION_MAX_COUNT is 3. Raise REPLICATION_MAX_COUNT to at least 4, or lower AKU_SERVER_COUNT or the number of groups.',
    ]);
    assert.ok(refused.lines.some((l) => l.includes('[ERROR][akuRunStart:check]')));
    pods.close();
    pods = new SimPods(two, { REPLICATION_MAX_COUNT: 4 });
    await pods.addPod(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.equal((await pods.replications(0)).size, 4);
    // A restart needs no new object: 4 existing + 0 missing still fit.
    pods.restartPod(0);
    const again = await pods.aku(0, 'start');
    assert.equal(again.code, 0, again.lines.join('\n'));
  });
});
