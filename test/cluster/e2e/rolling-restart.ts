/**
 * A rolling restart (`kubectl rollout restart`) of a set whose pods hold 100 000 rows: each pod's
 * `aku -p end` sees a restart, not a scale-down, and keeps its pairs; each new pod resumes with
 * FLUSH — no TRUNCATE, no SYNC, on any pod — and every pod still holds every row, and takes new
 * ones afterwards. The duration of each resumed start is printed.
 */
import assert from 'node:assert/strict';
import { describeResult, startPaths, waitFor, type Target } from '../helpers.js';
import { bulkCount, insertBulk } from './bulk.js';
import { useRelease } from './release.js';

const BULK_ROWS = 100_000;
/** Seconds from the first to the last `[akuRunStart:…]` line of a log. */
function startSeconds(log: string): number {
  const stamps = [...log.matchAll(/^\[AKU\]\[(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d+)\]\[\d+\] \[\w+\]\[akuRunStart:/gm)].map((m) => Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]?.slice(0, 12)}Z`));
  return stamps.length < 2 ? NaN : ((stamps.at(-1) as number) - (stamps[0] as number)) / 1000;
}

export function rollingRestart(target: Target): void {
  const release = useRelease(target, 'aku-e2e-rolling', 'roll');

  it(`three pods Ready, ${BULK_ROWS} rows written on the MASTER reach both slaves`, async () => {
    const r = release();
    await r.install(['--set', 'replicaCount=3'], 3);
    await insertBulk(r, 0, BULK_ROWS);
    for (const n of [1, 2]) {
      await waitFor(`${BULK_ROWS} rows on ${r.pod(n)}`, 300_000, async () => ((await bulkCount(r, n)) === BULK_ROWS ? true : undefined), 2000);
    }
    for (const n of [0, 1, 2]) await r.write(n, 'before the rolling restart');
    await r.expectRows([0, 1, 2]);
  });

  it('kubectl rollout restart: every pod is replaced and resumes (no TRUNCATE, no SYNC anywhere), every row on every pod', async () => {
    const r = release();
    const before = await Promise.all([0, 1, 2].map(async (n) => (await r.podObject(n)).metadata.uid as string));
    const restart = await r.cluster.kubectl(['rollout', 'restart', `statefulset/${r.sts}`]);
    assert.equal(restart.exitCode, 0, describeResult(restart));
    const done = await r.cluster.kubectl(['rollout', 'status', `statefulset/${r.sts}`, '--timeout=600s'], 660_000);
    assert.equal(done.exitCode, 0, describeResult(done));
    for (const n of [0, 1, 2]) {
      const pod = await r.podObject(n);
      assert.notEqual(pod.metadata.uid, before[n], `${r.pod(n)} was not replaced`);
    }
    const durations: string[] = [];
    for (const n of [0, 1, 2]) {
      const log = await r.log(n);
      assert.deepEqual(startPaths(log), [n === 0 ? 'master' : 'resume'], `${r.pod(n)}:\n${log}`);
      assert.doesNotMatch(log, /\[akuRunStart:(truncate|sync)\]/, `${r.pod(n)} truncated or synchronised:\n${log}`);
      durations.push(`${r.pod(n)} ${startSeconds(log).toFixed(2)} s`);
    }
    console.log(`      resumed starts: ${durations.join(', ')}`);
    for (const n of [0, 1, 2]) assert.equal(await bulkCount(r, n), BULK_ROWS, `${r.pod(n)} lost bulk rows`);
    for (const n of [0, 1, 2]) await r.write(n, 'after the rolling restart');
    await r.expectRows([0, 1, 2]);
  });
}
