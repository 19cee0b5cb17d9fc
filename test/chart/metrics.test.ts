/**
 * metrics.* (docs/metrics.md): off by default; on, an `aku metrics` sidecar that reads what the
 * Altibase container reads (image, aku.conf, password files, /tmp), a metrics Service, the
 * NetworkPolicy's metrics port, and with metrics.serviceMonitor.enabled a ServiceMonitor.
 */
import assert from 'node:assert/strict';
import { altibaseContainer, envOf, find, findAll, helmTemplateText, kubeconform, render, renderNotes, RELEASE, type K8sObject, renderFailure } from './tools.js';

const FULL = `${RELEASE}-aku-altibase`;
const ON = { metrics: { enabled: true } };

function sidecarOf(sts: K8sObject): any {
  return sts.spec.template.spec.containers.find((c: any) => c.name === 'metrics');
}

function mainPolicy(objects: K8sObject[]): K8sObject {
  return find(objects, 'NetworkPolicy', FULL);
}


describe('chart: metrics (aku metrics sidecar, Service, ServiceMonitor)', function () {
  this.timeout(60_000);

  let defaults: K8sObject[];
  let enabled: K8sObject[];
  before(async () => {
    [defaults, enabled] = await Promise.all([render(), render({ values: ON })]);
  });

  it('the default render has no sidecar, no metrics Service, no ServiceMonitor and no metrics port in the NetworkPolicy', () => {
    const sts = find(defaults, 'StatefulSet');
    assert.deepEqual(sts.spec.template.spec.containers.map((c: any) => c.name), ['altibase']);
    assert.deepEqual(findAll(defaults, 'ServiceMonitor'), []);
    assert.deepEqual(findAll(defaults, 'Service').map((s) => s.metadata.name).filter((n) => n.includes('metrics')), []);
    const ports = mainPolicy(defaults).spec.ingress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
    assert.deepEqual(ports, [20301, 20300]);
  });

  it('metrics.enabled: a sidecar running `aku metrics` with the image, aku.conf, password files, /tmp and security context of the Altibase container', () => {
    const sts = find(enabled, 'StatefulSet');
    const main = altibaseContainer(sts);
    const sidecar = sidecarOf(sts);
    assert.ok(sidecar, 'a container named metrics');
    assert.equal(sidecar.image, main.image);
    assert.equal(sidecar.imagePullPolicy, main.imagePullPolicy);
    assert.deepEqual(sidecar.command, ['/home/altibase/altibase_home/bin/aku', 'metrics', '--port', '9187']);
    assert.deepEqual(sidecar.ports, [{ name: 'metrics', containerPort: 9187, protocol: 'TCP' }]);
    assert.deepEqual(sidecar.securityContext, main.securityContext);
    // The same volumes, at the same paths: /tmp (the emptyDir with the outcome records and pid files), aku.conf, the passwords.
    for (const name of ['tmp', 'aku-conf', 'passwords']) {
      const mine = sidecar.volumeMounts.find((m: any) => m.name === name);
      assert.deepEqual(mine, main.volumeMounts.find((m: any) => m.name === name), name);
    }
    assert.deepEqual(sidecar.volumeMounts.map((m: any) => m.name), ['tmp', 'aku-conf', 'passwords'], 'nothing else: no data volume, no API token');
    assert.deepEqual(sts.spec.template.spec.volumes.find((v: any) => v.name === 'tmp'), { name: 'tmp', emptyDir: {} });
    const env = envOf(sidecar);
    const mainEnv = envOf(main);
    for (const name of ['ALTIBASE_HOME', 'ALTIBASE_NLS_USE', 'AKU_POD_NAME', 'AKU_SYS_PASSWORD_FILE']) assert.deepEqual(env.get(name), mainEnv.get(name), name);
    assert.equal(env.get('AKU_SIDECAR').value, '1');
    assert.equal(env.get('AKU_MONITOR_USER').value, 'SYS');
    assert.equal(env.get('AKU_METRICS_MIN_INTERVAL_SEC').value, '10');
    assert.equal(env.get('AKU_METRICS_READ_TIMEOUT_SEC').value, '8');
    assert.equal(env.has('AKU_SYS_INITIAL_PASSWORD_FILE'), false);
    assert.deepEqual(sidecar.livenessProbe, { httpGet: { path: '/healthz', port: 'metrics' }, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 });
    assert.equal(sidecar.readinessProbe, undefined, 'the exporter never makes a database pod unready');
    assert.equal(sidecar.startupProbe, undefined);
    assert.equal(sidecar.lifecycle, undefined, 'no preStop: aku -p end belongs to the Altibase container');
    assert.deepEqual(sidecar.resources.requests, { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '50Mi' }, 'the nano preset');
  });

  it('a metrics Service: ClusterIP, port `metrics`, every database pod (Ready or not)', () => {
    const service = find(enabled, 'Service', `${FULL}-metrics`);
    const sts = find(enabled, 'StatefulSet');
    assert.equal(service.spec.type, 'ClusterIP');
    assert.deepEqual(service.spec.ports, [{ name: 'metrics', port: 9187, targetPort: 'metrics', protocol: 'TCP' }]);
    assert.deepEqual(service.spec.selector, sts.spec.selector.matchLabels);
    assert.equal(service.spec.publishNotReadyAddresses, true);
    assert.equal(service.metadata.labels['app.kubernetes.io/component'], 'metrics');
    assert.deepEqual(findAll(enabled, 'ServiceMonitor'), [], 'no ServiceMonitor unless asked');
  });

  it('NOTES show how to read the metrics, only when enabled', async () => {
    assert.match(await renderNotes({ values: ON }), /kubectl -n db port-forward svc\/t-aku-altibase-metrics 9187\n  curl -s localhost:9187\/metrics/);
    assert.doesNotMatch(await renderNotes(), /metrics/);
  });

  it('the NetworkPolicy admits the metrics port', async () => {
    const rule = mainPolicy(enabled).spec.ingress.find((r: any) => r.ports.some((p: any) => p.port === 9187));
    assert.deepEqual(rule, { ports: [{ port: 9187, protocol: 'TCP' }] });
    const moved = await render({ values: { metrics: { enabled: true, port: 9300 } } });
    const sidecar = sidecarOf(find(moved, 'StatefulSet'));
    assert.deepEqual(sidecar.command.slice(-1), ['9300']);
    assert.equal(sidecar.ports[0].containerPort, 9300);
    assert.equal(find(moved, 'Service', `${FULL}-metrics`).spec.ports[0].port, 9300);
    assert.ok(mainPolicy(moved).spec.ingress.some((r: any) => r.ports.some((p: any) => p.port === 9300)));
  });

  it('metrics.serviceMonitor.enabled: a ServiceMonitor that selects the metrics Service, with the interval, timeout, labels and namespace given', async () => {
    const objects = await render({
      values: {
        metrics: {
          enabled: true,
          serviceMonitor: {
            enabled: true,
            namespace: 'monitoring',
            interval: '15s',
            scrapeTimeout: '12s',
            labels: { release: 'kube-prometheus' },
            annotations: { note: 'x' },
            jobLabel: 'app.kubernetes.io/name',
            relabelings: [{ action: 'labeldrop', regex: 'container' }],
            metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'aku_build_info' }],
          },
        },
      },
    });
    const monitor = find(objects, 'ServiceMonitor');
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(monitor.metadata.namespace, 'monitoring');
    assert.equal(monitor.metadata.labels.release, 'kube-prometheus');
    assert.equal(monitor.metadata.annotations.note, 'x');
    assert.equal(monitor.spec.jobLabel, 'app.kubernetes.io/name');
    const service = find(objects, 'Service', `${FULL}-metrics`);
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(service.metadata.labels[key], value, key);
    for (const other of findAll(objects, 'Service').filter((s) => s !== service)) {
      assert.ok(Object.entries(monitor.spec.selector.matchLabels).some(([k, v]) => other.metadata.labels[k] !== v), `${other.metadata.name} is not selected`);
    }
    assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ['db'] });
    assert.deepEqual(monitor.spec.endpoints, [{
      port: 'metrics',
      path: '/metrics',
      honorLabels: true,
      interval: '15s',
      scrapeTimeout: '12s',
      relabelings: [{ action: 'labeldrop', regex: 'container' }],
      metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'aku_build_info' }],
    }]);
    // Everything else still valid against the Kubernetes schemas (a ServiceMonitor has none offline).
    const text = await helmTemplateText({ values: { metrics: { enabled: true, serviceMonitor: { enabled: true } } } });
    const checked = await kubeconform(text.split(/^---$/m).filter((doc) => !/kind: ServiceMonitor/.test(doc)).join('---'));
    assert.deepEqual(checked.resources.filter((r) => r.status !== 'statusValid'), []);
    assert.ok(checked.resources.length >= 10, `${checked.resources.length} objects validated`);
    const plain = find(await render({ values: { metrics: { enabled: true, serviceMonitor: { enabled: true } } } }), 'ServiceMonitor');
    assert.equal(plain.metadata.namespace, 'db', 'the release namespace by default');
    assert.deepEqual(plain.spec.endpoints, [{ port: 'metrics', path: '/metrics', honorLabels: true, interval: '30s' }]);
  });

  it('passes AKU_DRIVER, AKU_ODBC_* and AKU_START_COMPLETED_FILE of extraEnvVars to the sidecar; without password files, the Secret as env', async () => {
    const objects = await render({
      values: {
        ...ON,
        extraEnvVars: [{ name: 'AKU_DRIVER', value: 'altisim' }, { name: 'AKU_ODBC_DSN', value: 'x' }, { name: 'AKU_START_COMPLETED_FILE', value: '/tmp/done' }, { name: 'OTHER', value: 'y' }],
        auth: { usePasswordFiles: false },
      },
    });
    const env = envOf(sidecarOf(find(objects, 'StatefulSet')));
    assert.equal(env.get('AKU_DRIVER').value, 'altisim');
    assert.equal(env.get('AKU_ODBC_DSN').value, 'x');
    assert.equal(env.get('AKU_START_COMPLETED_FILE').value, '/tmp/done');
    assert.equal(env.has('OTHER'), false);
    assert.deepEqual(env.get('AKU_SYS_PASSWORD').valueFrom, { secretKeyRef: { name: FULL, key: 'sys-password' } });
    assert.equal(sidecarOf(find(objects, 'StatefulSet')).volumeMounts.some((m: any) => m.name === 'passwords'), false);
  });

  it('refuses a metrics port that is an Altibase port, a ServiceMonitor without the exporter, and values of the wrong shape', async () => {
    assert.match(await renderFailure({ values: { metrics: { enabled: true, port: 20300 } } }), /metrics\.port: 20300 is also an Altibase port \(altibase\.containerPorts\)/);
    assert.match(await renderFailure({ values: { metrics: { serviceMonitor: { enabled: true } } } }), /metrics\.serviceMonitor\.enabled: is true but metrics\.enabled is false/);
    for (const values of [{ port: 'http' }, { port: 70000 }, { readTimeoutSeconds: 0 }, { serviceMonitor: { interval: '30 seconds' } }, { resourcesPreset: 'huge' }, { unknown: true }]) {
      assert.match(await renderFailure({ values: { metrics: values } }), /values don't meet the specifications of the schema/, JSON.stringify(values));
    }
  });
});
