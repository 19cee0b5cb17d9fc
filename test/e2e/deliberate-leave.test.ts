import { strict as assert } from 'node:assert';
import { logMessages, ProcessPods } from '../helpers/process-pods.js';

/**
 * A pod taken out with `-p clean`, or a pair its peer left on purpose, blocks nobody; a pod that
 * lost its objects by accident is still refused (bin/aku against altisim processes).
 */
describe('deliberate leaves: -p clean and the reset path (bin/aku, altisim processes)', function () {
  this.timeout(90000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('a cleaned pod blocks neither a new pod\'s join nor the MASTER\'s next start, and rejoins by SYNC', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1 before clean')");
    await pods.converged([0, 1]);
    const clean = await pods.aku(1, ['-p', 'clean']);
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, /Recorded in SYS\.AKU_LEFT_PAIRS that this pod left AKU_REP_01, AKU_REP_12 deliberately\./);
    assert.deepEqual(await pods.objects(0), { AKU_REP_01: { xsn: -1, started: false }, AKU_REP_02: { xsn: -1, started: false } }, 'the MASTER\'s side is stopped and reset');

    await pods.startServer(2);
    const join = await pods.aku(2, ['-p', 'start']);
    assert.equal(join.code, 0, join.stdout);
    assert.match(logMessages(join.stdout).join('\n'), /altibase-sts-1 is out of replication \(its AKU_REP_01 has no restart point\): it is not waited for/);

    await pods.restartPod(0);
    const master = await pods.aku(0, ['-p', 'start']);
    assert.equal(master.code, 0, master.stdout);

    await pods.restartPod(1);
    const back = await pods.aku(1, ['-p', 'start']);
    assert.equal(back.code, 0, back.stdout);
    assert.ok(logMessages(back.stdout).includes('Sync tables from MASTER Server.'));
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on 1 after rejoining')");
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:on 1 before clean', '2:on 1 after rejoining']);
    assert.deepEqual(await pods.sysdba(1, 'SELECT REPLICATION_NAME FROM SYS.AKU_LEFT_PAIRS'), [], 'rejoining removes the record');
  });

  it('a pod cleaned while the MASTER was down: the MASTER reads the record and goes on; without the record it refuses', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    await pods.killServer(0);
    const clean = await pods.aku(1, ['-p', 'clean']);
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, /altibase-sts-0\.altibase-svc is not reachable: its side of AKU_REP_01 keeps running/);

    await pods.restartPod(0);
    const master = await pods.aku(0, ['-p', 'start']);
    assert.equal(master.code, 0, master.stdout);
    assert.match(master.stdout, /altibase-sts-1 left AKU_REP_01 deliberately \(recorded by aku -p clean or aku reconcile at [0-9T:.-]+Z\): it is out of replication/);

    // The same state without the record is an accident: the SLAVE-failure refusal fires, nothing changes.
    await pods.sysdba(1, 'DELETE FROM SYS.AKU_LEFT_PAIRS');
    await pods.restartPod(0);
    const objectsBefore = [await pods.objects(0), await pods.objects(1)];
    const rowsBefore = [await pods.rows(0), await pods.rows(1)];
    const refused = await pods.aku(0, ['-p', 'start']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, /The SLAVE server is detected to have failed\. Check and perform a manual recovery\./);
    assert.match(refused.stderr, /altibase-sts-1\.altibase-svc is in service but its AKU_REP_01 is missing while this MASTER holds history for it, and it did not leave deliberately/);
    assert.deepEqual([await pods.objects(0), await pods.objects(1)], objectsBefore, 'XSNs unchanged');
    assert.deepEqual([await pods.rows(0), await pods.rows(1)], rowsBefore, 'rows unchanged');
  });

  it('a slave whose MASTER left their pair deliberately rejoins by the reset path instead of being refused', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'on the MASTER')");
    await pods.converged([0, 1]);
    await pods.killServer(1);
    const clean = await pods.aku(0, ['-p', 'clean']);
    assert.equal(clean.code, 0, clean.stdout);
    await pods.restartPod(0);
    assert.equal((await pods.aku(0, ['-p', 'start'])).code, 0);

    await pods.restartPod(1);
    const slave = await pods.aku(1, ['-p', 'start']);
    assert.equal(slave.code, 0, slave.stdout);
    assert.match(slave.stdout, /The MASTER left AKU_REP_01 deliberately \(recorded by aku -p clean or aku reconcile at [^)]+\): group AKU_REP rejoins; it will be truncated and synchronised from the MASTER\./);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on 1')");
    assert.deepEqual(await pods.converged([0, 1]), ['1:on the MASTER', '2:on 1']);
  });
});
