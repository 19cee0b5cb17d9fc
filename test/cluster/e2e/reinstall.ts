/**
 * `helm uninstall`, then `helm install` of the same release over the claims the StatefulSet left
 * (and the SYS password Secret the chart keeps): every pod comes back on its own claim, "database
 * present", and every row written before is on every pod. First as a user types it (a plain
 * uninstall deletes every pod at once and the headless Service with them), then NOTES' way (scale to
 * 0 first, so every pod ends cleanly).
 */
import assert from 'node:assert/strict';
import { describeResult, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease, type E2eRelease } from './release.js';

async function uninstall(r: E2eRelease): Promise<void> {
  const u = await r.cluster.helm(['uninstall', r.name, '--wait', '--timeout', '4m'], 300_000);
  assert.equal(u.exitCode, 0, describeResult(u));
  await waitFor(`the pods of ${r.name} to go`, 240_000, async () => ((await r.cluster.pods(r.name)).length === 0 ? true : undefined));
  const pvcs = await r.cluster.json(['get', 'pvc', '-l', `app.kubernetes.io/instance=${r.name}`]);
  assert.deepEqual(pvcs.items.map((p: any) => p.metadata.name).sort(), [0, 1, 2].map((n) => `data-${r.pod(n)}`));
  const secrets = await r.cluster.json(['get', 'secret', '-l', `app.kubernetes.io/instance=${r.name}`]);
  const kept = secrets.items.filter((s: any) => s.metadata.annotations?.['helm.sh/resource-policy'] === 'keep');
  assert.equal(kept.length, 1, `the SYS password Secret (helm.sh/resource-policy: keep) after uninstall: ${secrets.items.map((s: any) => s.metadata.name).join(', ')}`);
}

async function reinstall(r: E2eRelease): Promise<void> {
  await r.install(['--set', 'replicaCount=3'], 3);
  for (const n of [0, 1, 2]) {
    const log = await r.log(n);
    assert.match(log, /\[entrypoint\] .* database present/, log);
    assert.doesNotMatch(log, /no database yet/, log);
  }
}

export function reinstallOverClaims(target: Target): void {
  const release = useRelease(target, 'aku-e2e-reinstall', 'again');

  it('three pods Ready, a row written on each is on all three', async () => {
    await release().installWithRowsOnEach(3, 'before the first uninstall');
  });

  it('helm uninstall (every pod at once), helm install: the pods come back on their claims with every row', async () => {
    const r = release();
    await uninstall(r);
    await reinstall(r);
    assert.deepEqual(startPaths(await r.log(0)), ['master']);
    await r.expectRows([0, 1, 2]);
    for (const n of [0, 1, 2]) await r.write(n, 'after the first reinstall');
    await r.expectRows([0, 1, 2]);
  });

  it('NOTES\' way: helm upgrade --set replicaCount=0, helm uninstall, helm install: every row on every pod', async () => {
    const r = release();
    await r.upgrade(['--set', 'replicaCount=0']);
    await waitFor(`the pods of ${r.name} to end`, 300_000, async () => ((await r.cluster.pods(r.name)).length === 0 ? true : undefined));
    await uninstall(r);
    await reinstall(r);
    assert.deepEqual(startPaths(await r.log(0)), ['master']);
    await r.expectRows([0, 1, 2]);
    for (const n of [0, 1, 2]) await r.write(n, 'after the second reinstall');
    await r.expectRows([0, 1, 2]);
  });
}
