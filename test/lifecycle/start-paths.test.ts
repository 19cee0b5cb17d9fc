import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { messages, SimPods, testConfig } from '../helpers/sim-pods.js';

describe('aku -p start paths (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('MASTER first start: creates its objects alone, leaves ADMIN_MODE, writes the completion file', async () => {
    pods = new SimPods();
    await pods.addPod(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.equal(run.lines[0], 'AKU started with START option.');
    assert.ok(messages(run).includes('Start as MASTER Pod.'));
    assert.equal(run.lines.at(-1), 'AKU run successfully.');
    assert.deepEqual([...(await pods.replications(0)).keys()].sort(), ['AKU_REP_01', 'AKU_REP_02', 'AKU_REP_03']);
    assert.ok(existsSync(pods.completionFile(0)));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'ordinary user can write')");
  });

  it('a new slave gets the MASTER\'s rows by SYNC and replicates both ways', async () => {
    pods = new SimPods();
    await pods.addPod(0);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    for (let id = 1; id <= 20; id++) await pods.app(0, `INSERT INTO SYS.T1 VALUES (${id}, 'm${id}')`);
    await pods.app(0, "INSERT INTO SYS.T2 VALUES (5, 'in P1')");
    await pods.addPod(1);
    await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (99, 'stale row from an earlier life')");
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    const said = messages(run);
    for (const line of ['Start as SLAVE Pod.', 'Truncate tables for replications.', 'Table truncation has ended.', 'Sync tables from MASTER Server.', 'Replication sync has ended.']) {
      assert.ok(said.includes(line), `missing "${line}" in\n${run.lines.join('\n')}`);
    }
    assert.ok(said.indexOf('Table truncation has ended.') < said.indexOf('Sync tables from MASTER Server.'));
    assert.equal((await pods.rows(1)).length, 20, 'stale row truncated, MASTER rows synced');
    assert.deepEqual(await pods.rows(1, 'SYS.T2'), ['5:in P1']);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (100, 'from slave')");
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (101, 'from master')");
    const rows = await pods.converged([0, 1]);
    assert.equal(rows.length, 22);
    const xsn = await pods.replications(1);
    assert.notEqual(xsn.get('AKU_REP_01')?.xsn, -1);
  });

  it('a third pod joins: SYNC from the MASTER, then pairs with both pods', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'written on 1')");
    await pods.converged([0, 1]);
    await pods.addPod(2);
    const run = await pods.aku(2, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (2, 'written on 2')");
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (3, 'written on 1 again')");
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:written on 1', '2:written on 2', '3:written on 1 again']);
  });

  it('a restarted slave with its replication info resumes and FLUSHes (AKU_FLUSH_AT_START = 1)', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (7, 'while 1 was down')");
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    const said = messages(run);
    assert.ok(said.includes('Flush replications.') && said.includes('Replication flush has ended.'), run.lines.join('\n'));
    assert.ok(!said.includes('Truncate tables for replications.'));
    assert.ok(said.some((l) => /Replication information is intact \(XSN \d+\): group AKU_REP resumes\./.test(l)));
    await pods.converged([0, 1]);
  });

  it('a join gets another slave\'s changes that the MASTER received again after its restart (sent is not applied)', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1]);
    for (let id = 1; id <= 3; id++) await pods.app(1, `INSERT INTO SYS.T1 VALUES (${id}, 'w')`);
    pods.restartPod(0);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await pods.addPod(2);
    const run = await pods.aku(2, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:w', '2:w', '3:w']);
  });

  it('a resume under a cut replication link leaves both senders in RETRY, so the pair delivers once the link heals', async () => {
    pods = new SimPods(testConfig({ endTimeBudgetSec: 1 }));
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1')");
    await pods.converged([0, 1]);
    pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
    assert.equal((await pods.aku(1, 'end')).code, 1, 'kept: its pairs could not be flushed');
    pods.restartPod(1);
    const run = await pods.aku(1, 'start', { config: { flushTimeoutAtStartSec: 1 } });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.match(messages(run).join('\n'), /AKU_REP_01 on altibase-sts-0 could not reach its peer \(ERR-6100D/);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (2, 'on 0 while cut')");
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (3, 'on 1 while cut')");
    pods.cluster.heal('altibase-sts-1', 'altibase-sts-0', 'replication');
    assert.deepEqual(await pods.converged([0, 1]), ['1:on 1', '2:on 0 while cut', '3:on 1 while cut']);
  });

  it('AKU_FLUSH_AT_START = 0 resumes without flushing', async () => {
    pods = new SimPods(testConfig({ flushAtStart: false }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(!messages(run).includes('Flush replications.'));
  });

  it('refuses a second start while the completion file exists, leaving the file', async () => {
    pods = new SimPods();
    await pods.addPod(0);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    const again = await pods.aku(0, 'start');
    assert.equal(again.code, 1);
    assert.equal(again.lines.at(-1), 'AKU failed to run.');
    assert.match(again.errors.join('\n'), /already completed on this pod/);
    assert.ok(existsSync(pods.completionFile(0)));
  });

  it('a MASTER with five absent peers finishes, reporting each as unreachable', async () => {
    pods = new SimPods(testConfig({ serverCount: 6 }));
    await pods.addPod(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.equal(messages(run).filter((l) => /is not reachable/.test(l)).length, 5);
  });

  it('a slave whose MASTER is unreachable fails before truncating anything', async () => {
    pods = new SimPods();
    await pods.addPod(0);
    assert.equal((await pods.aku(0, 'start')).code, 0);
    await pods.addPod(1);
    await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (1, 'keep me')");
    pods.cluster.kill('altibase-sts-0');
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 1);
    assert.match(run.errors.join('\n'), /the MASTER pod altibase-sts-0\.altibase-svc cannot be reached/);
    assert.deepEqual(await pods.rows(1), ['1:keep me']);
    assert.ok(!existsSync(pods.completionFile(1)));
  });

  it('--dry-run reads, prints the plan and changes nothing', async () => {
    pods = new SimPods();
    await pods.addPod(0);
    const run = await pods.aku(0, 'start', { dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(run.lines.some((l) => /\[plan\]\[altibase-sts-0\]\[-\] CREATE REPLICATION AKU_REP_01 WITH 'altibase-sts-1\.altibase-svc', 20301 FROM SYS\.T1 TO SYS\.T1, FROM SYS\.T2 PARTITION P1 TO SYS\.T2 PARTITION P1, FROM SYS\.T3 TO SYS\.T3$/.test(l)), run.lines.join('\n'));
    assert.ok(run.lines.some((l) => /\[plan\].* ALTER SYSTEM SET ADMIN_MODE = 0$/.test(l)));
    assert.equal((await pods.replications(0)).size, 0);
    assert.ok(!existsSync(pods.completionFile(0)));
  });

  it('after a join every pair object exists, also toward pods that do not exist yet', async () => {
    pods = new SimPods();
    await pods.startPods([0, 1]);
    assert.deepEqual([...(await pods.replications(1)).keys()].sort(), ['AKU_REP_01', 'AKU_REP_12', 'AKU_REP_13']);
  });

  it('a MASTER never starts a pair with a pod whose aku has not joined it (its rows would skip truncate and SYNC)', async () => {
    pods = new SimPods();
    await pods.addPod(0);
    await pods.addPod(1);
    await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (9, 'stale')");
    const master = await pods.aku(0, 'start');
    assert.equal(master.code, 0, master.lines.join('\n'));
    assert.ok(messages(master).some((l) => /altibase-sts-1 has no replication history for AKU_REP_01 yet/.test(l)));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
    const slave = await pods.aku(1, 'start');
    assert.equal(slave.code, 0, slave.lines.join('\n'));
    assert.ok(messages(slave).includes('Sync tables from MASTER Server.'));
    assert.deepEqual(await pods.converged([0, 1]), ['1:m']);
  });

  it('a MASTER start after a slave left with -p clean while the MASTER was down flushes no pair with that slave', async () => {
    pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 2 }));
    await pods.startPods([0, 1]);
    pods.cluster.kill('altibase-sts-0');
    const clean = await pods.aku(1, 'clean');
    assert.equal(clean.code, 0, clean.lines.join('\n'));
    pods.cluster.start('altibase-sts-0');
    pods.removeCompletionFile(0);
    const run = await pods.aku(0, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(messages(run).some((m) => m.startsWith('altibase-sts-1 left AKU_REP_01 deliberately')), run.lines.join('\n'));
    // Its sender toward pod 1 can never deliver (pod 1 has no AKU_REP_01): a FLUSH would wait out the bound.
    assert.deepEqual(run.lines.filter((l) => l.includes('[sql]') && /AKU_REP_01 FLUSH/.test(l)), []);
  });
});
