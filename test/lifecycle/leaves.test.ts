import { strict as assert } from 'node:assert';
import { messages, SimPods, TestClock, testConfig } from '../helpers/sim-pods.js';
import { statements, tagged } from '../helpers/run-output.js';

/**
 * Deliberate leaves (SYS.AKU_LEFT_PAIRS): a pod taken out with `-p clean`, or a pair its MASTER
 * left on purpose, blocks nobody, and every start says what it found and what it does about it.
 */

const CLEANED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const cleanAt = (pods: SimPods, i: number) => pods.aku(i, 'clean', { clock: new TestClock(CLEANED_AT) });
const leftPairs = async (pods: SimPods, i: number) =>
  (await pods.sysdba(i, 'SELECT REPLICATION_NAME, LEFT_AT FROM SYS.AKU_LEFT_PAIRS ORDER BY REPLICATION_NAME')).map((r) => `${r.REPLICATION_NAME}@${r.LEFT_AT}`);

describe('deliberate leaves: what each start finds and does (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('a slave cleaned while the MASTER was down: the MASTER warns and goes on; the slave rejoins by SYNC and its record goes', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    pods.cluster.kill('altibase-sts-0');
    const clean = await cleanAt(pods, 1);
    assert.equal(clean.code, 0, clean.lines.join('\n'));
    assert.deepEqual(await leftPairs(pods, 1), ['AKU_REP_01@2026-01-02T03:04:05.000Z', 'AKU_REP_12@2026-01-02T03:04:05.000Z']);
    assert.ok(tagged(clean).includes("[WARN][akuRunClean:peers][altibase-sts-0][-] altibase-sts-0.altibase-svc is not reachable: its side of AKU_REP_01 keeps running or keeps log for this pod. Its next aku -p start reads this pod's record and goes on; to stop it now, run there: ALTER REPLICATION AKU_REP_01 STOP; ALTER REPLICATION AKU_REP_01 RESET;"), clean.lines.join('\n'));

    pods.restartPod(0);
    const master = await pods.aku(0, 'start', { config: { flushTimeoutAtStartSec: 1 } });
    assert.equal(master.code, 0, master.lines.join('\n'));
    assert.ok(tagged(master).includes('[WARN][akuRunStart:detect][altibase-sts-1][AKU_REP_01] altibase-sts-1 left AKU_REP_01 deliberately (recorded by aku -p clean or aku reconcile at 2026-01-02T03:04:05.000Z): it is out of replication and not waited for; aku -p start in altibase-sts-1 brings it back (TRUNCATE + SYNC).'), master.lines.join('\n'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'while 1 was out')");

    pods.restartPod(1);
    const back = await pods.aku(1, 'start');
    assert.equal(back.code, 0, back.lines.join('\n'));
    assert.ok(messages(back).includes('Sync tables from MASTER Server.'));
    assert.ok(statements(back).includes("altibase-sts-1: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_01'"));
    assert.ok(statements(back).includes("altibase-sts-1: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_12'"));
    assert.ok(!statements(back).some((s) => s.startsWith('altibase-sts-0: DELETE')), 'the MASTER has no record to delete');
    assert.deepEqual(await leftPairs(pods, 1), []);
    assert.deepEqual(await pods.converged([0, 1]), ['1:while 1 was out']);
  });

  it('a joining pod names a reached slave that was cleaned (no restart point with the MASTER) and neither waits for it nor starts a pair with it', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1]);
    assert.equal((await pods.aku(1, 'clean')).code, 0);
    await pods.addPod(2);
    const join = await pods.aku(2, 'start');
    assert.equal(join.code, 0, join.lines.join('\n'));
    const warning = '[altibase-sts-1][AKU_REP_01] altibase-sts-1 is out of replication (its AKU_REP_01 has no restart point): it is not waited for and no pair with it starts now; aku -p start in altibase-sts-1 brings it back (TRUNCATE + SYNC from the MASTER).';
    // Named where the join would have pinned it, and where it would have started the pair.
    assert.deepEqual(tagged(join).filter((l) => l.endsWith(warning)).map((l) => l.slice(0, l.indexOf('][') + 1)), ['[WARN]', '[WARN]']);
    assert.ok(tagged(join).includes(`[WARN][akuRunStart:prepare]${warning}`) && tagged(join).includes(`[WARN][akuRunStart:start]${warning}`), join.lines.join('\n'));
    assert.ok(!statements(join).some((s) => s.startsWith('altibase-sts-1:')), statements(join).join('\n'));
    assert.equal((await pods.replications(1)).size, 0, 'still out');
  });

  it('a MASTER that left its pair with a slave which kept history: the MASTER warns and does not start that pair; the slave rejoins by the reset path', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'on the MASTER')");
    await pods.converged([0, 1]);
    pods.cluster.kill('altibase-sts-1');
    assert.equal((await cleanAt(pods, 0)).code, 0);
    pods.restartPod(1); // its server is back (ADMIN_MODE 1), its start not run yet
    pods.restartPod(0);
    const master = await pods.aku(0, 'start');
    assert.equal(master.code, 0, master.lines.join('\n'));
    const said = tagged(master);
    assert.ok(said.includes('[WARN][akuRunStart:detect][altibase-sts-1][AKU_REP_01] altibase-sts-1 holds history for AKU_REP_01, which this MASTER left deliberately (recorded by aku -p clean or aku reconcile at 2026-01-02T03:04:05.000Z); that pair does not start, and aku -p start in altibase-sts-1 rejoins it by TRUNCATE + SYNC.'), said.join('\n'));
    assert.ok(said.includes('[INFO][akuRunStart:start][altibase-sts-1][AKU_REP_01] AKU_REP_01 does not start: altibase-sts-1 rejoins it by TRUNCATE + SYNC at its next aku -p start.'), said.join('\n'));
    assert.deepEqual(statements(master), [
      "altibase-sts-0: CREATE REPLICATION AKU_REP_01 WITH 'altibase-sts-1.altibase-svc', 20301 FROM SYS.T1 TO SYS.T1, FROM SYS.T2 PARTITION P1 TO SYS.T2 PARTITION P1, FROM SYS.T3 TO SYS.T3",
      'altibase-sts-0: ALTER SYSTEM SET ADMIN_MODE = 0',
    ]);

    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 STOP').catch(() => undefined); // stopped with its history: STOP is "already so"
    const slave = await pods.aku(1, 'start');
    assert.equal(slave.code, 0, slave.lines.join('\n'));
    assert.ok(tagged(slave).includes('[INFO][akuRunStart:path][-][AKU_REP_01] The MASTER left AKU_REP_01 deliberately (recorded by aku -p clean or aku reconcile at 2026-01-02T03:04:05.000Z): group AKU_REP rejoins; it will be truncated and synchronised from the MASTER.'), slave.lines.join('\n'));
    assert.ok(tagged(slave).includes('[INFO][akuRunStart:prepare][altibase-sts-1][AKU_REP_01] Stopping and resetting AKU_REP_01 before the sync.'), slave.lines.join('\n'));
    assert.ok(statements(slave).includes('altibase-sts-1: ALTER REPLICATION AKU_REP_01 RESET'));
    assert.ok(statements(slave).includes("altibase-sts-0: DELETE FROM SYS.AKU_LEFT_PAIRS WHERE REPLICATION_NAME = 'AKU_REP_01'"), 'the MASTER\'s record goes');
    assert.deepEqual(await leftPairs(pods, 0), []);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on 1')");
    assert.deepEqual(await pods.converged([0, 1]), ['1:on the MASTER', '2:on 1']);
  });

  it('a slave whose MASTER lost the pair without a record is refused; with the MASTER unreachable it is not (nothing to compare)', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.sysdba(0, 'DROP REPLICATION AKU_REP_01');
    pods.restartPod(1);
    const refused = await pods.aku(1, 'start');
    assert.equal(refused.code, 1);
    assert.ok(tagged(refused).includes('[ERROR][akuRunStart:detect][altibase-sts-0][AKU_REP_01] The MASTER server is detected to have failed. Check and perform a manual recovery.'), refused.lines.join('\n'));
    assert.deepEqual(refused.outcome.problems, ["The MASTER server is detected to have failed. Check and perform a manual recovery. This pod holds history for AKU_REP_01 but the MASTER's copy has none; restarting replication would lose changes. " +
      'Restore the MASTER from a slave with aku recover --from <ordinal> in altibase-sts-0: kubectl exec altibase-sts-0 -- aku recover --from 1 prints the plan and changes nothing; add --yes to carry it out (docs/recover.md).']);
    pods.cluster.kill('altibase-sts-0');
    const alone = await pods.aku(1, 'start');
    assert.equal(alone.code, 0, alone.lines.join('\n'));
    assert.ok(messages(alone).some((l) => /^AKU_REP_01: its peer is down|Replication information is intact/.test(l)));
  });

  it('the MASTER refuses when a reached slave holds history it lost (missing, not reset), naming the XSN', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'x')");
    await pods.converged([0, 1]);
    const xsn = (await pods.replications(1)).get('AKU_REP_01')?.xsn;
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.sysdba(0, 'DROP REPLICATION AKU_REP_01');
    pods.restartPod(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, [
      `The MASTER server is detected to have failed. Check and perform a manual recovery. altibase-sts-1.altibase-svc holds history for AKU_REP_01 (XSN ${xsn}) but this MASTER's copy is missing. ` +
        'Restore the MASTER from a slave with aku recover --from <ordinal> in altibase-sts-0: kubectl exec altibase-sts-0 -- aku recover --from 1 prints the plan and changes nothing; add --yes to carry it out (docs/recover.md).',
    ]);
    assert.ok(tagged(run).includes('[ERROR][akuRunStart:detect][-][-] The MASTER server is detected to have failed. Check and perform a manual recovery.'));
  });

  it('the MASTER refuses a slave in service whose pair was reset without a record; a slave not in service (ADMIN_MODE 1) is not refused', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 STOP');
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 RESET');
    pods.restartPod(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, [
      'The SLAVE server is detected to have failed. Check and perform a manual recovery. altibase-sts-1.altibase-svc is in service but its AKU_REP_01 is reset (XSN -1) while this MASTER holds history for it, and it did not leave deliberately (no row in its SYS.AKU_LEFT_PAIRS).',
    ]);
    assert.ok(tagged(run).includes('[ERROR][akuRunStart:detect][altibase-sts-1][AKU_REP_01] The SLAVE server is detected to have failed. Check and perform a manual recovery.'));
    pods.restartPod(1); // ADMIN_MODE 1: its own start will rejoin it
    const again = await pods.aku(0, 'start');
    assert.equal(again.code, 0, again.lines.join('\n'));
  });
});
