import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { plan, statements, tagged } from '../helpers/run-output.js';
import { messages, SimPods, TestClock, testConfig } from '../helpers/sim-pods.js';

/**
 * What an operator sees of `-p end` and `-p clean`: the `--json` outcome (steps in order, what
 * happened to each pair on which pod, the problems), every statement sent to which server
 * (`AKU_LOG_LEVEL=DEBUG`), and the exact warnings that name what to run by hand.
 */

const pairs = (run: { outcome: { pairs: { replication: string; pod: string; result: string; detail?: string }[] } }) =>
  run.outcome.pairs.map((p) => `${p.replication}@${p.pod}:${p.result}${p.detail === undefined ? '' : ` (${p.detail})`}`);
const steps = (run: { outcome: { steps: { step: string; status: string }[] } }) => run.outcome.steps.map((s) => `${s.step}:${s.status}`);

const END_STEPS = ['role', 'handover', 'connect', 'admin', 'flush', 'stop', 'reason', 'settle', 'complete'].map((s) => `akuRunEnd:${s}:done`);
const CLEAN_STEPS = ['connect', 'record', 'drop', 'peers', 'complete'].map((s) => `akuRunClean:${s}:done`);

describe('-p end and -p clean as the operator sees them: outcome, statements, warnings (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('end on a slave: every step done, each pair flushed, stopped on both sides and reset on both sides, in this order', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1, 2]);
    const run = await pods.aku(2, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual({ action: run.outcome.action, dryRun: run.outcome.dryRun, exitCode: run.outcome.exitCode, problems: run.outcome.problems },
      { action: 'end', dryRun: false, exitCode: 0, problems: [] });
    assert.deepEqual(steps(run), END_STEPS);
    for (const step of run.outcome.steps) assert.ok(step.seconds >= 0 && step.seconds < 5, `${step.step}: ${step.seconds} s`);
    assert.deepEqual(pairs(run), [
      'AKU_REP_02@altibase-sts-2:flushed', 'AKU_REP_12@altibase-sts-2:flushed',
      'AKU_REP_02@altibase-sts-2:stopped', 'AKU_REP_12@altibase-sts-2:stopped',
      'AKU_REP_02@altibase-sts-0:stopped', 'AKU_REP_12@altibase-sts-1:stopped',
      'AKU_REP_02@altibase-sts-2:reset', 'AKU_REP_12@altibase-sts-2:reset', 'AKU_REP_23@altibase-sts-2:reset',
      'AKU_REP_02@altibase-sts-0:reset', 'AKU_REP_12@altibase-sts-1:reset',
    ]);
    // AKU_REP_23 was never started (pod 3 does not exist): its STOP is "already so", no pair row.
    assert.deepEqual(statements(run), [
      'altibase-sts-2: ALTER SYSTEM SET ADMIN_MODE = 1',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 FLUSH ALL WAIT 1',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 FLUSH ALL WAIT 1',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 STOP',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 STOP',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_23 STOP',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_02 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 STOP',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 RESET',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 RESET',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_23 RESET',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_02 RESET',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 RESET',
    ]);
    const said = tagged(run);
    assert.ok(said.includes('[DEBUG][sql][altibase-sts-2][-] ALTER REPLICATION AKU_REP_23 STOP: ERR-61027 (already so)'), said.join('\n'));
    assert.ok(said.includes('[INFO][akuRunEnd:connect][altibase-sts-3][-] altibase-sts-3.altibase-svc is not reachable (ERR-50032 : Client unable to establish connection. (Failed to resolve the host name: altibase-sts-3.altibase-svc)).'), said.join('\n'));
    assert.ok(said.includes('[INFO][akuRunEnd:admin][-][-] ADMIN_MODE is 1: no new application session opens on this pod.'));
    assert.ok(said.includes('[WARN][akuRunEnd:settle][altibase-sts-3][AKU_REP_23] AKU_REP_23 was not stopped or reset on altibase-sts-3.altibase-svc (not reachable). If that pod is running, run there: ALTER REPLICATION AKU_REP_23 STOP; ALTER REPLICATION AKU_REP_23 RESET;'));
    assert.match(said.at(-2) as string, /^\[DEBUG\]\[akuRunEnd:complete\]\[-\]\[-\] Deleted .*aku_start_completed-2\.$/);
    assert.equal(run.lines.at(-1), 'AKU run successfully.');
    assert.deepEqual(run.errors, []);
    assert.deepEqual(said.filter((l) => l.includes('[akuRunEnd:handover]')), [], 'no start was running');
    assert.deepEqual(said.filter((l) => l.includes('[plan]')), [], 'not a dry run');
    // Besides the fallback to AKU_REPLICATION_RESET_AT_END (no Kubernetes API in-process), named in its own step.
    assert.equal(said.filter((l) => l.startsWith('[WARN]') && !l.includes('[akuRunEnd:reason]')).length, 1, 'only the pod that is not reachable is named');
    assert.equal(said.filter((l) => l.startsWith('[WARN][akuRunEnd:reason]')).length, 1, 'the fallback is named once');
    const admin = await pods.sysdba(2, "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'ADMIN_MODE'");
    assert.equal(String(admin[0]?.VALUE1), '1', 'the ended pod refuses new application sessions');
  });

  it('end on the MASTER: flushed and stopped on both sides, nothing reset, no warning', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const run = await pods.aku(0, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(steps(run), END_STEPS);
    assert.deepEqual(pairs(run), ['AKU_REP_01@altibase-sts-0:flushed', 'AKU_REP_01@altibase-sts-0:stopped', 'AKU_REP_01@altibase-sts-1:stopped',
      'AKU_REP_01@altibase-sts-0:kept (the MASTER is never reset (decision 2))']);
    assert.deepEqual(statements(run), [
      'altibase-sts-0: ALTER SYSTEM SET ADMIN_MODE = 1',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 1',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 STOP',
    ]);
    assert.deepEqual(tagged(run).filter((l) => l.startsWith('[WARN]') || l.startsWith('[ERROR]')), []);
  });

  it('end on a slave with AKU_REPLICATION_RESET_AT_END = 0 keeps the restart points and reports no problem', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, replicationResetAtEnd: false }));
    await pods.startPods([0, 1]);
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(pairs(run), ['AKU_REP_01@altibase-sts-1:flushed', 'AKU_REP_01@altibase-sts-1:stopped', 'AKU_REP_01@altibase-sts-0:stopped',
      'AKU_REP_01@altibase-sts-1:kept (deliberate keep: unknown: no Kubernetes API in the in-process simulation)']);
    assert.ok(!statements(run).some((s) => s.endsWith('RESET')));
    assert.deepEqual(run.outcome.problems, []);
  });

  it('end with AKU_FLUSH_AT_END = 0 sends no FLUSH, says so, and still stops and resets', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, flushAtEnd: false }));
    await pods.startPods([0, 1]);
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(tagged(run).includes('[INFO][akuRunEnd:flush][-][-] AKU_FLUSH_AT_END = 0: replications are not flushed.'));
    assert.ok(!messages(run).includes('Flush replications.'));
    assert.deepEqual(statements(run), [
      'altibase-sts-1: ALTER SYSTEM SET ADMIN_MODE = 1',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 RESET',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 RESET',
    ]);
  });

  it('end with AKU_FLUSH_AT_END = 0 and a peer down keeps the pair with history toward it', async () => {
    pods = new SimPods(testConfig({ serverCount: 3, flushAtEnd: false }));
    await pods.startPods([0, 1, 2]);
    pods.cluster.kill('altibase-sts-0');
    const run = await pods.aku(2, 'end');
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.deepEqual(pairs(run).filter((p) => p.includes(':not-flushed') || p.includes(':kept')), [
      'AKU_REP_02@altibase-sts-2:not-flushed (altibase-sts-0.altibase-svc is not reachable)',
      'AKU_REP_02@altibase-sts-2:kept (altibase-sts-0.altibase-svc is not reachable)',
      'AKU_REP_12@altibase-sts-2:kept (kept with the pairs that could not deliver: resetting it alone would make the next start re-sync this pod and drop their changes)',
    ]);
    assert.ok(tagged(run).includes('[WARN][akuRunEnd:flush][altibase-sts-0][AKU_REP_02] AKU_REP_02 toward altibase-sts-0.altibase-svc: altibase-sts-0.altibase-svc is not reachable.'), run.lines.join('\n'));
    assert.ok(tagged(run).includes("[WARN][akuRunEnd:settle][-][AKU_REP_12] AKU_REP_12 is kept on both sides, not reset (kept with the pairs that could not deliver: resetting it alone would make the next start re-sync this pod and drop their changes); this pod's next aku -p start resumes it and delivers its changes with FLUSH."));
    const problem = '-p end could not deliver every change: AKU_REP_02 (altibase-sts-0.altibase-svc is not reachable). Both sides of every pair keep their restart points; the next aku -p start on this pod delivers them.';
    assert.deepEqual(run.outcome.problems, [problem]);
    assert.ok(tagged(run).includes(`[ERROR][akuRunEnd:settle][-][-] ${problem}`));
    assert.deepEqual(run.errors, [`aku: ${problem}`]);
    assert.equal(run.lines.at(-1), 'AKU failed to run.');
    assert.deepEqual(steps(run), END_STEPS, 'a kept pair is a problem, not a failed step');
  });

  it('end --dry-run reads, prints ADMIN_MODE, STOP and RESET as the plan, and changes nothing', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const before = [await pods.replications(0), await pods.replications(1)];
    const run = await pods.aku(1, 'end', { dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.equal(run.outcome.dryRun, true);
    assert.ok(tagged(run).includes('[INFO][plan][-][-] Dry run: reading only; the statements below are what aku would run.'));
    assert.deepEqual(plan(run), [
      'altibase-sts-1: ALTER SYSTEM SET ADMIN_MODE = 1',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 1',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_13 STOP',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 RESET',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 RESET',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_13 RESET',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 RESET',
    ].filter((s) => !/AKU_REP_1[23]/.test(s)));
    assert.deepEqual(statements(run), []);
    assert.deepEqual([await pods.replications(0), await pods.replications(1)], before);
    assert.ok(existsSync(pods.completionFile(1)), 'a dry run leaves the completion file');
  });

  it('end splits its budget: the FLUSHes share what is left after the reserve for STOP and RESET', async () => {
    // AKU_END_TIME_BUDGET 50: 10 s kept back (30 %, at most 10 s), 40 s for two FLUSHes: 20 s, then the 40 s still left.
    pods = new SimPods(testConfig({ serverCount: 3, endTimeBudgetSec: 50 }));
    await pods.startPods([0, 1, 2]);
    const clock = new TestClock();
    const run = await pods.aku(2, 'end', { clock, progressIntervalSec: 60 });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(statements(run).filter((s) => s.includes('FLUSH')), [
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 FLUSH ALL WAIT 20',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 FLUSH ALL WAIT 40',
    ]);
    // AKU_END_TIME_BUDGET 10: 3 s kept back (30 %), 7 s for two FLUSHes: 3 s, then 7 s.
    pods.restartPod(2);
    assert.equal((await pods.aku(2, 'start')).code, 0);
    const small = await pods.aku(2, 'end', { clock: new TestClock(), progressIntervalSec: 60, config: { endTimeBudgetSec: 10 } });
    assert.deepEqual(statements(small).filter((s) => s.includes('FLUSH')), [
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 FLUSH ALL WAIT 3',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 FLUSH ALL WAIT 7',
    ]);
    // A long FLUSH is cut into slices of the progress interval.
    pods.restartPod(2);
    assert.equal((await pods.aku(2, 'start')).code, 0);
    const sliced = await pods.aku(2, 'end', { clock: new TestClock(), progressIntervalSec: 4, config: { endTimeBudgetSec: 50 } });
    assert.deepEqual(statements(sliced).filter((s) => s.includes('FLUSH')), [
      'altibase-sts-2: ALTER REPLICATION AKU_REP_02 FLUSH ALL WAIT 4',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 FLUSH ALL WAIT 4',
    ]);
  });

  it('end whose budget is too small for a FLUSH keeps every pair with history and says the budget ran out; a pair without history is not named', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    await pods.addPod(2); // up, never joined: AKU_REP_12 holds no history
    // AKU_END_TIME_BUDGET 1: 0.3 s kept back, 0.7 s left: less than the 1 s a FLUSH … WAIT needs.
    const run = await pods.aku(1, 'end', { clock: new TestClock(), config: { endTimeBudgetSec: 1 } });
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.ok(!statements(run).some((s) => s.includes('FLUSH')));
    const why = 'the end time budget (AKU_END_TIME_BUDGET = 1 s) ran out before its FLUSH';
    assert.deepEqual(pairs(run).filter((p) => !p.endsWith(':stopped')), [
      `AKU_REP_01@altibase-sts-1:not-flushed (${why})`,
      `AKU_REP_01@altibase-sts-1:kept (${why})`,
      'AKU_REP_12@altibase-sts-1:kept (kept with the pairs that could not deliver: resetting it alone would make the next start re-sync this pod and drop their changes)',
    ]);
    assert.deepEqual(run.outcome.problems, [`-p end could not deliver every change: AKU_REP_01 (${why}). Both sides of every pair keep their restart points; the next aku -p start on this pod delivers them.`]);
  });

  it('end with every peer down names every undelivered pair in its one problem', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    pods.cluster.kill('altibase-sts-0');
    pods.cluster.kill('altibase-sts-1');
    const run = await pods.aku(2, 'end');
    assert.deepEqual(run.outcome.problems, [
      '-p end could not deliver every change: AKU_REP_02 (altibase-sts-0.altibase-svc is not reachable); AKU_REP_12 (altibase-sts-1.altibase-svc is not reachable). ' +
        'Both sides of every pair keep their restart points; the next aku -p start on this pod delivers them.',
    ]);
    assert.deepEqual(statements(run).filter((s) => s.includes('FLUSH')), []);
  });

  it('end of a pod missing one of its objects flushes, keeps and names only the objects it has', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_12 STOP');
    await pods.sysdba(1, 'DROP REPLICATION AKU_REP_12');
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(statements(run).filter((s) => s.includes('FLUSH')), ['altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 1']);
    pods.restartPod(1);
    assert.equal((await pods.aku(1, 'start')).code, 0);
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_12 STOP');
    await pods.sysdba(1, 'DROP REPLICATION AKU_REP_12');
    pods.cluster.kill('altibase-sts-0');
    const kept = await pods.aku(1, 'end');
    assert.equal(kept.code, 1);
    assert.deepEqual(pairs(kept).filter((p) => p.includes(':kept')), ['AKU_REP_01@altibase-sts-1:kept (altibase-sts-0.altibase-svc is not reachable)']);
  });

  it('end: a FLUSH that fails for a reason aku does not know keeps the pair, naming the reason', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const run = await pods.aku(1, 'end', {
      beforeStatement: (sql) => {
        if (sql.includes('FLUSH')) throw new Error('socket closed');
      },
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, ['-p end could not deliver every change: AKU_REP_01 (FLUSH failed: socket closed). Both sides of every pair keep their restart points; the next aku -p start on this pod delivers them.']);
    assert.ok(run.outcome.steps.every((s) => s.status === 'done'));
  });

  it('end: a gap that cannot be read is "unknown" while the FLUSH runs, and the bound is named without a gap', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, endTimeBudgetSec: 2 }));
    await pods.startPods([0, 1]);
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'stuck')");
    const run = await pods.aku(1, 'end', {
      beforeStatement: (sql) => {
        if (sql.includes('V$REPGAP')) throw new Error('view busy');
      },
    });
    assert.equal(run.code, 1);
    assert.ok(tagged(run).includes('[INFO][akuRunEnd:flush][altibase-sts-1][AKU_REP_01] FLUSH of AKU_REP_01 on altibase-sts-1 toward altibase-sts-0: gap unknown (V$REPGAP.REP_GAP), 1 s of 1 s.'), run.lines.join('\n'));
    assert.match(run.outcome.problems.join('\n'), /AKU_REP_01 \(not flushed within 1 s\)\. Both sides/);
    assert.ok(pairs(run).includes('AKU_REP_01@altibase-sts-1:stopped'), 'the STOP goes on without the last log position');
  });

  it('end: the last log position that cannot be read before STOP is no reason to keep a pair', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const run = await pods.aku(1, 'end', {
      beforeStatement: (sql) => {
        if (sql.includes('V$REPGAP')) throw new Error('view busy');
      },
    });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(pairs(run).includes('AKU_REP_01@altibase-sts-0:reset'));
  });

  it('end --dry-run with changes not yet sent plans the RESET (a dry run neither stops nor checks what STOP left)', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'not sent')");
    const run = await pods.aku(1, 'end', { dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(plan(run).includes('altibase-sts-1: ALTER REPLICATION AKU_REP_01 RESET'));
  });

  it('end of a pair stopped with a restart point (an interrupted earlier end) starts its sender again and flushes it', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'after the stop')");
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(tagged(run).includes('[INFO][akuRunEnd:flush][-][AKU_REP_01] AKU_REP_01 was stopped with a restart point; started again to flush what it holds.'), run.lines.join('\n'));
    assert.deepEqual(statements(run).slice(0, 4), [
      'altibase-sts-1: ALTER SYSTEM SET ADMIN_MODE = 1',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 1',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 START',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 FLUSH ALL WAIT 1',
    ]);
    assert.deepEqual(await pods.rows(0), ['1:after the stop'], 'delivered before the reset');
  });

  it('end of a stopped pair whose sender cannot start again (link cut) keeps it, naming why, and still has time to STOP both sides', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, endTimeBudgetSec: 2 }));
    await pods.startPods([0, 1]);
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 STOP');
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.match(run.outcome.problems.join('\n'), /-p end could not deliver every change: AKU_REP_01 \(FLUSH failed: its sender was stopped and could not start again \(ERR-[0-9A-F]{5} : .*\)\)\. Both sides/);
    assert.equal(run.outcome.problems.length, 1, run.outcome.problems.join('\n'));
    // Its own sender is stopped already ("already so"); the MASTER's is stopped in the time kept back.
    assert.ok(pairs(run).includes('AKU_REP_01@altibase-sts-0:stopped'), pairs(run).join('\n'));
    assert.match(run.outcome.problems[0] as string, /could not start again \(ERR-[0-9A-F]{5} : /);
    assert.notEqual((await pods.replications(1)).get('AKU_REP_01')?.xsn, -1, 'kept');
  });

  it('end reaches a peer whose one SYSDBA slot is busy once it frees up, instead of leaving the pair undelivered', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const { createInProcessDriver } = await import('../../src/altisim/inprocess/driver.js');
    const holder = await createInProcessDriver(pods.cluster, { clientAddress: '10.9.9.9' }).connect({
      host: 'altibase-sts-0.altibase-svc', port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 5,
    });
    const released = new Promise((resolve) => setTimeout(() => resolve(holder.close()), 300));
    const run = await pods.aku(1, 'end', { config: { queryRetryDelayMsec: 50 } });
    await released;
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(!messages(run).some((l) => /altibase-sts-0\.altibase-svc is not reachable/.test(l)), run.lines.join('\n'));
    assert.ok(pairs(run).includes('AKU_REP_01@altibase-sts-0:reset'));
  });

  it('end: a failed STOP on a peer is a problem naming the statement, the pair and the server; the run goes on', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.sysdba(0, 'DROP REPLICATION AKU_REP_01');
    // The MASTER's side is gone: its STOP is "already so" (no such replication), its RESET is too.
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(pairs(run).filter((p) => p.includes('sts-0')), []);
  });

  it('end beside a pod whose server runs but that never joined: its pair (no history, no sender) needs no FLUSH and is not started for one', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    await pods.addPod(2); // server up, aku -p start not run
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(statements(run).includes('altibase-sts-1: ALTER REPLICATION AKU_REP_12 FLUSH ALL WAIT 1'));
    assert.ok(!statements(run).some((s) => s.includes('START')), statements(run).join('\n'));
    assert.deepEqual(pairs(run).filter((p) => p.startsWith('AKU_REP_12') && !p.endsWith(':reset')), []);
  });

  it('end under a cut link names the FLUSH bound and the gap it last saw', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, endTimeBudgetSec: 2 }));
    await pods.startPods([0, 1]);
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'stuck')");
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 1);
    assert.match(run.outcome.problems.join('\n'), /^-p end could not deliver every change: AKU_REP_01 \(not flushed within 1 s, gap [1-9]\d*\)\. Both sides/);
  });

  it('clean of a pod with no aku objects records nothing and changes nothing; objects of a smaller AKU_SERVER_COUNT need no warning about absent pods', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    await pods.addPod(2);
    const empty = await pods.aku(2, 'clean');
    assert.equal(empty.code, 0, empty.lines.join('\n'));
    assert.deepEqual(statements(empty), []);
    assert.deepEqual(empty.outcome.pairs, []);
    assert.ok(!messages(empty).some((l) => l.startsWith('Recorded')));
    const run = await pods.aku(1, 'clean', { config: { serverCount: 4 } });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(messages(run).includes('altibase-sts-3.altibase-svc is not reachable (ERR-50032 : Client unable to establish connection. (Failed to resolve the host name: altibase-sts-3.altibase-svc)).'));
    assert.deepEqual(tagged(run).filter((l) => l.startsWith('[WARN]')), []);
  });

  it('clean: records the leave, stops and drops every aku object here, stops and resets the reachable peers\' sides, names the rest', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1, 2]);
    const run = await pods.aku(1, 'clean');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(steps(run), CLEAN_STEPS);
    assert.deepEqual(pairs(run), [
      'AKU_REP_01@altibase-sts-1:dropped', 'AKU_REP_12@altibase-sts-1:dropped', 'AKU_REP_13@altibase-sts-1:dropped',
      'AKU_REP_01@altibase-sts-0:reset', 'AKU_REP_12@altibase-sts-2:reset',
    ]);
    const sent = statements(run).map((s) => s.replace(/'\d{4}-\d\d-\d\dT[\d:.]+Z'/, "'<now>'"));
    assert.deepEqual(sent.slice(0, 13), [
      'altibase-sts-1: CREATE TABLE SYS.AKU_LEFT_PAIRS (REPLICATION_NAME VARCHAR(40) PRIMARY KEY, LEFT_AT VARCHAR(32))',
      "altibase-sts-1: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_01'",
      "altibase-sts-1: INSERT INTO SYS.AKU_LEFT_PAIRS VALUES ('AKU_REP_01', '<now>')",
      "altibase-sts-1: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_12'",
      "altibase-sts-1: INSERT INTO SYS.AKU_LEFT_PAIRS VALUES ('AKU_REP_12', '<now>')",
      "altibase-sts-1: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_13'",
      "altibase-sts-1: INSERT INTO SYS.AKU_LEFT_PAIRS VALUES ('AKU_REP_13', '<now>')",
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: DROP REPLICATION AKU_REP_01',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_12 STOP',
      'altibase-sts-1: DROP REPLICATION AKU_REP_12',
      'altibase-sts-1: ALTER REPLICATION AKU_REP_13 STOP',
      'altibase-sts-1: DROP REPLICATION AKU_REP_13',
    ]);
    assert.deepEqual(sent.slice(13).sort(), [
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 RESET',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 RESET',
      'altibase-sts-2: ALTER REPLICATION AKU_REP_12 STOP',
    ]);
    const said = tagged(run);
    for (const line of [
      '[INFO][akuRunClean:record][altibase-sts-1][-] Recorded in SYS.AKU_LEFT_PAIRS that this pod left AKU_REP_01, AKU_REP_12, AKU_REP_13 deliberately.',
      '[INFO][akuRunClean:drop][altibase-sts-1][AKU_REP_12] Dropped AKU_REP_12.',
      '[INFO][akuRunClean:peers][altibase-sts-2][AKU_REP_12] Stopped and reset AKU_REP_12.',
      "[WARN][akuRunClean:peers][altibase-sts-3][-] altibase-sts-3.altibase-svc is not reachable: its side of AKU_REP_13 keeps running or keeps log for this pod. Its next aku -p start reads this pod's record and goes on; to stop it now, run there: ALTER REPLICATION AKU_REP_13 STOP; ALTER REPLICATION AKU_REP_13 RESET;",
    ]) assert.ok(said.includes(line), `missing ${line}\n${said.join('\n')}`);
    const left = await pods.sysdba(1, 'SELECT REPLICATION_NAME FROM SYS.AKU_LEFT_PAIRS ORDER BY REPLICATION_NAME');
    assert.deepEqual(left.map((r) => r.REPLICATION_NAME), ['AKU_REP_01', 'AKU_REP_12', 'AKU_REP_13']);
    // Run again: nothing left to drop, the record is kept, the peers' sides are reset again ("already so" for STOP).
    const again = await pods.aku(1, 'clean');
    assert.equal(again.code, 0, again.lines.join('\n'));
    assert.deepEqual(pairs(again), ['AKU_REP_01@altibase-sts-0:reset', 'AKU_REP_12@altibase-sts-2:reset']);
  });

  it('clean --dry-run prints the plan, drops nothing, records nothing and keeps the completion file', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const run = await pods.aku(1, 'clean', { dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(plan(run).map((s) => s.replace(/'\d{4}-[^']*'/, "'<now>'")), [
      'altibase-sts-1: CREATE TABLE SYS.AKU_LEFT_PAIRS (REPLICATION_NAME VARCHAR(40) PRIMARY KEY, LEFT_AT VARCHAR(32))',
      "altibase-sts-1: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_01'",
      "altibase-sts-1: INSERT INTO SYS.AKU_LEFT_PAIRS VALUES ('AKU_REP_01', '<now>')",
      'altibase-sts-1: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-1: DROP REPLICATION AKU_REP_01',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 STOP',
      'altibase-sts-0: ALTER REPLICATION AKU_REP_01 RESET',
    ]);
    assert.ok(!messages(run).some((l) => /^(Dropped|Stopped and reset) /.test(l)), 'nothing is said to be done');
    assert.deepEqual([...(await pods.replications(1)).keys()], ['AKU_REP_01']);
    assert.ok(existsSync(pods.completionFile(1)));
    await assert.rejects(pods.sysdba(1, 'SELECT REPLICATION_NAME FROM SYS.AKU_LEFT_PAIRS'), /ERR-31031|not found/i);
  });

  it('clean drops only aku\'s objects of this pod: also those toward ordinals beyond AKU_SERVER_COUNT, never another prefix\'s, a reversed pair\'s or another pod\'s', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const others = ['AKU_REP_15', 'AKU_REP_10', 'AKU_REP_11', 'AKU_REP_23', 'OTHER_REP_01', 'AKU_REPX_01', 'XAKU_REP_01'];
    for (const [k, name] of others.entries()) await pods.sysdba(1, `CREATE REPLICATION ${name} WITH '10.1.1.${k + 1}', 20301 FROM SYS.T3 TO SYS.T3`);
    const run = await pods.aku(1, 'clean');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(pairs(run).filter((p) => p.endsWith(':dropped')), [
      'AKU_REP_01@altibase-sts-1:dropped', 'AKU_REP_15@altibase-sts-1:dropped',
    ]);
    assert.deepEqual([...(await pods.replications(1)).keys()].sort(), ['AKU_REPX_01', 'AKU_REP_10', 'AKU_REP_11', 'AKU_REP_23', 'OTHER_REP_01', 'XAKU_REP_01']);
  });

  it('clean with a prefix holding "$" finds its objects (the prefix is matched literally)', async () => {
    const config = testConfig({ serverCount: 2, replications: [{ prefix: 'AKU$REP', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] }] });
    pods = new SimPods(config);
    await pods.startPods([0, 1]);
    const run = await pods.aku(1, 'clean');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(pairs(run), ['AKU$REP_01@altibase-sts-1:dropped', 'AKU$REP_01@altibase-sts-0:reset']);
    assert.equal((await pods.replications(1)).size, 0);
  });

  it('clean with two groups drops both groups\' objects and names both, and both statements each, for a peer it cannot reach', async () => {
    const two = testConfig({ serverCount: 2, replications: [
      { prefix: 'AKU_A', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] },
      { prefix: 'AKU_B', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T3' }] },
    ] });
    pods = new SimPods(two);
    await pods.startPods([0, 1]);
    pods.cluster.kill('altibase-sts-1');
    const run = await pods.aku(0, 'clean');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(pairs(run), ['AKU_A_01@altibase-sts-0:dropped', 'AKU_B_01@altibase-sts-0:dropped']);
    assert.ok(tagged(run).includes("[WARN][akuRunClean:peers][altibase-sts-1][-] altibase-sts-1.altibase-svc is not reachable: its side of AKU_A_01, AKU_B_01 keeps running or keeps log for this pod. Its next aku -p start reads this pod's record and goes on; to stop it now, run there: ALTER REPLICATION AKU_A_01 STOP; ALTER REPLICATION AKU_A_01 RESET; ALTER REPLICATION AKU_B_01 STOP; ALTER REPLICATION AKU_B_01 RESET;"), run.lines.join('\n'));
  });

  it('clean when this pod\'s own server is down: exit 1 at the connect step, naming the server and what to check', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.cluster.kill('altibase-sts-1');
    const run = await pods.aku(1, 'clean');
    assert.equal(run.code, 1);
    assert.deepEqual(steps(run), ['akuRunClean:connect:failed']);
    assert.match(run.outcome.problems[0] as string, /^cannot reach this pod's own server at altibase-sts-1\.altibase-svc:20300 \(ERR-50032 : Client unable to establish connection\..*\)\. Is the server running, started with REMOTE_SYSDBA_ENABLE=1, and is no other SYSDBA session open\?$/);
    assert.ok(run.lines.some((l) => l.includes('[ERROR][akuRunClean:connect][-][-] cannot reach this pod\'s own server')));
  });

  it('end when this pod\'s own server is down (its name still resolves): no fallback to the local address, exit 1, the file still goes', async () => {
    pods = new SimPods(testConfig({ serverCount: 2, endTimeBudgetSec: 1 }));
    await pods.startPods([0, 1]);
    pods.cluster.kill('altibase-sts-1');
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 1);
    assert.deepEqual(steps(run), ['akuRunEnd:role:done', 'akuRunEnd:handover:done', 'akuRunEnd:connect:failed', 'akuRunEnd:complete:done']);
    assert.ok(!messages(run).some((l) => /does not resolve/.test(l)), run.lines.join('\n'));
    assert.match(run.outcome.problems.join('\n'), /cannot reach this pod's own server at altibase-sts-1\.altibase-svc:20300/);
    assert.ok(!existsSync(pods.completionFile(1)));
  });
});
