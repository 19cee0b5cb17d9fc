/**
 * `helm upgrade --reuse-values --set replicaCount=1`: the StatefulSet controller deletes pods 2 then
 * 1; the kubelet runs preStop (`aku -p end`) and then SIGTERM within the grace period; the claims stay.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { CHART_DIR, describeResult, waitFor } from '../helpers.js';
import { ctx } from '../context.js';

export function scaleDown(): void {
  const logs = new Map<string, { text: string; endedAt?: number }>();
  const deletedAt = new Map<string, number>();
  let grace = 0;

  it('helm upgrade --reuse-values --set replicaCount=1 removes pods 2 and 1', async () => {
    const { cluster, release } = ctx();
    const pods = await cluster.pods(release);
    assert.equal(pods.length, 3);
    grace = pods[2].spec.terminationGracePeriodSeconds;
    // Follow the leaving pods' logs: they are gone with the pods.
    const followers = pods.slice(1).map((pod) => {
      const name = pod.metadata.name as string;
      const entry: { text: string; endedAt?: number } = { text: '' };
      logs.set(name, entry);
      const child = execa(cluster.target.kubectl, ['--kubeconfig', cluster.target.kubeconfig, '-n', cluster.namespace,
        'logs', '-f', name, '-c', 'altibase'], { reject: false, all: true, timeout: 600_000 });
      child.all?.on('data', (d: Buffer) => (entry.text += d.toString()));
      return child.then(() => (entry.endedAt = Date.now()));
    });
    const r = await cluster.helm(['upgrade', release, CHART_DIR, '--reuse-values', '--set', 'replicaCount=1']);
    assert.equal(r.exitCode, 0, describeResult(r));
    await waitFor('pods 1 and 2 to be deleted', 2 * (grace + 30) * 1000, async () => {
      const now = await cluster.pods(release);
      for (const p of now) if (p.metadata.deletionTimestamp && !deletedAt.has(p.metadata.name)) deletedAt.set(p.metadata.name, Date.parse(p.metadata.deletionTimestamp));
      return now.length === 1 ? now : undefined;
    }, 500);
    await Promise.all(followers);
  });

  for (const n of [2, 1]) {
    it(`pod ${n} ran aku -p end in preStop, then stopped the server, within the grace period`, () => {
      const entry = [...logs.entries()].find(([name]) => name.endsWith(`-${n}`));
      assert.ok(entry, `no log followed for pod ${n}`);
      const [name, { text, endedAt }] = entry;
      assert.match(text, /\[pre-stop\] .*aku -p end exited with status 0/, text);
      // It leaves for good: its end read spec.replicas from the API and decommissioned it.
      assert.match(text, /\[INFO\]\[akuRunEnd:reason\]\[-\]\[-\] Scale-down: ordinal \d >= spec\.replicas 1 \(whenScaled: Retain\): decommission \(reset both sides\)/, text);
      assert.match(text, /\[akuRunEnd:settle\].* Reset replications\./, text);
      assert.match(text, /aku -p end already ran in preStop/, text);
      assert.match(text, /\] bye$/m, `the entrypoint did not finish (killed at the end of the grace period?)\n${text}`);
      const deleted = deletedAt.get(name);
      if (deleted !== undefined && endedAt !== undefined) {
        // deletionTimestamp is the moment the grace period ends (delete time + grace).
        assert.ok(endedAt <= deleted + 2000, `${name}'s container ran until ${new Date(endedAt).toISOString()}, past ${new Date(deleted).toISOString()}`);
      }
    });
  }

  it('the claims of pods 1 and 2 are kept, Bound', async () => {
    const { cluster, release } = ctx();
    const pvcs = await cluster.json(['get', 'pvc', '-l', `app.kubernetes.io/instance=${release}`]);
    const names = pvcs.items.map((p: any) => p.metadata.name).sort();
    assert.equal(names.length, 3, names.join(', '));
    for (const p of pvcs.items) assert.equal(p.status.phase, 'Bound', p.metadata.name);
  });
}
