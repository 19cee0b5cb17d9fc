/**
 * `helm upgrade --set replicaCount=N` must not restart running pods: the pod template, and
 * everything the pods read (aku.conf, scripts), is byte-identical whatever the replica count.
 */
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CHART_DIR, find, findAll, helmTemplateText, NAMESPACE, parseManifests, RELEASE, tools, type RenderOptions } from './tools.js';

/** The StatefulSet's spec.template exactly as helm printed it (the text, not a re-serialisation). */
function podTemplateText(manifests: string): string {
  const doc = manifests.split(/^---$/m).find((d) => /^kind: StatefulSet$/m.test(d));
  assert.ok(doc, 'no StatefulSet rendered');
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l === '  template:');
  assert.ok(start > 0, 'no spec.template in the StatefulSet');
  let end = start + 1;
  while (end < lines.length && (lines[end]!.startsWith('    ') || lines[end] === '')) end++;
  return lines.slice(start, end).join('\n');
}

async function both(base: RenderOptions, a: Record<string, string | number | boolean>, b: Record<string, string | number | boolean>) {
  const first = await helmTemplateText({ ...base, set: { ...base.set, ...a } });
  const second = await helmTemplateText({ ...base, set: { ...base.set, ...b } });
  return [first, second] as const;
}

function configMapsData(manifests: string) {
  return findAll(parseManifests(manifests), 'ConfigMap').map((cm) => [cm.metadata.name, cm.data]);
}

describe('chart: scaling does not restart pods', function () {
  this.timeout(30_000);

  for (const file of ['ci/default-values.yaml', 'ci/one-group-values.yaml', 'ci/three-groups-values.yaml']) {
    it(`replicaCount 1 → 4 leaves spec.template byte-identical (${file})`, async () => {
      const [before, after] = await both({ valuesFiles: [file], set: { 'aku.serverCount': 6 } }, { replicaCount: 1 }, { replicaCount: 4 });
      assert.equal(find(parseManifests(before), 'StatefulSet').spec.replicas, 1);
      assert.equal(find(parseManifests(after), 'StatefulSet').spec.replicas, 4);
      const t1 = podTemplateText(before);
      const t2 = podTemplateText(after);
      assert.ok(t1.includes('checksum/config'), 'the extracted template is the pod template');
      assert.equal(t1, t2);
      assert.deepEqual(find(parseManifests(before), 'StatefulSet').spec.template, find(parseManifests(after), 'StatefulSet').spec.template);
      assert.deepEqual(configMapsData(before), configMapsData(after));
    });
  }

  it('only spec.replicas (and the helm test\'s REPLICAS, the reconcile Job\'s --replicas) differ between the two renders', async () => {
    const [before, after] = await both({ set: { 'auth.sysPassword': 'Fixed1' } }, { replicaCount: 2 }, { replicaCount: 3 });
    const a = before.split('\n');
    const b = after.split('\n');
    assert.equal(a.length, b.length);
    const changed = a.map((line, i) => [line, b[i]]).filter(([x, y]) => x !== y);
    assert.deepEqual(changed, [
      ['  replicas: 2', '  replicas: 3'],
      ['          value: "2"', '          value: "3"'],
      ['            - "2"', '            - "3"'],
    ]);
  });

  it('a change to aku.conf does change the checksum (pods must roll to read it)', async () => {
    const [before, after] = await both({}, { 'aku.queryTimeout': 3600 }, { 'aku.queryTimeout': 60 });
    assert.notEqual(podTemplateText(before), podTemplateText(after));
    const checksum = (m: string) => find(parseManifests(m), 'StatefulSet').spec.template.metadata.annotations['checksum/config'];
    assert.notEqual(checksum(before), checksum(after));
  });

  it('a changed or added init script leaves the pod template alone (each runs once per pod; an added one on its next start)', async () => {
    const one = { 'altibase.initScripts.s\\.sql': 'CREATE TABLE T1 (I INTEGER PRIMARY KEY);' };
    const [a, b] = await both({}, one, { 'altibase.initScripts.s\\.sql': 'CREATE TABLE T1 (I BIGINT PRIMARY KEY);' });
    assert.equal(podTemplateText(a), podTemplateText(b));
    const [c, d] = await both({}, one, { ...one, 'altibase.initScripts.t\\.sql': 'CREATE TABLE T2 (I INTEGER PRIMARY KEY);' });
    assert.equal(podTemplateText(c), podTemplateText(d));
    // the sample schema (no scripts given) mounts the same ConfigMap: adding scripts later rolls nothing
    const [e, f] = await both({}, {}, one);
    assert.equal(podTemplateText(e), podTemplateText(f));
  });

  it('a chart version bump leaves the pod template alone (no chart or version label in it)', async () => {
    const { helm } = tools();
    const copy = mkdtempSync(join(tmpdir(), 'aku-chart-bump-'));
    try {
      cpSync(CHART_DIR, join(copy, 'chart'), { recursive: true });
      const chartYaml = join(copy, 'chart', 'Chart.yaml');
      writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace(/^version: .*$/m, 'version: 9.9.9'));
      const bumped = await execa(helm, ['template', RELEASE, join(copy, 'chart'), '--namespace', NAMESPACE, '--set', 'auth.sysPassword=Same1']);
      const current = await helmTemplateText({ set: { 'auth.sysPassword': 'Same1' } });
      assert.match(bumped.stdout, /helm\.sh\/chart: aku-altibase-9\.9\.9/, 'the other objects carry the new version');
      assert.equal(podTemplateText(bumped.stdout), podTemplateText(current));
      const labels = find(parseManifests(current), 'StatefulSet').spec.template.metadata.labels;
      assert.equal(labels['helm.sh/chart'], undefined);
      assert.equal(labels['app.kubernetes.io/version'], undefined);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a change to the client Service leaves the pod template alone', async () => {
    const [c, d] = await both({}, { 'service.type': 'ClusterIP' }, { 'service.type': 'NodePort' });
    assert.equal(podTemplateText(c), podTemplateText(d));
  });

  it('renders are deterministic apart from a generated password', async () => {
    const [x, y] = await both({ set: { 'auth.sysPassword': 'Same1' } }, {}, {});
    assert.equal(x, y);
    for (const doc of parseAllDocuments(x)) assert.equal(doc.errors.length, 0);
  });
});
