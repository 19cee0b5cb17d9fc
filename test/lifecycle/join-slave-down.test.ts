import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { messages, podHost, podName, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * A join while another slave is down. Altibase does not forward received changes (§0.1): a change
 * made on slave 1 that had not reached the MASTER when slave 1 went down is not in the MASTER's SYNC
 * snapshot, and when slave 1 returns, its new pair toward the joined pod starts from its current log
 * position. aku refuses such a join until slave 1 answers again, so no change is lost.
 */
describe('a join while another slave is down (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('waits for the slave: its change that never reached the MASTER reaches the new pod once both have started', async () => {
    pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 2 }));
    await pods.startPods([0, 1]);
    pods.cluster.cut(podName(0), podName(1), 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1, not on the MASTER')");
    pods.cluster.kill(podName(1));
    pods.cluster.heal(podName(0), podName(1), 'replication');

    await pods.addPod(2);
    await pods.sysdba(2, "INSERT INTO SYS.T1 VALUES (7, 'old row on 2')");
    const joinWhileDown = await pods.aku(2, 'start');
    const rowsOf2AfterRefusal = await pods.rows(2);

    // Pod 1's container restarts; its start resumes. Pod 2's entrypoint runs its start again.
    pods.cluster.start(podName(1));
    pods.removeCompletionFile(1);
    const back = await pods.aku(1, 'start');
    assert.equal(back.code, 0, back.lines.join('\n'));
    if (joinWhileDown.code !== 0) {
      const retry = await pods.aku(2, 'start');
      assert.equal(retry.code, 0, retry.lines.join('\n'));
    }
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on 1 after the join')");
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (3, 'on 2')");
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:on 1, not on the MASTER', '2:on 1 after the join', '3:on 2']);

    // The refusal itself: exit 1 by name, with what the user does; nothing was truncated.
    assert.equal(joinWhileDown.code, 1, joinWhileDown.lines.join('\n'));
    assert.ok(joinWhileDown.lines.some((l) => l.includes('[ERROR][akuRunStart:source]')), joinWhileDown.lines.join('\n'));
    assert.match(
      joinWhileDown.errors.join('\n'),
      new RegExp(
        `this pod cannot join while a slave that may hold changes the MASTER has not received is down: ${podHost(1).replaceAll('.', '\\.')} is not reachable \\(.*\\) ` +
          'but the MASTER holds replication history with it \\(AKU_REP_01 XSN \\d+\\); if altibase-sts-1 is gone for good, give up its undelivered changes on the MASTER: ' +
          'ALTER REPLICATION AKU_REP_01 STOP; ALTER REPLICATION AKU_REP_01 RESET; and delete altibase-sts-1 with its volume\\. .*Nothing was truncated; aku -p start joins once that pod answers again',
      ),
    );
    assert.deepEqual(rowsOf2AfterRefusal, ['7:old row on 2']);
  });

  it('does not wait for a slave that left with -p clean, nor for one whose pod no longer exists (named warning)', async () => {
    pods = new SimPods(testConfig({ serverCount: 4, flushTimeoutAtStartSec: 2 }));
    await pods.startPods([0, 1, 2]);
    // Pod 1 leaves deliberately, then its server stops; pod 2's pod is deleted (its name stops resolving).
    const clean = await pods.aku(1, 'clean');
    assert.equal(clean.code, 0, clean.lines.join('\n'));
    pods.cluster.kill(podName(1));
    pods.cluster.kill(podName(2));
    pods.cluster.removeHost(podHost(2));
    await pods.addPod(3);
    const run = await pods.aku(3, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(existsSync(pods.completionFile(3)));
    const said = messages(run);
    assert.ok(!said.some((m) => m.includes('altibase-sts-1.altibase-svc does not resolve')));
    assert.ok(
      said.some((m) => m.startsWith('altibase-sts-2.altibase-svc does not resolve (no such pod: scaled down or deleted) while the MASTER holds replication history with it (AKU_REP_02 XSN')
        && m.includes('run aku -p end, then aku -p start, in this pod once altibase-sts-2 has started')),
      run.lines.join('\n'),
    );
  });
});
