import { strict as assert } from 'node:assert';
import { altisimAdmin, altisimDriver } from '../../src/db/drivers/altisim.js';
import { logMessages, PASSWORD, ProcessPods } from '../helpers/process-pods.js';

/**
 * `aku reconcile` from the built CLI against altisim processes: pods that went without
 * `aku -p end` (kill -9 of their server, as a forced deletion or a lost node leaves them), the set
 * scaled down past them, and what the pods in the set keep for them.
 */

interface ObjectOutcome {
  pod: string;
  name: string;
  peerOrdinal: number;
  started: boolean;
  action: string;
  gap: { repGap: number; repSn: number; lastSn: number } | null;
  reason: string | null;
}

const SERVICE_PORT = 20300;

/** Every replication object of the listed pods, for "nothing changed" assertions. */
async function objectsOf(pods: ProcessPods, ordinals: number[]): Promise<unknown[]> {
  return Promise.all(ordinals.map((i) => pods.objects(i)));
}

async function leftPairs(pods: ProcessPods, i: number): Promise<string[]> {
  const rows = await pods.sysdba(i, 'SELECT REPLICATION_NAME FROM SYS.AKU_LEFT_PAIRS ORDER BY REPLICATION_NAME').catch((error: Error) => {
    if (/not found/i.test(error.message)) return [];
    throw error;
  });
  return rows.map((r) => String(r.REPLICATION_NAME));
}

describe('aku reconcile (bin/aku, altisim processes)', function () {
  this.timeout(120000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('pods gone without -p end: status flags their objects, a dry run changes nothing, reconcile stops and resets them naming the gap; the pods return with their volumes and rejoin by TRUNCATE + SYNC', async () => {
    pods = new ProcessPods(4);
    await pods.startPods([0, 1, 2, 3]);
    for (const i of [0, 1, 2, 3]) await pods.app(i, `INSERT INTO SYS.T1 VALUES (${i}, 'on ${i} before')`);
    await pods.converged([0, 1, 2, 3]);
    // Pod 3 writes a row nobody receives (its replication links are cut), then pods 2 and 3 die
    // without -p end; the StatefulSet is then scaled to 2.
    for (const i of [0, 1, 2]) await pods.cut(3, i);
    await pods.app(3, "INSERT INTO SYS.T1 VALUES (33, 'on 3, never sent')");
    await pods.killServer(2);
    await pods.killServer(3);
    for (const i of [0, 1]) await altisimAdmin(pods.address(i), SERVICE_PORT, 'heal', { peer: pods.address(3), path: 'replication' });
    // Changes the departed pods do not receive: the gap reconcile names.
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (10, 'on 0 after')");
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (11, 'on 1 after')");

    const flagged = await pods.aku(0, ['status', '--replicas', '2', '--json']);
    const beyond = JSON.parse(flagged.stdout).beyond as { name: string; pod: string; verdict: string; nextStep: string }[];
    assert.deepEqual(beyond.map((b) => [b.name, b.pod, b.verdict]), [
      ['AKU_REP_02', 'altibase-sts-0', 'warn'],
      ['AKU_REP_03', 'altibase-sts-0', 'warn'],
      ['AKU_REP_12', 'altibase-sts-1', 'warn'],
      ['AKU_REP_13', 'altibase-sts-1', 'warn'],
    ]);
    assert.match(beyond[0]?.nextStep ?? '', /otherwise aku reconcile --replicas 2 \(docs\/reconcile\.md\)/);

    // --dry-run: the plan, exit 0, and nothing changed (XSNs, started flags, no record table).
    const before = await objectsOf(pods, [0, 1]);
    const dry = await pods.aku(1, ['reconcile', '--replicas', '2', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const plan = JSON.parse(dry.stdout);
    assert.equal(plan.dryRun, true);
    assert.deepEqual(plan.objects.map((o: ObjectOutcome) => [o.pod, o.name, o.action]), [
      ['altibase-sts-0', 'AKU_REP_02', 'planned'],
      ['altibase-sts-0', 'AKU_REP_03', 'planned'],
      ['altibase-sts-1', 'AKU_REP_12', 'planned'],
      ['altibase-sts-1', 'AKU_REP_13', 'planned'],
    ]);
    assert.match(dry.stderr, /\[INFO\]\[plan\]\[altibase-sts-0\]\[-\] ALTER REPLICATION AKU_REP_02 STOP\n/);
    assert.match(dry.stderr, /\[INFO\]\[plan\]\[altibase-sts-1\]\[-\] ALTER REPLICATION AKU_REP_13 RESET\n/);
    assert.match(dry.stderr, /\[INFO\]\[plan\]\[altibase-sts-0\]\[-\] INSERT INTO SYS\.AKU_LEFT_PAIRS VALUES \('AKU_REP_02', /);
    assert.deepEqual(await objectsOf(pods, [0, 1]), before, 'a dry run changes no object');
    assert.deepEqual([await leftPairs(pods, 0), await leftPairs(pods, 1)], [[], []], 'a dry run records nothing');

    const run = await pods.aku(1, ['reconcile', '--replicas', '2', '--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.command, 'reconcile');
    assert.deepEqual(report.replicas, { count: 2, source: 'option' });
    assert.deepEqual(report.pods.map((p: { pod: string; state: string }) => [p.pod, p.state]), [['altibase-sts-0', 'read'], ['altibase-sts-1', 'read']]);
    assert.deepEqual(report.departed.map((d: { pod: string; state: string }) => [d.pod, d.state]), [['altibase-sts-2', 'gone'], ['altibase-sts-3', 'gone']]);
    const objects = report.objects as ObjectOutcome[];
    assert.deepEqual(objects.map((o) => [o.pod, o.name, o.peerOrdinal, o.started, o.action]), [
      ['altibase-sts-0', 'AKU_REP_02', 2, true, 'reset'],
      ['altibase-sts-0', 'AKU_REP_03', 3, true, 'reset'],
      ['altibase-sts-1', 'AKU_REP_12', 2, true, 'reset'],
      ['altibase-sts-1', 'AKU_REP_13', 3, true, 'reset'],
    ]);
    // Each sender was behind by the rows written after the pods went (pod 0's and pod 1's inserts).
    for (const o of objects) {
      assert.ok(o.gap && o.gap.repGap > 0 && o.gap.lastSn - o.gap.repSn === o.gap.repGap, JSON.stringify(o));
    }
    assert.deepEqual(report.problems, []);
    const said = logMessages(run.stderr).join('\n');
    const gap02 = objects[0]?.gap;
    assert.ok(said.includes(`altibase-sts-2 had not received altibase-sts-0's changes on AKU_REP_02 from SN ${gap02?.repSn} to ${gap02?.lastSn} (V$REPGAP: REP_GAP ${gap02?.repGap}); they stay in altibase-sts-0's tables, and altibase-sts-2, if its volume returns, rejoins by TRUNCATE + SYNC and gets them from the MASTER.`), said);
    assert.match(said, /What altibase-sts-3 had written and not yet sent to the pods in the set cannot be seen from here: it exists on altibase-sts-3's volume only\./);
    assert.match(run.stderr, /\[INFO\]\[akuReconcile:done\]\[-\]\[-\] 4 stopped and reset, 0 kept, 0 skipped, 0 failed; 0 pod\(s\) in the set not read\./);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(PASSWORD));

    for (const [i, names] of [[0, ['AKU_REP_02', 'AKU_REP_03']], [1, ['AKU_REP_12', 'AKU_REP_13']]] as const) {
      const after = await pods.objects(i);
      for (const name of names) assert.deepEqual(after[name], { xsn: -1, started: false }, `${name} on pod ${i}`);
      assert.deepEqual(await leftPairs(pods, i), names, `pod ${i} records the leaves`);
    }
    const clean = await pods.aku(0, ['status', '--replicas', '2', '--json']);
    assert.equal(clean.code, 0, clean.stdout);
    const cleanReport = JSON.parse(clean.stdout);
    assert.equal(cleanReport.verdict, 'ok', clean.stderr);
    assert.ok(cleanReport.beyond.every((b: { verdict: string }) => b.verdict === 'ok'));
    // A second run finds nothing to do.
    const again = await pods.aku(0, ['reconcile', '--replicas', '2']);
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /\[akuReconcile:done\]\[-\]\[-\] Nothing to do: no object on the 2 pod\(s\) read keeps log for a pod at or beyond ordinal 2\./);

    // Scaled up again: the pods come back with their volumes. Pod 2's pair with the MASTER holds
    // history on pod 2 only, which the MASTER's record makes a deliberate leave: the reset path.
    await pods.restartPod(2);
    const join2 = await pods.aku(2, ['-p', 'start']);
    assert.equal(join2.code, 0, join2.stdout);
    const joined2 = logMessages(join2.stdout);
    assert.ok(joined2.some((l) => /^The MASTER left AKU_REP_02 deliberately \(recorded by aku -p clean or aku reconcile at [0-9T:.-]+Z\): group AKU_REP rejoins; it will be truncated and synchronised from the MASTER\.$/.test(l)), joined2.join('\n'));
    assert.ok(joined2.includes('Truncate tables for replications.') && joined2.includes('Sync tables from MASTER Server.'));
    // Its server restarted the senders it had started before it died: what it had not sent
    // reaches the pods in the set too (the text reconcile warns with). Pod 3 likewise.
    await pods.restartPod(3);
    const join3 = await pods.aku(3, ['-p', 'start']);
    assert.equal(join3.code, 0, join3.stdout);
    assert.ok(logMessages(join3.stdout).includes('Sync tables from MASTER Server.'), join3.stdout);

    for (const i of [0, 1, 2, 3]) await pods.app(i, `INSERT INTO SYS.T1 VALUES (${100 + i}, 'on ${i} after the rejoin')`);
    assert.deepEqual(await pods.converged([0, 1, 2, 3]), [
      '0:on 0 before', '1:on 1 before', '2:on 2 before', '3:on 3 before', '10:on 0 after', '11:on 1 after', '33:on 3, never sent',
      '100:on 0 after the rejoin', '101:on 1 after the rejoin', '102:on 2 after the rejoin', '103:on 3 after the rejoin',
    ]);
    for (const i of [0, 1, 2, 3]) {
      assert.ok(Object.values(await pods.objects(i)).every((o) => o.started && o.xsn !== -1), `every pair of pod ${i} replicates`);
      assert.deepEqual(await leftPairs(pods, i), [], `pod ${i}: the rejoins removed the records`);
    }
    const whole = await pods.aku(0, ['status', '--replicas', '4']);
    assert.equal(whole.code, 0, whole.stdout);
  });

  it('after reconcile, the MASTER and a slave restart while a departed pod\'s server is back but not started: both go on (the records make the leaves deliberate), and that pod then rejoins', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    await pods.app(2, "INSERT INTO SYS.T1 VALUES (2, 'on 2')");
    await pods.converged([0, 1, 2]);
    await pods.killServer(2);
    const run = await pods.aku(0, ['reconcile', '--replicas', '2']);
    assert.equal(run.code, 0, run.stdout);

    // Pod 2's server runs again from its volume (its aku -p start has not run): its pairs hold history.
    await pods.restartPod(2);
    await pods.restartPod(0);
    const master = await pods.aku(0, ['-p', 'start']);
    assert.equal(master.code, 0, master.stdout);
    assert.ok(logMessages(master.stdout).some((l) => /^altibase-sts-2 holds history for AKU_REP_02, which this MASTER left deliberately \(recorded by aku -p clean or aku reconcile at [^)]+\); that pair does not start/.test(l)), master.stdout);
    await pods.restartPod(1);
    const slave = await pods.aku(1, ['-p', 'start']);
    assert.equal(slave.code, 0, slave.stdout);
    assert.match(slave.stdout, /Replication information is intact \(XSN \d+\): group AKU_REP resumes\./);

    const join = await pods.aku(2, ['-p', 'start']);
    assert.equal(join.code, 0, join.stdout);
    assert.ok(logMessages(join.stdout).includes('Sync tables from MASTER Server.'), join.stdout);
    for (const i of [0, 1, 2]) await pods.app(i, `INSERT INTO SYS.T1 VALUES (${10 + i}, 'on ${i} after')`);
    assert.deepEqual(await pods.converged([0, 1, 2]), ['2:on 2', '10:on 0 after', '11:on 1 after', '12:on 2 after']);
    for (const i of [0, 1, 2]) assert.deepEqual(await leftPairs(pods, i), [], `pod ${i}`);
  });

  it('an object stopped with a restart point (what an end that could not deliver, or AKU_REPLICATION_RESET_AT_END = 0, leaves) is kept; --discard-kept resets it, its gap not measured', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    await pods.killServer(2);
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_02 STOP');
    const kept = (await pods.objects(0)).AKU_REP_02;
    assert.ok(kept && !kept.started && kept.xsn !== -1, JSON.stringify(kept));
    const first = await pods.aku(0, ['reconcile', '--replicas', '2', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const byDefault = JSON.parse(first.stdout).objects as ObjectOutcome[];
    assert.deepEqual(byDefault.map((o) => [o.name, o.action]), [['AKU_REP_02', 'kept'], ['AKU_REP_12', 'reset']]);
    assert.match(byDefault[0]?.reason ?? '', /aku reconcile --discard-kept resets it, and those changes are lost$/);
    assert.deepEqual((await pods.objects(0)).AKU_REP_02, kept, 'kept as it was');
    const run = await pods.aku(0, ['reconcile', '--replicas', '2', '--discard-kept', '--json']);
    assert.equal(run.code, 0, run.stderr);
    // AKU_REP_12 (started toward the dead pod) was reset by the first run; only the kept one is left.
    const [stopped, ...rest] = JSON.parse(run.stdout).objects as ObjectOutcome[];
    assert.deepEqual([stopped?.name, stopped?.started, stopped?.action, stopped?.gap], ['AKU_REP_02', false, 'reset', null]);
    assert.deepEqual(rest, []);
    assert.ok(logMessages(run.stderr).includes(`AKU_REP_02 on altibase-sts-0 has no sender (stopped at restart point XSN ${kept?.xsn}): what altibase-sts-2 had not received since then is not measured (V$REPGAP has a row only while a sender runs); those changes stay in altibase-sts-0's tables, and altibase-sts-2, if its volume returns, rejoins by TRUNCATE + SYNC and gets them from the MASTER.`), run.stderr);
    assert.deepEqual((await pods.objects(0)).AKU_REP_02, { xsn: -1, started: false });
  });

  it('a departed pod whose server still answers (running, or restarted in ADMIN_MODE 1) is skipped by name, exit 1, nothing changed', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    const before = await objectsOf(pods, [0, 1]);
    const run = await pods.aku(0, ['reconcile', '--replicas', '2', '--json']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.departed.map((d: { pod: string; state: string }) => [d.pod, d.state]), [['altibase-sts-2', 'running']]);
    assert.deepEqual(report.objects.map((o: ObjectOutcome) => [o.pod, o.name, o.action]), [['altibase-sts-0', 'AKU_REP_02', 'skipped'], ['altibase-sts-1', 'AKU_REP_12', 'skipped']]);
    assert.match(report.objects[0].reason, /^altibase-sts-2 is still running \(its server at altibase-sts-2\.altibase-svc answers\); its aku -p end decommissions it; run aku reconcile again once it is gone$/);
    assert.match(run.stderr, /\[WARN\]\[akuReconcile:departed\]\[altibase-sts-2\]\[-\] altibase-sts-2 is still running \(its server at altibase-sts-2\.altibase-svc answers\); its aku -p end decommissions it; run aku reconcile again once it is gone\./);
    assert.match(run.stderr, /^aku: AKU_REP_02 on altibase-sts-0 skipped: altibase-sts-2 is still running/m, 'the summary on stderr');
    assert.deepEqual(await objectsOf(pods, [0, 1]), before);
    assert.deepEqual([await leftPairs(pods, 0), await leftPairs(pods, 1)], [[], []]);

    // Restarted, its start not yet run: ADMIN_MODE 1 refuses the probe's login without SYSDBA (ERR-4106E), which still proves it runs.
    await pods.restartPod(2);
    const restarted = await pods.aku(0, ['reconcile', '--replicas', '2', '--json']);
    assert.equal(restarted.code, 1, restarted.stderr);
    assert.match(JSON.parse(restarted.stdout).departed[0].reason, /its server at altibase-sts-2\.altibase-svc answers \(ERR-4106E : /);
    assert.deepEqual(await objectsOf(pods, [0, 1]), before);
  });

  it('a busy SYSDBA slot is reported, not taken: the other pods are cured, exit 1; the next run finishes', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    await pods.killServer(2);
    // An operator's isql -sysdba on pod 1 (or a running aku -p start or end).
    const holder = await altisimDriver.connect({
      host: pods.address(1), port: SERVICE_PORT, user: 'SYS', password: PASSWORD, sysdba: true, connectTimeoutSec: 5, queryTimeoutSec: 30,
    });
    try {
      const started = Date.now();
      const run = await pods.aku(0, ['reconcile', '--replicas', '2', '--json']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.ok(Date.now() - started < 15000, 'the busy slot is waited for briefly only');
      const report = JSON.parse(run.stdout);
      assert.deepEqual(report.pods.map((p: { pod: string; state: string }) => [p.pod, p.state]), [['altibase-sts-0', 'read'], ['altibase-sts-1', 'busy']]);
      assert.deepEqual(report.objects.map((o: ObjectOutcome) => [o.pod, o.name, o.action]), [['altibase-sts-0', 'AKU_REP_02', 'reset']]);
      assert.deepEqual(report.problems, ['altibase-sts-1 was not read (another SYSDBA session is open on the server (ERR-41041)); run aku reconcile again when it is free']);
      assert.match(run.stderr, /\[WARN\]\[akuReconcile:read\]\[altibase-sts-1\]\[-\] Another SYSDBA session holds altibase-sts-1\.altibase-svc .*not waiting for it longer than 2000 ms\. Run aku reconcile again when it is over\./);
      // The holder's session still works, and pod 1's object was left alone.
      const [row] = await holder.query("SELECT XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_ WHERE REPLICATION_NAME = 'AKU_REP_12'", 10);
      assert.equal(Number(row?.IS_STARTED), 1);
      assert.notEqual(Number(row?.XSN), -1);
    } finally {
      await holder.close();
    }
    const again = await pods.aku(0, ['reconcile', '--replicas', '2', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).objects.map((o: ObjectOutcome) => [o.pod, o.name, o.action]), [['altibase-sts-1', 'AKU_REP_12', 'reset']]);
    assert.deepEqual((await pods.objects(1)).AKU_REP_12, { xsn: -1, started: false });
  });

  it('without --replicas and without a Kubernetes API: exit 2, saying to pass --replicas; nothing read or changed', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1]);
    const before = await objectsOf(pods, [0, 1]);
    const run = await pods.aku(0, ['reconcile']);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /^aku: the replica count of altibase-sts is unknown: pass --replicas N \(the StatefulSet's spec\.replicas\)\. It is never guessed from the pods that answer, as a pod that is only down would be taken for departed\. The Kubernetes API could not give it: no Kubernetes API to ask: KUBECONFIG is not set/);
    assert.equal(run.stdout, '');
    assert.deepEqual(await objectsOf(pods, [0, 1]), before);
    for (const bad of [['reconcile', '--replicas', '0'], ['reconcile', '--fail-on', 'warn']]) {
      const refused = await pods.aku(0, bad);
      assert.equal(refused.code, 2, bad.join(' '));
    }
    const wait = await pods.aku(0, ['reconcile', '--replicas', '2'], { AKU_RECONCILE_WAIT: 'soon' });
    assert.equal(wait.code, 2);
    assert.match(wait.stderr, /AKU_RECONCILE_WAIT = soon is not allowed; expected a whole number of seconds/);
  });
});
