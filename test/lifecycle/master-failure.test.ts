import { strict as assert } from 'node:assert';
import { messages, SimPods } from '../helpers/sim-pods.js';

describe('MASTER failure detection and the manual recovery (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('refuses to start a MASTER that lost its replication info next to a running slave; the documented recovery then lets it start', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on the slave')");
    await pods.converged([0, 1]);
    // The MASTER loses its replication information (e.g. its objects were reset by hand).
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 RESET');
    pods.restartPod(0);

    const failed = await pods.aku(0, 'start');
    assert.equal(failed.code, 1);
    assert.ok(failed.lines.some((l) => /\[ERROR\]\[akuRunStart:detect\]\[-\]\[-\] The MASTER server is detected to have failed\. Check and perform a manual recovery\.$/.test(l)), failed.lines.join('\n'));
    assert.equal(failed.lines.at(-1), 'AKU failed to run.');

    // The manual's procedure: make the MASTER consistent with the slave, then start again.
    for (const sql of ['ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1', 'TRUNCATE TABLE SYS.T1', 'TRUNCATE TABLE SYS.T2', 'TRUNCATE TABLE SYS.T3', 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0']) {
      await pods.sysdba(0, sql);
    }
    for (const sql of ['ALTER REPLICATION AKU_REP_01 STOP', 'ALTER REPLICATION AKU_REP_01 RESET', 'ALTER REPLICATION AKU_REP_01 SYNC']) {
      await pods.sysdba(1, sql).catch((error: Error) => {
        if (!/ERR-61027/.test(error.message)) throw new Error(`${sql}: ${error.message}`); // STOP may find it not started
      });
    }
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 START');
    const recovered = await pods.aku(0, 'start');
    assert.equal(recovered.code, 0, recovered.lines.join('\n'));
    assert.ok(messages(recovered).includes('Flush replications.'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (2, 'on the master')");
    assert.deepEqual(await pods.converged([0, 1]), ['1:on the slave', '2:on the master']);
  });
});
