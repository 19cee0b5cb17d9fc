/** `kubectl exec <pod> -- aku -i`: aku in the running pod, any UID, reading the chart's aku.conf. */
import assert from 'node:assert/strict';
import { describeResult } from '../helpers.js';
import { ctx } from '../context.js';

export function akuInfo(): void {
  it('kubectl exec <pod> -- aku -i shows the pod, its peers and the replication names, password masked', async () => {
    const { cluster, release } = ctx();
    const pods = await cluster.pods(release);
    const r = await cluster.kubectl(['exec', pods[1].metadata.name, '-c', 'altibase', '--', 'aku', '-i', '--json']);
    assert.equal(r.exitCode, 0, describeResult(r));
    const report = JSON.parse(String(r.stdout));
    assert.equal(report.server.id, 1);
    assert.match(report.server.host, new RegExp(`^${pods[1].metadata.name}\\.`));
    assert.equal(report.server.password, '********');
    assert.ok(report.replications.length >= 3, String(r.stdout));
    const text = await cluster.kubectl(['exec', pods[0].metadata.name, '-c', 'altibase', '--', 'aku', '-i']);
    assert.equal(text.exitCode, 0, describeResult(text));
    assert.match(String(text.stdout), /AKU_REP|REPLICATION/i, String(text.stdout));
  });
}
