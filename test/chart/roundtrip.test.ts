/**
 * The aku.conf the chart renders, read by aku's own parser in the environment the pod gives it,
 * is the configuration the values describe.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseAkuConf, type AkuConfig } from '../../src/config/index.js';
import { altibaseContainer, CHART_DIR, envOf, find, render, RELEASE, type K8sObject } from './tools.js';

const FULL = `${RELEASE}-aku-altibase`;

/**
 * What the pod gives aku: the literal env values, and the password as the file the projected
 * Secret volume puts at AKU_SYS_PASSWORD_FILE (written here from the rendered Secret).
 */
function podEnvironment(objects: K8sObject[]): NodeJS.ProcessEnv {
  const spec = find(objects, 'StatefulSet').spec.template.spec;
  const container = altibaseContainer(find(objects, 'StatefulSet'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, entry] of envOf(container)) {
    if (typeof entry.value === 'string') env[name] = entry.value;
  }
  const mount = container.volumeMounts.find((m: any) => m.name === 'passwords');
  const source = spec.volumes.find((v: any) => v.name === 'passwords').projected.sources[0].secret;
  assert.equal(env.AKU_SYS_PASSWORD_FILE, `${mount.mountPath}/${source.items[0].path}`);
  const secret = find(objects, 'Secret', source.name);
  const file = join(mkdtempSync(join(tmpdir(), 'aku-roundtrip-')), 'sys-password');
  writeFileSync(file, Buffer.from(secret.data[source.items[0].key], 'base64'));
  env.AKU_SYS_PASSWORD_FILE = file;
  return env;
}

async function parsedFromChart(valuesFiles: string[], set: Record<string, string | number> = {}) {
  const objects = await render({ valuesFiles, set });
  // the ConfigMap the pods actually mount
  const volume = find(objects, 'StatefulSet').spec.template.spec.volumes.find((v: any) => v.name === 'aku-conf');
  const text = find(objects, 'ConfigMap', volume.configMap.name).data['aku.conf'] as string;
  const env = podEnvironment(objects);
  return { loaded: parseAkuConf(text, '/home/altibase/altibase_home/conf/aku.conf', env), env };
}

type Values = Record<string, any>;
function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' ? deepMerge(base[k], v) : v;
  }
  return out;
}

/** The configuration a values file describes, computed independently of the templates. */
function expectedFrom(valuesFile: string, password: string): AkuConfig {
  const defaults = parseYaml(readFileSync(resolve(CHART_DIR, 'values.yaml'), 'utf8')) as Values;
  const v = deepMerge(defaults, (parseYaml(readFileSync(resolve(CHART_DIR, valuesFile), 'utf8')) as Values) ?? {});
  const a = v.aku;
  return {
    stsName: a.stsName || FULL,
    svcName: a.svcName || `${FULL}-hl`,
    serverCount: a.serverCount,
    sysPassword: password,
    portNo: v.altibase.containerPorts.service,
    replicationPortNo: v.altibase.containerPorts.replication,
    queryTimeoutSec: a.queryTimeout,
    queryRetryCount: a.queryRetryCount,
    queryRetryDelayMsec: a.queryRetryDelayMsec,
    addressCheckCount: a.addressCheckCount,
    flushAtStart: a.flushAtStart,
    flushTimeoutAtStartSec: a.flushTimeoutAtStart,
    delayStartCompleteTimeSec: a.delayStartCompleteTime,
    flushAtEnd: a.flushAtEnd,
    replicationResetAtEnd: a.replicationResetAtEnd,
    connectTimeoutSec: a.connectTimeout,
    endTimeBudgetSec: v.terminationGracePeriodSeconds - a.endTimeMarginSeconds,
    replications: a.replications.map((g: any) => ({
      prefix: String(g.prefix).toUpperCase(),
      syncParallelCount: g.syncParallelCount ?? 1,
      items: g.items.map((i: any) => ({
        user: String(i.user).toUpperCase(),
        table: String(i.table).toUpperCase(),
        ...(i.partition !== undefined ? { partition: String(i.partition).toUpperCase() } : {}),
      })),
    })),
  };
}

describe('chart: aku.conf round trip through aku\'s parser', function () {
  this.timeout(30_000);

  it('one group (with a partition item) parses to exactly the configuration of the values', async () => {
    const { loaded } = await parsedFromChart(['ci/one-group-values.yaml'], { 'auth.sysPassword': 'Pw1' });
    assert.deepEqual(loaded.config, {
      stsName: 't-aku-altibase',
      svcName: 't-aku-altibase-hl',
      serverCount: 4,
      sysPassword: 'Pw1',
      portNo: 20300,
      replicationPortNo: 20301,
      queryTimeoutSec: 3600,
      queryRetryCount: 5,
      queryRetryDelayMsec: 1000,
      addressCheckCount: 30,
      flushAtStart: true,
      flushTimeoutAtStartSec: 300,
      delayStartCompleteTimeSec: 0,
      flushAtEnd: true,
      replicationResetAtEnd: true,
      connectTimeoutSec: 5,
      endTimeBudgetSec: 75,
      replications: [
        {
          prefix: 'AKU_REP',
          syncParallelCount: 4,
          items: [
            { user: 'SYS', table: 'T1' },
            { user: 'SYS', table: 'T2', partition: 'P1' },
            { user: 'SYS', table: 'T3' },
          ],
        },
      ],
    });
    // the password and the end budget came from the environment, nothing else did
    assert.deepEqual([...loaded.source.fromEnvironment].sort(), ['AKU_END_TIME_BUDGET', 'AKU_SYS_PASSWORD']);
  });

  it('three groups parse to the three groups of the values, in order', async () => {
    const { loaded } = await parsedFromChart(['ci/three-groups-values.yaml'], { 'auth.sysPassword': 'Pw3' });
    assert.deepEqual(loaded.config, expectedFrom('ci/three-groups-values.yaml', 'Pw3'));
    assert.deepEqual(loaded.config.replications.map((g) => [g.prefix, g.syncParallelCount, g.items.length]), [
      ['AKU_REP1', 1, 3],
      ['AKU_REP2', 2, 3],
      ['AKU_REP3', 3, 3],
    ]);
    assert.equal(loaded.config.endTimeBudgetSec, 105);
    assert.equal(loaded.config.replicationResetAtEnd, false);
    assert.equal(loaded.config.flushTimeoutAtStartSec, 0);
  });

  for (const file of ['ci/default-values.yaml', 'ci/overrides-values.yaml', 'ci/persistence-off-values.yaml']) {
    it(`every property survives the trip with ${file}`, async () => {
      const { loaded, env } = await parsedFromChart([file]);
      assert.deepEqual(loaded.config, expectedFrom(file, readFileSync(env.AKU_SYS_PASSWORD_FILE!, 'utf8')));
    });
  }

  it('without the environment, aku says the password is missing (it is not in the file)', async () => {
    const objects = await render();
    const text = find(objects, 'ConfigMap', `${FULL}-config`).data['aku.conf'] as string;
    assert.throws(() => parseAkuConf(text, 'aku.conf', {}), /AKU_SYS_PASSWORD/);
  });
});
