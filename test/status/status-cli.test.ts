import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { AKU_BIN } from '../helpers/cli.js';
import { ProcessPods } from '../helpers/process-pods.js';

const CHECK_SCRIPT = fileURLToPath(new URL('../../chart/files/check-replication.sh', import.meta.url));
const ALTISIM_DRIVER = fileURLToPath(new URL('../../dist/db/drivers/altisim.js', import.meta.url));

/**
 * `aku -s` from the built CLI against altisim processes, as a probe or `helm test` runs it: exit
 * statuses, the JSON on stdout (log lines on stderr), the text table, the monitoring login.
 */
describe('aku -s (built CLI, altisim processes)', function () {
  this.timeout(90000);
  let pods: ProcessPods;

  before(async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1]);
  });

  after(async () => pods.close());

  it('--json: verdict ok, exit 0, and every side as the servers report it', async () => {
    const run = await pods.aku(0, ['-s', '--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.verdict, 'ok');
    assert.equal(report.exitCode, 0);
    assert.equal(report.observer, 'altibase-sts-0');
    assert.deepEqual(report.replicas, { count: 2, source: 'answering' });
    assert.deepEqual(report.pairs.map((p: { name: string }) => p.name), ['AKU_REP_01']);
    for (const side of report.pairs[0].sides) {
      const objects = await pods.objects(side.ordinal);
      assert.equal(side.xsn, objects.AKU_REP_01?.xsn);
      assert.equal(side.started, objects.AKU_REP_01?.started);
      const [sender] = await pods.sysdba(side.ordinal, "SELECT STATUS, NET_ERROR_FLAG FROM V$REPSENDER WHERE REP_NAME = 'AKU_REP_01'");
      assert.equal(side.sender.statusCode, Number(sender?.STATUS));
      assert.equal(side.sender.netError, Number(sender?.NET_ERROR_FLAG) === 1);
    }
    // Objects toward ordinal 2 (AKU_SERVER_COUNT 3), which does not exist yet: stopped, reset, ok.
    assert.deepEqual(report.beyond.map((b: { name: string; verdict: string }) => [b.name, b.verdict]), [['AKU_REP_02', 'ok'], ['AKU_REP_12', 'ok']]);
    assert.match(run.stderr, /\[INFO\]\[akuStatus:verdict\]\[-\]\[-\] OK: /);
  });

  it('a monitoring user (AKUMON, or SYS without SYSDBA) reads every in-service pod; its password stays out of the output', async () => {
    const file = join(pods.work, 'monitor-password');
    writeFileSync(file, 'mon-pw\n');
    for (const i of [0, 1]) await pods.sysdba(i, "CREATE USER AKUMON IDENTIFIED BY 'mon-pw'");
    const run = await pods.aku(1, ['--status', '--json'], { AKU_MONITOR_USER: 'akumon', AKU_MONITOR_PASSWORD_FILE: file });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.pods.map((p: { login: string }) => p.login), ['monitor', 'monitor']);
    const sys = await pods.aku(1, ['-s', '--json'], { AKU_MONITOR_USER: 'SYS' });
    assert.deepEqual(JSON.parse(sys.stdout).pods.map((p: { login: string }) => p.login), ['monitor', 'monitor']);
    assert.doesNotMatch(run.stdout + run.stderr, /mon-pw/);
    const missing = await pods.aku(1, ['-s'], { AKU_MONITOR_USER: 'AKUMON' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /AKU_MONITOR_USER = AKUMON needs AKU_MONITOR_PASSWORD_FILE/);
  });

  it('a stopped pair: exit 1, the text table and the next step on stdout', async () => {
    await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 STOP');
    try {
      const run = await pods.aku(0, ['status']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /\[ERROR\]\[akuStatus:verdict\]\[-\]\[-\] FAIL: /);
      assert.match(run.stdout, / \[ Pairs \]\n  REPLICATION +PAIR +STARTED .*\n  AKU_REP_01 +0-1 +yes\/no /);
      assert.match(run.stdout, /FAIL AKU_REP_01 is stopped on altibase-sts-1 .*\n +next: on altibase-sts-1: aku-sql --sysdba "ALTER REPLICATION AKU_REP_01 START"/);
    } finally {
      await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 START');
    }
  });

  it("the chart's helm test script with the built aku: passes on the healthy set, fails naming a stopped pair", async () => {
    // The test pod's SQL client for the data check: SYS without SYSDBA, the password from the environment.
    const client = join(pods.work, 'sql-client.mjs');
    writeFileSync(client, [
      `import { altisimDriver } from ${JSON.stringify(ALTISIM_DRIVER)};`,
      'const c = await altisimDriver.connect({ host: process.env.HOST, port: Number(process.env.PORT), user: "SYS", password: process.env.AKU_SYS_PASSWORD, sysdba: false, connectTimeoutSec: 5, queryTimeoutSec: 30 });',
      'try { for (const row of await c.query(process.env.SQL, 30)) console.log(JSON.stringify(row)); } finally { await c.close(); }',
    ].join('\n'));
    const check = (env: Record<string, string> = {}) =>
      execa('bash', [CHECK_SCRIPT], {
        reject: false,
        all: true,
        env: {
          ...pods.env, ALTIBASE_HOME: pods.home(0), HOSTNAME: 'release-test-replication', AKU_MONITOR_USER: 'SYS',
          STS: 'altibase-sts', SVC: 'altibase-svc', REPLICAS: '2', PREFIXES: 'AKU_REP', PORT: '20300', TABLES: 'SYS.T1',
          AKU_COMMAND: AKU_BIN, SQL_COMMAND: `node ${client}`, CHECK_TIMEOUT: '1', ...env,
        },
      });
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (41, 'x')");
    const ok = await check();
    assert.equal(ok.exitCode, 0, ok.all);
    assert.match(ok.all ?? '', / \[ Pairs \]\n  REPLICATION .*\n  AKU_REP_01 +0-1 +yes\/yes /);
    assert.match(ok.all ?? '', /altibase-sts-1\.altibase-svc: SYS\.T1 has \d+ rows/);
    assert.match(ok.all ?? '', /PASS: aku -s found every pair of all 2 pod\(s\) replicating and every table has the same rows on each/);
    await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
    try {
      const stopped = await check();
      assert.equal(stopped.exitCode, 1, stopped.all);
      assert.match(stopped.all ?? '', /FAIL AKU_REP_01 is stopped on altibase-sts-0/);
      assert.match(stopped.all ?? '', /FAIL: replication is not complete after 1 s/);
    } finally {
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 START');
    }
  });

  it('--replicas 3 with pod 2 absent: unreachable, exit 1; --fail-on warn turns a warn into exit 1', async () => {
    const run = await pods.aku(0, ['-s', '--replicas', '3', '--json']);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.replicas, { count: 3, source: 'option' });
    assert.equal(report.pods[2].state, 'unreachable');
    assert.equal(report.pods[2].verdict, 'fail');
    await pods.sysdba(1, 'ALTER SYSTEM SET ADMIN_MODE = 1');
    try {
      const warn = await pods.aku(0, ['-s', '--json']);
      assert.equal(JSON.parse(warn.stdout).verdict, 'warn');
      assert.equal(warn.code, 0);
      const strict = await pods.aku(0, ['-s', '--fail-on', 'warn']);
      assert.equal(strict.code, 1);
    } finally {
      await pods.sysdba(1, 'ALTER SYSTEM SET ADMIN_MODE = 0');
    }
  });
});
