import { strict as assert } from 'node:assert';
import { createInProcessDriver } from '../../src/altisim/inprocess/driver.js';
import { fixtureText, parse } from '../helpers/conf.js';
import { messages, podHost, podName, SimPods, testConfig } from '../helpers/sim-pods.js';

/** Every pod's rows (T1, T3) and replication objects: what "nothing changed" compares. */
async function snapshot(pods: SimPods, ordinals: number[]): Promise<unknown> {
  const all = [];
  for (const i of ordinals) all.push({ t1: await pods.rows(i), t3: await pods.rows(i, 'SYS.T3'), objects: Object.fromEntries(await pods.replications(i)) });
  return all;
}

/**
 * A row on pod i alone that no FLUSH will ever bring to another pod: written with replication off
 * for the session, which leaves the same state as a row the old MASTER's sender delivered to pod i
 * and to nobody else before the MASTER's volume was lost (received changes are not forwarded).
 */
async function onlyOn(pods: SimPods, i: number, sql: string): Promise<void> {
  const connection = await createInProcessDriver(pods.cluster, { clientAddress: '127.0.0.1' }).connect({
    host: podHost(i), port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 30,
  });
  try {
    await connection.query('ALTER SESSION SET REPLICATION = NONE', 30);
    await connection.query(sql, 30);
  } finally {
    await connection.close();
  }
}

async function adminMode(pods: SimPods, i: number): Promise<string> {
  return String((await pods.sysdba(i, "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'ADMIN_MODE'"))[0]?.VALUE1);
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
    assert.equal(await adminMode(pods, 2), '1');

    const start = await pods.aku(0, 'start');
    assert.equal(start.code, 0, start.lines.join('\n'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (6, 'on the restored master')");
    await deletePod(pods, 2);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (7, 'on pod 2 rejoined')");
    assert.deepEqual(await pods.converged([0, 1, 2]), [...acknowledged, '6:on the restored master', '7:on pod 2 rejoined']);
    assert.deepEqual(await pods.converged([0, 1, 2], 'SYS.T3'), ['3:on pod 2']);
  });

  it('refuses when another slave holds every row the source holds and more, suggesting --from that slave; that one then restores', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on pod 1')");
    // The old MASTER's last row reached pod 2 only: its link to pod 1 was cut, then its volume was lost.
    pods.cluster.cut(podName(0), podName(1), 'replication');
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (2, 'master to pod 2 only')");
    await pods.converged([0, 2]);
    await pods.loseVolume(0);
    pods.cluster.heal(podName(0), podName(1), 'replication');

    const before = await snapshot(pods, [0, 1, 2]);
    for (const act of [false, true]) {
      const refused = await pods.recover(0, { source: 1, act });
      assert.equal(refused.code, 1, refused.lines.join('\n'));
      assert.equal(
        refused.outcome.refusal,
        "another slave holds rows the source lacks: altibase-sts-2 holds 1 row (SYS.T1 (ID=2, V='master to pod 2 only')) altibase-sts-1 lacks, and altibase-sts-1 none it lacks. " +
          'Received changes are not forwarded (§0.1), so rows only another slave held can be lost: restoring the MASTER from altibase-sts-1 would lose them. ' +
          'altibase-sts-2 holds every row the compared slaves hold: run aku recover --from 2 instead, which loses none of them. Nothing was changed.',
      );
      assert.ok(refused.lines.includes('AKU failed to run.'));
      assert.deepEqual(await snapshot(pods, [0, 1, 2]), before, 'nothing changed');
    }
    const restored = await pods.recover(0, { source: 2, act: true });
    assert.equal(restored.code, 0, restored.lines.join('\n'));
    assert.deepEqual(restored.outcome.rejoin, [{ pod: 'altibase-sts-1', command: 'kubectl delete pod altibase-sts-1' }]);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await deletePod(pods, 1);
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:on pod 1', '2:master to pod 2 only']);
  });

  it('refuses an ambiguous source, naming counts and rows both ways and which --from loses less; --accept-loss goes on with the loss named', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'everywhere')");
    await pods.converged([0, 1, 2]);
    await onlyOn(pods, 1, "INSERT INTO SYS.T1 VALUES (11, 'pod 1 only')");
    await onlyOn(pods, 2, "INSERT INTO SYS.T1 VALUES (21, 'pod 2 only a')");
    await onlyOn(pods, 2, "INSERT INTO SYS.T3 VALUES (22, 'pod 2 only b')");
    await pods.loseVolume(0);
    // Written on pod 2 after the failure: its own pair delivers it to pod 1 before the comparison.
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (23, 'pod 2, delivered')");

    const before = await snapshot(pods, [0, 1, 2]);
    const refused = await pods.recover(0, { source: 1, act: true });
    assert.equal(refused.code, 1, refused.lines.join('\n'));
    assert.equal(
      refused.outcome.refusal,
      'the choice of source is ambiguous: altibase-sts-2 and altibase-sts-1 each hold rows the other lacks: ' +
        "altibase-sts-2 holds 2 rows (SYS.T1 (ID=21, V='pod 2 only a'); SYS.T3 (ID=22, V='pod 2 only b')) altibase-sts-1 lacks, " +
        "altibase-sts-1 holds 1 row (SYS.T1 (ID=11, V='pod 1 only')) altibase-sts-2 lacks. " +
        'Received changes are not forwarded (§0.1), so rows only another slave held can be lost: restoring the MASTER from altibase-sts-1 would lose them. ' +
        'aku recover --from 2 would lose less (1 row, against 2 rows with --from 1); either way some rows are lost, so add --accept-loss to the one you choose. Nothing was changed.',
    );
    assert.ok(refused.errors.some((l) => l.startsWith('aku: the choice of source is ambiguous')), 'the summary is on stderr');
    assert.deepEqual(await snapshot(pods, [0, 1, 2]), before, 'nothing changed');
    assert.deepEqual(refused.outcome.loss?.rows.map((r) => [r.pod, r.count]), [['altibase-sts-2', 2]]);
    assert.deepEqual(refused.outcome.comparison?.lossIf.map((l) => [l.pod, l.rows]), [['altibase-sts-1', 2], ['altibase-sts-2', 1]]);

    const plan = await pods.recover(0, { source: 2, acceptLoss: true });
    assert.equal(plan.code, 0, plan.lines.join('\n'));
    assert.ok(plan.lines.some((l) => l.includes("[WARN][akuRecover:plan][altibase-sts-1][-] What will be lost: 1 row(s) only altibase-sts-1 holds (SYS.T1 (ID=11, V='pod 1 only')), gone once it rejoins from the restored MASTER. Received changes are not forwarded (§0.1), so rows only another slave held can be lost.")), plan.lines.join('\n'));
    assert.deepEqual(await snapshot(pods, [0, 1, 2]), before, 'a plan with --accept-loss changes nothing either');
    const done = await pods.recover(0, { source: 2, act: true, acceptLoss: true });
    assert.equal(done.code, 0, done.lines.join('\n'));
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await deletePod(pods, 1);
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:everywhere', '21:pod 2 only a', "23:pod 2, delivered"]);
  });

  it('refuses a MASTER in service, and one whose pairs hold history; nothing changes', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'x')");
    await pods.converged([0, 1]);
    const before = await snapshot(pods, [0, 1]);
    const inService = await pods.recover(0, { source: 1, act: true });
    assert.equal(inService.code, 1);
    assert.match(inService.outcome.refusal ?? '', /^the MASTER altibase-sts-0 is in service \(ADMIN_MODE 0\): its aku -p start completed, so it did not fail, and a recovery would truncate its tables\. Nothing was changed\./);
    assert.ok(inService.lines.some((l) => l.includes('[ERROR][akuRecover:check][-][-] the MASTER altibase-sts-0 is in service')), inService.lines.join('\n'));
    pods.restartPod(0); // ADMIN_MODE 1 again, its pairs intact
    const kept = await pods.recover(0, { source: 1, act: true });
    assert.equal(kept.code, 1);
    assert.match(kept.outcome.refusal ?? '', /^the MASTER altibase-sts-0 holds replication history \(AKU_REP_01 XSN \d+\): it did not lose its replication information/);
    assert.deepEqual(await snapshot(pods, [0, 1]), before);
  });

  it('refuses a source that is unreachable, not in service, or without history with the set; --from a slave in service then restores, and the one that was not leaves', async () => {
    pods = new SimPods(testConfig({ serverCount: 4 }));
    await pods.startPods([0, 1, 2]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'x')");
    await pods.converged([0, 1, 2]);
    await pods.addPod(3); // never joined: its start did not run
    await pods.loseVolume(0);
    pods.restartPod(1); // its start cannot complete while the MASTER is failed: ADMIN_MODE 1
    assert.equal((await pods.aku(1, 'start')).code, 1);
    const before = await snapshot(pods, [0, 1, 2, 3]);

    const notInService = await pods.recover(0, { source: 1 });
    assert.equal(notInService.code, 1);
    assert.match(notInService.outcome.refusal ?? '', /^the source altibase-sts-1 is not in service \(ADMIN_MODE 1: its own aku -p start has not completed, or it is ending\)/);
    await pods.sysdba(3, 'ALTER SYSTEM SET ADMIN_MODE = 0');
    const noHistory = await pods.recover(0, { source: 3 });
    assert.equal(noHistory.code, 1);
    assert.match(noHistory.outcome.refusal ?? '', /^the source altibase-sts-3 holds no replication history with the MASTER for AKU_REP_03 \(missing\)/);
    await pods.sysdba(3, 'ALTER SYSTEM SET ADMIN_MODE = 1');
    pods.cluster.cut(podName(0), podName(2), 'service');
    const unreachable = await pods.recover(0, { source: 2 });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.outcome.refusal ?? '', /^the source altibase-sts-2 is not reachable \(.+\); the MASTER can only be restored from a running slave\. Nothing was changed\./);
    pods.cluster.heal(podName(0), podName(2), 'service');
    assert.deepEqual(await snapshot(pods, [0, 1, 2, 3]), before);

    const done = await pods.recover(0, { source: 2, act: true });
    assert.equal(done.code, 0, done.lines.join('\n'));
    assert.deepEqual(done.outcome.plan.filter((e) => e.step === 'leave').map((e) => [e.pod, e.status]), [['altibase-sts-1', 'done'], ['altibase-sts-3', 'skipped']]);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await deletePod(pods, 1);
    assert.equal((await pods.aku(3, 'start')).code, 0);
    assert.deepEqual(await pods.converged([0, 1, 2, 3]), ['1:x']);
  });

  it('an unreachable slave that holds history with the source: refused unless --accept-loss; then recorded as left, and its own start rejoins', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'x')");
    await pods.converged([0, 1, 2]);
    await pods.loseVolume(0);
    pods.cluster.kill(podName(2));
    const refused = await pods.recover(0, { source: 1, act: true });
    assert.equal(refused.code, 1);
    assert.match(
      refused.outcome.refusal ?? '',
      /^a slave that may hold changes the source lacks is not reachable: altibase-sts-2 is not reachable \(.+\) while its pair with altibase-sts-1 holds history \(AKU_REP_12 XSN \d+\): changes it made that had not reached altibase-sts-1 would be lost\..* Bring altibase-sts-2 back \(its container restarts by itself\) and run aku recover again\. To restore from altibase-sts-1 anyway and lose them, add --accept-loss\. Nothing was changed\.$/,
    );
    const done = await pods.recover(0, { source: 1, act: true, acceptLoss: true });
    assert.equal(done.code, 0, done.lines.join('\n'));
    assert.deepEqual((await pods.sysdba(0, 'SELECT REPLICATION_NAME FROM SYS.AKU_LEFT_PAIRS')).map((r) => r.REPLICATION_NAME), ['AKU_REP_02']);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    pods.restartPod(2);
    const rejoin = await pods.aku(2, 'start');
    assert.equal(rejoin.code, 0, rejoin.lines.join('\n'));
    assert.ok(messages(rejoin).some((l) => l.startsWith('The MASTER left AKU_REP_02 deliberately')), rejoin.lines.join('\n'));
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'y')");
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:x', '2:y']);
  });

  it('a -p start of the MASTER during recover waits for it, holding no session, then succeeds; a busy SYSDBA slot is waited for, then refused by name', async () => {
    await masterLostItsVolume();
    let start: ReturnType<SimPods['aku']> | undefined;
    const done = await pods.recover(0, { source: 1, act: true }, {
      beforeStatement: (sql) => {
        // The entrypoint's next attempt, while recover runs: not awaited, it waits for recover.
        if (start === undefined && sql.startsWith('ALTER REPLICATION AKU_REP_01 SYNC')) start = pods.aku(0, 'start');
      },
    });
    assert.equal(done.code, 0, done.lines.join('\n'));
    const started = await start;
    assert.equal(started?.code, 0, started?.lines.join('\n'));
    const said = messages(started as Awaited<ReturnType<SimPods['aku']>>);
    assert.match(said.find((l) => l.startsWith('aku recover (pid')) ?? '', /^aku recover \(pid \d+\) is restoring this MASTER and holds the servers' SYSDBA sessions; waiting for it to end, at most 30 s \(AKU_QUERY_TIMEOUT\)\.$/);
    assert.ok(said.includes('aku recover has ended; this start goes on.'));
    assert.deepEqual(await pods.rows(0), await pods.rows(1));

    const held = await createInProcessDriver(pods.cluster, { clientAddress: '127.0.0.1' }).connect({
      host: podHost(2), port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 30,
    });
    try {
      const busy = await pods.recover(0, { source: 1 }, { busyWaitSec: 1 });
      assert.equal(busy.code, 1);
      assert.match(busy.outcome.refusal ?? '', /^altibase-sts-2\.altibase-svc kept its SYSDBA session in use for 1 s .*Nothing was changed; run aku recover again — close any isql -sysdba session there if it persists\.$/);
    } finally {
      await held.close();
    }
  });

  it('killed before or after any statement, a rerun of recover --yes completes; the MASTER starts, pod 2 rejoins, no row is lost', async function () {
    this.timeout(300000);
    await masterLostItsVolume();
    const total = (await pods.recover(0, { source: 1, act: true })).statements;
    pods.close();
    for (let k = 1; k <= total; k++) {
      for (const kill of [{ killAtStatement: k }, { killAfterStatement: k }]) {
        const acknowledged = await masterLostItsVolume();
        const killed = await pods.recover(0, { source: 1, act: true }, kill);
        assert.equal(killed.code, 137, `${JSON.stringify(kill)}:\n${killed.lines.join('\n')}`);
        // The entrypoint's next start attempt comes before the user's rerun: it may only succeed
        // on a MASTER that already holds the source's rows and no slave holds history it lacks.
        const early = await pods.aku(0, 'start');
        if (early.code === 0) assert.deepEqual(await pods.rows(0), await pods.rows(1), `${JSON.stringify(kill)}: the MASTER started before it was restored`);
        else assert.match(early.outcome.problems[0] ?? '', /^(The MASTER server is detected to have failed|aku recover began restoring this MASTER from altibase-sts-1 at .* and has not finished)/, JSON.stringify(kill));
        const rerun = await pods.recover(0, { source: 1, act: true });
        assert.equal(rerun.code, 0, `${JSON.stringify(kill)}, the rerun:\n${rerun.lines.join('\n')}`);
        if (early.code !== 0) {
          const start = await pods.aku(0, 'start');
          assert.equal(start.code, 0, `${JSON.stringify(kill)}, the MASTER's start:\n${start.lines.join('\n')}`);
        }
        await deletePod(pods, 2);
        assert.deepEqual(await pods.converged([0, 1, 2]), acknowledged, JSON.stringify(kill));
        pods.close();
      }
    }
  });

  it('a step that fails is named; the MASTER will not start half-restored; another --from is refused; --from the same pod resumes, even after that pod restarted', async () => {
    const acknowledged = await masterLostItsVolume();
    pods.cluster.server(podName(1)).faults.add({ count: 2, match: /SYNC PARALLEL/, error: { code: 0x6100d } });
    const failed = await pods.recover(0, { source: 1, act: true });
    assert.equal(failed.code, 1);
    assert.match(failed.outcome.problems[0] ?? '', /^the sync step failed: .*ERR-6100D.* Run aku recover --from 1 --yes again: it resumes from the MASTER's record \(SYS\.AKU_RECOVERY\)\.$/);
    assert.equal(failed.outcome.refusal, null);
    assert.deepEqual(failed.outcome.plan.map((e) => e.status), ['done', 'done', 'done', 'done', 'failed', 'planned', 'planned', 'planned']);
    assert.ok(failed.lines.some((l) => /\[ERROR\]\[akuRecover:sync\]\[-\]\[-\] the sync step failed: /.test(l)), failed.lines.join('\n'));

    const start = await pods.aku(0, 'start');
    assert.equal(start.code, 1);
    assert.match(start.outcome.problems[0] ?? '', /^aku recover began restoring this MASTER from altibase-sts-1 at \S+ and has not finished \(SYS\.AKU_RECOVERY on altibase-sts-0 says RUNNING\); this start does not put a half-restored MASTER in service\. Finish the recovery: kubectl exec altibase-sts-0 -- aku recover --from 1 --yes/);

    const other = await pods.recover(0, { source: 2, act: true });
    assert.equal(other.code, 1);
    assert.match(other.outcome.refusal ?? '', /^a recovery of the MASTER from altibase-sts-1 began at \S+ and has not finished \(SYS\.AKU_RECOVERY on altibase-sts-0\); finish it with aku recover --from 1 --yes\. To abandon it instead, run on altibase-sts-0: DELETE FROM SYS\.AKU_RECOVERY;/);

    pods.restartPod(1); // the source's container restarts: ADMIN_MODE 1, and its start waits for the MASTER
    const sourceStart = await pods.aku(1, 'start');
    assert.equal(sourceStart.code, 1, sourceStart.lines.join('\n'));
    const resumed = await pods.recover(0, { source: 1, act: true });
    assert.equal(resumed.code, 0, resumed.lines.join('\n'));
    assert.ok(resumed.outcome.resumed);
    assert.deepEqual(resumed.outcome.plan.map((e) => [e.step, e.status]), [
      ['record', 'skipped'], ['leave', 'skipped'], ['create', 'skipped'], ['truncate', 'done'], ['sync', 'done'], ['start', 'done'], ['lineage', 'done'], ['done', 'done'],
    ]);
    const again = await pods.recover(0, { source: 1, act: true });
    assert.equal(again.code, 0, again.lines.join('\n'));
    assert.ok(again.outcome.finished, 'a finished recovery run again has nothing left to do');
    assert.deepEqual(again.outcome.rejoin, [{ pod: 'altibase-sts-2', command: 'kubectl delete pod altibase-sts-2' }]);

    assert.equal((await pods.aku(0, 'start')).code, 0);
    pods.restartPod(1);
    assert.equal((await pods.aku(1, 'start')).code, 0);
    await deletePod(pods, 2);
    assert.deepEqual(await pods.converged([0, 1, 2]), acknowledged);
  });

  it('several REPLICATIONS groups: each group\'s pair with the source is restored, and every group\'s rows converge', async () => {
    const schema = Array.from({ length: 9 }, (_, k) => `CREATE TABLE SYS.T${k + 1} (ID INTEGER PRIMARY KEY, V VARCHAR(40))`);
    const groups = parse(fixtureText('sample-three-groups.conf')).config.replications.map((g) => ({ ...g, items: g.items.map(({ user, table }) => ({ user, table })) }));
    pods = new SimPods(testConfig({ serverCount: 3, replications: groups }));
    for (const i of [0, 1, 2]) {
      await pods.addPod(i, schema);
      assert.equal((await pods.aku(i, 'start')).code, 0);
    }
    await pods.app(2, "INSERT INTO SYS.T4 VALUES (1, 'group 2 on pod 2')");
    await pods.app(1, "INSERT INTO SYS.T9 VALUES (1, 'group 3 on pod 1')");
    await pods.converged([0, 1, 2], 'SYS.T4');
    await pods.loseVolume(0, schema);
    await pods.app(2, "INSERT INTO SYS.T9 VALUES (2, 'group 3 on pod 2 after')");
    const done = await pods.recover(0, { source: 1, act: true });
    assert.equal(done.code, 0, done.lines.join('\n'));
    assert.ok(messages(done).includes('   ALTER REPLICATION AKU_REP3_01 SYNC PARALLEL 1'), done.lines.join('\n'));
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await deletePod(pods, 2);
    assert.deepEqual(await pods.converged([0, 1, 2], 'SYS.T4'), ['1:group 2 on pod 2']);
    assert.deepEqual(await pods.converged([0, 1, 2], 'SYS.T9'), ['1:group 3 on pod 1', '2:group 3 on pod 2 after']);
  });

  it('the manual\'s case, a MASTER that lost only its replication information: its own rows the source lacks are named as truncated, not a refusal', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on the slave')");
    await pods.converged([0, 1]);
    await onlyOn(pods, 0, "INSERT INTO SYS.T1 VALUES (9, 'on the failed master only')");
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 RESET');
    pods.restartPod(0);
    assert.equal((await pods.aku(0, 'start')).code, 1);

    const done = await pods.recover(0, { source: 1, act: true });
    assert.equal(done.code, 0, done.lines.join('\n'));
    assert.ok(done.lines.some((l) => l.includes("[WARN][akuRecover:plan][altibase-sts-0][-] What will be lost: 1 row(s) the failed MASTER holds that altibase-sts-1 lacks (SYS.T1 (ID=9, V='on the failed master only')); its tables are truncated.")), done.lines.join('\n'));
    assert.deepEqual(done.outcome.plan.find((e) => e.step === 'create')?.status, 'skipped');
    const start = await pods.aku(0, 'start');
    assert.equal(start.code, 0, start.lines.join('\n'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (2, 'on the master')");
    assert.deepEqual(await pods.converged([0, 1]), ['1:on the slave', '2:on the master']);
  });
});
