import { strict as assert } from 'node:assert';
import { fixtureText, parse } from '../helpers/conf.js';
import { messages, SimPods, testConfig } from '../helpers/sim-pods.js';

const SCHEMA = Array.from({ length: 9 }, (_, k) => `CREATE TABLE SYS.T${k + 1} (ID INTEGER PRIMARY KEY, V VARCHAR(40))`);
const threeGroups = () => testConfig({ replications: parse(fixtureText('sample-three-groups.conf')).config.replications.map((g) => ({
  ...g,
  // The sample's T2 PARTITION P1 needs a partitioned T2; these tests use plain tables.
  items: g.items.map(({ user, table }) => ({ user, table })),
})) });

describe('several REPLICATIONS groups (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('creates one object per pair and group, syncs each group, and replicates every group\'s tables', async () => {
    pods = new SimPods(threeGroups());
    for (const i of [0, 1]) await pods.addPod(i, SCHEMA);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await pods.app(0, "INSERT INTO SYS.T4 VALUES (1, 'group 2')");
    await pods.app(0, "INSERT INTO SYS.T9 VALUES (1, 'group 3')");
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    for (const prefix of ['AKU_REP1', 'AKU_REP2', 'AKU_REP3']) {
      assert.ok(messages(run).some((l) => l.includes(`group ${prefix} will be truncated and synchronised`)), `${prefix}\n${run.lines.join('\n')}`);
    }
    assert.deepEqual([...(await pods.replications(1)).keys()].sort(), ['1', '2', '3'].flatMap((g) => ['01', '12', '13'].map((p) => `AKU_REP${g}_${p}`)).sort());
    assert.deepEqual(await pods.rows(1, 'SYS.T4'), ['1:group 2']);
    assert.deepEqual(await pods.rows(1, 'SYS.T9'), ['1:group 3']);
    await pods.app(1, "INSERT INTO SYS.T7 VALUES (2, 'from 1')");
    assert.deepEqual(await pods.converged([0, 1], 'SYS.T7'), ['2:from 1']);
  });

  it('refuses to start when the server does not allow duplicate replication hosts, before creating anything', async () => {
    pods = new SimPods(threeGroups(), { REPLICATION_ALLOW_DUPLICATE_HOSTS: 0 });
    await pods.addPod(0, SCHEMA);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 1);
    assert.match(run.errors.join('\n'), /3 REPLICATIONS groups.*REPLICATION_ALLOW_DUPLICATE_HOSTS is 0 on altibase-sts-0\.altibase-svc.*ERR-6110C/);
    assert.equal((await pods.replications(0)).size, 0);
  });

  it('refuses to start when the objects would exceed REPLICATION_MAX_COUNT', async () => {
    pods = new SimPods(threeGroups(), { REPLICATION_MAX_COUNT: 8 });
    await pods.addPod(0, SCHEMA);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 1);
    assert.match(run.errors.join('\n'), /aku needs 9 more, but REPLICATION_MAX_COUNT is 8/);
    assert.equal((await pods.replications(0)).size, 0);
  });
});
