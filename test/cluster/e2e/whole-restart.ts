/**
 * Every pod of the release deleted at once (`kubectl delete pod -l …`, as after a node drain or an
 * operator's mistake): all three run preStop together, each `aku -p end` finds its peers ending too,
 * and the StatefulSet controller brings them back one by one on their claims. No row written before
 * is lost, and replication works both ways afterwards.
 */
import assert from 'node:assert/strict';
import { describeResult, followLog, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease } from './release.js';

export function wholeRestart(target: Target): void {
  const release = useRelease(target, 'aku-e2e-whole-restart', 'whole');

  it('three pods Ready, rows written on each are on all three', async () => {
    await release().installWithRowsOnEach(3, 'before the restart');
  });

  it('kubectl delete pod of all three at once: they come back with every row, and replicate again', async () => {
    const r = release();
    const uids = await Promise.all([0, 1, 2].map(async (n) => (await r.podObject(n)).metadata.uid as string));
    const followers = [0, 1, 2].map((n) => followLog(r.cluster, r.pod(n)));
    const del = await r.cluster.kubectl(['delete', 'pod', '-l', `app.kubernetes.io/instance=${r.name},app.kubernetes.io/component=altibase`, '--wait=false']);
    assert.equal(del.exitCode, 0, describeResult(del));
    await Promise.all(followers.map((f) => f.done));
    const ends = followers.map((f) => f.text());
    for (const [n, text] of ends.entries()) assert.match(text, /\[pre-stop\] .*aku -p end exited with status \d+/, `pod ${n}:\n${text}`);
    await waitFor('three new pods Ready', 480_000, async () => {
      const pods = await r.cluster.pods(r.name);
      return pods.length === 3 && pods.every((p, n) => p.metadata.uid !== uids[n]) ? r.waitReady(3, 1000).catch(() => undefined) : undefined;
    }, 2000);
    const paths = await Promise.all([0, 1, 2].map(async (n) => startPaths(await r.log(n))));
    console.log(`      paths after the whole restart: ${paths.map((p, n) => `pod ${n} ${p.join('→')}`).join(', ')}`);
    const [master] = paths;
    assert.ok(master && master.length > 0 && master.every((p) => p === 'master'), `pod 0: ${master?.join(', ')}`);
    await r.expectRows([0, 1, 2]);
    for (const n of [0, 1, 2]) await r.write(n, 'after the restart');
    await r.expectRows([0, 1, 2]);
  });
}
