import { strict as assert } from 'node:assert';
import { messages, SimPods } from '../helpers/sim-pods.js';

/**
 * A MASTER with empty replicated tables and no replication history is either the same database
 * emptied by deletes (a SYNC from it is right) or one made anew after its volume was lost (a
 * SYNC from it would empty the slave). The lineage recorded by aku tells them apart.
 */
describe('lineage: a MASTER emptied by deletes vs a MASTER made anew (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  async function twoPodsThenSlaveEnds(): Promise<SimPods> {
    pods = new SimPods();
    await pods.startPods([0, 1]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
    await pods.converged([0, 1]);
    const end = await pods.aku(1, 'end'); // a scale-down: both sides of AKU_REP_01 reset
    assert.equal(end.code, 0, end.lines.join('\n'));
    assert.equal((await pods.replications(0)).get('AKU_REP_01')?.xsn, -1);
    return pods;
  }

  it('a slave rejoins a MASTER whose tables were emptied by deletes: the same lineage, so the SYNC goes on', async () => {
    await twoPodsThenSlaveEnds();
    await pods.app(0, 'DELETE FROM SYS.T1');
    pods.restartPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(messages(run).some((l) => /holds no rows and no replication history, but .*sts-1.* descends from the same database \(lineage [0-9a-f-]+\)/.test(l)), run.lines.join('\n'));
    assert.ok(messages(run).includes('Sync tables from MASTER Server.'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (2, 'after')");
    assert.deepEqual(await pods.converged([0, 1]), ['2:after']);
  });

  it('a slave is refused a MASTER made anew (its volume lost) and keeps its rows', async () => {
    await twoPodsThenSlaveEnds();
    // The MASTER's volume is lost: the same as a new database with the schema (no rows, no aku objects).
    for (const sql of ['ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1', 'TRUNCATE TABLE SYS.T1', 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0',
      'DROP REPLICATION AKU_REP_01', 'DROP TABLE SYS.AKU_LINEAGE']) {
      await pods.sysdba(0, sql);
    }
    pods.restartPod(0);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    pods.restartPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.ok(run.lines.some((l) => /looks freshly created .* while altibase-sts-1\.altibase-svc holds 1 rows/.test(l)), run.lines.join('\n'));
    assert.deepEqual(await pods.rows(1), ['1:m'], 'nothing was truncated');
  });
});
