import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectSetReader } from '../../src/kube/set-facts.js';
import { FakeKubeApi } from '../helpers/fake-kube-api.js';

/**
 * What `aku reconcile` reads of the StatefulSet and its pods (src/kube/set-facts.ts), from an API
 * that answers over HTTP with objects the test sets. The connection and its failures are
 * stop-facts.test.ts's (the same src/kube/api.ts).
 */
describe('reading the StatefulSet and its pods for aku reconcile (src/kube/set-facts.ts)', function () {
  this.timeout(20000);
  const dir = mkdtempSync(join(tmpdir(), 'aku-kube-set-'));
  const api = new FakeKubeApi('aku-ns');
  before(async () => api.start());
  after(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spec.replicas, and per ordinal: absent (404), present with Ready, terminating and its revision, or unknown (403)', async () => {
    api.setStatefulSet('db', 2, { updateRevision: 'rev-2' });
    api.setPod('db-0', { revision: 'rev-2' });
    api.setPod('db-1', { ready: false, revision: 'rev-1' });
    api.setPod('db-2', { deleting: true });
    api.objects.set(api.podPath('db-4'), 403);
    const connected = await connectSetReader({ env: { KUBECONFIG: api.kubeconfig(dir) }, stsName: 'db' });
    assert.equal(connected.kind, 'connected', JSON.stringify(connected));
    if (connected.kind !== 'connected') return;
    assert.equal(connected.reader.where, `namespace aku-ns at http://127.0.0.1:${api.port}`);
    const look = await connected.reader.look([0, 1, 2, 3, 4], 2000);
    assert.equal(look.kind, 'read');
    if (look.kind !== 'read') return;
    assert.deepEqual(look.statefulSet, { replicas: 2, updateRevision: 'rev-2', onDelete: false });
    assert.deepEqual(look.pods.get(0), { kind: 'present', ready: true, deleting: false, revision: 'rev-2' });
    assert.deepEqual(look.pods.get(1), { kind: 'present', ready: false, deleting: false, revision: 'rev-1' });
    assert.deepEqual(look.pods.get(2), { kind: 'present', ready: true, deleting: true, revision: 'rev-1' });
    assert.deepEqual(look.pods.get(3), { kind: 'absent' });
    assert.deepEqual(look.pods.get(4), { kind: 'unknown', why: 'GET /api/v1/namespaces/aku-ns/pods/db-4: HTTP 403 answered 403 by the test' });
    // Each object by name: nothing is listed (the chart's Role grants get on names only).
    assert.ok(api.requests.every((r) => /^GET \/api(s\/apps)?\/v1\/namespaces\/aku-ns\/(statefulsets|pods)\/db(-\d)?$/.test(r)), api.requests.join('\n'));
  });

  it('a StatefulSet that does not exist is null; one the API refuses is a failure naming the request', async () => {
    const connected = await connectSetReader({ env: { KUBECONFIG: api.kubeconfig(dir) }, stsName: 'nosuch' });
    assert.equal(connected.kind, 'connected');
    if (connected.kind !== 'connected') return;
    const missing = await connected.reader.look([], 2000);
    assert.deepEqual(missing, { kind: 'read', statefulSet: null, pods: new Map() });
    api.objects.set(api.statefulSetPath('nosuch'), 403);
    const refused = await connected.reader.look([], 2000);
    assert.deepEqual(refused, { kind: 'failed', why: `GET /apis/apps/v1/namespaces/aku-ns/statefulsets/nosuch at http://127.0.0.1:${api.port}: HTTP 403 answered 403 by the test` });
  });

  it('OnDelete is read from spec.updateStrategy; AKU_POD_NAMESPACE wins over the context\'s namespace', async () => {
    const other = new FakeKubeApi('other-ns');
    await other.start();
    try {
      other.setStatefulSet('db', 3, { onDelete: true });
      const connected = await connectSetReader({ env: { KUBECONFIG: other.kubeconfig(dir, 'context-ns'), AKU_POD_NAMESPACE: 'other-ns' }, stsName: 'db' });
      assert.equal(connected.kind, 'connected');
      if (connected.kind !== 'connected') return;
      const look = await connected.reader.look([], 2000);
      assert.deepEqual(look.kind === 'read' ? look.statefulSet : look, { replicas: 3, updateRevision: 'rev-1', onDelete: true });
    } finally {
      await other.stop();
    }
  });
});
