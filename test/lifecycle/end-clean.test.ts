import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createInProcessDriver } from '../../src/altisim/inprocess/driver.js';
import { messages, SimPods, testConfig } from '../helpers/sim-pods.js';

async function cluster(count: number, config = testConfig()): Promise<SimPods> {
  const pods = new SimPods(config);
  await pods.startPods(Array.from({ length: count }, (_, i) => i));
  return pods;
}

describe('aku -p end and -p clean (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('end on a slave flushes, stops and resets its pairs on every pod, as the manual\'s log shows', async () => {
    pods = await cluster(3);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'last write on 2')");
    const run = await pods.aku(2, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(messages(run).filter((l) => /^(Start|Flush|Replication|Reset)/.test(l)), [
      'Start as SLAVE Pod.', 'Flush replications.', 'Replication flush has ended.', 'Reset replications.', 'Replication reset has ended.',
    ]);
    assert.equal(run.lines[0], 'AKU started with END option.');
    assert.ok(!existsSync(pods.completionFile(2)));
    for (const i of [0, 1, 2]) {
      const objects = await pods.replications(i);
      for (const name of ['AKU_REP_02', 'AKU_REP_12', 'AKU_REP_23'].filter((n) => objects.has(n))) {
        assert.deepEqual(objects.get(name), { xsn: -1, started: false }, `${name} on pod ${i}`);
      }
    }
    // The manual's observation after 4 → 3: the pairs without pod 2 keep their history.
    assert.notEqual((await pods.replications(0)).get('AKU_REP_01')?.xsn, -1);
    assert.deepEqual(await pods.rows(0), ['1:last write on 2'], 'the flush delivered the last write');
  });

  it('end resets a peer\'s side that was started again after its STOP (that pod\'s own end flushing it, all pods ending at once)', async () => {
    pods = await cluster(3);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1')");
    await pods.converged([0, 1, 2]);
    let interleaved = false;
    const run = await pods.aku(2, 'end', {
      // Between pod 2's STOP and RESET of AKU_REP_12 on pod 1, pod 1's own end starts that sender
      // again to flush what it holds (end.ts restartSender).
      beforeStatement: async (sql, server) => {
        if (!interleaved && /RESET/.test(sql) && server.includes('sts-1')) {
          interleaved = true;
          await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_12 START');
        }
      },
    });
    assert.ok(interleaved, 'the RESET on pod 1 was never sent');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(messages(run).some((l) => /AKU_REP_12 on .*sts-1.* was started again meanwhile/.test(l)), run.lines.join('\n'));
    for (const i of [1, 2]) assert.deepEqual((await pods.replications(i)).get('AKU_REP_12'), { xsn: -1, started: false }, `AKU_REP_12 on pod ${i}`);
  });

  it('end with AKU_REPLICATION_RESET_AT_END = 0 stops but keeps the restart points; the next start resumes', async () => {
    pods = await cluster(2, testConfig({ replicationResetAtEnd: false }));
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(!messages(run).includes('Reset replications.'));
    const state = (await pods.replications(1)).get('AKU_REP_01');
    assert.equal(state?.started, false);
    assert.notEqual(state?.xsn, -1);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'while 1 was stopped')");
    pods.restartPod(1);
    const again = await pods.aku(1, 'start');
    assert.equal(again.code, 0, again.lines.join('\n'));
    assert.ok(!messages(again).includes('Truncate tables for replications.'));
    assert.deepEqual(await pods.converged([0, 1]), ['1:while 1 was stopped']);
  });

  it('a slave ended with reset rejoins through truncate and SYNC and gets what it missed', async () => {
    pods = await cluster(2);
    assert.equal((await pods.aku(1, 'end')).code, 0);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'while 1 was away')");
    pods.restartPod(1);
    const run = await pods.aku(1, 'start');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(messages(run).includes('Sync tables from MASTER Server.'));
    assert.deepEqual(await pods.converged([0, 1]), ['1:while 1 was away']);
  });

  it('end on the MASTER flushes and stops but never resets', async () => {
    pods = await cluster(2);
    const run = await pods.aku(0, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.ok(messages(run).includes('Start as MASTER Pod.'));
    assert.ok(!messages(run).includes('Reset replications.'));
    for (const i of [0, 1]) {
      const state = (await pods.replications(i)).get('AKU_REP_01');
      assert.equal(state?.started, false, `pod ${i}`);
      assert.notEqual(state?.xsn, -1, `pod ${i}`);
    }
  });

  it('end finishes within its time budget when a peer is dead, and says what was left unflushed', async () => {
    pods = await cluster(3, testConfig({ endTimeBudgetSec: 4 }));
    pods.cluster.cut('altibase-sts-2', 'altibase-sts-0', 'replication'); // 2 cannot ship to 0
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (1, 'stuck on 2')");
    const started = Date.now();
    const run = await pods.aku(2, 'end');
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 4 + 2, `took ${seconds} s`);
    const said = messages(run).join('\n');
    assert.equal(run.code, 1);
    assert.match(said, /AKU_REP_02 toward altibase-sts-0\.altibase-svc: not flushed within \d s/);
    assert.match(said, /AKU_REP_02 is kept on both sides, not reset \(not flushed within/);
    assert.match(said, /AKU_REP_12 is kept on both sides, not reset \(kept with the pairs that could not deliver/);
    for (const pod of [0, 2]) assert.notEqual((await pods.replications(pod)).get('AKU_REP_02')?.xsn, -1, `kept for a later start on pod ${pod}`);
    assert.ok(!existsSync(pods.completionFile(2)));
  });

  it('end with a peer down keeps every pair on both sides, names the unreachable one, and exits 1', async () => {
    pods = await cluster(3);
    pods.cluster.kill('altibase-sts-1');
    const run = await pods.aku(2, 'end');
    assert.equal(run.code, 1, run.lines.join('\n'));
    const said = messages(run).join('\n');
    assert.match(said, /AKU_REP_12 is kept on both sides, not reset \(altibase-sts-1\.altibase-svc is not reachable\)/);
    assert.match(said, /-p end could not deliver every change: AKU_REP_12 \(altibase-sts-1\.altibase-svc is not reachable\)/);
    assert.deepEqual(run.outcome.pairs.filter((p) => p.result === 'kept').map((p) => p.replication).sort(), ['AKU_REP_02', 'AKU_REP_12', 'AKU_REP_23']);
    assert.notEqual((await pods.replications(0)).get('AKU_REP_02')?.xsn, -1, 'the MASTER keeps its side of the kept pair');
  });

  it('end with a peer that never existed resets the pairs toward it and names the statements to run there', async () => {
    pods = await cluster(2, testConfig({ serverCount: 3 }));
    const run = await pods.aku(1, 'end');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.match(messages(run).join('\n'), /AKU_REP_12 was not stopped or reset on altibase-sts-2\.altibase-svc \(not reachable\)\. If that pod is running, run there: ALTER REPLICATION AKU_REP_12 STOP; ALTER REPLICATION AKU_REP_12 RESET;/);
    assert.equal((await pods.replications(0)).get('AKU_REP_01')?.xsn, -1);
  });

  it('end when the headless Service is gone (helm uninstall) reaches its own server without DNS, keeps its pairs and ends fast', async () => {
    pods = await cluster(2);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1')");
    await pods.converged([0, 1]);
    for (const i of [0, 1]) pods.cluster.removeHost(`altibase-sts-${i}.altibase-svc`);
    const started = Date.now();
    const run = await pods.aku(1, 'end');
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.equal(run.code, 1, run.lines.join('\n'));
    const said = messages(run).join('\n');
    assert.doesNotMatch(said, /reaching it as altibase-sts-1\.altibase-svc/, 'its own server was reached on its local address');
    assert.match(said, /AKU_REP_01 is kept on both sides, not reset \(altibase-sts-0\.altibase-svc is not reachable\)/);
    pods.cluster.addHost('altibase-sts-1.altibase-svc', pods.cluster.server('altibase-sts-1').address);
    assert.equal((await pods.replications(1)).get('AKU_REP_01')?.started, false, 'its sender is stopped');
  });

  it('clean stops and drops every aku object here and stops them on the other pods', async () => {
    pods = await cluster(3);
    const run = await pods.aku(1, 'clean');
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.equal(run.lines[0], 'AKU started with CLEAN option.');
    assert.equal((await pods.replications(1)).size, 0);
    assert.equal((await pods.replications(0)).get('AKU_REP_01')?.started, false);
    assert.equal((await pods.replications(2)).get('AKU_REP_12')?.started, false);
    assert.equal((await pods.replications(0)).get('AKU_REP_02')?.started, true, 'pairs without pod 1 are untouched');
    assert.ok(!existsSync(pods.completionFile(1)));
    const again = await pods.aku(1, 'clean');
    assert.equal(again.code, 0, 'clean is idempotent');
  });
});

describe('-p end with a writer running on the ending pod (altisim in-process)', function () {
  this.timeout(30000);

  it('finishes within its budget and no acknowledged write is lost: delivered now, or kept and delivered by the next start', async () => {
    const pods = new SimPods(testConfig({ endTimeBudgetSec: 4 }));
    try {
      await pods.startPods([0, 1]);
      pods.cluster.delay('altibase-sts-1', 'altibase-sts-0', 10); // a link that is not instantaneous
      // An application session opened before end (ADMIN_MODE = 1 stops new ones, not this one).
      const connection = await createInProcessDriver(pods.cluster, { clientAddress: '10.9.9.9' }).connect({
        host: 'altibase-sts-1.altibase-svc', port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: false, connectTimeoutSec: 1, queryTimeoutSec: 5,
      });
      // The writer runs from before end until after it. A write counts when it was acknowledged
      // before end's admin step (ADMIN_MODE = 1, right before its FLUSH): end must deliver it or
      // keep it. Writes by a session that stays open while STOP runs are the window documented in
      // docs/lifecycle.md ("Writes during end").
      const server = () => pods.cluster.server('altibase-sts-1').running;
      const beforeStop: string[] = [];
      let writing = true;
      let total = 0;
      const writer = (async () => {
        for (let id = 1; writing; id++) {
          const adminBefore = server().properties.getNumber('ADMIN_MODE');
          try {
            await connection.query(`INSERT INTO SYS.T1 VALUES (${id}, 'w')`, 5);
          } catch {
            return;
          }
          total++;
          if (adminBefore === 0) beforeStop.push(`${id}:w`);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      // Some writes land before end begins (waited for by count, not time: the machine may be busy).
      for (const until = Date.now() + 5000; total <= 10 && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      const end = await pods.aku(1, 'end');
      const seconds = (Date.now() - started) / 1000;
      writing = false;
      await writer;
      await connection.close();
      assert.ok(seconds < 4 + 1, `end took ${seconds} s`);
      assert.ok(beforeStop.length > 10, `only ${beforeStop.length} writes before end`);
      assert.ok(total > beforeStop.length, 'the writer kept writing while end ran');
      if (end.code !== 0) {
        assert.match(messages(end).join('\n'), /-p end could not deliver every change: AKU_REP_01/);
        pods.restartPod(1);
        const start = await pods.aku(1, 'start');
        assert.equal(start.code, 0, start.lines.join('\n'));
        assert.ok(!messages(start).includes('Sync tables from MASTER Server.'), 'resumed');
      }
      const onMaster = await pods.converged(end.code === 0 ? [0] : [0, 1]);
      const missing = beforeStop.filter((row) => !onMaster.includes(row));
      assert.deepEqual(missing, [], `end exit ${end.code}; writes acknowledged on pod 1 but missing on the MASTER`);
    } finally {
      pods.close();
    }
  });
});

describe('-p start resuming with a writer running on the MASTER (altisim in-process)', function () {
  this.timeout(30000);

  it('finishes within its FLUSH bound (the peers flush to a fixed position) and the pair delivers every write', async () => {
    const pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 2 }));
    try {
      await pods.startPods([0, 1]);
      pods.cluster.delay('altibase-sts-0', 'altibase-sts-1', 20); // the MASTER's sender cannot keep up with the writer
      pods.restartPod(1);
      const connection = await createInProcessDriver(pods.cluster, { clientAddress: '10.9.9.9' }).connect({
        host: 'altibase-sts-0.altibase-svc', port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: false, connectTimeoutSec: 1, queryTimeoutSec: 5,
      });
      const written: string[] = [];
      let writing = true;
      const writer = (async () => {
        for (let id = 1; writing; id++) {
          await connection.query(`INSERT INTO SYS.T1 VALUES (${id}, 'w')`, 5);
          written.push(`${id}:w`);
          await new Promise((r) => setImmediate(r)); // as many writes as the event loop allows
        }
      })();
      await new Promise((r) => setTimeout(r, 30));
      const started = Date.now();
      const writtenBefore = written.length;
      const run = await pods.aku(1, 'start');
      const seconds = (Date.now() - started) / 1000;
      const writtenAtEnd = written.length;
      for (let waited = 0; written.length === writtenAtEnd && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      const writtenAfter = written.length;
      writing = false;
      await writer;
      await connection.close();
      assert.equal(run.code, 0, run.lines.join('\n'));
      assert.ok(seconds < 2 + 1.5, `start took ${seconds} s; its FLUSH bound is 2 s`);
      assert.ok(writtenBefore > 0 && writtenAfter > writtenAtEnd, `the writer ran before and after the start (${writtenBefore}, ${writtenAtEnd}, ${writtenAfter} writes)`);
      const onSlave = await pods.converged([0, 1], 'SYS.T1', 10000);
      assert.deepEqual(written.filter((row) => !onSlave.includes(row)), []);
    } finally {
      pods.close();
    }
  });
});
