import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { altisimAdmin } from '../../src/db/drivers/altisim.js';
import { logMessages, ProcessPods } from '../helpers/process-pods.js';

/**
 * The three failures an operator met with the built CLI against altisim processes, each as it
 * was seen: an end that could not flush stranded its pod, an end with the MASTER down lost a
 * write, and a FLUSH at start with AKU_FLUSH_TIMEOUT_AT_START = 0 waited for the query timeout.
 */
describe('-p end keeps what it could not deliver; -p start delivers it within a bound (bin/aku, altisim processes)', function () {
  this.timeout(60000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('an end that cannot flush keeps both sides of the pair, exits 1 naming it, and the next start delivers the row', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    await pods.cut(0, 1, 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'unsent on 1')");

    const end = await pods.aku(1, ['-p', 'end', '--json'], { AKU_END_TIME_BUDGET: '2' });
    assert.equal(end.code, 1, end.stderr);
    assert.ok(end.seconds < 2 + 2, `end took ${end.seconds} s`);
    // --json: the log goes to stderr, the typed outcome to stdout.
    assert.match(end.stderr, /AKU_REP_01 is kept on both sides, not reset \(not flushed within \d s/);
    assert.match(end.stderr, /aku: -p end could not deliver every change: AKU_REP_01/);
    const outcome = JSON.parse(end.stdout) as { action: string; exitCode: number; steps: { step: string; status: string }[]; pairs: { replication: string; pod: string; result: string }[]; problems: string[] };
    assert.equal(outcome.action, 'end');
    assert.equal(outcome.exitCode, 1);
    assert.deepEqual(outcome.steps.map((s) => `${s.step}:${s.status}`), [
      'akuRunEnd:role:done', 'akuRunEnd:handover:done', 'akuRunEnd:connect:done', 'akuRunEnd:admin:done', 'akuRunEnd:flush:done', 'akuRunEnd:stop:done', 'akuRunEnd:reason:done', 'akuRunEnd:settle:done', 'akuRunEnd:complete:done',
    ]);
    assert.deepEqual(outcome.pairs.filter((p) => p.result === 'kept' || p.result === 'not-flushed').map((p) => `${p.replication}@${p.pod}:${p.result}`), [
      'AKU_REP_01@altibase-sts-1:not-flushed', 'AKU_REP_01@altibase-sts-1:kept',
    ]);
    assert.equal(outcome.problems.length, 1);
    assert.ok(!existsSync(pods.completionFile(1)));
    for (const pod of [0, 1]) assert.notEqual((await pods.objects(pod)).AKU_REP_01?.xsn, -1, `AKU_REP_01 keeps its restart point on pod ${pod}`);

    await pods.heal(0, 1, 'replication');
    await pods.restartPod(1);
    const start = await pods.aku(1, ['-p', 'start']);
    assert.equal(start.code, 0, start.stdout);
    assert.ok(!logMessages(start.stdout).includes('Sync tables from MASTER Server.'), 'resumed, not re-synced');
    assert.deepEqual(await pods.converged([0, 1]), ['1:unsent on 1']);
  });

  it('an end while the MASTER is down keeps its pair, exits 1, and the row reaches the MASTER once both are back', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    await pods.killServer(0);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'written while the MASTER was down')");

    const end = await pods.aku(1, ['-p', 'end']);
    assert.equal(end.code, 1, end.stdout);
    assert.match(end.stdout, /AKU_REP_01 is kept on both sides, not reset \(altibase-sts-0\.altibase-svc is not reachable\)/);
    assert.notEqual((await pods.objects(1)).AKU_REP_01?.xsn, -1);
    await pods.killServer(1);

    await pods.restartPod(0);
    const master = await pods.aku(0, ['-p', 'start']);
    assert.equal(master.code, 0, master.stdout);
    await pods.restartPod(1);
    const slave = await pods.aku(1, ['-p', 'start']);
    assert.equal(slave.code, 0, slave.stdout);
    assert.deepEqual(await pods.converged([0, 1]), ['1:written while the MASTER was down']);
  });

  it('a FLUSH at start with AKU_FLUSH_TIMEOUT_AT_START = 0 is bounded by half of AKU_QUERY_TIMEOUT and reports peer and gap', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    // The MASTER answers SQL but refuses pod 1's replication connections.
    await altisimAdmin(pods.address(0), 20300, 'cut', { peer: pods.address(1), path: 'replication' });
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'waiting in 1')");
    await pods.restartPod(1);

    const start = await pods.aku(1, ['-p', 'start'], { AKU_FLUSH_TIMEOUT_AT_START: '0', AKU_QUERY_TIMEOUT: '4' });
    assert.equal(start.code, 0, start.stdout);
    assert.ok(start.seconds < 2 + 3, `start took ${start.seconds} s; the bound is 2 s`);
    const said = logMessages(start.stdout).join('\n');
    assert.match(said, /FLUSH of AKU_REP_01 on altibase-sts-1 toward altibase-sts-0: gap \d+ \(V\$REPGAP\.REP_GAP\), \d+ s of 2 s/);
    assert.match(said, /AKU_REP_01 on altibase-sts-1 was not fully flushed within 2 s/);

    await altisimAdmin(pods.address(0), 20300, 'heal', { peer: pods.address(1), path: 'replication' });
    assert.deepEqual(await pods.converged([0, 1]), ['1:waiting in 1'], 'the running sender delivers the rest once the link heals');
  });
});
