/** `helm uninstall`: every pod gone; the claims stay (StatefulSet claims outlive the release). */
import assert from 'node:assert/strict';
import { describeResult, waitFor } from '../helpers.js';
import { ctx } from '../context.js';

export function uninstall(): void {
  it('helm uninstall removes the pods and leaves the claims', async () => {
    const { cluster, release } = ctx();
    const r = await cluster.helm(['uninstall', release, '--wait', '--timeout', '3m'], 240_000);
    assert.equal(r.exitCode, 0, describeResult(r));
    await waitFor('the release\'s pods to go', 180_000, async () => ((await cluster.pods(release)).length === 0 ? true : undefined), 1000);
    const pvcs = await cluster.json(['get', 'pvc', '-l', `app.kubernetes.io/instance=${release}`]);
    assert.equal(pvcs.items.length, 3);
  });
}
