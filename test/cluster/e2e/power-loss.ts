/**
 * The node loses power (`npm run cluster -- power-cycle`): kubelet, containerd, every container's
 * shim and every process in every container are killed at once — no preStop, no `aku -p end` —
 * then the node's services start again as after boot, and kubelet starts the pods' containers
 * anew. Every row acknowledged before the cut is on every pod afterwards; no pod truncates or
 * synchronises (each kept its replication history: the starts resume), and replication works both
 * ways again. Only on the project's local cluster, whose node is this host.
 */
import assert from 'node:assert/strict';
import { CLUSTER_SCRIPT, describeResult, isReady, run, startPaths, waitFor, type Target } from '../helpers.js';
import { isLocalNode, useRelease } from './release.js';

export function powerLoss(target: Target): void {
  if (!isLocalNode(target)) {
    console.warn('      NOT RUN: the node power loss (it signals the node\'s processes, so it needs the project\'s local cluster, run as root)');
    return;
  }
  const release = useRelease(target, 'aku-e2e-power-loss', 'power');

  it('three pods Ready, rows written on each are on all three', async () => {
    await release().installWithRowsOnEach(3, 'before the power cut');
  });

  it('power cut and restored: every container restarts without preStop, resumes, and holds every acknowledged row', async () => {
    const r = release();
    const before = await Promise.all([0, 1, 2].map((n) => r.podObject(n)));
    // Acknowledged an instant before the cut: replication may not have carried them yet.
    for (const n of [0, 1, 2]) await r.write(n, 'just before the power cut');
    const cycle = await run('bash', [CLUSTER_SCRIPT, 'power-cycle'], { timeoutMs: 300_000 });
    assert.equal(cycle.exitCode, 0, describeResult(cycle));
    console.log(`      ${String(cycle.stdout).split('\n').find((l) => /power cut:/.test(l)) ?? 'power cut'}`);
    await waitFor('three pods Ready again after the power cut', 600_000, async () => {
      const pods = await r.cluster.pods(r.name);
      const restarted = pods.filter((p, n) => isReady(p) && restarts(p) > restarts(before[n]));
      return restarted.length === 3 ? true : undefined;
    }, 2000);
    for (const n of [0, 1, 2]) {
      const pod = await r.podObject(n);
      // The same pod objects (no deletion): kubelet restarted their containers.
      assert.equal(pod.metadata.uid, before[n].metadata.uid, `${r.pod(n)} was recreated, not restarted`);
      const log = await r.log(n);
      assert.doesNotMatch(log, /\[pre-stop\]/, `${r.pod(n)} ran a preStop`);
      assert.deepEqual(startPaths(log), [n === 0 ? 'master' : 'resume'], `${r.pod(n)}:\n${log}`);
      assert.doesNotMatch(log, /\[akuRunStart:(truncate|sync)\]/, `${r.pod(n)}:\n${log}`);
    }
    await r.expectRows([0, 1, 2]);
    for (const n of [0, 1, 2]) await r.write(n, 'after the power came back');
    await r.expectRows([0, 1, 2]);
  });
}

function restarts(pod: any): number {
  return (pod.status?.containerStatuses ?? []).find((c: any) => c.name === 'altibase')?.restartCount ?? 0;
}
