/** `helm test --logs` as NOTES says: the chart's test pod checks the replication objects. */
import assert from 'node:assert/strict';
import { describeResult } from '../helpers.js';
import { ctx } from '../context.js';

export function helmTest(): void {
  it('helm test --logs passes and shows the test pod\'s output', async () => {
    const { cluster, release } = ctx();
    const r = await cluster.helm(['test', release, '--logs', '--timeout', '5m'], 360_000);
    assert.equal(r.exitCode, 0, describeResult(r));
    assert.match(String(r.all), /Phase:\s+Succeeded/, describeResult(r));
    assert.match(String(r.all), /POD LOGS/, describeResult(r));
  });
}
