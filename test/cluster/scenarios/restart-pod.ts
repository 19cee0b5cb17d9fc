/**
 * `kubectl delete pod <slave>`: the pod comes back, so its `aku -p end` keeps its restart points
 * (it reads from the Kubernetes API that the StatefulSet still wants it) and its next `aku -p start`
 * resumes with FLUSH: no TRUNCATE, no SYNC. A row written on pod 0 while it is away reaches it.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readStopReason } from '../../../src/kube/stop-facts.js';
import { describeResult, waitFor, waitReadyPods } from '../helpers.js';
import { ctx } from '../context.js';

/** Seconds between the first and the last `[akuRunStart:…]` line of a log (aku's own timestamps). */
export function akuStartSeconds(log: string): number | undefined {
  const times = log.split('\n')
    .filter((l) => /\]\[\d+\] \[[A-Z]+\]\[akuRunStart:/.test(l))
    .map((l) => /^\[AKU\]\[(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d+)\]/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`));
  return times.length < 2 ? undefined : (times.at(-1)! - times[0]!) / 1000;
}

export function restartPod(): void {
  const SLAVE = 1;
  let endLog = '';
  let name = '';

  it('the adapter, with KUBECONFIG, reads the StatefulSet: a running pod within spec.replicas would restart, an ordinal beyond it is a scale-down', async () => {
    const { cluster, release } = ctx();
    const pods = await cluster.pods(release);
    const stsName = pods[0].metadata.ownerReferences.find((o: any) => o.kind === 'StatefulSet').name as string;
    const env = { KUBECONFIG: cluster.target.kubeconfig, AKU_POD_NAMESPACE: cluster.namespace };
    const here = await readStopReason({ env, stsName, podName: pods[2].metadata.name, ordinal: 2, boundMs: 5000 });
    assert.equal(here.kind === 'restart' ? here.cause : here.kind, 'container-restart', JSON.stringify(here));
    const beyond = await readStopReason({ env, stsName, podName: `${stsName}-5`, ordinal: 5, boundMs: 5000 });
    assert.deepEqual(beyond, { kind: 'scale-down', ordinal: 5, replicas: 3, whenScaled: 'Retain' });
    const other = await readStopReason({ env, stsName: 'no-such-statefulset', podName: pods[2].metadata.name, ordinal: 2, boundMs: 5000 });
    assert.equal(other.kind, 'uninstall', JSON.stringify(other));
  });

  it(`kubectl delete pod of slave ${SLAVE}: its aku -p end keeps the restart points (a restart), exit 0`, async () => {
    const { cluster, release } = ctx();
    const pods = await cluster.pods(release);
    name = pods[SLAVE].metadata.name;
    const oldUid = pods[SLAVE].metadata.uid;
    const grace = pods[SLAVE].spec.terminationGracePeriodSeconds as number;
    // The old container's log (its preStop writes there) is gone with it: follow it.
    const follower = execa(cluster.target.kubectl, ['--kubeconfig', cluster.target.kubeconfig, '-n', cluster.namespace,
      'logs', '-f', name, '-c', 'altibase', '--since=1s'], { reject: false, all: true, timeout: (grace + 60) * 1000 });
    follower.all?.on('data', (d: Buffer) => (endLog += d.toString()));
    const r = await cluster.kubectl(['delete', 'pod', name, '--wait=false']);
    assert.equal(r.exitCode, 0, describeResult(r));
    await follower;
    // The old container is gone: this row can reach the pod only once it is back.
    const [pod0] = await cluster.pods(release);
    await cluster.sql(pod0.metadata.name, "INSERT INTO SYS.T1 VALUES (3, 'written on pod 0 while pod 1 was away')");
    assert.match(endLog, /\[pre-stop\] .*aku -p end exited with status 0/, endLog);
    assert.match(endLog, /\[INFO\]\[akuRunEnd:reason\]\[-\]\[-\] This pod stops for: restart \(pod-deleted\)/, endLog);
    assert.match(endLog, /\[akuRunEnd:settle\].* kept on both sides with their restart points \(deliberate keep: restart \(pod-deleted\)/, endLog);
    assert.doesNotMatch(endLog, /Reset replications\.|falling back to AKU_REPLICATION_RESET_AT_END/, endLog);
    await waitFor(`${name} to be recreated`, (grace + 60) * 1000, async () => {
      const again = (await cluster.pods(release))[SLAVE];
      return again && again.metadata.uid !== oldUid ? true : undefined;
    });
  });

  it(`slave ${SLAVE} comes back by the resume path: no TRUNCATE, no SYNC, and it gets the row written while it was away`, async () => {
    const { cluster, release } = ctx();
    await waitReadyPods(cluster, release, 3, 300_000);
    const log = await cluster.logs(name);
    assert.match(log, /aku -p start succeeded/, log);
    assert.match(log, /Replication information is intact \(XSN \d+\): group AKU_REP resumes\./, log);
    assert.doesNotMatch(log, /Sync tables from MASTER Server|Truncate tables for replications/, log);
    const seconds = akuStartSeconds(log);
    assert.ok(seconds !== undefined, `no [akuRunStart:…] lines in\n${log}`);
    console.log(`      ${name}: aku -p start took ${seconds} s by its log (resume path)`);
    await waitFor('row 3 on the restarted pod', 60_000, async () =>
      (await cluster.sql(name, 'SELECT ID FROM SYS.T1 WHERE ID = 3')).length === 1 ? true : undefined);
  });
}
