/**
 * A pod that dies without `aku -p end`, then a scale-down (4 → 2): pod 3's processes are killed
 * while frozen (pod-freeze.ts: its preStop never runs a line), `kubectl scale --replicas=2` takes
 * the set down, and pods 0 and 1 keep replication objects started toward ordinal 3. `aku status`
 * flags them; the chart's post-upgrade reconcile Job (helm upgrade with reconcile.enabled) stops
 * and resets them; status is clean after. A later scale-up brings pods 2
 * and 3 back on their claims, and they rejoin by TRUNCATE + SYNC with every row. Only on the local
 * cluster, whose node is this host.
 */
import assert from 'node:assert/strict';
import { describeResult, isReady, startPaths, waitFor, type Target } from '../helpers.js';
import { freezePod } from '../pod-freeze.js';
import { isLocalNode, useRelease, type E2eRelease } from './release.js';

interface Beyond {
  name: string;
  pod: string;
  peerOrdinal: number;
  started: boolean;
  xsn: number;
}

async function statusJson(r: E2eRelease, replicas: number): Promise<{ exitCode: number; report: { verdict: string; beyond: Beyond[] } }> {
  const run = await r.exec(0, ['aku', 'status', '--replicas', String(replicas), '--json']);
  assert.ok(run.exitCode === 0 || run.exitCode === 1, describeResult(run));
  return { exitCode: run.exitCode ?? -1, report: JSON.parse(String(run.stdout)) };
}

export function staleObjects(target: Target): void {
  if (!isLocalNode(target)) {
    console.warn('      NOT RUN: a pod killed without aku -p end, then reconcile (it freezes the pod\'s cgroup, so it needs the project\'s local cluster, run as root)');
    return;
  }
  const release = useRelease(target, 'aku-e2e-stale', 'stale');

  it('four pods Ready, a row written on each is on all four', async () => {
    await release().installWithRowsOnEach(4, 'before pod 3 died');
  });

  it('pod 3 killed without aku -p end, kubectl scale --replicas=2: aku status flags the objects still holding log for pod 3', async () => {
    const r = release();
    const pod3 = await r.podObject(3);
    const frozen = await freezePod(pod3.metadata.uid);
    try {
      await r.kubectlScale(2);
      await waitFor(`${r.pod(3)} terminating`, 60_000, async () => ((await r.podObject(3).catch(() => undefined))?.metadata.deletionTimestamp ? true : undefined), 500);
      // The kubelet has begun the preStop hook by now: exec'd into the frozen cgroup, it is frozen too.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const killed = frozen.killAndThaw();
      console.log(`      ${r.pod(3)}: ${killed} processes killed while frozen`);
    } finally {
      frozen.thaw();
    }
    await waitFor('two pods left, both Ready', 420_000, async () => {
      const pods = await r.cluster.pods(r.name);
      return pods.length === 2 && pods.every(isReady) ? true : undefined;
    }, 2000);
    const { exitCode, report } = await statusJson(r, 2);
    const toward3 = report.beyond.filter((b) => b.peerOrdinal === 3 && (b.started || b.xsn !== -1));
    assert.deepEqual(toward3.map((b) => [b.pod, b.name]).sort(), [[r.pod(0), 'AKU_REP_03'], [r.pod(1), 'AKU_REP_13']], JSON.stringify(report.beyond));
    assert.notEqual(report.verdict, 'ok');
    console.log(`      aku status --replicas 2: verdict ${report.verdict} (exit ${exitCode}), ${report.beyond.length} object(s) toward departed pods`);
  });

  it('helm upgrade --set replicaCount=2 with the reconcile hook: the Job stops and resets what pod 3 left started; aku status is clean', async () => {
    const r = release();
    await r.upgrade(['--set', 'replicaCount=2', '--set', 'reconcile.enabled=true']);
    const { report } = await statusJson(r, 2);
    assert.deepEqual(report.beyond.filter((b) => b.started), [], JSON.stringify(report.beyond));
    assert.deepEqual(report.beyond.filter((b) => b.peerOrdinal === 3 && b.xsn !== -1), [], JSON.stringify(report.beyond));
    // Pod 2 ended normally; its pair with the dead pod 3 could not deliver, but pod 3 leaves the
    // set too, so its end decommissioned it all the same (docs/lifecycle.md): nothing is kept.
    assert.deepEqual(report.beyond.filter((b) => b.xsn !== -1), [], JSON.stringify(report.beyond));
    assert.equal(report.verdict, 'ok', JSON.stringify(report));
    for (const n of [0, 1]) await r.write(n, 'after the reconcile');
    await r.expectRows([0, 1]);
  });

  it('helm upgrade --set replicaCount=4: pods 2 and 3 return on their claims (3 rejoins by TRUNCATE + SYNC), and hold every row', async () => {
    const r = release();
    await r.upgrade(['--set', 'replicaCount=4']);
    await r.waitReady(4, 600_000);
    for (const n of [2, 3]) {
      const log = await r.log(n);
      assert.match(log, /\[entrypoint\] .* database present/, `${r.pod(n)} came back on a new volume:\n${log}`);
    }
    assert.ok(startPaths(await r.log(3)).includes('sync'), await r.log(3));
    for (const n of [2, 3]) await r.write(n, 'after the return');
    await r.expectRows([0, 1, 2, 3]);
    const { report } = await statusJson(r, 4);
    assert.equal(report.verdict, 'ok', JSON.stringify(report));
  });
}
