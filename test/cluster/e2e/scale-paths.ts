/**
 * Every way a user scales: `helm upgrade --reuse-values --set replicaCount=N` (what NOTES says) and
 * `kubectl scale statefulset` (what many type), up and down, and the two disagreeing. After each
 * step every pod in service holds exactly the rows written so far, on whichever pods they were
 * written.
 *
 * What wins when they disagree (helm v3's three-way merge): `kubectl scale` changes the live
 * StatefulSet only; the release still says replicaCount=3. The next `helm upgrade --reuse-values`
 * — even one that changes nothing about replicas — patches the live object from its 2 back to the
 * release's 3: helm wins, and the pod kubectl removed comes back (by SYNC, as after any scale-down).
 * docs/chart.md says so; scale with helm only.
 */
import assert from 'node:assert/strict';
import { describeResult, followLog, startAttempts, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease } from './release.js';

export function scalePaths(target: Target): void {
  const release = useRelease(target, 'aku-e2e-scale', 'scale');

  it('helm install (replicaCount 2, the default): both pods Ready, a row written on each is on both', async () => {
    const r = release();
    await r.install([], 2);
    await r.write(0, 'after install');
    await r.write(1, 'after install');
    await r.expectRows([0, 1]);
    assert.deepEqual(startPaths(await r.log(0)), ['master']);
    assert.deepEqual(startPaths(await r.log(1)), ['sync']);
  });

  it('helm upgrade --reuse-values --set replicaCount=3: pod 2 joins by SYNC and holds every row', async () => {
    const r = release();
    await r.write(1, 'before the helm scale-up');
    await r.upgrade(['--set', 'replicaCount=3']);
    await r.waitReady(3);
    const log2 = await r.log(2);
    assert.deepEqual(startPaths(log2), ['sync'], log2);
    assert.match(log2, /No replication information yet: group AKU_REP will be truncated and synchronised/, log2);
    await r.write(2, 'after the helm scale-up');
    await r.expectRows([0, 1, 2]);
  });

  it('kubectl scale --replicas=2: pod 2 runs aku -p end in preStop (exit 0) and goes; its claim stays; rows written meanwhile stay on 0 and 1', async () => {
    const r = release();
    const follower = followLog(r.cluster, r.pod(2));
    await r.kubectlScale(2);
    await r.waitReady(2);
    await follower.done;
    const text = follower.text();
    assert.match(text, /\[pre-stop\] .*aku -p end exited with status 0/, text);
    assert.match(text, /\[akuRunEnd:settle\].* Replication reset has ended\./, text);
    assert.match(text, /\] bye$/m, text);
    const pvc = await r.cluster.json(['get', 'pvc', `data-${r.pod(2)}`]);
    assert.equal(pvc.status.phase, 'Bound');
    await r.write(0, 'while pod 2 is scaled away');
    await r.write(1, 'while pod 2 is scaled away');
    await r.expectRows([0, 1]);
  });

  it('kubectl scale --replicas=3: pod 2 returns on its kept claim and gets the rows written while it was away', async () => {
    const r = release();
    await r.kubectlScale(3);
    await r.waitReady(3);
    const log2 = await r.log(2);
    // A scale-down decommissions the leaving slave (its end resets both sides), so the pod scaled
    // back in rejoins by TRUNCATE + SYNC although its claim kept its rows (docs/lifecycle.md).
    assert.deepEqual(startPaths(log2), ['sync'], log2);
    assert.match(log2, /Replication information was reset: group AKU_REP will be truncated and synchronised/, log2);
    await r.write(2, 'after the kubectl scale-up');
    await r.expectRows([0, 1, 2]);
    // Pods 0 and 1 ran no start again: nothing of theirs was truncated or synchronised.
    for (const n of [0, 1]) assert.equal(startAttempts(await r.log(n)), 1, `${r.pod(n)} ran aku -p start again`);
  });

  it('kubectl scale --replicas=2, then helm upgrade --reuse-values of another value: helm puts the release\'s 3 back', async () => {
    const r = release();
    await r.kubectlScale(2);
    await r.waitReady(2);
    assert.equal(await r.replicas(), 2);
    await r.write(0, 'after kubectl scaled to 2');
    const values = await r.cluster.helm(['get', 'values', r.name, '-o', 'json']);
    assert.equal(JSON.parse(String(values.stdout)).replicaCount, 3, describeResult(values));
    // An upgrade that touches no pod input (a Service annotation): no pod restarts for it.
    await r.upgrade(['--set', 'service.annotations.e2e/upgraded=yes']);
    await waitFor('the StatefulSet to be patched back to 3 replicas', 60_000, async () => ((await r.replicas()) === 3 ? true : undefined));
    await r.waitReady(3);
    assert.deepEqual(startPaths(await r.log(2)), ['sync']);
    await r.write(2, 'after helm restored 3');
    await r.expectRows([0, 1, 2]);
  });

  it('helm upgrade --reuse-values --set replicaCount=1: pods 2 and 1 leave, pod 0 holds every row', async () => {
    const r = release();
    const followers = [1, 2].map((n) => followLog(r.cluster, r.pod(n)));
    await r.upgrade(['--set', 'replicaCount=1']);
    await r.waitReady(1);
    await Promise.all(followers.map((f) => f.done));
    for (const f of followers) assert.match(f.text(), /\[pre-stop\] .*aku -p end exited with status 0/, f.text());
    await r.write(0, 'after the helm scale-down');
    await r.expectRows([0]);
    assert.equal(startAttempts(await r.log(0)), 1, 'pod 0 ran aku -p start again');
  });
}
