/** `helm install` as a user types it: the chart's default values, one pod Ready. */
import assert from 'node:assert/strict';
import { CHART_DIR, describeResult, isReady, waitReadyPods } from '../helpers.js';
import { ctx } from '../context.js';

export function install(): void {
  it('helm install with the default values brings pod 0 Ready (aku -p start completed)', async () => {
    const { cluster, release } = ctx();
    const r = await cluster.helm(['install', release, CHART_DIR, ...cluster.target.valuesArgs, '--set', 'replicaCount=1']);
    assert.equal(r.exitCode, 0, describeResult(r));
    const pods = await waitReadyPods(cluster, release, 1, 300_000);
    const pod0 = pods[0];
    assert.ok(isReady(pod0));
    assert.match(pod0.metadata.name, /-0$/);
    const log = await cluster.logs(pod0.metadata.name);
    assert.match(log, /aku -p start succeeded/, log);
  });

  it('the pod runs as the chart\'s non-root user and its claim is Bound to a local volume', async () => {
    const { cluster, release } = ctx();
    const [pod0] = await cluster.pods(release);
    const container = pod0.spec.containers.find((c: any) => c.name === 'altibase');
    const uid = container.securityContext?.runAsUser ?? pod0.spec.securityContext?.runAsUser;
    assert.ok(Number.isInteger(uid) && uid > 0, `runAsUser ${uid}`);
    const id = await cluster.kubectl(['exec', pod0.metadata.name, '-c', 'altibase', '--', 'id', '-u']);
    assert.equal(String(id.stdout).trim(), String(uid), describeResult(id));
    const pvcs = await cluster.json(['get', 'pvc', '-l', `app.kubernetes.io/instance=${release}`]);
    assert.equal(pvcs.items.length, 1);
    assert.equal(pvcs.items[0].status.phase, 'Bound');
  });
}
