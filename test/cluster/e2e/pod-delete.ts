/**
 * `kubectl delete pod` of a slave, then of the MASTER (pod 0): the StatefulSet controller recreates
 * the pod under the same name on the same claim; rows written on the other pods while it is away
 * reach it, and the other pods run no start again (nothing of theirs is truncated or synchronised).
 * Which path each restarted pod took is read from aku's `[akuRunStart:path]` lines.
 */
import assert from 'node:assert/strict';
import { describeResult, followLog, isReady, pathAfterEnd, startAttempts, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease, type E2eRelease } from './release.js';

/** Deletes pod n and, while it is away (gone or not Ready yet), writes one row on each other pod. */
async function deleteAndWriteMeanwhile(r: E2eRelease, n: number, others: number[]): Promise<{ log: string; uid: string }> {
  const uid = (await r.podObject(n)).metadata.uid as string;
  const follower = followLog(r.cluster, r.pod(n));
  const del = await r.cluster.kubectl(['delete', 'pod', r.pod(n), '--wait=false']);
  assert.equal(del.exitCode, 0, describeResult(del));
  await follower.done;
  // The old container has ended; its replacement is not Ready before its aku -p start completes.
  const now = (await r.cluster.pods(r.name)).find((p) => p.metadata.name === r.pod(n));
  assert.ok(!now || now.metadata.uid === uid || !isReady(now), `${r.pod(n)} was Ready again before any row was written`);
  for (const o of others) await r.write(o, `while pod ${n} was away`);
  return { log: follower.text(), uid };
}

export function podDelete(target: Target): void {
  const release = useRelease(target, 'aku-e2e-pod-delete', 'del');

  it('three pods Ready, a row written on each is on all three', async () => {
    await release().installWithRowsOnEach(3, 'before any delete');
  });

  it('kubectl delete pod of slave 1: it returns on its claim and holds the rows written on 0 and 2 meanwhile; 0 and 2 run no start again', async () => {
    const r = release();
    const { log: ended, uid } = await deleteAndWriteMeanwhile(r, 1, [0, 2]);
    assert.match(ended, /\[pre-stop\] .*aku -p end exited with status 0/, ended);
    await r.waitReplaced(1, uid);
    const log1 = await r.log(1);
    // The start takes the path the end left: resume when aku -p end recognised the restart and
    // kept the pairs (docs/lifecycle.md, "why this pod stops"), TRUNCATE + SYNC when it reset them
    // (an image whose aku cannot tell a restart from a scale-down).
    assert.deepEqual(startPaths(log1), [pathAfterEnd(ended)], `${ended}\n${log1}`);
    console.log(`      slave 1 deleted: its end ${pathAfterEnd(ended) === 'sync' ? 'reset its pairs; it rejoined by TRUNCATE + SYNC' : 'kept its pairs; it resumed'}`);
    assert.match(log1, /\[entrypoint\] .* database present/, log1);
    await r.write(1, 'after pod 1 returned');
    await r.expectRows([0, 1, 2]);
    for (const n of [0, 2]) assert.equal(startAttempts(await r.log(n)), 1, `${r.pod(n)} ran aku -p start again`);
  });

  it('kubectl delete pod of the MASTER (pod 0): it resumes (never truncated), gets the rows written on 1 and 2 meanwhile; 1 and 2 run no start again', async () => {
    const r = release();
    const { log: ended, uid } = await deleteAndWriteMeanwhile(r, 0, [1, 2]);
    assert.match(ended, /\[pre-stop\] .*aku -p end exited with status 0/, ended);
    await r.waitReplaced(0, uid);
    const log0 = await r.log(0);
    assert.deepEqual(startPaths(log0), ['master'], log0);
    assert.doesNotMatch(log0, /\[akuRunStart:(truncate|sync)\]/, log0);
    assert.match(log0, /\[akuRunStart:flush\].* Replication flush has ended\./, log0);
    await r.write(0, 'after pod 0 returned');
    await r.expectRows([0, 1, 2]);
    for (const n of [1, 2]) assert.equal(startAttempts(await r.log(n)), 1, `${r.pod(n)} ran aku -p start again`);
    // The slaves' pairs with the MASTER kept their history (a restart point, not XSN -1).
    for (const n of [1, 2]) {
      const rows = await r.cluster.sql(r.pod(n), `SELECT REPLICATION_NAME, XSN FROM SYSTEM_.SYS_REPLICATIONS_ WHERE REPLICATION_NAME = 'AKU_REP_0${n}'`);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.notEqual(Number(rows[0].XSN), -1, `AKU_REP_0${n} on ${r.pod(n)}: ${JSON.stringify(rows)}`);
    }
    await waitFor('every pod Ready', 60_000, async () => ((await r.cluster.pods(r.name)).every(isReady) ? true : undefined));
  });
}
