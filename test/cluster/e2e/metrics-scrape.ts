/**
 * `metrics.enabled=true`: each pod runs the exporter sidecar (`aku metrics`), and a scrape through
 * the API server's pod proxy (the path a Prometheus inside the cluster takes is the pod's port; the
 * proxy reaches the same port) returns aku's metrics: the read succeeded, every pair started on
 * both sides, the last `aku -p start` of each pod recorded as a success. A pair stopped by hand
 * shows as not started, and the status verdict as fail.
 */
import assert from 'node:assert/strict';
import { describeResult, waitFor, type Target } from '../helpers.js';
import { useRelease, type E2eRelease } from './release.js';

/** `name{labels} value` lines of a Prometheus text exposition, as [name, labels, value]. */
function samples(text: string): [string, Record<string, string>, number][] {
  const out: [string, Record<string, string>, number][] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    out.push([m[1] as string, labels, Number(m[3])]);
  }
  return out;
}

/** GET /metrics of pod n's sidecar through the API server's pod proxy (which takes a port number, not a name). */
async function scrape(r: E2eRelease, n: number): Promise<string> {
  const pod = await r.podObject(n);
  const port = pod.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.name === 'metrics')?.containerPort;
  assert.ok(port, `${r.pod(n)} has no container port named metrics`);
  const path = `/api/v1/namespaces/${r.namespace}/pods/${r.pod(n)}:${port}/proxy/metrics`;
  const res = await r.cluster.kubectl(['get', '--raw', path]);
  assert.equal(res.exitCode, 0, describeResult(res));
  return String(res.stdout);
}

function value(all: ReturnType<typeof samples>, name: string, labels: Record<string, string> = {}): number | undefined {
  return all.find(([n, l]) => n === name && Object.entries(labels).every(([k, v]) => l[k] === v))?.[2];
}

export function metricsScrape(target: Target): void {
  const release = useRelease(target, 'aku-e2e-metrics', 'mon');

  it('metrics.enabled: two pods Ready, each with the exporter sidecar', async () => {
    const r = release();
    await r.install(['--set', 'metrics.enabled=true', '--set', 'metrics.minIntervalSeconds=1'], 2);
    for (const n of [0, 1]) {
      const pod = await r.podObject(n);
      assert.ok(pod.spec.containers.some((c: any) => c.name === 'metrics'), JSON.stringify(pod.spec.containers.map((c: any) => c.name)));
    }
  });

  it('a scrape of each pod: the read is up, the pair started on both sides, each start recorded as a success', async () => {
    const r = release();
    for (const n of [0, 1]) {
      const all = await waitFor(`a scrape of ${r.pod(n)} with aku_up 1`, 60_000, async () => {
        const got = samples(await scrape(r, n));
        return value(got, 'aku_up') === 1 ? got : undefined;
      }, 2000);
      for (const side of [r.pod(0), r.pod(1)]) {
        assert.equal(value(all, 'aku_replication_started', { replication: 'AKU_REP_01', pod: side }), 1, `AKU_REP_01 on ${side}, scraped on ${r.pod(n)}`);
      }
      assert.equal(value(all, 'aku_verdict'), 0);
      assert.equal(value(all, 'aku_lifecycle_last_success', { pod: r.pod(n), action: 'start' }), 1, `the start of ${r.pod(n)}`);
    }
  });

  it('a pair stopped by hand: the scrape shows it not started on that side, and the verdict fail', async () => {
    const r = release();
    await r.cluster.sql(r.pod(1), 'ALTER REPLICATION AKU_REP_01 STOP');
    try {
      const all = await waitFor('a scrape that sees the stop', 60_000, async () => {
        const got = samples(await scrape(r, 0));
        return value(got, 'aku_replication_started', { replication: 'AKU_REP_01', pod: r.pod(1) }) === 0 ? got : undefined;
      }, 2000);
      assert.equal(value(all, 'aku_verdict'), 2);
    } finally {
      await r.cluster.sql(r.pod(1), 'ALTER REPLICATION AKU_REP_01 START');
    }
  });
}
