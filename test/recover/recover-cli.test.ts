import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { logMessages, ProcessPods } from '../helpers/process-pods.js';

/**
 * `kubectl exec altibase-sts-0 -- aku recover --from 1`, with the built bin/aku against altisim
 * processes, as the MASTER's container would run it: the MASTER's volume is lost while slaves 1
 * and 2 run and take writes; its start refuses; the plan changes nothing; --yes restores it; its
 * start then succeeds; pod 2 rejoins through `kubectl delete pod` (preStop -p end, a new
 * container, -p start); every row acknowledged before and after the failure is on every pod.
 */
describe('aku recover (bin/aku, altisim processes)', function () {
  this.timeout(120000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  const state = async () => {
    const all = [];
    for (const i of [0, 1, 2]) all.push({ rows: await pods.rows(i), objects: await pods.objects(i) });
    return all;
  };

  it('the MASTER lost its volume: refused start, plan (text and --json) changing nothing, --yes, the MASTER starts, pod 2 rejoins, no row lost', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    const inService = await pods.aku(0, ['recover', '--from', '1', '--yes']);
    assert.equal(inService.code, 1, inService.stdout);
    assert.match(inService.stderr, /^aku: the MASTER altibase-sts-0 is in service \(ADMIN_MODE 0\)/m);

    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'on the master')");
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on pod 1')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (3, 'on pod 2')");
    await pods.converged([0, 1, 2]);
    await pods.killServer(0);
    rmSync(join(pods.home(0), 'data'), { recursive: true, force: true });
    rmSync(pods.completionFile(0), { force: true });
    await pods.startServer(0);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (4, 'on pod 1 after the failure')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (5, 'on pod 2 after the failure')");

    const refused = await pods.aku(0, ['-p', 'start']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, /\[ERROR\]\[akuRunStart:detect\]\[-\]\[-\] The MASTER server is detected to have failed\. Check and perform a manual recovery\.\n/);
    assert.match(refused.stderr, /kubectl exec altibase-sts-0 -- aku recover --from 1 prints the plan and changes nothing; add --yes to carry it out \(docs\/recover\.md\)/);

    const before = await state();
    const plan = await pods.aku(0, ['recover', '--from', '1']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /^AKU started with RECOVER option\.\n/);
    assert.match(plan.stdout, /\[INFO\]\[akuRecover:plan\]\[-\]\[-\] The plan: restore the MASTER altibase-sts-0 from altibase-sts-1\. Nothing has been changed\.\n/);
    assert.match(plan.stdout, /\[INFO\]\[akuRecover:plan\]\[altibase-sts-1\]\[-\]    ALTER REPLICATION AKU_REP_01 SYNC PARALLEL 1\n/);
    assert.ok(logMessages(plan.stdout).includes('Nothing was changed. To carry out this plan: aku recover --from 1 --yes'), plan.stdout);
    assert.match(plan.stdout, /After it: kubectl delete pod altibase-sts-2: it rejoins by its own aku -p start/);
    assert.match(plan.stdout, /AKU run successfully\.\n?$/);
    const json = await pods.aku(0, ['recover', '--from', '1', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const outcome = JSON.parse(json.stdout);
    assert.equal(outcome.schemaVersion, 1);
    assert.equal(outcome.mode, 'plan');
    assert.deepEqual(outcome.source, { ordinal: 1, pod: 'altibase-sts-1' });
    assert.deepEqual(outcome.plan.map((e: { step: string; status: string }) => `${e.step}:${e.status}`), [
      'record:planned', 'leave:planned', 'create:planned', 'truncate:planned', 'sync:planned', 'start:planned', 'lineage:planned', 'done:planned',
    ]);
    assert.deepEqual(outcome.loss, { rows: [], masterRows: { count: 0, samples: [] }, unreachable: [], accepted: true });
    assert.deepEqual(outcome.comparison.rows.map((r: { pod: string; count: number }) => [r.pod, r.count]), [['altibase-sts-1', 5], ['altibase-sts-2', 5], ['altibase-sts-0', 0]]);
    assert.match(json.stderr, /\[INFO\]\[akuRecover:compare\]\[altibase-sts-2\]\[-\] altibase-sts-2 holds the same rows as altibase-sts-1\./);
    assert.deepEqual(await state(), before, 'the plan changed nothing');

    let done = await pods.aku(0, ['recover', '--from', '1', '--yes']);
    // A SYNC can fail on a loaded machine (ERR-61153, on Altibase too); recover then says to run
    // it again and resumes from its record. Once, as a user would: the second run must finish.
    if (done.code === 1 && /Run aku recover --from 1 --yes again: it resumes/.test(done.stderr)) {
      console.log(`      the first --yes run failed (${done.stderr.trim().split('\n').at(-1)?.slice(0, 120)}); running it again as it says`);
      done = await pods.aku(0, ['recover', '--from', '1', '--yes']);
    }
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /\[INFO\]\[akuRecover:sync\]\[altibase-sts-1\]\[AKU_REP_01\] Replication sync has ended\.\n/);
    assert.match(done.stdout, /Next: the MASTER's aku -p start succeeds now\./);
    assert.deepEqual(await pods.rows(0), await pods.rows(1));

    const start = await pods.aku(0, ['-p', 'start']);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (6, 'on the restored master')");
    // kubectl delete pod altibase-sts-2: its preStop's -p end, a new container, its -p start.
    assert.equal((await pods.aku(2, ['-p', 'end'])).code, 0);
    await pods.restartPod(2);
    const rejoin = await pods.aku(2, ['-p', 'start']);
    assert.equal(rejoin.code, 0, rejoin.stdout + rejoin.stderr);
    assert.match(rejoin.stdout, /Sync tables from MASTER Server\./);
    assert.deepEqual(await pods.converged([0, 1, 2]), [
      '1:on the master', '2:on pod 1', '3:on pod 2', '4:on pod 1 after the failure', '5:on pod 2 after the failure', '6:on the restored master',
    ]);
  });
});
