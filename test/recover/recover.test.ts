import { strict as assert } from 'node:assert';
import { messages, SimPods, testConfig } from '../helpers/sim-pods.js';

/** Every pod's rows (T1, T3) and replication objects: what "nothing changed" compares. */
async function snapshot(pods: SimPods, ordinals: number[]): Promise<unknown> {
  const all = [];
  for (const i of ordinals) all.push({ t1: await pods.rows(i), t3: await pods.rows(i, 'SYS.T3'), objects: Object.fromEntries(await pods.replications(i)) });
  return all;
}

/** `kubectl delete pod`: the preStop's -p end (the pod comes back), a new container, its -p start. */
async function deletePod(pods: SimPods, i: number): Promise<void> {
  const end = await pods.aku(i, 'end', { stopReason: { kind: 'restart', cause: 'pod-deleted', detail: 'kubectl delete pod' } });
  assert.equal(end.code, 0, end.lines.join('\n'));
  pods.restartPod(i);
  const start = await pods.aku(i, 'start');
  assert.equal(start.code, 0, start.lines.join('\n'));
}

describe('aku recover: the MASTER restored from a slave (altisim in-process)', function () {
  this.timeout(60000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  /** Three pods in service with rows written on each; then pod-0's volume is lost and both slaves take more writes. */
  async function masterLostItsVolume(): Promise<string[]> {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'on the master')");
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on pod 1')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (3, 'on pod 2')");
    await pods.app(2, "INSERT INTO SYS.T3 VALUES (3, 'on pod 2')");
    await pods.converged([0, 1, 2]);
    await pods.loseVolume(0);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (4, 'on pod 1 after the failure')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (5, 'on pod 2 after the failure')");
    return ['1:on the master', '2:on pod 1', '3:on pod 2', '4:on pod 1 after the failure', '5:on pod 2 after the failure'];
  }

  it('plans without --yes and changes nothing; with --yes restores the MASTER, whose start then succeeds; pod 2 rejoins; no row is lost', async () => {
    const acknowledged = await masterLostItsVolume();
    const refused = await pods.aku(0, 'start');
    assert.equal(refused.code, 1);
    assert.match(refused.outcome.problems[0] ?? '', /^The MASTER server is detected to have failed\. Check and perform a manual recovery\. .*aku recover --from <ordinal>/);

    const before = await snapshot(pods, [0, 1, 2]);
    const plan = await pods.recover(0, { source: 1 });
    assert.equal(plan.code, 0, plan.lines.join('\n'));
    assert.equal(plan.outcome.mode, 'plan');
    assert.deepEqual(await snapshot(pods, [0, 1, 2]), before, 'the plan changed nothing');
    const said = messages(plan);
    assert.ok(said.includes('The plan: restore the MASTER altibase-sts-0 from altibase-sts-1. Nothing has been changed.'), said.join('\n'));
    assert.ok(said.some((l) => /^\d\. leave: altibase-sts-2 leaves replication/.test(l)), said.join('\n'));
    assert.ok(said.includes('   ALTER REPLICATION AKU_REP_01 SYNC PARALLEL 1'));
    assert.ok(said.includes('What will be lost: nothing that can be seen. Every row the other slaves hold is on altibase-sts-1.'), said.join('\n'));
    assert.ok(said.includes('Nothing was changed. To carry out this plan: aku recover --from 1 --yes'));
    assert.deepEqual(plan.outcome.rejoin, [{ pod: 'altibase-sts-2', command: 'kubectl delete pod altibase-sts-2' }]);
    assert.deepEqual(plan.outcome.plan.map((e) => [e.step, e.status]), [
      ['record', 'planned'], ['leave', 'planned'], ['create', 'planned'], ['truncate', 'planned'], ['sync', 'planned'], ['start', 'planned'], ['lineage', 'planned'], ['done', 'planned'],
    ]);

    const done = await pods.recover(0, { source: 1, act: true });
    assert.equal(done.code, 0, done.lines.join('\n'));
    assert.deepEqual(done.outcome.plan.map((e) => e.status), ['done', 'done', 'done', 'done', 'done', 'done', 'done', 'done']);
    assert.deepEqual(await pods.rows(0), await pods.rows(1));
    assert.equal((await pods.sysdba(2, "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'ADMIN_MODE'"))[0]?.VALUE1, '1');

    const start = await pods.aku(0, 'start');
    assert.equal(start.code, 0, start.lines.join('\n'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (6, 'on the restored master')");
    await deletePod(pods, 2);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (7, 'on pod 2 rejoined')");
    assert.deepEqual(await pods.converged([0, 1, 2]), [...acknowledged, '6:on the restored master', '7:on pod 2 rejoined']);
    assert.deepEqual(await pods.converged([0, 1, 2], 'SYS.T3'), ['3:on pod 2']);
  });
});
