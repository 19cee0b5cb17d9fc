import { strict as assert } from 'node:assert';
import { logMessages, PASSWORD, ProcessPods } from '../helpers/process-pods.js';

/**
 * The built `bin/aku`, unchanged, against `bin/altisim` server processes on loopback addresses,
 * named through an ALTISIM_HOSTS file: the path a pod takes with AKU_DRIVER=altisim (the same
 * lifecycle code the odbc driver runs for real Altibase). Each test builds its own pods.
 */
describe('bin/aku against altisim server processes', function () {
  this.timeout(60000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('starts a MASTER, joins two slaves by SYNC, replicates writes from every pod, and ends a pod', async () => {
    pods = new ProcessPods(3);
    await pods.startServer(0);
    const master = await pods.aku(0, ['-p', 'start', '--json']);
    assert.equal(master.code, 0, master.stderr);
    assert.match(master.stderr, /^AKU started with START option\.\n.*Start as MASTER Pod\./, 'with --json the log goes to stderr');
    const outcome = JSON.parse(master.stdout) as { action: string; exitCode: number; steps: { step: string; status: string }[]; problems: string[] };
    assert.deepEqual({ action: outcome.action, exitCode: outcome.exitCode, problems: outcome.problems }, { action: 'start', exitCode: 0, problems: [] });
    assert.deepEqual(outcome.steps.map((s) => `${s.step}:${s.status}`), [
      'akuRunStart:role:done', 'akuRunStart:connect:done', 'akuRunStart:detect:done', 'akuRunStart:items:done', 'akuRunStart:path:done',
      'akuRunStart:create:done', 'akuRunStart:start:done', 'akuRunStart:flush:done', 'akuRunStart:admin:done', 'akuRunStart:complete:done',
    ]);
    for (let k = 1; k <= 50; k++) await pods.app(0, `INSERT INTO SYS.T1 VALUES (${k}, 'm${k}')`);
    const masterRows = Array.from({ length: 50 }, (_, k) => `${k + 1}:m${k + 1}`);

    for (const pod of [1, 2]) {
      await pods.startServer(pod);
      const join = await pods.aku(pod, ['-p', 'start']);
      assert.equal(join.code, 0, join.stdout);
      assert.match(join.stdout, /Sync tables from MASTER Server\.\n.*Replication sync has ended\./);
      assert.doesNotMatch(join.stdout + join.stderr, new RegExp(PASSWORD));
      assert.deepEqual(await pods.rows(pod), masterRows, `pod ${pod} holds every MASTER row after its SYNC`);
    }
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (51, 'one')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (52, 'two')");
    await pods.app(0, "UPDATE SYS.T1 SET V = 'changed' WHERE ID = 7");
    await pods.app(1, 'DELETE FROM SYS.T1 WHERE ID = 8');
    const expected = [...masterRows.filter((r) => !r.startsWith('7:') && !r.startsWith('8:')), '7:changed', '51:one', '52:two']
      .sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0]));
    assert.deepEqual(await pods.converged([0, 1, 2]), expected);

    const end = await pods.aku(2, ['-p', 'end']);
    assert.equal(end.code, 0, end.stdout);
    const onMaster = await pods.objects(0);
    assert.deepEqual(Object.keys(onMaster), ['AKU_REP_01', 'AKU_REP_02']);
    assert.deepEqual(onMaster.AKU_REP_02, { xsn: -1, started: false }, 'the ended pod\'s pair is reset on the MASTER too');
    assert.equal(onMaster.AKU_REP_01?.started, true);
    assert.notEqual(onMaster.AKU_REP_01?.xsn, -1, 'the pair without pod 2 keeps its history');
  });

  it('--dry-run on a running pod prints the plan and changes nothing', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    const before = [await pods.objects(0), await pods.objects(1)];
    const plan = await pods.aku(1, ['-p', 'clean', '--dry-run']);
    assert.equal(plan.code, 0, plan.stdout);
    assert.match(plan.stdout, /\[plan\]\[altibase-sts-1\]\[-\] DROP REPLICATION AKU_REP_01/);
    assert.ok(logMessages(plan.stdout).includes('Dry run: reading only; the statements below are what aku would run.'));
    assert.deepEqual([await pods.objects(0), await pods.objects(1)], before);
  });
});
