/**
 * A release name and a namespace of 20+ characters, as real installations name them: the chart
 * derives a StatefulSet name that fits Altibase's 64-byte replication host (`<sts>-N.<svc>`) and
 * Kubernetes' label limits, and the pods replicate, answer `aku -i` and pass `helm test`.
 */
import assert from 'node:assert/strict';
import { describeResult, startPaths, type Target } from '../helpers.js';
import { useRelease } from './release.js';

const NAMESPACE = 'aku-e2e-a-rather-long-namespace-name';
const RELEASE = 'orders-database-production-eu-west';

export function longNames(target: Target): void {
  const release = useRelease(target, NAMESPACE, RELEASE);

  it(`release ${RELEASE} (${RELEASE.length} characters) in ${NAMESPACE} (${NAMESPACE.length}): two pods Ready, rows written on each are on both`, async () => {
    const r = release();
    await r.install([], 2);
    // <release>-aku-altibase is too long for the pod host: the chart shortens it with a hash.
    assert.match(r.sts, /^orders-database-produc-[0-9a-f]{6}$/, r.sts);
    assert.deepEqual(startPaths(await r.log(1)), ['sync']);
    await r.write(0, 'long names');
    await r.write(1, 'long names');
    await r.expectRows([0, 1]);
  });

  it('aku -i on pod 1 names the pod, its host (under 64 bytes) and the replication objects', async () => {
    const r = release();
    const info = await r.exec(1, ['aku', '-i', '--json']);
    assert.equal(info.exitCode, 0, describeResult(info));
    const report = JSON.parse(String(info.stdout));
    assert.equal(report.server.host, `${r.pod(1)}.${r.sts}-hl`);
    assert.ok(Buffer.byteLength(report.server.host) <= 64, report.server.host);
    assert.equal(report.server.password, '********');
  });

  it('helm test --logs passes', async () => {
    const r = release();
    const t = await r.cluster.helm(['test', r.name, '--logs', '--timeout', '4m'], 300_000);
    assert.equal(t.exitCode, 0, describeResult(t));
    assert.match(String(t.all), /Phase:\s+Succeeded/, describeResult(t));
  });
}
