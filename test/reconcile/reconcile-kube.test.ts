import { strict as assert } from 'node:assert';
import { FakeKubeApi } from '../helpers/fake-kube-api.js';
import { logMessages, ProcessPods } from '../helpers/process-pods.js';

/**
 * `aku reconcile` with a Kubernetes API (an HTTP stand-in with the objects the test sets): the
 * replica count from the StatefulSet, the wait for a departing pod's Pod object to go and for the
 * set's pods to be Ready, and what happens when the wait runs out.
 */
describe('aku reconcile with the Kubernetes API (bin/aku, altisim processes, an API stand-in)', function () {
  this.timeout(120000);
  let pods: ProcessPods;
  let api: FakeKubeApi;
  let env: Record<string, string>;

  beforeEach(async () => {
    api = new FakeKubeApi('aku-ns');
    await api.start();
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    await pods.killServer(2);
    env = { KUBECONFIG: api.kubeconfig(pods.work) };
    api.setStatefulSet('altibase-sts', 2);
    api.setPod('altibase-sts-0', {});
    api.setPod('altibase-sts-1', {});
  });

  afterEach(async () => {
    await pods?.close();
    await api?.stop();
  });

  it('takes the count from spec.replicas, waits until the departing pod\'s Pod object is gone, and leaves a pod that is not Ready alone', async () => {
    // Pod 2 is still terminating (its Pod object exists) and goes after a while; pod 1 is not
    // Ready the whole time (its start runs): it is not waited for, and not read.
    api.setPod('altibase-sts-2', { deleting: true });
    api.setPod('altibase-sts-1', { ready: false });
    const settle = setTimeout(() => api.setPod('altibase-sts-2', null), 2500);
    try {
      const started = Date.now();
      const run = await pods.aku(0, ['reconcile', '--json'], env);
      const took = Date.now() - started;
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.ok(took >= 2500, `it waited (${took} ms)`);
      const report = JSON.parse(run.stdout);
      assert.deepEqual(report.replicas, { count: 2, source: 'kubernetes' });
      assert.deepEqual(report.departed.map((d: { pod: string; state: string; reason: string }) => [d.pod, d.state]), [['altibase-sts-2', 'gone']]);
      assert.match(report.departed[0].reason, /^no Pod object; its server at altibase-sts-2\.altibase-svc does not answer/);
      assert.deepEqual(report.objects.map((o: { pod: string; name: string; action: string }) => [o.pod, o.name, o.action]), [
        ['altibase-sts-0', 'AKU_REP_02', 'reset'],
      ]);
      assert.deepEqual(report.pods.map((p: { pod: string; state: string }) => [p.pod, p.state]), [['altibase-sts-0', 'read'], ['altibase-sts-1', 'starting']]);
      assert.equal((await pods.objects(1)).AKU_REP_12?.started, true, 'pod 1 was left alone: its pair toward 2 is still started');
      const said = logMessages(run.stderr);
      assert.ok(said.includes(`2 pod(s) in altibase-sts (its spec.replicas, namespace aku-ns at http://127.0.0.1:${api.port}).`), said.join('\n'));
      assert.ok(said.some((l) => /^Waiting for altibase-sts-2 to be gone \(terminating\) \(at most \d+ s more\)\.$/.test(l)), said.join('\n'));
      assert.ok(said.includes('No departing pod is left.'), said.join('\n'));
      assert.ok(said.includes('altibase-sts-1 is not Ready (its aku -p start runs): left alone; aku reconcile reads it once it is in service.'), said.join('\n'));
    } finally {
      clearTimeout(settle);
    }
  });

  it('a departing pod that stays past AKU_RECONCILE_WAIT is skipped by name, exit 1; a dry run does not wait at all', async () => {
    api.setPod('altibase-sts-2', { ready: true });
    const before = [await pods.objects(0), await pods.objects(1)];
    const dry = await pods.aku(0, ['reconcile', '--dry-run', '--json'], { ...env, AKU_RECONCILE_WAIT: '60' });
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stderr, /\[INFO\]\[akuReconcile:wait\]\[-\]\[-\] Not settled: altibase-sts-2 to be gone \(running\)\. A dry run does not wait\./);
    assert.deepEqual(JSON.parse(dry.stdout).objects.map((o: { action: string }) => o.action), ['skipped', 'skipped']);

    const started = Date.now();
    const run = await pods.aku(0, ['reconcile', '--json'], { ...env, AKU_RECONCILE_WAIT: '3' });
    const took = Date.now() - started;
    assert.equal(run.code, 1, run.stderr);
    assert.ok(took >= 3000 && took < 15000, `waited about the bound (${took} ms)`);
    assert.match(run.stderr, /\[WARN\]\[akuReconcile:wait\]\[-\]\[-\] Still not settled after 3 s \(AKU_RECONCILE_WAIT\): altibase-sts-2 to be gone \(running\)\. Going on with what is reachable\./);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.departed, [{ ordinal: 2, pod: 'altibase-sts-2', state: 'running', reason: 'its Pod exists' }]);
    assert.deepEqual(report.objects.map((o: { name: string; action: string; reason: string }) => [o.name, o.action, o.reason]), [
      ['AKU_REP_02', 'skipped', 'altibase-sts-2 is still running (its Pod exists); its aku -p end decommissions it; run aku reconcile again once it is gone'],
      ['AKU_REP_12', 'skipped', 'altibase-sts-2 is still running (its Pod exists); its aku -p end decommissions it; run aku reconcile again once it is gone'],
    ]);
    assert.deepEqual([await pods.objects(0), await pods.objects(1)], before, 'nothing changed');
  });

  it('--replicas wins over spec.replicas, with a warning; a StatefulSet that does not exist without --replicas is exit 2', async () => {
    api.setStatefulSet('altibase-sts', 3);
    api.setPod('altibase-sts-2', null);
    const run = await pods.aku(0, ['reconcile', '--replicas', '2', '--json'], { ...env, AKU_RECONCILE_WAIT: '0' });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).replicas, { count: 2, source: 'option' });
    assert.match(run.stderr, /\[WARN\]\[akuReconcile:count\]\[-\]\[-\] --replicas 2, but the StatefulSet's spec\.replicas is 3 \(namespace aku-ns at http:\/\/127\.0\.0\.1:\d+\); going by --replicas\./);

    api.objects.delete(api.statefulSetPath('altibase-sts'));
    const missing = await pods.aku(0, ['reconcile'], env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^aku: the replica count of altibase-sts is unknown: pass --replicas N .* StatefulSet altibase-sts not found \(namespace aku-ns at http:\/\/127\.0\.0\.1:\d+\)/);
  });
});
