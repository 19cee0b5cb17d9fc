import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { AKU_BIN } from '../helpers/cli.js';

/**
 * The built `bin/aku`, unchanged, against `bin/altisim` server processes: three pods on loopback
 * addresses, named through an ALTISIM_HOSTS file. This is the path a pod takes with
 * AKU_DRIVER=altisim (the same lifecycle code the odbc driver runs for real Altibase).
 */
const ALTISIM_BIN = fileURLToPath(new URL('../../bin/altisim', import.meta.url));
const PASSWORD = 's3cret-pw';
const address = (i: number) => `127.0.0.${41 + i}`;

describe('bin/aku against altisim server processes', function () {
  this.timeout(60000);
  const work = mkdtempSync(join(tmpdir(), 'aku-e2e-'));
  const servers: ResultPromise[] = [];
  const hosts = join(work, 'hosts');
  writeFileSync(hosts, [0, 1, 2].map((i) => `${address(i)} altibase-sts-${i}.altibase-svc`).join('\n') + '\n');
  const env = { ALTISIM_HOSTS: hosts, AKU_DRIVER: 'altisim', AKU_SYS_PASSWORD: PASSWORD };

  const sql = async (pod: number, statement: string | string[], sysdba = false) => {
    const args = ['sql', '--host', address(pod), '--port', '20300', '--user', 'SYS', '--password', PASSWORD, ...(sysdba ? ['--sysdba'] : []), ...[statement].flat()];
    const result = await execa(ALTISIM_BIN, args, { env });
    return String(result.stdout).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  const aku = (pod: number, ...args: string[]) =>
    execa(AKU_BIN, args, {
      reject: false,
      env: { ...env, ALTIBASE_HOME: join(work, `pod-${pod}`), AKU_POD_NAME: `altibase-sts-${pod}`, AKU_START_COMPLETED_FILE: join(work, `pod-${pod}`, 'done') },
    });

  async function startServer(pod: number): Promise<void> {
    mkdirSync(join(work, `pod-${pod}`, 'conf'), { recursive: true });
    writeFileSync(join(work, `pod-${pod}`, 'conf', 'aku.conf'), [
      'AKU_STS_NAME = altibase-sts', 'AKU_SVC_NAME = altibase-svc', 'AKU_SERVER_COUNT = 3', 'AKU_QUERY_RETRY_DELAY_MSEC = 100',
      'REPLICATIONS = ( REPLICATION_NAME_PREFIX = AKU_REP ( SYS.T1 ) )', '',
    ].join('\n'));
    const server = execa(ALTISIM_BIN, ['serve', '--host', address(pod), '--port', '20300', '--replication-port', '20301',
      '--data-dir', join(work, `pod-${pod}`, 'data'), '--sys-password', PASSWORD,
      '--property', 'ADMIN_MODE=1', '--property', 'REMOTE_SYSDBA_ENABLE=1', '--property', 'ALTISIM_SENDER_RETRY_INTERVAL_MSEC=200'], { env, reject: false });
    servers.push(server);
    let exited = false;
    void server.finally(() => { exited = true; });
    const deadline = Date.now() + 30000; // a loaded CI machine can take a while to start a Node process
    for (;;) {
      try {
        await sql(pod, 'CREATE TABLE SYS.T1 (ID INTEGER PRIMARY KEY, V VARCHAR(20))', true);
        return;
      } catch (error) {
        if (exited) {
          const result = await server;
          throw new Error(`altisim serve for pod ${pod} exited (${result.exitCode}):\n${String(result.stdout)}\n${String(result.stderr)}`);
        }
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async function rowsEverywhere(pods: number[], expected: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const counts = await Promise.all(pods.map(async (p) => (await sql(p, 'SELECT ID FROM SYS.T1')).length));
      if (counts.every((c) => c === expected)) return;
      if (attempt > 50) assert.fail(`row counts ${counts.join(', ')}, expected ${expected} on every pod`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  after(() => {
    for (const server of servers) server.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('starts a MASTER, joins two slaves by SYNC, replicates writes from every pod, and ends a pod', async () => {
    await startServer(0);
    const master = await aku(0, '-p', 'start');
    assert.equal(master.exitCode, 0, String(master.stdout));
    assert.match(String(master.stdout), /^AKU started with START option\.\n.*Start as MASTER Pod\./);
    await sql(0, Array.from({ length: 50 }, (_, k) => `INSERT INTO SYS.T1 VALUES (${k + 1}, 'm')`));

    for (const pod of [1, 2]) {
      await startServer(pod);
      const join = await aku(pod, '-p', 'start');
      assert.equal(join.exitCode, 0, String(join.stdout));
      assert.match(String(join.stdout), /Sync tables from MASTER Server\.\n.*Replication sync has ended\./);
      assert.doesNotMatch(String(join.stdout) + String(join.stderr), new RegExp(PASSWORD));
    }
    await sql(1, "INSERT INTO SYS.T1 VALUES (51, 'one')");
    await sql(2, "INSERT INTO SYS.T1 VALUES (52, 'two')");
    await rowsEverywhere([0, 1, 2], 52);

    const end = await aku(2, '-p', 'end');
    assert.equal(end.exitCode, 0, String(end.stdout));
    const objects = await sql(0, 'SELECT REPLICATION_NAME, XSN FROM SYSTEM_.SYS_REPLICATIONS_', true);
    assert.deepEqual(objects.map((o) => `${o.REPLICATION_NAME}:${Number(o.XSN) === -1 ? 'reset' : 'live'}`).sort(), ['AKU_REP_01:live', 'AKU_REP_02:reset']);
  });

  it('--dry-run on a running pod prints the plan and changes nothing', async () => {
    const plan = await aku(1, '-p', 'clean', '--dry-run');
    assert.equal(plan.exitCode, 0, String(plan.stdout));
    assert.match(String(plan.stdout), /\[plan\]\[altibase-sts-1\]\[-\] DROP REPLICATION AKU_REP_01/);
    assert.equal((await sql(1, 'SELECT REPLICATION_NAME FROM SYSTEM_.SYS_REPLICATIONS_', true)).length, 2);
  });
});
