/**
 * The values a Bitnami user reaches for (issue 12 item 3): each renders where it should, custom
 * probes and hooks add to aku's gate and preStop instead of replacing them (checked by running the
 * rendered commands), and the schema refuses a wrong type for every one of them.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { altibaseContainer, envOf, find, HelmError, helmTemplateText, render, renderNotes, type RenderOptions } from './tools.js';

const SCRIPTS = '/opt/aku/chart-scripts';

async function sts(options: RenderOptions) {
  return find(await render(options), 'StatefulSet');
}

/** Runs a rendered exec command with the chart's scripts replaced by stand-ins that log and exit as told. */
async function runRendered(command: string[], stubs: Record<string, number>) {
  const dir = mkdtempSync(join(tmpdir(), 'aku-gated-'));
  try {
    const replaced = command.map((part) => {
      let out = part;
      for (const name of Object.keys(stubs)) {
        const stub = join(dir, name);
        writeFileSync(stub, `echo "${name} $*" >> "${dir}/log"\nexit ${stubs[name]}\n`);
        chmodSync(stub, 0o755);
        out = out.split(`${SCRIPTS}/${name}`).join(stub);
      }
      return out.replace('{LOG}', join(dir, 'log'));
    });
    const result = await execa(replaced[0]!, replaced.slice(1), { reject: false });
    let log = '';
    try {
      log = readFileSync(join(dir, 'log'), 'utf8');
    } catch {}
    return { exitCode: result.exitCode, log: log.trim().split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('chart: Bitnami-style values', function () {
  this.timeout(60_000);

  it('global.imageRegistry wins over image.registry; global.imagePullSecrets join image.pullSecrets', async () => {
    const objs = await render({ values: { global: { imageRegistry: 'mirror.example.com', imagePullSecrets: ['g1', { name: 'g2' }] }, image: { registry: 'r.example.com', pullSecrets: ['p1', 'g1'] } } });
    for (const pod of [find(objs, 'StatefulSet').spec.template.spec, find(objs, 'Pod').spec]) {
      assert.match(pod.containers[0].image, /^mirror\.example\.com\/aku-altibase:/);
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'g1' }, { name: 'g2' }, { name: 'p1' }]);
    }
  });

  it('global.defaultStorageClass when persistence.storageClass is empty; persistence.dataSource', async () => {
    const s = await sts({ values: { global: { defaultStorageClass: 'standard' }, persistence: { dataSource: { name: 'snap', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' } } } });
    assert.equal(s.spec.volumeClaimTemplates[0].spec.storageClassName, 'standard');
    assert.deepEqual(s.spec.volumeClaimTemplates[0].spec.dataSource, { name: 'snap', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });
    const own = await sts({ values: { global: { defaultStorageClass: 'standard' }, persistence: { storageClass: 'fast' } } });
    assert.equal(own.spec.volumeClaimTemplates[0].spec.storageClassName, 'fast');
  });

  it('clusterDomain reaches NOTES\' fully qualified names', async () => {
    const notes = await renderNotes({ set: { clusterDomain: 'corp.local' } });
    assert.match(notes, /t-aku-altibase\.db\.svc\.corp\.local:20300/);
  });

  it('extraEnvVars, extraEnvVarsCM, extraEnvVarsSecret, initContainers, sidecars', async () => {
    const s = await sts({
      values: {
        extraEnvVars: [{ name: 'TZ', value: 'UTC' }],
        extraEnvVarsCM: 'env-cm',
        extraEnvVarsSecret: 'env-secret',
        initContainers: [{ name: 'wait', image: 'busybox' }],
        sidecars: [{ name: 'exporter', image: 'exporter:1' }],
      },
    });
    const c = altibaseContainer(s);
    assert.equal(envOf(c).get('TZ').value, 'UTC');
    assert.deepEqual(c.envFrom, [{ configMapRef: { name: 'env-cm' } }, { secretRef: { name: 'env-secret' } }]);
    assert.deepEqual(s.spec.template.spec.initContainers.map((x: any) => x.name), ['wait']);
    assert.deepEqual(s.spec.template.spec.containers.map((x: any) => x.name), ['altibase', 'exporter']);
  });

  it('a custom preStop runs after aku\'s, whatever aku\'s exit status; postStart passes through', async () => {
    const c = altibaseContainer(await sts({ values: { lifecycleHooks: { preStop: { exec: { command: ['/bin/sh', '-c', 'echo custom >> {LOG}'] } }, postStart: { exec: { command: ['true'] } } } } }));
    assert.deepEqual(c.lifecycle.postStart, { exec: { command: ['true'] } });
    for (const akuExit of [0, 1]) {
      const run = await runRendered(c.lifecycle.preStop.exec.command, { 'pre-stop.sh': akuExit });
      assert.deepEqual(run.log.map((l) => l.trim()), ['pre-stop.sh', 'custom'], `aku exit ${akuExit}`);
    }
  });

  it('custom startup and readiness probes run only after aku\'s gate passes and never replace it', async () => {
    const c = altibaseContainer(await sts({ values: {
      customStartupProbe: { exec: { command: ['/bin/sh', '-c', 'echo custom-startup >> {LOG}; exit 3'] }, periodSeconds: 7 },
      customReadinessProbe: { exec: { command: ['/bin/sh', '-c', 'echo custom-ready >> {LOG}'] } },
    } }));
    assert.equal(c.startupProbe.periodSeconds, 7);
    assert.equal(c.startupProbe.failureThreshold, 18000, 'the chart\'s bound stays unless the custom probe sets its own');
    const gateFails = await runRendered(c.startupProbe.exec.command, { 'probe.sh': 1 });
    assert.equal(gateFails.exitCode, 1);
    assert.deepEqual(gateFails.log, ['probe.sh started']);
    const gatePasses = await runRendered(c.startupProbe.exec.command, { 'probe.sh': 0 });
    assert.equal(gatePasses.exitCode, 3);
    assert.deepEqual(gatePasses.log, ['probe.sh started', 'custom-startup']);
    const ready = await runRendered(c.readinessProbe.exec.command, { 'probe.sh': 0 });
    assert.deepEqual(ready.log, ['probe.sh ready', 'custom-ready']);
  });

  it('customLivenessProbe replaces the chart\'s liveness probe', async () => {
    const c = altibaseContainer(await sts({ values: { customLivenessProbe: { tcpSocket: { port: 20300 }, periodSeconds: 30 } } }));
    assert.deepEqual(c.livenessProbe, { tcpSocket: { port: 20300 }, periodSeconds: 30 });
  });

  it('affinity presets: pod, pod-anti and node, combined; `affinity` replaces them', async () => {
    const pod = (await sts({ values: { podAffinityPreset: 'soft', podAntiAffinityPreset: 'hard', nodeAffinityPreset: { type: 'hard', key: 'disk', values: ['ssd'] } } })).spec.template.spec;
    assert.equal(pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight, 100);
    assert.equal(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, 'kubernetes.io/hostname');
    assert.deepEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions, [{ key: 'disk', operator: 'In', values: ['ssd'] }]);
    const own = (await sts({ values: { podAffinityPreset: 'soft', affinity: { podAffinity: { x: 1 } } } })).spec.template.spec;
    assert.deepEqual(own.affinity, { podAffinity: { x: 1 } });
  });

  it('diagnosticMode: the container sleeps, without probes or preStop', async () => {
    const c = altibaseContainer(await sts({ set: { 'diagnosticMode.enabled': true } }));
    assert.deepEqual([c.command, c.args], [['sleep'], ['infinity']]);
    for (const key of ['startupProbe', 'readinessProbe', 'livenessProbe', 'lifecycle']) assert.equal(c[key], undefined, key);
  });

  const WRONG: [string, unknown][] = [
    ['global.imageRegistry', 5],
    ['global.imagePullSecrets', 'regcred'],
    ['global.defaultStorageClass', true],
    ['clusterDomain', 1],
    ['extraEnvVars', { TZ: 'UTC' }],
    ['extraEnvVarsCM', ['x']],
    ['extraEnvVarsSecret', 3],
    ['initContainers', 'busybox'],
    ['sidecars', {}],
    ['lifecycleHooks', []],
    ['customStartupProbe', 'cat /tmp/x'],
    ['customReadinessProbe', []],
    ['customLivenessProbe', 'x'],
    ['podAffinityPreset', 'always'],
    ['nodeAffinityPreset', 'hard'],
    ['diagnosticMode', true],
    ['persistence.dataSource', 'snap'],
    ['resourcesPreset', 'huge'],
    ['tests.resourcesPreset', 4],
    ['networkPolicy', true],
    ['networkPolicy.allowExternal', 'maybe'],
    ['networkPolicy.extraIngress', {}],
    ['pdb.unhealthyPodEvictionPolicy', 'Sometimes'],
    ['auth.usePasswordFiles', 'true'],
    ['altibase.sampleSchema', 'maybe'],
    ['aku.startRetry.maxAttempts', 0],
  ];
  for (const [path, value] of WRONG) {
    it(`the schema refuses ${path} = ${JSON.stringify(value)}`, async () => {
      const values: Record<string, unknown> = {};
      const keys = path.split('.');
      let at = values;
      for (const key of keys.slice(0, -1)) at = (at[key] = {}) as Record<string, unknown>;
      at[keys.at(-1)!] = value;
      const error = await helmTemplateText({ values }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof HelmError, `${path} = ${JSON.stringify(value)} was accepted`);
      assert.match(error.output, /values don't meet the specifications of the schema/);
      const parent = keys.length > 1 ? `/${keys.slice(0, -1).join('/')}` : '';
      assert.ok(error.output.includes(`at '${parent}/${keys.at(-1)}'`) || error.output.includes(`at '${parent}'`), error.output);
    });
  }
});
