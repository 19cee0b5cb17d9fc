/**
 * The MASTER's storage lost while two slaves run: pod 0's claim is deleted with the pod, the
 * StatefulSet recreates both, and the new pod 0 starts on an empty volume. Its `aku -p start`
 * refuses with the manual's message ("The MASTER server is detected to have failed"), so it never
 * empties the slaves. `kubectl exec <pod 0> -- aku recover --from 1` prints the plan and changes
 * nothing; with `--yes` it restores the MASTER from pod 1 and makes pod 2 leave; pod 0's start then
 * succeeds, `kubectl delete pod <pod 2>` rejoins pod 2, and every pod holds every row written —
 * including those written on the slaves while the MASTER was gone.
 */
import assert from 'node:assert/strict';
import { describeResult, isReady, waitFor, type Target } from '../helpers.js';
import { useRelease } from './release.js';

const FAILED_MASTER = 'The MASTER server is detected to have failed. Check and perform a manual recovery.';

export function masterStorageLost(target: Target): void {
  const release = useRelease(target, 'aku-e2e-master-lost', 'lost');

  it('three pods Ready, a row written on each is on all three', async () => {
    await release().installWithRowsOnEach(3, 'before the MASTER lost its volume');
  });

  it('pod 0 and its claim deleted: the new, empty MASTER refuses to start with the manual\'s message; the slaves keep every row and take writes', async () => {
    const r = release();
    const uid = (await r.podObject(0)).metadata.uid as string;
    const pvc = await r.cluster.kubectl(['delete', 'pvc', `data-${r.pod(0)}`, '--wait=false']);
    assert.equal(pvc.exitCode, 0, describeResult(pvc));
    const del = await r.cluster.kubectl(['delete', 'pod', r.pod(0), '--wait=true'], 300_000);
    assert.equal(del.exitCode, 0, describeResult(del));
    await waitFor(`${r.pod(0)} recreated`, 300_000, async () => ((await r.podObject(0).catch(() => undefined))?.metadata.uid !== uid ? true : undefined), 1000);
    await waitFor(`${r.pod(0)}'s start to refuse`, 300_000, async () => ((await r.log(0).catch(() => '')).includes(FAILED_MASTER) ? true : undefined), 2000);
    const log0 = await r.log(0);
    assert.match(log0, /\[entrypoint\] .* no database yet: creating it/, `pod 0 did not start on a new volume:\n${log0}`);
    assert.match(log0, /aku recover --from/, 'the refusal points at aku recover');
    for (const n of [1, 2]) await r.write(n, 'while the MASTER was gone');
  });

  it('aku recover --from 1 prints the plan and changes nothing; with --yes it restores pod 0 from pod 1; pod 0 starts', async () => {
    const r = release();
    const plan = await r.exec(0, ['aku', 'recover', '--from', '1']);
    assert.equal(plan.exitCode, 0, describeResult(plan));
    assert.match(String(plan.all), /TRUNCATE/, describeResult(plan));
    assert.deepEqual(await r.rowsOn(0).catch(() => []), [], 'the plan changed nothing on pod 0');
    const done = await r.exec(0, ['aku', 'recover', '--from', '1', '--yes'], 600_000);
    assert.equal(done.exitCode, 0, describeResult(done));
    assert.match(String(done.all), new RegExp(`kubectl delete pod ${r.pod(2)}`), describeResult(done));
    await waitFor(`${r.pod(0)} Ready after the recovery`, 600_000, async () => (isReady(await r.podObject(0)) ? true : undefined), 2000);
    await r.expectRows([0, 1]);
  });

  it('kubectl delete pod of pod 2, as recover said: it rejoins, and all three hold every row', async () => {
    const r = release();
    const uid = (await r.podObject(2)).metadata.uid as string;
    const del = await r.cluster.kubectl(['delete', 'pod', r.pod(2), '--wait=false']);
    assert.equal(del.exitCode, 0, describeResult(del));
    await r.waitReplaced(2, uid);
    await r.waitReady(3, 600_000);
    for (const n of [0, 1, 2]) await r.write(n, 'after the recovery');
    await r.expectRows([0, 1, 2]);
  });
}
