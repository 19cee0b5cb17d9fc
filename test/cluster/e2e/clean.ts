/**
 * `kubectl exec <pod> -- aku -p clean` (NOTES: remove a pod's replication objects after a failure):
 * the pod drops its pairs, records the leave, resets the peers' sides, and drops out of service (its
 * completion file is gone, so the readiness probe fails). NOTES then says how it comes back:
 * `kubectl exec <pod> -- aku -p start`, which rejoins by TRUNCATE + SYNC from pod 0. The test does
 * exactly that and checks the rows written on the other pods meanwhile.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, describeResult, isReady, startAttempts, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease } from './release.js';

export function cleanAndRejoin(target: Target): void {
  const release = useRelease(target, 'aku-e2e-clean', 'clean');

  it('three pods Ready, a row written on each is on all three', async () => {
    await release().installWithRowsOnEach(3, 'before the clean');
  });

  it('kubectl exec pod 1 -- aku -p clean exits 0, drops its pairs, resets the peers\' sides, and the pod goes unready', async () => {
    const r = release();
    const clean = await r.exec(1, ['aku', '-p', 'clean']);
    assert.equal(clean.exitCode, 0, describeResult(clean));
    const out = String(clean.all);
    // Every pair of pod 1 within aku.serverCount (4), also toward pod 3, which does not exist.
    for (const pair of ['AKU_REP_01', 'AKU_REP_12', 'AKU_REP_13']) {
      assert.match(out, new RegExp(`\\[akuRunClean:drop\\]\\[${r.pod(1)}\\]\\[${pair}\\] Dropped ${pair}\\.`), out);
    }
    assert.match(out, /\[akuRunClean:record\].* Recorded in SYS\.AKU_LEFT_PAIRS that this pod left AKU_REP_01, AKU_REP_12, AKU_REP_13 deliberately\./, out);
    assert.match(out, new RegExp(`\\[akuRunClean:peers\\]\\[${r.pod(0)}\\]\\[AKU_REP_01\\] Stopped and reset AKU_REP_01\\.`), out);
    assert.match(out, new RegExp(`\\[akuRunClean:peers\\]\\[${r.pod(2)}\\]\\[AKU_REP_12\\] Stopped and reset AKU_REP_12\\.`), out);
    await waitFor(`${r.pod(1)} to be unready (its completion file is gone)`, 60_000, async () => (isReady(await r.podObject(1)) ? undefined : true));
    const objects = await r.cluster.sql(r.pod(1), 'SELECT REPLICATION_NAME FROM SYSTEM_.SYS_REPLICATIONS_');
    assert.deepEqual(objects.map((o) => o.REPLICATION_NAME), []);
    // Pods 0 and 2 stay in service and keep replicating between themselves.
    await r.write(0, 'while pod 1 was cleaned');
    await r.write(2, 'while pod 1 was cleaned');
    await r.expectRows([0, 2]);
  });

  it('NOTES\' way back, kubectl exec pod 1 -- aku -p start, rejoins by SYNC: Ready again with every row', async () => {
    const r = release();
    const notes = readFileSync(join(CHART_DIR, 'templates/NOTES.txt'), 'utf8');
    assert.match(notes, /-- aku -p clean\n[\s\S]*exec \{\{ \$sts \}\}-1 -c altibase -- aku -p start/, 'NOTES does not say how a cleaned pod comes back');
    const start = await r.exec(1, ['aku', '-p', 'start']);
    assert.equal(start.exitCode, 0, describeResult(start));
    assert.deepEqual(startPaths(String(start.all)), ['sync'], String(start.all));
    assert.match(String(start.all), /\[akuRunStart:sync\].* Replication sync has ended\./);
    await r.waitReady(3, 60_000);
    await r.write(1, 'after pod 1 rejoined');
    await r.write(2, 'after pod 1 rejoined');
    await r.expectRows([0, 1, 2]);
    // The container was never restarted: the exec'd start is what brought it back.
    const pod1 = await r.podObject(1);
    assert.equal(pod1.status.containerStatuses.find((c: any) => c.name === 'altibase').restartCount, 0);
    assert.equal(startAttempts(await r.log(1)), 1);
  });
}
