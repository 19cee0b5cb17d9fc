import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { altibaseContainer, CI_VALUES, envOf, find, findAll, NAMESPACE, render, RELEASE, renderNotes, REPO_ROOT, type K8sObject } from './tools.js';

const FULL = `${RELEASE}-aku-altibase`;

describe('chart: rendered wiring', function () {
  this.timeout(30_000);

  let defaults: K8sObject[];
  let sts: K8sObject;
  let container: any;
  let env: Map<string, any>;

  before(async () => {
    defaults = await render();
    sts = find(defaults, 'StatefulSet');
    container = altibaseContainer(sts);
    env = envOf(container);
  });

  describe('StatefulSet', () => {
    it('uses OrderedReady and the headless Service as serviceName', () => {
      assert.equal(sts.metadata.name, FULL);
      assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
      assert.equal(sts.spec.serviceName, `${FULL}-hl`);
      assert.equal(sts.spec.replicas, 2);
      assert.equal(sts.metadata.namespace, NAMESPACE);
    });

    it('has a startupProbe on aku\'s completion file (written in this container) with the sample\'s 3600 x 10 s', () => {
      assert.deepEqual(container.startupProbe.exec.command, ['/bin/bash', '/opt/aku/chart-scripts/probe.sh', 'started']);
      assert.equal(container.startupProbe.failureThreshold, 18000);
      assert.equal(container.startupProbe.periodSeconds, 2);
    });

    it('makes the startupProbe configurable', async () => {
      const objs = await render({ set: { 'startupProbe.failureThreshold': 100, 'startupProbe.periodSeconds': 3 } });
      const probe = altibaseContainer(find(objs, 'StatefulSet')).startupProbe;
      assert.equal(probe.failureThreshold, 100);
      assert.equal(probe.periodSeconds, 3);
    });

    it('runs `aku -p end` in preStop (the pre-stop script from the scripts ConfigMap)', () => {
      assert.deepEqual(container.lifecycle.preStop.exec.command, ['/bin/bash', '/opt/aku/chart-scripts/pre-stop.sh']);
      const scripts = find(defaults, 'ConfigMap', `${FULL}-scripts`);
      assert.match(scripts.data['pre-stop.sh'], /"\$aku_bin" -p end/);
      assert.match(scripts.data['pre-stop.sh'], /AKU_END_TIME_BUDGET/);
      const mount = container.volumeMounts.find((m: any) => m.name === 'scripts');
      assert.equal(mount.mountPath, '/opt/aku/chart-scripts');
    });

    it('derives AKU_END_TIME_BUDGET from the grace period (90 - 15 = 75)', async () => {
      assert.equal(sts.spec.template.spec.terminationGracePeriodSeconds, 90);
      assert.equal(env.get('AKU_END_TIME_BUDGET').value, '75');
      const objs = await render({ set: { terminationGracePeriodSeconds: 200, 'aku.endTimeMarginSeconds': 30 } });
      const s = find(objs, 'StatefulSet');
      assert.equal(s.spec.template.spec.terminationGracePeriodSeconds, 200);
      assert.equal(envOf(altibaseContainer(s)).get('AKU_END_TIME_BUDGET').value, '170');
    });

    it('passes the pod name through the downward API as AKU_POD_NAME', () => {
      assert.deepEqual(env.get('AKU_POD_NAME').valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
    });

    it('starts Altibase with ADMIN_MODE=1, REMOTE_SYSDBA_ENABLE=1, the ports and NLS_USE', () => {
      assert.equal(env.get('ALTIBASE_ADMIN_MODE').value, '1');
      assert.equal(env.get('ALTIBASE_REMOTE_SYSDBA_ENABLE').value, '1');
      assert.equal(env.get('ALTIBASE_PORT_NO').value, '20300');
      assert.equal(env.get('ALTIBASE_REPLICATION_PORT_NO').value, '20301');
      assert.equal(env.get('ALTIBASE_NLS_USE').value, 'UTF8');
      assert.equal(env.get('ALTIBASE_HOME').value, '/home/altibase/altibase_home');
      assert.deepEqual(
        container.ports.map((p: any) => [p.name, p.containerPort]),
        [['altibase', 20300], ['replication', 20301]],
      );
    });

    it('sets REPLICATION_ALLOW_DUPLICATE_HOSTS only with more than one group', async () => {
      assert.equal(env.has('ALTIBASE_REPLICATION_ALLOW_DUPLICATE_HOSTS'), false);
      const one = envOf(altibaseContainer(find(await render({ valuesFiles: ['ci/one-group-values.yaml'] }), 'StatefulSet')));
      assert.equal(one.has('ALTIBASE_REPLICATION_ALLOW_DUPLICATE_HOSTS'), false);
      const three = envOf(altibaseContainer(find(await render({ valuesFiles: ['ci/three-groups-values.yaml'] }), 'StatefulSet')));
      assert.equal(three.get('ALTIBASE_REPLICATION_ALLOW_DUPLICATE_HOSTS').value, '1');
    });

    it('takes the passwords as files of the chart\'s Secrets (usePasswordFiles), or as secretKeyRef values when told', async () => {
      assert.equal(env.get('AKU_SYS_PASSWORD'), undefined);
      assert.equal(env.get('AKU_SYS_PASSWORD_FILE').value, '/opt/aku/secrets/sys-password');
      assert.equal(env.get('AKU_SYS_INITIAL_PASSWORD_FILE').value, '/opt/aku/secrets/initial-sys-password');
      const volume = sts.spec.template.spec.volumes.find((v: any) => v.name === 'passwords');
      assert.deepEqual(volume.projected.sources, [
        { secret: { name: FULL, items: [{ key: 'sys-password', path: 'sys-password' }] } },
        { secret: { name: `${FULL}-initial`, items: [{ key: 'initial-sys-password', path: 'initial-sys-password' }] } },
      ]);
      assert.deepEqual(container.volumeMounts.find((m: any) => m.name === 'passwords'), { name: 'passwords', mountPath: '/opt/aku/secrets', readOnly: true });
      const envValues = envOf(altibaseContainer(find(await render({ set: { 'auth.usePasswordFiles': false } }), 'StatefulSet')));
      assert.deepEqual(envValues.get('AKU_SYS_PASSWORD').valueFrom, { secretKeyRef: { name: FULL, key: 'sys-password' } });
      assert.equal(envValues.get('AKU_SYS_PASSWORD_FILE'), undefined);
    });

    it('mounts aku.conf at $ALTIBASE_HOME/conf/aku.conf, read-only', () => {
      const mount = container.volumeMounts.find((m: any) => m.name === 'aku-conf');
      assert.deepEqual(mount, { name: 'aku-conf', mountPath: '/home/altibase/altibase_home/conf/aku.conf', subPath: 'aku.conf', readOnly: true });
      const volume = sts.spec.template.spec.volumes.find((v: any) => v.name === 'aku-conf');
      assert.equal(volume.configMap.name, `${FULL}-config`);
    });

    it('keeps the data on a volumeClaimTemplate mounted under ALTIBASE_HOME', () => {
      const [vct] = sts.spec.volumeClaimTemplates;
      assert.equal(vct.metadata.name, 'data');
      assert.deepEqual(vct.spec.accessModes, ['ReadWriteOnce']);
      assert.equal(vct.spec.resources.requests.storage, '8Gi');
      assert.equal(vct.spec.storageClassName, undefined);
      assert.equal(vct.metadata.labels['helm.sh/chart'], undefined, 'volumeClaimTemplates are immutable: no chart version in them');
      const dataMounts = container.volumeMounts.filter((m: any) => m.name === 'data').map((m: any) => [m.mountPath, m.subPath]);
      assert.deepEqual(dataMounts, [
        ['/home/altibase/altibase_home/dbs', 'dbs'],
        ['/home/altibase/altibase_home/logs', 'logs'],
        ['/home/altibase/altibase_home/arch_logs', 'arch_logs'],
      ]);
      assert.equal(env.get('AKU_STATE_DIR').value, '/home/altibase/altibase_home/dbs/.aku');
    });

    it('persistence options: storage class, size, annotations, "-" and off', async () => {
      const objs = await render({ set: { 'persistence.storageClass': 'fast', 'persistence.size': '20Gi', 'persistence.annotations.a': 'b' } });
      const vct = find(objs, 'StatefulSet').spec.volumeClaimTemplates[0];
      assert.equal(vct.spec.storageClassName, 'fast');
      assert.equal(vct.spec.resources.requests.storage, '20Gi');
      assert.deepEqual(vct.metadata.annotations, { a: 'b' });
      const dash = find(await render({ set: { 'persistence.storageClass': '-' } }), 'StatefulSet').spec.volumeClaimTemplates[0];
      assert.equal(dash.spec.storageClassName, '');
      const off = find(await render({ valuesFiles: ['ci/persistence-off-values.yaml'] }), 'StatefulSet');
      assert.equal(off.spec.volumeClaimTemplates, undefined);
      assert.deepEqual(off.spec.template.spec.volumes.find((v: any) => v.name === 'data'), { name: 'data', emptyDir: {} });
    });

    it('has non-root security contexts and no automounted API token or service links', () => {
      const pod = sts.spec.template.spec;
      assert.equal(pod.securityContext.fsGroup, 10001);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      assert.equal(container.securityContext.runAsNonRoot, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.enableServiceLinks, false);
      assert.equal(pod.serviceAccountName, FULL);
    });

    it('passes the scheduling, image and extension hooks through', async () => {
      const objs = await render({ valuesFiles: ['ci/overrides-values.yaml'] });
      const s = find(objs, 'StatefulSet', 'altibase-sts');
      const pod = s.spec.template.spec;
      const c = altibaseContainer(s);
      assert.equal(c.image, 'registry.example.com/db/altibase-aku@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
      assert.equal(c.imagePullPolicy, 'Always');
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
      assert.deepEqual(pod.nodeSelector, { disk: 'ssd' });
      assert.equal(pod.tolerations[0].key, 'dedicated');
      assert.equal(pod.priorityClassName, 'high');
      assert.ok(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
      assert.deepEqual(pod.topologySpreadConstraints[0].labelSelector.matchLabels, {
        'app.kubernetes.io/name': 'aku-altibase', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'altibase',
      });
      assert.equal(s.spec.template.metadata.labels.tier, 'db');
      assert.equal(s.spec.template.metadata.annotations.backup, 'daily');
      assert.equal(envOf(c).get('TZ').value, 'Asia/Seoul');
      assert.equal(envOf(c).get('ALTIBASE_REPLICATION_MAX_COUNT').value, '64');
      assert.ok(c.volumeMounts.some((m: any) => m.name === 'license'));
      assert.ok(c.livenessProbe);
      assert.deepEqual(c.resources.limits, { cpu: '2', memory: '2Gi', 'ephemeral-storage': '4Gi' });
      assert.equal(s.spec.updateStrategy.type, 'OnDelete');
      assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenScaled: 'Delete', whenDeleted: 'Retain' });
      assert.equal(pod.serviceAccountName, 'altibase-sa');
      for (const o of objs) assert.equal(o.metadata.labels.team, 'dba', `${o.kind}/${o.metadata.name} lacks commonLabels`);
    });
  });

  describe('RBAC for `aku -p end` (rbac.create)', () => {
    const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

    it('a Role that gets this StatefulSet and its pods by name, and nothing else, bound to the pods\' ServiceAccount', () => {
      const role = find(defaults, 'Role', FULL);
      assert.equal(role.metadata.namespace, NAMESPACE);
      assert.deepEqual(role.rules, [
        { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [FULL], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: [0, 1, 2, 3].map((i) => `${FULL}-${i}`), verbs: ['get'] },
      ]);
      const binding = find(defaults, 'RoleBinding', FULL);
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: FULL });
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sts.spec.template.spec.serviceAccountName, namespace: NAMESPACE }]);
      assert.equal(find(defaults, 'ServiceAccount', FULL).automountServiceAccountToken, false);
    });

    it('the token, CA and namespace at the standard path in the Altibase container only; the namespace also as AKU_POD_NAMESPACE', () => {
      const pod = sts.spec.template.spec;
      assert.equal(pod.automountServiceAccountToken, false);
      const volume = pod.volumes.find((v: any) => v.name === 'kube-api-access');
      assert.deepEqual(volume.projected.sources.map((s: any) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
      assert.equal(volume.projected.sources[0].serviceAccountToken.path, 'token');
      assert.deepEqual(container.volumeMounts.find((m: any) => m.name === 'kube-api-access'), { name: 'kube-api-access', mountPath: SA_DIR, readOnly: true });
      for (const other of [...(pod.initContainers ?? []), ...pod.containers.filter((c: any) => c !== container)]) {
        assert.ok(!(other.volumeMounts ?? []).some((m: any) => m.name === 'kube-api-access'), `${other.name} has the token`);
      }
      assert.deepEqual(env.get('AKU_POD_NAMESPACE'), { name: 'AKU_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    });

    it('the pods\' names follow aku.serverCount and aku.stsName', async () => {
      const objs = await render({ set: { 'aku.serverCount': 2, 'aku.stsName': 'db' } });
      assert.deepEqual(find(objs, 'Role', FULL).rules.map((r: any) => r.resourceNames), [['db'], ['db-0', 'db-1']]);
    });

    it('rbac.create=false: no Role, no RoleBinding, no token, no egress to the API server', async () => {
      const objs = await render({ set: { 'rbac.create': false } });
      assert.deepEqual(objs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding'), []);
      const s = find(objs, 'StatefulSet');
      assert.ok(!s.spec.template.spec.volumes.some((v: any) => v.name === 'kube-api-access'));
      assert.ok(!altibaseContainer(s).volumeMounts.some((m: any) => m.name === 'kube-api-access'));
      assert.ok(!JSON.stringify(find(objs, 'NetworkPolicy', FULL).spec.egress).includes('6443'));
    });

    it('automountServiceAccountToken=true: Kubernetes mounts the token, the chart does not mount it twice', async () => {
      const objs = await render({ set: { 'serviceAccount.automountServiceAccountToken': true } });
      const s = find(objs, 'StatefulSet');
      assert.equal(s.spec.template.spec.automountServiceAccountToken, true);
      assert.ok(!s.spec.template.spec.volumes.some((v: any) => v.name === 'kube-api-access'));
      assert.ok(find(objs, 'Role', FULL));
    });

    it('networkPolicy.kubeAPIServerPorts names the ports; empty opens none', async () => {
      const six = await render({ values: { networkPolicy: { kubeAPIServerPorts: [6443] } } });
      assert.deepEqual(find(six, 'NetworkPolicy', FULL).spec.egress.at(-1), { ports: [{ port: 6443, protocol: 'TCP' }] });
      const none = await render({ values: { networkPolicy: { kubeAPIServerPorts: [] } } });
      assert.equal(find(none, 'NetworkPolicy', FULL).spec.egress.length, 2);
    });
  });

  describe('Services', () => {
    it('headless: clusterIP None, publishNotReadyAddresses, service + replication ports', () => {
      const svc = find(defaults, 'Service', `${FULL}-hl`);
      assert.equal(svc.spec.clusterIP, 'None');
      assert.equal(svc.spec.publishNotReadyAddresses, true);
      assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]), [
        ['altibase', 20300, 'altibase'],
        ['replication', 20301, 'replication'],
      ]);
      assert.deepEqual(svc.spec.selector, sts.spec.selector.matchLabels);
    });

    it('client: Ready pods only, service port only', () => {
      const svc = find(defaults, 'Service', FULL);
      assert.notEqual(svc.spec.publishNotReadyAddresses, true);
      assert.equal(svc.spec.clusterIP, undefined);
      assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]), [['altibase', 20300, 'altibase']]);
      assert.deepEqual(svc.spec.selector, sts.spec.selector.matchLabels);
    });

    it('master: selects pod-0 only, and can be turned off', async () => {
      const svc = find(defaults, 'Service', `${FULL}-master`);
      assert.equal(svc.spec.selector['statefulset.kubernetes.io/pod-name'], `${FULL}-0`);
      const off = await render({ set: { 'masterService.enabled': false } });
      assert.equal(findAll(off, 'Service').length, 2);
    });

    it('overridden AKU_STS_NAME / AKU_SVC_NAME name the StatefulSet and the headless Service', async () => {
      const objs = await render({ valuesFiles: ['ci/overrides-values.yaml'] });
      const s = find(objs, 'StatefulSet');
      assert.equal(s.metadata.name, 'altibase-sts');
      assert.equal(s.spec.serviceName, 'altibase-svc');
      find(objs, 'Service', 'altibase-svc');
      assert.equal(find(objs, 'Service', 'altibase-master').spec.selector['statefulset.kubernetes.io/pod-name'], 'altibase-sts-0');
      const client = find(objs, 'Service', 'altibase');
      assert.equal(client.spec.type, 'NodePort');
      assert.equal(client.spec.ports[0].nodePort, 31300);
    });

    it('the selectors do not match the helm test Pod', () => {
      const testPod = find(defaults, 'Pod');
      const selector = sts.spec.selector.matchLabels as Record<string, string>;
      const matches = Object.entries(selector).every(([k, v]) => testPod.metadata.labels[k] === v);
      assert.equal(matches, false);
    });
  });

  describe('Secret and ConfigMaps', () => {
    it('generates a SYS password Secret kept on uninstall; auth.sysPassword sets it', async () => {
      const secret = find(defaults, 'Secret', FULL);
      const generated = Buffer.from(secret.data['sys-password'], 'base64').toString();
      assert.match(generated, /^[A-Za-z][A-Za-z0-9]{23}$/);
      assert.equal(secret.metadata.annotations['helm.sh/resource-policy'], 'keep');
      const given = find(await render({ set: { 'auth.sysPassword': 'Pw12345' } }), 'Secret', FULL);
      assert.equal(Buffer.from(given.data['sys-password'], 'base64').toString(), 'Pw12345');
    });

    it('with auth.existingSecret renders no Secret and reads the given key', async () => {
      const objs = await render({ valuesFiles: ['ci/existing-secret-values.yaml'] });
      // only the initial password's Secret, which the chart always renders
      assert.deepEqual(findAll(objs, 'Secret').map((o) => o.metadata.name), [`${FULL}-initial`]);
      const source = (o: K8sObject) => o.spec.volumes.find((v: any) => v.name === 'passwords').projected.sources[0];
      assert.deepEqual(source(find(objs, 'StatefulSet').spec.template), { secret: { name: 'altibase-sys', items: [{ key: 'password', path: 'sys-password' }] } });
      assert.deepEqual(source(find(objs, 'Pod')), { secret: { name: 'altibase-sys', items: [{ key: 'password', path: 'sys-password' }] } });
    });

    it('no ConfigMap contains the password, nor does aku.conf name AKU_SYS_PASSWORD as a property', async () => {
      const password = 'VeryDistinctPassword42';
      const objs = await render({ valuesFiles: ['ci/one-group-values.yaml'], set: { 'auth.sysPassword': password } });
      const configMaps = findAll(objs, 'ConfigMap');
      assert.ok(configMaps.length >= 3);
      for (const cm of configMaps) assert.doesNotMatch(JSON.stringify(cm), new RegExp(password), `${cm.metadata.name} leaks the password`);
      const conf = find(objs, 'ConfigMap', `${FULL}-config`).data['aku.conf'] as string;
      assert.doesNotMatch(conf, /^\s*AKU_SYS_PASSWORD\s*=/m);
      // the password appears once, base64-encoded, in the Secret
      for (const o of objs.filter((o) => o.kind !== 'Secret')) assert.doesNotMatch(JSON.stringify(o), new RegExp(password));
    });

    it('aku.conf does not contain the replica count', async () => {
      const a = find(await render({ set: { replicaCount: 1 } }), 'ConfigMap', `${FULL}-config`);
      const b = find(await render({ set: { replicaCount: 4 } }), 'ConfigMap', `${FULL}-config`);
      assert.deepEqual(a.data, b.data);
    });

    it('init scripts: rendered into a ConfigMap and mounted; or an existing ConfigMap is mounted', async () => {
      const objs = await render({ valuesFiles: ['ci/one-group-values.yaml'] });
      const initdb = find(objs, 'ConfigMap', `${FULL}-initdb`);
      assert.deepEqual(Object.keys(initdb.data).sort(), ['01-tables.sql', '02-partitioned.sql']);
      const s = find(objs, 'StatefulSet');
      assert.equal(s.spec.template.spec.volumes.find((v: any) => v.name === 'initdb').configMap.name, `${FULL}-initdb`);
      assert.equal(altibaseContainer(s).volumeMounts.find((m: any) => m.name === 'initdb').mountPath, '/opt/aku/initdb');
      assert.equal(envOf(altibaseContainer(s)).get('AKU_INIT_SCRIPTS_DIR').value, '/opt/aku/initdb');
      const existing = find(await render({ valuesFiles: ['ci/existing-secret-values.yaml'] }), 'StatefulSet');
      assert.equal(existing.spec.template.spec.volumes.find((v: any) => v.name === 'initdb').configMap.name, 'altibase-schema');
      const none = await render({ set: { 'altibase.sampleSchema': false } });
      assert.equal(none.filter((o) => o.metadata.name === `${FULL}-initdb`).length, 0);
      assert.equal(find(none, 'StatefulSet').spec.template.spec.volumes.find((v: any) => v.name === 'initdb'), undefined);
    });
  });

  describe('PodDisruptionBudget', () => {
    it('defaults to maxUnavailable 1 over the database pods', () => {
      const pdb = find(defaults, 'PodDisruptionBudget');
      assert.equal(pdb.spec.maxUnavailable, 1);
      assert.equal(pdb.spec.minAvailable, undefined);
      assert.deepEqual(pdb.spec.selector.matchLabels, sts.spec.selector.matchLabels);
    });

    it('takes minAvailable, or maxUnavailable 0, and can be turned off', async () => {
      assert.equal(find(await render({ set: { 'pdb.minAvailable': 2 } }), 'PodDisruptionBudget').spec.minAvailable, 2);
      assert.equal(find(await render({ set: { 'pdb.maxUnavailable': 0 } }), 'PodDisruptionBudget').spec.maxUnavailable, 0);
      assert.equal(findAll(await render({ set: { 'pdb.create': false } }), 'PodDisruptionBudget').length, 0);
    });
  });

  describe('secure and sized by default', () => {
    it('UID/GID 10001, read-only root filesystem, writable places are emptyDirs and the data volume', () => {
      assert.equal(container.securityContext.runAsUser, 10001);
      assert.equal(container.securityContext.runAsGroup, 10001);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      const volumes = sts.spec.template.spec.volumes;
      assert.deepEqual(volumes.find((v: any) => v.name === 'tmp'), { name: 'tmp', emptyDir: {} });
      assert.deepEqual(volumes.find((v: any) => v.name === 'server-trace'), { name: 'server-trace', emptyDir: {} });
      const writable = container.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath);
      assert.deepEqual(writable.sort(), ['/home/altibase/altibase_home/arch_logs', '/home/altibase/altibase_home/dbs', '/home/altibase/altibase_home/logs', '/home/altibase/altibase_home/trc', '/tmp']);
      const test = find(defaults, 'Pod');
      assert.equal(test.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
      assert.deepEqual(test.spec.containers[0].volumeMounts.find((m: any) => m.name === 'tmp'), { name: 'tmp', mountPath: '/tmp' });
    });

    it('resources from resourcesPreset (medium; the test Pod nano), ephemeral storage included; resources wins', async () => {
      assert.deepEqual(container.resources, {
        requests: { cpu: '500m', memory: '1024Mi', 'ephemeral-storage': '50Mi' },
        limits: { cpu: '750m', memory: '1536Mi', 'ephemeral-storage': '2Gi' },
      });
      assert.deepEqual(find(defaults, 'Pod').spec.containers[0].resources.limits, { cpu: '150m', memory: '192Mi', 'ephemeral-storage': '2Gi' });
      const large = altibaseContainer(find(await render({ set: { resourcesPreset: 'large' } }), 'StatefulSet'));
      assert.equal(large.resources.requests.memory, '2048Mi');
      const own = altibaseContainer(find(await render({ set: { resourcesPreset: 'large', 'resources.requests.memory': '8Gi' } }), 'StatefulSet'));
      assert.deepEqual(own.resources, { requests: { memory: '8Gi' } });
      const none = altibaseContainer(find(await render({ set: { resourcesPreset: 'none' } }), 'StatefulSet'));
      assert.equal(none.resources, undefined);
    });

    it('PodDisruptionBudget lets a drain evict an unready pod (unhealthyPodEvictionPolicy AlwaysAllow)', async () => {
      assert.equal(find(defaults, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy, 'AlwaysAllow');
      const other = await render({ set: { 'pdb.unhealthyPodEvictionPolicy': 'IfHealthyBudget' } });
      assert.equal(find(other, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy, 'IfHealthyBudget');
    });

    describe('NetworkPolicy (networkPolicy.*)', () => {
      const dbPolicy = (objs: K8sObject[]) => find(objs, 'NetworkPolicy', FULL);
      const selector = { 'app.kubernetes.io/name': 'aku-altibase', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'altibase' };

      it('on by default: replication only from the release\'s database pods, the service port from anyone, egress to DNS and peers', () => {
        const np = dbPolicy(defaults);
        assert.deepEqual(np.spec.podSelector.matchLabels, selector);
        assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
        const [replication, service] = np.spec.ingress;
        assert.deepEqual(replication, { ports: [{ port: 20301, protocol: 'TCP' }], from: [{ podSelector: { matchLabels: selector } }] });
        assert.deepEqual(service, { ports: [{ port: 20300, protocol: 'TCP' }] });
        assert.deepEqual(np.spec.egress, [
          { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
          { ports: [{ port: 20300, protocol: 'TCP' }, { port: 20301, protocol: 'TCP' }], to: [{ podSelector: { matchLabels: selector } }] },
          // the Kubernetes API server, for `aku -p end` (rbac.create)
          { ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }] },
        ]);
        const test = find(defaults, 'NetworkPolicy', `${FULL}-test`);
        assert.deepEqual(test.spec.ingress, []);
        assert.equal(test.spec.podSelector.matchLabels['app.kubernetes.io/component'], 'test');
        assert.equal(find(defaults, 'Pod').metadata.labels['app.kubernetes.io/component'], 'test');
      });

      it('allowExternal false: the service port from the release, labelled clients and the given namespaces', async () => {
        const np = dbPolicy(await render({ values: { networkPolicy: { allowExternal: false, ingressNSMatchLabels: { team: 'app' }, ingressNSPodMatchLabels: { role: 'api' } } } }));
        assert.deepEqual(np.spec.ingress[1].from, [
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'aku-altibase', 'app.kubernetes.io/instance': RELEASE } } },
          { podSelector: { matchLabels: { [`${FULL}-client`]: 'true' } } },
          { namespaceSelector: { matchLabels: { team: 'app' } }, podSelector: { matchLabels: { role: 'api' } } },
        ]);
      });

      it('allowExternalEgress, extraIngress/extraEgress, and off', async () => {
        const open = dbPolicy(await render({ set: { 'networkPolicy.allowExternalEgress': true } }));
        assert.deepEqual(open.spec.egress, [{}]);
        const extra = dbPolicy(await render({ values: { networkPolicy: { extraIngress: [{ ports: [{ port: 9100 }] }], extraEgress: [{ ports: [{ port: 443 }] }] } } }));
        assert.deepEqual(extra.spec.ingress.at(-1), { ports: [{ port: 9100 }] });
        assert.deepEqual(extra.spec.egress.at(-1), { ports: [{ port: 443 }] });
        assert.equal(findAll(await render({ set: { 'networkPolicy.enabled': false } }), 'NetworkPolicy').length, 0);
      });
    });
  });

  describe('default values install and work', () => {
    /** Tables named in aku.conf's REPLICATIONS (user.table). */
    const replicatedTables = (objects: K8sObject[]) =>
      [...findAll(objects, 'ConfigMap').find((o) => o.data?.['aku.conf'])!.data['aku.conf'].matchAll(/^\s+(\w+)\.(\w+)(?: PARTITION \w+)?,?$/gm)].map((m) => `${m[1]}.${m[2]}`.toUpperCase());
    /** Tables the rendered init scripts create (as SYS unless qualified). */
    const createdTables = (objects: K8sObject[]) => {
      const initdb = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-initdb'));
      const sql = Object.values<string>(initdb?.data ?? {}).join('\n');
      return [...sql.matchAll(/CREATE\s+TABLE\s+(?:(\w+)\.)?(\w+)/gi)].map((m) => `${m[1] ?? 'SYS'}.${m[2]}`.toUpperCase());
    };

    for (const file of [undefined, ...CI_VALUES]) {
      it(`${file ?? 'defaults'}: every replicated table is created by an init script (or comes from a ConfigMap of the user's)`, async () => {
        const objects = await render({ valuesFiles: file ? [file] : [] });
        const sts = find(objects, 'StatefulSet');
        const mounted = sts.spec.template.spec.volumes.find((v: any) => v.name === 'initdb')?.configMap.name;
        if (file === 'ci/existing-secret-values.yaml') {
          // the user's own ConfigMap (altibase.initScriptsConfigMap): its content is theirs
          assert.equal(mounted, 'altibase-schema');
          return;
        }
        const created = createdTables(objects);
        for (const table of replicatedTables(objects)) assert.ok(created.includes(table), `${table} is replicated but no init script creates it (created: ${created.join(', ') || 'none'})`);
      });
    }

    it('the sample schema is the default and gives way to the user\'s own scripts', async () => {
      const initdb = find(defaults, 'ConfigMap', `${FULL}-initdb`);
      assert.deepEqual(Object.keys(initdb.data), ['00-aku-sample-schema.sql']);
      assert.match(initdb.data['00-aku-sample-schema.sql'], /^CREATE TABLE T1 \(ID INTEGER PRIMARY KEY/m);
      const own = await render({ values: { altibase: { initScripts: { '01-mine.sql': 'CREATE TABLE T1 (ID INTEGER PRIMARY KEY);' } } } });
      assert.deepEqual(Object.keys(find(own, 'ConfigMap', `${FULL}-initdb`).data), ['01-mine.sql']);
      const off = await render({ set: { 'altibase.sampleSchema': false } });
      assert.equal(off.filter((o) => o.metadata.name === `${FULL}-initdb`).length, 0);
    });
  });

  describe('a pod that cannot start shows it', () => {
    it('bounded start attempts reach the entrypoint; the termination message falls back to the log', async () => {
      assert.equal(env.get('AKU_START_MAX_ATTEMPTS').value, '8');
      assert.equal(container.terminationMessagePolicy, 'FallbackToLogsOnError');
      const objs = await render({ set: { 'aku.startRetry.maxAttempts': 3 } });
      assert.equal(envOf(altibaseContainer(find(objs, 'StatefulSet'))).get('AKU_START_MAX_ATTEMPTS').value, '3');
    });

    it('NOTES say how to see the reason and recover a rollout stuck on an unready pod (kubernetes#67250)', async () => {
      const notes = await renderNotes();
      assert.match(notes, /CrashLoopBackOff/);
      assert.match(notes, /kubectl -n db logs t-aku-altibase-N -c altibase --previous/);
      assert.match(notes, /kubernetes\/kubernetes#67250/);
      assert.match(notes, /kubectl -n db delete pod t-aku-altibase-N/);
      assert.match(notes, /helm test t -n db --logs/);
    });
  });

  describe('values files driving the simulator', () => {
    for (const file of CI_VALUES) {
      it(`${file}: a server started through altisim is talked to with aku's altisim driver`, async () => {
        const e = envOf(altibaseContainer(find(await render({ valuesFiles: [file] }), 'StatefulSet')));
        const drivesAltisim = /\baltisim\b/.test(e.get('AKU_SERVER_START_CMD')?.value ?? '');
        if (drivesAltisim) assert.equal(e.get('AKU_DRIVER')?.value, 'altisim');
      });
    }
    it('the simulator values file selects aku\'s altisim driver and overrides no server command (its base honours the contract)', async () => {
      const e = envOf(altibaseContainer(find(await render({ valuesFiles: ['ci/simulator-values.yaml'] }), 'StatefulSet')));
      assert.equal(e.get('AKU_DRIVER').value, 'altisim');
      assert.deepEqual([...e.keys()].filter((k) => /^AKU_(SERVER|SQL)_/.test(k)), []);
    });
  });

  describe('helm test hook', () => {
    it('is a test-hook Pod running the replication check with the same image', () => {
      const pod = find(defaults, 'Pod');
      assert.equal(pod.metadata.annotations['helm.sh/hook'], 'test');
      assert.equal(pod.spec.restartPolicy, 'Never');
      const c = pod.spec.containers[0];
      assert.equal(c.image, altibaseContainer(sts).image);
      assert.deepEqual(c.command, ['/bin/bash', '/opt/aku/tests/check-replication.sh']);
      const e = envOf(c);
      assert.equal(e.get('STS').value, FULL);
      assert.equal(e.get('SVC').value, `${FULL}-hl`);
      assert.equal(e.get('REPLICAS').value, '2');
      assert.equal(e.get('PREFIXES').value, 'AKU_REP');
      assert.equal(e.get('PORT').value, '20300');
      // the image's aku-sql (password from the mounted Secret file) unless tests.sqlCommand says otherwise
      assert.equal(e.get('SQL_COMMAND'), undefined);
      assert.equal(e.get('AKU_SYS_PASSWORD_FILE').value, '/opt/aku/secrets/sys-password');
      assert.equal(e.get('TABLES').value, 'SYS.T1');
      // aku -s reads the release's aku.conf, as the pods do, and logs in as SYS without SYSDBA
      assert.equal(e.get('FAIL_ON').value, 'fail');
      assert.equal(e.get('AKU_MONITOR_USER').value, 'SYS');
      const conf = c.volumeMounts.find((m: { name: string }) => m.name === 'aku-conf');
      assert.deepEqual(conf, { name: 'aku-conf', mountPath: '/home/altibase/altibase_home/conf/aku.conf', subPath: 'aku.conf', readOnly: true });
      assert.deepEqual(pod.spec.volumes.find((v: { name: string }) => v.name === 'aku-conf'), { name: 'aku-conf', configMap: { name: `${FULL}-config` } });
      assert.equal(find(defaults, 'ConfigMap', `${FULL}-config`).metadata.name, `${FULL}-config`);
      const cm = find(defaults, 'ConfigMap', `${FULL}-tests`);
      assert.match(cm.data['check-replication.sh'], /"\$AKU_COMMAND" -s --replicas "\$REPLICAS" --fail-on "\$FAIL_ON"/);
      assert.equal(cm.data['aku-facts.sh'], readFileSync(join(REPO_ROOT, 'chart', 'files', 'aku-facts.sh'), 'utf8'));
    });

    it('lists every group prefix and every replicated table once, and takes another SQL command', async () => {
      const three = envOf(find(await render({ valuesFiles: ['ci/three-groups-values.yaml'] }), 'Pod').spec.containers[0]);
      assert.equal(three.get('PREFIXES').value, 'AKU_REP1 AKU_REP2 AKU_REP3');
      assert.equal(three.get('REPLICAS').value, '6');
      assert.equal(three.get('TABLES').value, 'SYS.T1 SYS.T2 SYS.T3 SYS.T4 SYS.T5 SYS.T6 SYS.T7 SYS.T8 SYS.T9');
      const other = envOf(find(await render({ set: { 'tests.sqlCommand': 'my-client "$SQL_FILE"' } }), 'Pod').spec.containers[0]);
      assert.equal(other.get('SQL_COMMAND').value, 'my-client "$SQL_FILE"');
    });

    it('takes tests.failOn, and the driver settings of extraEnvVars (aku -s talks to the servers as the pods do)', async () => {
      const strict = envOf(find(await render({ set: { 'tests.failOn': 'warn' } }), 'Pod').spec.containers[0]);
      assert.equal(strict.get('FAIL_ON').value, 'warn');
      const sim = envOf(find(await render({ valuesFiles: ['ci/simulator-values.yaml'] }), 'Pod').spec.containers[0]);
      assert.equal(sim.get('AKU_DRIVER').value, 'altisim');
      const odbc = envOf(
        find(await render({ set: { 'extraEnvVars[0].name': 'AKU_ODBC_DRIVER', 'extraEnvVars[0].value': 'ALTIBASE', 'extraEnvVars[1].name': 'OTHER', 'extraEnvVars[1].value': 'x' } }), 'Pod').spec.containers[0],
      );
      assert.equal(odbc.get('AKU_ODBC_DRIVER').value, 'ALTIBASE');
      assert.equal(odbc.get('OTHER'), undefined);
    });

    it('keeps the finished pod for `helm test --logs` (deleted only before the next test run)', () => {
      const pod = find(defaults, 'Pod');
      assert.equal(pod.metadata.annotations['helm.sh/hook-delete-policy'], 'before-hook-creation');
    });

    it('can be turned off', async () => {
      const objs = await render({ set: { 'tests.enabled': false } });
      assert.equal(findAll(objs, 'Pod').length, 0);
      assert.equal(objs.filter((o) => o.metadata.name.endsWith('-tests')).length, 0);
    });
  });
});
