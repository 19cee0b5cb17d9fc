/** `npm run cluster -- down` leaves the host as `up` found it. */
import assert from 'node:assert/strict';
import { CLUSTER_SCRIPT, describeResult, run } from '../helpers.js';
import { captureHostState, leftovers, type HostState } from '../host-state.js';

export function teardown(before: () => HostState | undefined): void {
  it('npm run cluster -- down leaves no process, mount, link, iptables rule, nft table or kernel setting behind', async function () {
    const hostBefore = before();
    if (!hostBefore) {
      console.warn('      NOT RUN: teardown comparison: the cluster was already up when the suite started, so it is left running');
      assert.equal(hostBefore, undefined);
      return;
    }
    const r = await run('bash', [CLUSTER_SCRIPT, 'down'], { timeoutMs: 300_000 });
    assert.equal(r.exitCode, 0, describeResult(r));
    const after = await captureHostState();
    assert.deepEqual(leftovers(hostBefore, after), {}, 'left behind by the cluster');
  });
}
