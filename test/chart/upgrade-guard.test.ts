/**
 * `helm upgrade --set replicaCount=N` without --reuse-values: the guard refuses an upgrade that would
 * roll the pods onto another replication configuration or image, naming both and the command that
 * keeps the values; scaling with the release's values passes. The running release is stood in for
 * by replacing the guard's one lookup helper in a copy of the chart with the objects a first
 * render gave (helm template has no cluster to look up).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { execa } from 'execa';
import { altibaseContainer, CHART_DIR, find, NAMESPACE, parseManifests, RELEASE, render, tools } from './tools.js';

/** A copy of the chart whose liveObjects helper returns what `installed` rendered. */
async function chartWithLiveRelease(installedValues: Record<string, unknown>): Promise<{ chart: string; cleanup: () => void }> {
  const objects = await render({ values: installedValues });
  const conf = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['aku.conf'])!.data['aku.conf'];
  const image = altibaseContainer(find(objects, 'StatefulSet')).image;
  const dir = mkdtempSync(join(tmpdir(), 'aku-guard-'));
  const chart = join(dir, 'chart');
  cpSync(CHART_DIR, chart, { recursive: true });
  writeFileSync(join(chart, 'files', 'live.json'), JSON.stringify({ akuConf: conf, image }));
  const guard = join(chart, 'templates', '_upgrade-guard.tpl');
  const text = readFileSync(guard, 'utf8');
  const start = text.indexOf('{{- define "aku-altibase.liveObjects" -}}');
  const end = text.indexOf('{{- end -}}', text.indexOf('toJson (dict "akuConf"')) + '{{- end -}}'.length;
  assert.ok(start > 0 && end > start, 'the liveObjects helper is where the test expects it');
  writeFileSync(guard, `${text.slice(0, start)}{{- define "aku-altibase.liveObjects" -}}{{ .Files.Get "files/live.json" }}{{- end -}}${text.slice(end)}`);
  return { chart, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function upgrade(chart: string, values: Record<string, unknown>, set: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'aku-guard-values-'));
  try {
    writeFileSync(join(dir, 'values.yaml'), stringify(values));
    return await execa(tools().helm, ['template', RELEASE, chart, '--namespace', NAMESPACE, '--is-upgrade', '-f', join(dir, 'values.yaml'), ...set], { reject: false, all: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const INSTALLED = {
  image: { repository: 'registry.example.com/db/aku-altibase' },
  aku: { replications: [{ prefix: 'ORDERS', items: [{ user: 'APP', table: 'ORDERS' }] }] },
  altibase: { initScripts: { '01.sql': 'CREATE TABLE APP.ORDERS (ID INTEGER PRIMARY KEY);' } },
};

describe('chart: upgrade guard (helm upgrade --set replicaCount=N without --reuse-values)', function () {
  this.timeout(60_000);

  it('refuses, naming the replication change, the image change and the command that keeps the values', async () => {
    const { chart, cleanup } = await chartWithLiveRelease(INSTALLED);
    try {
      const result = await upgrade(chart, {}, ['--set', 'replicaCount=3']);
      assert.equal(result.exitCode, 1);
      assert.match(result.all ?? '', /this upgrade would restart every pod with other settings than the running release's/);
      assert.match(result.all ?? '', /REPLICATION_NAME_PREFIX = ORDERS[\s\S]*to[\s\S]*REPLICATION_NAME_PREFIX = AKU_REP/);
      assert.match(result.all ?? '', /the image would change from registry\.example\.com\/db\/aku-altibase to aku-altibase/);
      assert.match(result.all ?? '', /helm upgrade t <chart> --reuse-values --set replicaCount=N/);
    } finally {
      cleanup();
    }
  });

  it('passes with the release\'s values (what --reuse-values or -f gives) and a new replica count or tag', async () => {
    const { chart, cleanup } = await chartWithLiveRelease(INSTALLED);
    try {
      const result = await upgrade(chart, INSTALLED, ['--set', 'replicaCount=3', '--set', 'image.tag=0.2.0']);
      assert.equal(result.exitCode, 0, result.all);
      assert.equal(find(parseManifests(result.stdout), 'StatefulSet').spec.replicas, 3);
    } finally {
      cleanup();
    }
  });

  it('passes for a release on the defaults (nothing to lose) and when told to (upgradeGuard.enabled=false)', async () => {
    const defaults = await chartWithLiveRelease({});
    try {
      assert.equal((await upgrade(defaults.chart, {}, ['--set', 'replicaCount=3'])).exitCode, 0);
    } finally {
      defaults.cleanup();
    }
    const custom = await chartWithLiveRelease(INSTALLED);
    try {
      assert.equal((await upgrade(custom.chart, {}, ['--set', 'replicaCount=3', '--set', 'upgradeGuard.enabled=false'])).exitCode, 0);
    } finally {
      custom.cleanup();
    }
  });

  it('a first install is never guarded', async () => {
    const { chart, cleanup } = await chartWithLiveRelease(INSTALLED);
    try {
      const result = await execa(tools().helm, ['template', RELEASE, chart, '--namespace', NAMESPACE], { reject: false, all: true });
      assert.equal(result.exitCode, 0, result.all);
    } finally {
      cleanup();
    }
  });
});
