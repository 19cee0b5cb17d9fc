/**
 * A rolling restart (`kubectl rollout restart`) of a set whose pods hold 100 000 rows: each pod's
 * `aku -p end` sees a restart, not a scale-down, and keeps its pairs; each new pod resumes with
 * FLUSH — no TRUNCATE, no SYNC, on any pod — and every pod still holds every row, and takes new
 * ones afterwards. The duration of each resumed start is printed.
 */
import assert from 'node:assert/strict';
import { describeResult, run, startPaths, waitFor, type Target } from '../helpers.js';
import { useRelease, type E2eRelease } from './release.js';

const BULK_ROWS = 100_000;
const ROWS_PER_STATEMENT = 500;
/** Bulk rows take ids from here on, clear of the ledger's (1, 2, ...). */
const BULK_FIRST_ID = 1_000_000;

/** One SQL file through stdin, run by the image's SQL client: the password never leaves the pod. */
async function insertBulk(r: E2eRelease, n: number): Promise<void> {
  const statements: string[] = [];
  for (let first = BULK_FIRST_ID; first < BULK_FIRST_ID + BULK_ROWS; first += ROWS_PER_STATEMENT) {
    const values = Array.from({ length: ROWS_PER_STATEMENT }, (_, k) => `(${first + k}, 'bulk ${first + k}')`);
    statements.push(`INSERT INTO SYS.T1 VALUES ${values.join(', ')};`);
  }
  const script = 'cat > /tmp/e2e-bulk.sql && aku-sql -f /tmp/e2e-bulk.sql >/dev/null; s=$?; rm -f /tmp/e2e-bulk.sql; exit $s';
  const t = r.target;
  const result = await run(t.kubectl, ['--kubeconfig', t.kubeconfig, '-n', r.namespace, 'exec', '-i', r.pod(n), '-c', 'altibase', '--', 'bash', '-c', script], {
    input: statements.join('\n'),
    timeoutMs: 600_000,
  });
  assert.equal(result.exitCode, 0, describeResult(result));
}

async function bulkCount(r: E2eRelease, n: number): Promise<number> {
  const rows = await r.cluster.sql(r.pod(n), `SELECT COUNT(*) AS N FROM SYS.T1 WHERE ID >= ${BULK_FIRST_ID}`);
  return Number(rows[0]?.N);
}

/** Seconds from the first to the last `[akuRunStart:…]` line of a log. */
function startSeconds(log: string): number {
  const stamps = [...log.matchAll(/^\[AKU\]\[(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d+)\]\[\d+\] \[\w+\]\[akuRunStart:/gm)].map((m) => Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]?.slice(0, 12)}Z`));
  return stamps.length < 2 ? NaN : ((stamps.at(-1) as number) - (stamps[0] as number)) / 1000;
}

export function rollingRestart(target: Target): void {
  const release = useRelease(target, 'aku-e2e-rolling', 'roll');

  it(`three pods Ready, ${BULK_ROWS} rows written on the MASTER reach both slaves`, async () => {
    const r = release();
    await r.install(['--set', 'replicaCount=3'], 3);
    r.ledgerBelow = BULK_FIRST_ID;
    await insertBulk(r, 0);
    for (const n of [1, 2]) {
      await waitFor(`${BULK_ROWS} rows on ${r.pod(n)}`, 300_000, async () => ((await bulkCount(r, n)) === BULK_ROWS ? true : undefined), 2000);
    }
    for (const n of [0, 1, 2]) await r.write(n, 'before the rolling restart');
    await r.expectRows([0, 1, 2]);
  });

  it('kubectl rollout restart: every pod is replaced and resumes (no TRUNCATE, no SYNC anywhere), every row on every pod', async () => {
    const r = release();
    const before = await Promise.all([0, 1, 2].map(async (n) => (await r.podObject(n)).metadata.uid as string));
    const restart = await r.cluster.kubectl(['rollout', 'restart', `statefulset/${r.sts}`]);
    assert.equal(restart.exitCode, 0, describeResult(restart));
    const done = await r.cluster.kubectl(['rollout', 'status', `statefulset/${r.sts}`, '--timeout=600s'], 660_000);
    assert.equal(done.exitCode, 0, describeResult(done));
    for (const n of [0, 1, 2]) {
      const pod = await r.podObject(n);
      assert.notEqual(pod.metadata.uid, before[n], `${r.pod(n)} was not replaced`);
    }
    const durations: string[] = [];
    for (const n of [0, 1, 2]) {
      const log = await r.log(n);
      assert.deepEqual(startPaths(log), [n === 0 ? 'master' : 'resume'], `${r.pod(n)}:\n${log}`);
      assert.doesNotMatch(log, /\[akuRunStart:(truncate|sync)\]/, `${r.pod(n)} truncated or synchronised:\n${log}`);
      durations.push(`${r.pod(n)} ${startSeconds(log).toFixed(2)} s`);
    }
    console.log(`      resumed starts: ${durations.join(', ')}`);
    for (const n of [0, 1, 2]) assert.equal(await bulkCount(r, n), BULK_ROWS, `${r.pod(n)} lost bulk rows`);
    for (const n of [0, 1, 2]) await r.write(n, 'after the rolling restart');
    await r.expectRows([0, 1, 2]);
  });
}
