import { strict as assert } from 'node:assert';
import type { StopReason } from '../../src/lifecycle/index.js';
import { messages, podName, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * `-p end` settles the pairs by why the pod stops (the reason comes through the lifecycle
 * context; the CLI reads it from the Kubernetes API, which src/kube/stop-facts.ts is tested
 * against on the real cluster).
 */
const RESTART: StopReason = { kind: 'restart', cause: 'pod-deleted', detail: 'the Pod was deleted (kubectl delete pod)' };
const SCALE_DOWN: StopReason = { kind: 'scale-down', ordinal: 2, replicas: 2, whenScaled: 'Retain' };

describe('-p end by stop reason: restart keeps, decommission resets, unknown falls back (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('a restart keeps both sides of every pair, exits 0, and the next start resumes with FLUSH, no TRUNCATE or SYNC', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1, 2]);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'written on 2 before its restart')");
    const end = await pods.aku(2, 'end', { stopReason: RESTART });
    assert.equal(end.code, 0, end.lines.join('\n'));
    assert.ok(!messages(end).includes('Reset replications.'), 'no RESET');
    assert.ok(messages(end).includes('This pod stops for: restart (pod-deleted): the Pod was deleted (kubectl delete pod).'), end.lines.join('\n'));
    assert.ok(messages(end).some((m) => /^AKU_REP_02, AKU_REP_12, AKU_REP_23 kept on both sides with their restart points \(deliberate keep: restart \(pod-deleted\)/.test(m)), end.lines.join('\n'));
    assert.equal(end.outcome.stop?.settle, 'keep');
    assert.equal(end.outcome.stop?.source, 'kubernetes');
    assert.deepEqual(end.outcome.stop?.reason, RESTART);
    assert.deepEqual(end.outcome.pairs.filter((p) => p.result === 'kept').map((p) => p.replication), ['AKU_REP_02', 'AKU_REP_12', 'AKU_REP_23']);
    assert.equal(end.outcome.problems.length, 0);
    for (const i of [0, 1, 2]) {
      const objects = await pods.replications(i);
      for (const name of ['AKU_REP_02', 'AKU_REP_12'].filter((n) => objects.has(n))) {
        assert.equal(objects.get(name)?.started, false, `${name} stopped on pod ${i}`);
        assert.notEqual(objects.get(name)?.xsn, -1, `${name} keeps its restart point on pod ${i}`);
      }
    }

    // While pod 2 is away the others write; it comes back by the resume path and gets both rows.
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (2, 'written on 0 while 2 was away')");
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (3, 'written on 1 while 2 was away')");
    pods.restartPod(2);
    const start = await pods.aku(2, 'start');
    assert.equal(start.code, 0, start.lines.join('\n'));
    const said = messages(start);
    assert.ok(said.some((m) => /^Replication information is intact \(XSN \d+\): group AKU_REP resumes\.$/.test(m)), start.lines.join('\n'));
    assert.ok(!said.includes('Truncate tables for replications.'), 'no TRUNCATE');
    assert.ok(!said.includes('Sync tables from MASTER Server.'), 'no SYNC');
    assert.ok(said.includes('Flush replications.'));
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:written on 2 before its restart', '2:written on 0 while 2 was away', '3:written on 1 while 2 was away']);
  });

  it('a scale-down decommissions as before: both sides reset, the log says decommission', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1, 2]);
    const end = await pods.aku(2, 'end', { stopReason: SCALE_DOWN });
    assert.equal(end.code, 0, end.lines.join('\n'));
    assert.ok(messages(end).some((m) => /^Scale-down: ordinal 2 >= spec\.replicas 2 \(whenScaled: Retain\): decommission/.test(m)), end.lines.join('\n'));
    assert.ok(messages(end).includes('Reset replications.'));
    assert.equal(end.outcome.stop?.settle, 'reset');
    for (const i of [0, 1, 2]) {
      const objects = await pods.replications(i);
      for (const name of ['AKU_REP_02', 'AKU_REP_12'].filter((n) => objects.has(n))) {
        assert.deepEqual(objects.get(name), { xsn: -1, started: false }, `${name} on pod ${i}`);
      }
    }
    assert.notEqual((await pods.replications(0)).get('AKU_REP_01')?.xsn, -1, 'the pairs without pod 2 keep their history');
  });

  it('a scale-down whose pair toward another departing pod cannot deliver (that pod died) still decommissions: nothing of it needs to reach a pod that leaves too', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1, 2, 3]);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'written on 2 before the scale-down')");
    pods.cluster.shutdown(podName(3));
    const end = await pods.aku(2, 'end', { stopReason: { kind: 'scale-down', ordinal: 2, replicas: 2, whenScaled: 'Retain' } });
    assert.equal(end.code, 0, end.lines.join('\n'));
    assert.ok(messages(end).some((m) => /^AKU_REP_23 could not deliver \(.*\), but altibase-sts-3 leaves the set too \(ordinal 3 >= spec\.replicas 2\): nothing of this pod's needs to reach it\.$/.test(m)), end.lines.join('\n'));
    assert.ok(messages(end).includes('Reset replications.'));
    for (const i of [0, 1]) {
      assert.deepEqual((await pods.replications(i)).get(`AKU_REP_${i}2`), { xsn: -1, started: false }, `AKU_REP_${i}2 on pod ${i}`);
    }
    assert.deepEqual(await pods.converged([0, 1]), ['1:written on 2 before the scale-down']);
  });

  it('a pair toward a pod that stays, which cannot deliver, still keeps every pair (exit 1)', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1, 2]);
    pods.cluster.shutdown(podName(1));
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'written on 2 while 1 is down')");
    const end = await pods.aku(2, 'end', { stopReason: SCALE_DOWN });
    assert.equal(end.code, 1, end.lines.join('\n'));
    assert.ok(!messages(end).includes('Reset replications.'));
    assert.notEqual((await pods.replications(0)).get('AKU_REP_02')?.xsn, -1, 'kept on pod 0');
  });

  it('an uninstall with volumes deleted decommissions; with volumes retained keeps, and a reinstall over them resumes', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1]);
    const kept = await pods.aku(1, 'end', { stopReason: { kind: 'uninstall', whenDeleted: 'Retain', detail: 'StatefulSet altibase-sts is being deleted' } });
    assert.equal(kept.code, 0, kept.lines.join('\n'));
    assert.equal(kept.outcome.stop?.settle, 'keep');
    assert.ok(messages(kept).some((m) => /whenDeleted: Retain\): deliberate keep/.test(m)), kept.lines.join('\n'));
    const master = await pods.aku(0, 'end', { stopReason: { kind: 'uninstall', whenDeleted: 'Retain', detail: 'StatefulSet altibase-sts is being deleted' } });
    assert.equal(master.code, 0, master.lines.join('\n'));
    for (const i of [0, 1]) assert.notEqual((await pods.replications(i)).get('AKU_REP_01')?.xsn, -1, `pod ${i}`);
    pods.restartPod(0);
    pods.restartPod(1);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    const again = await pods.aku(1, 'start');
    assert.equal(again.code, 0, again.lines.join('\n'));
    assert.ok(!messages(again).includes('Sync tables from MASTER Server.'), 'the reinstall resumes');

    const deleted = await pods.aku(1, 'end', { stopReason: { kind: 'uninstall', whenDeleted: 'Delete', detail: 'StatefulSet altibase-sts is being deleted' } });
    assert.equal(deleted.code, 0, deleted.lines.join('\n'));
    assert.equal(deleted.outcome.stop?.settle, 'reset');
    assert.deepEqual((await pods.replications(1)).get('AKU_REP_01'), { xsn: -1, started: false });
  });

  it('when the API could not be reached, AKU_REPLICATION_RESET_AT_END decides and the log says so by name', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1]);
    const reason: StopReason = { kind: 'unknown', why: 'the Kubernetes API at https://10.96.0.1:443 did not answer within 2 s' };
    const end = await pods.aku(1, 'end', { stopReason: reason });
    assert.equal(end.code, 0, end.lines.join('\n'));
    assert.ok(end.lines.some((l) => /\[WARN\]\[akuRunEnd:reason\].*Why this pod stops is not known \(the Kubernetes API at https:\/\/10\.96\.0\.1:443 did not answer within 2 s\); falling back to AKU_REPLICATION_RESET_AT_END = 1: decommission/.test(l)), end.lines.join('\n'));
    assert.ok(messages(end).includes('Reset replications.'));
    assert.equal(end.outcome.stop?.source, 'AKU_REPLICATION_RESET_AT_END');

    pods.restartPod(1);
    assert.equal((await pods.aku(1, 'start')).code, 0);
    const off = await pods.aku(1, 'end', { stopReason: reason, config: { replicationResetAtEnd: false } });
    assert.equal(off.code, 0, off.lines.join('\n'));
    assert.ok(off.lines.some((l) => /falling back to AKU_REPLICATION_RESET_AT_END = 0: keep/.test(l)), off.lines.join('\n'));
    assert.notEqual((await pods.replications(1)).get('AKU_REP_01')?.xsn, -1);
  });

  it('a restart whose pair could not deliver still keeps every pair, and exits 1 naming it', async () => {
    pods = new SimPods(testConfig({ endTimeBudgetSec: 4 }));
    await pods.startPods([0, 1]);
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'unsent')");
    const end = await pods.aku(1, 'end', { stopReason: RESTART });
    assert.equal(end.code, 1, end.lines.join('\n'));
    assert.match(end.outcome.problems.join('\n'), /-p end could not deliver every change: AKU_REP_01/);
    assert.equal(end.outcome.stop?.settle, 'keep');
  });

  it('a reason provider that fails or never answers is an unknown reason, within the bound', async () => {
    pods = new SimPods(testConfig());
    await pods.startPods([0, 1]);
    const failing = await pods.aku(1, 'end', { stopReasonProvider: async () => { throw new Error('cannot load the client'); } });
    assert.equal(failing.outcome.stop?.reason.kind, 'unknown');
    assert.match(failing.lines.join('\n'), /Why this pod stops is not known \(cannot load the client\)/);
    pods.restartPod(1);
    assert.equal((await pods.aku(1, 'start')).code, 0);
    const started = Date.now();
    const silent = await pods.aku(1, 'end', { stopReasonProvider: () => new Promise<StopReason>(() => undefined), config: { endTimeBudgetSec: 5 } });
    assert.equal(silent.code, 0, silent.lines.join('\n'));
    assert.match(silent.lines.join('\n'), /Why this pod stops is not known \(no answer within 2.5 s\)/);
    assert.ok(Date.now() - started < 5000, `end took ${Date.now() - started} ms`);
  });
});
