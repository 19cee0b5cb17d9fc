/**
 * `helm upgrade --reuse-values --set replicaCount=3`: pods 1 and 2 join by SYNC from pod 0 (a row
 * written on pod 0 before they exist reaches them), then replicate both ways.
 */
import assert from 'node:assert/strict';
import { CHART_DIR, describeResult, waitFor, waitReadyPods } from '../helpers.js';
import { ctx } from '../context.js';

export function scaleUp(): void {
  it('helm upgrade --reuse-values --set replicaCount=3 brings pods 1 and 2 Ready, in order', async () => {
    const { cluster, release } = ctx();
    const [pod0] = await cluster.pods(release);
    await cluster.sql(pod0.metadata.name, "INSERT INTO SYS.T1 VALUES (1, 'written on pod 0 before the scale-up')");
    const r = await cluster.helm(['upgrade', release, CHART_DIR, '--reuse-values', '--set', 'replicaCount=3']);
    assert.equal(r.exitCode, 0, describeResult(r));
    const pods = await waitReadyPods(cluster, release, 3, 480_000);
    // OrderedReady: pod 2 is created only once pod 1 is Ready.
    const started = pods.map((p) => Date.parse(p.status.startTime));
    assert.ok(started[1]! <= started[2]!, `pod 1 started at ${pods[1].status.startTime}, pod 2 at ${pods[2].status.startTime}`);
  });

  for (const n of [1, 2]) {
    it(`pod ${n} joined by SYNC from pod 0: its log says so and it holds pod 0's row`, async () => {
      const { cluster, release } = ctx();
      const pod = (await cluster.pods(release))[n];
      const log = await cluster.logs(pod.metadata.name);
      assert.match(log, /Sync tables from MASTER Server/, log);
      assert.match(log, /aku -p start succeeded/, log);
      const rows = await cluster.sql(pod.metadata.name, 'SELECT ID, V FROM SYS.T1 WHERE ID = 1');
      assert.equal(rows.length, 1, JSON.stringify(rows));
    });
  }

  it('a row written on pod 2 reaches pods 0 and 1 by replication', async () => {
    const { cluster, release } = ctx();
    const pods = await cluster.pods(release);
    await cluster.sql(pods[2].metadata.name, "INSERT INTO SYS.T1 VALUES (2, 'written on pod 2')");
    for (const n of [0, 1]) {
      await waitFor(`row 2 on pod ${n}`, 60_000, async () =>
        (await cluster.sql(pods[n].metadata.name, 'SELECT ID FROM SYS.T1 WHERE ID = 2')).length === 1 ? true : undefined);
    }
  });
}
