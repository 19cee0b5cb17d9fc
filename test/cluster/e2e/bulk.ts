/**
 * Bulk rows for scenarios that need a large table (a rolling restart of 100 000 rows, a SYNC long
 * enough to be interrupted): written on one pod through one SQL file on stdin, run by the image's
 * SQL client (the password never leaves the pod), with ids clear of the release's ledger, which
 * then leaves them out of its row checks (`ledgerBelow`).
 */
import assert from 'node:assert/strict';
import { describeResult, run } from '../helpers.js';
import type { E2eRelease } from './release.js';

export const BULK_FIRST_ID = 1_000_000;
const ROWS_PER_STATEMENT = 500;

export async function insertBulk(r: E2eRelease, n: number, rows: number): Promise<void> {
  r.ledgerBelow = BULK_FIRST_ID;
  const statements: string[] = [];
  for (let first = BULK_FIRST_ID; first < BULK_FIRST_ID + rows; first += ROWS_PER_STATEMENT) {
    const count = Math.min(ROWS_PER_STATEMENT, BULK_FIRST_ID + rows - first);
    const values = Array.from({ length: count }, (_, k) => `(${first + k}, 'bulk ${first + k}')`);
    statements.push(`INSERT INTO SYS.T1 VALUES ${values.join(', ')};`);
  }
  const script = 'cat > /tmp/e2e-bulk.sql && aku-sql -f /tmp/e2e-bulk.sql >/dev/null; s=$?; rm -f /tmp/e2e-bulk.sql; exit $s';
  const t = r.target;
  const result = await run(t.kubectl, ['--kubeconfig', t.kubeconfig, '-n', r.namespace, 'exec', '-i', r.pod(n), '-c', 'altibase', '--', 'bash', '-c', script], {
    input: statements.join('\n'),
    timeoutMs: 900_000,
  });
  assert.equal(result.exitCode, 0, describeResult(result));
}

/** How many bulk rows pod n holds. */
export async function bulkCount(r: E2eRelease, n: number): Promise<number> {
  const rows = await r.cluster.sql(r.pod(n), `SELECT COUNT(*) AS N FROM SYS.T1 WHERE ID >= ${BULK_FIRST_ID}`);
  return Number(rows[0]?.N);
}
