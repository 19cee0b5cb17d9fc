import assert from 'node:assert/strict';
import { altibaseContainer, envOf, find, findAll, HelmError, render, RELEASE, type K8sObject } from './tools.js';

const FULL = `${RELEASE}-aku-altibase`;
const JOB = `${FULL}-reconcile`;

/**
 * The post-upgrade hook Job running `aku reconcile` (docs/reconcile.md): a hook of upgrades only,
 * with what the StatefulSet's container has — image, ServiceAccount and API token, aku.conf, the
 * SYS password as a file — and nothing more; its NetworkPolicy; its values.
 */
describe('chart: the reconcile Job (post-upgrade hook)', function () {
  this.timeout(60_000);

  let defaults: K8sObject[];
  let job: K8sObject;
  let pod: any;
  let container: any;
  let sts: K8sObject;
  let db: any;

  before(async () => {
    defaults = await render();
    job = find(defaults, 'Job', JOB);
    pod = job.spec.template.spec;
    container = pod.containers[0];
    sts = find(defaults, 'StatefulSet');
    db = altibaseContainer(sts);
  });

  const volume = (spec: any, name: string) => spec.volumes.find((v: any) => v.name === name);
  const mount = (c: any, name: string) => c.volumeMounts.find((m: any) => m.name === name);

  it('runs after upgrades only, is deleted when it succeeds and replaced at the next upgrade, bounded in retries and time', () => {
    assert.equal(job.metadata.annotations['helm.sh/hook'], 'post-upgrade');
    assert.equal(job.metadata.annotations['helm.sh/hook-delete-policy'], 'before-hook-creation,hook-succeeded');
    assert.equal(job.spec.backoffLimit, 2);
    assert.equal(job.spec.activeDeadlineSeconds, 280);
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(job.metadata.labels['app.kubernetes.io/component'], 'reconcile');
    assert.equal(job.spec.template.metadata.labels['app.kubernetes.io/component'], 'reconcile');
  });

  it('runs `aku reconcile --replicas <replicaCount>` in the pods\' image; the count follows replicaCount', async () => {
    assert.equal(container.image, db.image);
    assert.equal(container.imagePullPolicy, db.imagePullPolicy);
    assert.deepEqual(container.command, ['aku', 'reconcile', '--replicas', '2']);
    assert.equal(container.args, undefined);
    const scaled = find(await render({ set: { replicaCount: 1 } }), 'Job', JOB);
    assert.deepEqual(scaled.spec.template.spec.containers[0].command, ['aku', 'reconcile', '--replicas', '1']);
  });

  it('reads aku.conf from the release\'s ConfigMap at the path the pods read it', () => {
    assert.deepEqual(mount(container, 'aku-conf'), mount(db, 'aku-conf'));
    assert.deepEqual(volume(pod, 'aku-conf'), volume(sts.spec.template.spec, 'aku-conf'));
    const env = envOf(container);
    assert.equal(env.get('ALTIBASE_HOME').value, envOf(db).get('ALTIBASE_HOME').value);
    assert.equal(env.get('ALTIBASE_NLS_USE').value, envOf(db).get('ALTIBASE_NLS_USE').value);
  });

  it('gets the SYS password as the same Secret file the pods get, never as an environment value or an argument', async () => {
    const env = envOf(container);
    assert.equal(env.get('AKU_SYS_PASSWORD_FILE').value, envOf(db).get('AKU_SYS_PASSWORD_FILE').value);
    assert.deepEqual(mount(container, 'passwords'), mount(db, 'passwords'));
    const source = (spec: any) => volume(spec, 'passwords').projected.sources.find((s: any) => s.secret.items[0].path === 'sys-password');
    assert.deepEqual(source(pod), source(sts.spec.template.spec));
    assert.equal(volume(pod, 'passwords').projected.sources.length, 1, 'the initial password is not mounted: reconcile has no use for it');
    assert.equal(volume(pod, 'passwords').projected.defaultMode, volume(sts.spec.template.spec, 'passwords').projected.defaultMode);
    assert.deepEqual([...env.keys()].filter((k) => /PASSWORD/.test(k)), ['AKU_SYS_PASSWORD_FILE']);
    // auth.usePasswordFiles false: from the Secret by reference, as the pods get it, never a value.
    const byRef = find(await render({ set: { 'auth.usePasswordFiles': false } }), 'Job', JOB).spec.template.spec;
    const refEnv = envOf(byRef.containers[0]);
    assert.deepEqual(refEnv.get('AKU_SYS_PASSWORD'), { name: 'AKU_SYS_PASSWORD', valueFrom: { secretKeyRef: { name: FULL, key: 'sys-password' } } });
    assert.equal(volume(byRef, 'passwords'), undefined);
  });

  it('uses the pods\' ServiceAccount and the API token they get (rbac.create), the namespace from the downward API', async () => {
    assert.equal(pod.serviceAccountName, sts.spec.template.spec.serviceAccountName);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(volume(pod, 'kube-api-access'), volume(sts.spec.template.spec, 'kube-api-access'));
    assert.deepEqual(mount(container, 'kube-api-access'), mount(db, 'kube-api-access'));
    assert.deepEqual(envOf(container).get('AKU_POD_NAMESPACE').valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
    // The Role lets that account read the StatefulSet and each pod it may have, by name.
    const role = find(defaults, 'Role');
    assert.deepEqual(role.rules, [
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [FULL], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: [0, 1, 2, 3].map((i) => `${FULL}-${i}`), verbs: ['get'] },
    ]);
    assert.deepEqual(find(defaults, 'RoleBinding').subjects, [{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'db' }]);
    // Without the chart's RBAC there is no token to mount; with automount Kubernetes mounts it.
    for (const set of [{ 'rbac.create': false }, { 'serviceAccount.automountServiceAccountToken': true }] as Record<string, boolean>[]) {
      const spec = find(await render({ set }), 'Job', JOB).spec.template.spec;
      assert.equal(volume(spec, 'kube-api-access'), undefined, JSON.stringify(set));
    }
  });

  it('runs under the pods\' security contexts (fsGroup kept: the password file is group-readable)', () => {
    assert.deepEqual(container.securityContext, db.securityContext);
    assert.equal(pod.securityContext.fsGroup, sts.spec.template.spec.securityContext.fsGroup);
    assert.deepEqual(pod.securityContext.seccompProfile, sts.spec.template.spec.securityContext.seccompProfile);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(mount(container, 'tmp'), { name: 'tmp', mountPath: '/tmp' });
    assert.equal(pod.enableServiceLinks, false);
  });

  it('waits reconcile.waitSeconds (AKU_RECONCILE_WAIT); the deadline must leave it 30 s more', async () => {
    assert.equal(envOf(container).get('AKU_RECONCILE_WAIT').value, '180');
    const longer = find(await render({ set: { 'reconcile.waitSeconds': 400, 'reconcile.activeDeadlineSeconds': 600, 'reconcile.backoffLimit': 0 } }), 'Job', JOB);
    assert.equal(envOf(longer.spec.template.spec.containers[0]).get('AKU_RECONCILE_WAIT').value, '400');
    assert.equal(longer.spec.activeDeadlineSeconds, 600);
    assert.equal(longer.spec.backoffLimit, 0);
    await assert.rejects(render({ set: { 'reconcile.waitSeconds': 300 } }), (error: HelmError) => {
      assert.match(error.output, /reconcile\.activeDeadlineSeconds: 280 leaves the reconcile Job less than 30 s after its wait \(reconcile\.waitSeconds 300\); raise it to at least 330/);
      return true;
    });
    await assert.rejects(render({ set: { 'reconcile.backoffLimit': -1 } }), HelmError);
  });

  it('takes the driver settings of extraEnvVars, and its own resources (preset nano; reconcile.resources wins)', async () => {
    assert.deepEqual(container.resources.limits, { cpu: '150m', memory: '192Mi', 'ephemeral-storage': '2Gi' });
    const objs = await render({ values: {
      extraEnvVars: [{ name: 'AKU_DRIVER', value: 'altisim' }, { name: 'OTHER', value: 'x' }],
      reconcile: { resources: { limits: { memory: '256Mi' } } },
    } });
    const c = find(objs, 'Job', JOB).spec.template.spec.containers[0];
    assert.equal(envOf(c).get('AKU_DRIVER').value, 'altisim');
    assert.equal(envOf(c).get('OTHER'), undefined);
    assert.deepEqual(c.resources, { limits: { memory: '256Mi' } });
  });

  it('is selected by no Service, PodDisruptionBudget or the database pods\' policy; its own policy lets it reach the pods\' service port, DNS and the API server', async () => {
    const labels = job.spec.template.metadata.labels;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const svc of findAll(defaults, 'Service')) assert.ok(!matches(svc.spec.selector), `Service ${svc.metadata.name}`);
    assert.ok(!matches(find(defaults, 'PodDisruptionBudget').spec.selector.matchLabels));
    assert.ok(!matches(find(defaults, 'NetworkPolicy', FULL).spec.podSelector.matchLabels));
    const np = find(defaults, 'NetworkPolicy', JOB);
    assert.ok(matches(np.spec.podSelector.matchLabels));
    assert.deepEqual(np.spec.ingress, []);
    assert.deepEqual(np.spec.egress, [
      { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { ports: [{ port: 20300, protocol: 'TCP' }], to: [{ podSelector: { matchLabels: find(defaults, 'NetworkPolicy', FULL).spec.podSelector.matchLabels } }] },
      { ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }] },
    ]);
    // The database pods accept it on the service port also when they accept the release's pods only.
    const closed = await render({ set: { 'networkPolicy.allowExternal': false } });
    const from = find(closed, 'NetworkPolicy', FULL).spec.ingress[1].from;
    assert.ok(from.some((f: any) => f.podSelector && matches(f.podSelector.matchLabels)), JSON.stringify(from));
    const noRbac = find(await render({ set: { 'rbac.create': false } }), 'NetworkPolicy', JOB);
    assert.equal(noRbac.spec.egress.length, 2, 'no API server without rbac.create');
  });

  it('reconcile.enabled false renders neither the Job nor its policy; replicaCount 0 (scaling to nothing before an uninstall) no Job', async () => {
    const objs = await render({ set: { 'reconcile.enabled': false } });
    assert.equal(findAll(objs, 'Job').length, 0);
    assert.equal(objs.filter((o) => o.metadata.name === JOB).length, 0);
    assert.equal(findAll(await render({ set: { replicaCount: 0 } }), 'Job').length, 0);
  });
});
