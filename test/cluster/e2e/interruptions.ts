/**
 * Pods interrupted at awkward moments, each in a release of its own:
 * - a pod deleted while its `aku -p start` still runs (held in its last step by
 *   aku.delayStartCompleteTime): preStop's `aku -p end` asks the start to stop and ends the pod;
 *   the recreated pod joins again, with every row; a pod removed by a scale-down at the same point
 *   ends the same way and leaves no peer keeping a restart point toward it;
 * - a preStop that outlives the grace period (a custom preStop command after aku's that never
 *   ends): the kubelet stops the container at the end of the grace period; `aku -p end` had
 *   finished within its budget, the pod comes back on its claim with every row.
 */
import assert from 'node:assert/strict';
import { describeResult, followLog, pathAfterEnd, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease } from './release.js';

const DELAY = 20;
const GRACE = 25;

export function interruptions(target: Target): void {
  describe('a pod deleted during its aku -p start', () => {
    const release = useRelease(target, 'aku-e2e-interrupt-start', 'intr');

    it(`two pods Ready (aku.delayStartCompleteTime=${DELAY}: each slave's start waits ${DELAY} s before it completes)`, async () => {
      const r = release();
      await r.install(['--set', `aku.delayStartCompleteTime=${DELAY}`], 2);
      await r.write(0, 'before the scale-up');
      await r.write(1, 'before the scale-up');
      await r.expectRows([0, 1]);
    });

    it('pod 2 deleted while its start waits: aku -p end asks the start to stop, ends; the new pod 2 joins with every row', async () => {
      const r = release();
      await r.upgrade(['--set', 'replicaCount=3']);
      const waiting = new RegExp(`\\[akuRunStart:admin\\].* Waiting ${DELAY} s \\(AKU_DELAY_START_COMPLETE_TIME\\)`);
      await waitFor(`${r.pod(2)} to be in the delay of its start`, 240_000, async () => (waiting.test(await r.log(2).catch(() => '')) ? true : undefined), 1000);
      const uid = (await r.podObject(2)).metadata.uid;
      const follower = followLog(r.cluster, r.pod(2));
      const del = await r.cluster.kubectl(['delete', 'pod', r.pod(2), '--wait=false']);
      assert.equal(del.exitCode, 0, describeResult(del));
      await follower.done;
      const ended = follower.text();
      assert.match(ended, /\[akuRunEnd:handover\].* aku -p start \(pid \d+\) is still running on this pod; asking it to stop at its next step/, ended);
      assert.match(ended, /\[akuRunEnd:handover\].* aku -p start is no longer running; ending\./, ended);
      assert.match(ended, /\[pre-stop\] .*aku -p end exited with status 0/, ended);
      await r.write(0, 'while pod 2 was away');
      await r.write(1, 'while pod 2 was away');
      await r.waitReplaced(2, uid);
      assert.deepEqual(startPaths(await r.log(2)), [pathAfterEnd(ended)]);
      await r.write(2, 'after pod 2 joined');
      await r.expectRows([0, 1, 2]);
    });

    it('helm scale to 4 and back to 3 while pod 3 is still in its start: pod 3 ends, and no peer keeps a pair toward it', async () => {
      const r = release();
      await r.upgrade(['--set', 'replicaCount=4']);
      const waiting = new RegExp(`\\[akuRunStart:admin\\].* Waiting ${DELAY} s \\(AKU_DELAY_START_COMPLETE_TIME\\)`);
      await waitFor(`${r.pod(3)} to be in the delay of its start`, 240_000, async () => (waiting.test(await r.log(3).catch(() => '')) ? true : undefined), 1000);
      const follower = followLog(r.cluster, r.pod(3));
      // Under OrderedReady the controller removes the condemned pod although it is not Ready yet.
      await r.upgrade(['--set', 'replicaCount=3']);
      await follower.done;
      const ended = follower.text();
      assert.match(ended, /\[akuRunEnd:handover\].* asking it to stop at its next step/, ended);
      assert.match(ended, /\[pre-stop\] .*aku -p end exited with status 0/, ended);
      await r.waitReady(3);
      // Pod 3 reset both sides of its pairs as it left: no peer holds a restart point for it
      // (which would keep its log for a pod that is not coming back).
      for (const n of [0, 1, 2]) {
        const objects = await r.cluster.sql(r.pod(n), 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
        const toward3 = objects.filter((o) => o.REPLICATION_NAME === `AKU_REP_${n}3`);
        assert.ok(toward3.every((o) => Number(o.XSN) === -1 && Number(o.IS_STARTED) === 0), `${r.pod(n)}: ${JSON.stringify(toward3)}`);
      }
      for (const n of [0, 1, 2]) await r.write(n, 'after pod 3 left');
      await r.expectRows([0, 1, 2]);
    });
  });

  describe('a preStop that outlives the grace period', () => {
    const release = useRelease(target, 'aku-e2e-long-prestop', 'long');

    it(`two pods Ready (terminationGracePeriodSeconds=${GRACE}, a custom preStop command that never ends)`, async () => {
      const r = release();
      await r.install(['--set', `terminationGracePeriodSeconds=${GRACE}`, '--set-json', 'lifecycleHooks={"preStop":{"exec":{"command":["/bin/sleep","3600"]}}}'], 2);
      await r.write(0, 'before the delete');
      await r.write(1, 'before the delete');
      await r.expectRows([0, 1]);
    });

    it(`kubectl delete pod 1: aku -p end finishes within its budget (${GRACE} - 15 s), the kubelet stops the container at the end of the grace period, the pod returns with every row`, async () => {
      const r = release();
      const uid = (await r.podObject(1)).metadata.uid;
      const follower = followLog(r.cluster, r.pod(1));
      const started = Date.now();
      const del = await r.cluster.kubectl(['delete', 'pod', r.pod(1), '--wait=false']);
      assert.equal(del.exitCode, 0, describeResult(del));
      const endedAt = await follower.done;
      const ended = follower.text();
      assert.match(ended, /\[pre-stop\] .*running aku -p end \(budget 10 s\)/, ended);
      assert.match(ended, /\[pre-stop\] .*aku -p end exited with status 0/, ended);
      // The hook's sleep holds the container until the grace period ends, not longer.
      const seconds = (endedAt - started) / 1000;
      assert.ok(seconds >= GRACE - 2 && seconds <= GRACE + 15, `the container ran ${seconds} s after the delete (grace ${GRACE} s)`);
      assert.match(ended, /aku -p end already ran in preStop \(exit status 0\)/, ended);
      console.log(`      the container ended ${seconds.toFixed(1)} s after the delete; the entrypoint ${/\] bye$/m.test(ended) ? 'stopped the server and said bye' : 'was killed before its bye'}`);
      await r.write(0, 'while pod 1 was away');
      await r.waitReplaced(1, uid);
      await r.write(1, 'after pod 1 returned');
      await r.expectRows([0, 1]);
    });
  });
}
