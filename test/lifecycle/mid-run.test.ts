import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { containerIdentity } from '../../src/lifecycle/completion-file.js';
import { createInProcessDriver } from '../../src/altisim/inprocess/driver.js';
import { AltibaseCode, DbError } from '../../src/db/errors.js';
import { statements, tagged } from '../helpers/run-output.js';
import { SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * The world changing while a run is under way (a peer dies, a write lands between FLUSH and
 * STOP, the driver fails in a way aku does not know): what the run does and says.
 */
describe('while a run is under way (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('a failure aku has no words for is reported with its kind and message, tagged with the action, and the run exits 1', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.addPod(0);
    const run = await pods.aku(0, 'start', {
      beforeStatement: (sql) => {
        if (sql === 'ALTER SYSTEM SET ADMIN_MODE = 0') throw new TypeError('the driver lost its mind');
      },
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, ['TypeError: the driver lost its mind']);
    assert.ok(tagged(run).includes('[ERROR][akuRunStart][-][-] TypeError: the driver lost its mind'), run.lines.join('\n'));
    assert.equal(run.outcome.steps.at(-1)?.step, 'akuRunStart:admin');
    assert.equal(run.outcome.steps.at(-1)?.status, 'failed');
    assert.deepEqual(run.errors, ['aku: TypeError: the driver lost its mind']);
    assert.ok(!existsSync(pods.completionFile(0)));

    const clean = await pods.aku(0, 'clean', {
      beforeStatement: (sql) => {
        if (sql.startsWith('DROP REPLICATION')) throw 'not even an Error'; // eslint-disable-line no-throw-literal
      },
    });
    assert.deepEqual(clean.outcome.problems, ['not even an Error']);
    assert.ok(tagged(clean).includes('[ERROR][akuRunClean][-][-] not even an Error'), clean.lines.join('\n'));
  });

  it('a database error that escapes a step is reported in its own words (statement and server), tagged with the action', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.addPod(1);
    const failure = new DbError({
      server: 'altibase-sts-0.altibase-svc:20300', sql: 'SELECT COUNT(*) AS ROW_COUNT FROM SYS.T1', phase: 'statement',
      diagnostics: [{ state: '42S02', code: AltibaseCode.TABLE_NOT_FOUND, message: 'Table not found' }], verdict: 'permanent', attempts: 1,
    });
    const run = await pods.aku(1, 'start', {
      beforeStatement: (sql, server) => {
        if (server.startsWith('altibase-sts-0') && sql.includes('COUNT')) throw failure;
      },
    });
    assert.equal(run.code, 1);
    assert.equal(run.outcome.steps.at(-1)?.step, 'akuRunStart:source');
    assert.deepEqual(run.outcome.problems, [failure.message]);
    assert.ok(!failure.message.startsWith('DbError'));
    assert.ok(tagged(run).includes(`[ERROR][akuRunStart][-][-] ${failure.message}`), run.lines.join('\n'));
    assert.deepEqual(statements(run).filter((s) => s.includes('TRUNCATE')), [], 'nothing truncated');
  });

  it('start: SYS.AKU_LEFT_PAIRS that cannot be read (other than absent) fails the connect step with the database\'s words', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    const failure = new DbError({
      server: 'altibase-sts-0.altibase-svc:20300', sql: 'SELECT REPLICATION_NAME, LEFT_AT FROM SYS.AKU_LEFT_PAIRS', phase: 'statement',
      diagnostics: [{ state: '42000', code: AltibaseCode.NO_PRIVILEGE, message: 'No privilege' }], verdict: 'permanent', attempts: 1,
    });
    const run = await pods.aku(1, 'start', {
      beforeStatement: (sql, server) => {
        if (server.startsWith('altibase-sts-0') && sql.includes('AKU_LEFT_PAIRS')) throw failure;
      },
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, [failure.message]);
    assert.equal(run.outcome.steps.at(-1)?.step, 'akuRunStart:connect');
  });

  it('end: a change committed here after the FLUSH that did not leave before STOP makes the pair undelivered, kept, with both positions named', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    // An application session open before end (ADMIN_MODE 1 refuses new ones, not this one).
    const app = await createInProcessDriver(pods.cluster, { clientAddress: '10.9.9.9' }).connect({
      host: 'altibase-sts-1.altibase-svc', port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: false, connectTimeoutSec: 1, queryTimeoutSec: 5,
    });
    try {
      let wrote = false;
      const run = await pods.aku(1, 'end', {
        beforeStatement: async (sql) => {
          if (!wrote && sql.includes('V$REPGAP')) {
            wrote = true;
            pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
            await app.query("INSERT INTO SYS.T1 VALUES (1, 'after the flush')", 5);
          }
        },
      });
      assert.equal(run.code, 1, run.lines.join('\n'));
      const said = tagged(run).join('\n');
      assert.match(said, /\[WARN\]\[akuRunEnd:stop\]\[altibase-sts-0\]\[AKU_REP_01\] AKU_REP_01 toward altibase-sts-0\.altibase-svc: a change committed here after its FLUSH was not sent \(XSN -?\d+ after STOP, log at \d+ before it\)\./);
      assert.match(run.outcome.problems.at(-1) as string, /^-p end could not deliver every change: AKU_REP_01 \(a change committed here after its FLUSH was not sent/);
      assert.ok(!statements(run).some((s) => s.endsWith('RESET')), 'nothing reset');
      pods.cluster.heal('altibase-sts-1', 'altibase-sts-0', 'replication');
      pods.restartPod(1);
      assert.equal((await pods.aku(1, 'start')).code, 0);
      assert.deepEqual(await pods.converged([0, 1]), ['1:after the flush'], 'the next start delivers it');
    } finally {
      await app.close();
    }
  });

  it('start resuming: a peer that fails its START (not a cut link) is warned about and the run completes; the pair resumes later', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    const run = await pods.aku(1, 'start', {
      beforeStatement: (sql, server) => {
        if (server.startsWith('altibase-sts-0') && sql === 'ALTER REPLICATION AKU_REP_01 START') pods.cluster.kill('altibase-sts-0');
      },
      config: { flushTimeoutAtStartSec: 1 },
    });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.match(tagged(run).join('\n'), /\[WARN\]\[akuRunStart:start\]\[altibase-sts-0\]\[AKU_REP_01\] Could not start AKU_REP_01 with altibase-sts-0\.altibase-svc: .+\. Its restart point is kept; the pair resumes when altibase-sts-0 runs aku -p start\./);
  });

  it('start joining: a START that fails after the SYNC fails the run (the synced pair would record nothing)', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.addPod(1);
    const run = await pods.aku(1, 'start', {
      beforeStatement: (sql, server) => {
        if (server.startsWith('altibase-sts-1') && sql === 'ALTER REPLICATION AKU_REP_01 START') throw new Error('START refused');
      },
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, ['Error: START refused']);
    assert.equal(run.outcome.steps.at(-1)?.step, 'akuRunStart:start');
    assert.ok(!existsSync(pods.completionFile(1)));
  });

  it('start: a CREATE that fails names the object and the server, and stops before the next one', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.addPod(0);
    const run = await pods.aku(0, 'start', {
      beforeStatement: (sql) => {
        if (sql.startsWith('CREATE REPLICATION AKU_REP_01 ')) throw new Error('no space left');
      },
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.outcome.problems, ['creating AKU_REP_01 on altibase-sts-0.altibase-svc failed: no space left']);
    assert.ok(tagged(run).some((l) => l.startsWith('[ERROR][akuRunStart:create][-][-] creating AKU_REP_01')));
    assert.equal((await pods.replications(0)).size, 0, 'AKU_REP_02 not created after the failure');
    const odd = await pods.aku(0, 'start', {
      beforeStatement: (sql) => {
        if (sql.startsWith('CREATE REPLICATION AKU_REP_02 ')) throw 'disk full'; // eslint-disable-line no-throw-literal
      },
    });
    assert.deepEqual(odd.outcome.problems, ['creating AKU_REP_02 on altibase-sts-0.altibase-svc failed: disk full']);
  });

  it('start joining: a TRUNCATE that fails still puts REPLICATION_DDL_ENABLE back and forgets the recorded value', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.addPod(1);
    const run = await pods.aku(1, 'start', {
      beforeStatement: (sql) => {
        if (sql === 'TRUNCATE TABLE SYS.T3') throw new Error('lock wait timeout');
      },
    });
    assert.equal(run.code, 1);
    const sent = statements(run);
    assert.equal(sent.at(-1), 'altibase-sts-1: ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0', sent.join('\n'));
    assert.ok(!messages(run).includes('Table truncation has ended.'));
    assert.ok(!existsSync(`${pods.completionFile(1)}.replication_ddl_enable`));
    const value = await pods.sysdba(1, "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'REPLICATION_DDL_ENABLE'");
    assert.equal(String(value[0]?.VALUE1), '0');
  });

  it('end holds no server\'s one SYSDBA slot while it works on another, so ends on every pod at once do not wait on each other', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const free: string[] = [];
    const tryConnect = async (i: number) => {
      const connection = await createInProcessDriver(pods.cluster, { clientAddress: '10.9.9.9' }).connect({
        host: `altibase-sts-${i}.altibase-svc`, port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 5,
      }).catch(() => undefined);
      await connection?.close();
      return connection !== undefined;
    };
    // -p end reaches its own server on its local address (no DNS): by that address, or by name.
    const own = (server: string) => server.startsWith('altibase-sts-1') || server.startsWith(`${pods.cluster.server('altibase-sts-1').address}:`);
    const run = await pods.aku(1, 'end', {
      beforeStatement: async (sql, server) => {
        if (own(server) && sql.includes('FLUSH ALL') && (await tryConnect(0))) free.push('MASTER free during the FLUSH here');
        if (own(server) && sql.endsWith('RESET') && (await tryConnect(0))) free.push('MASTER free during the RESET here');
        if (server.startsWith('altibase-sts-0') && sql.endsWith('STOP') && (await tryConnect(1))) free.push('own server free during the STOP on the MASTER');
      },
    });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(free, ['MASTER free during the FLUSH here', 'own server free during the STOP on the MASTER', 'MASTER free during the RESET here']);
  });

  it('end waits for a peer whose SYSDBA slot is busy for at most a quarter of its budget, then goes on without it', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const holder = await createInProcessDriver(pods.cluster, { clientAddress: '10.9.9.9' }).connect({
      host: 'altibase-sts-0.altibase-svc', port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 5,
    });
    const released = new Promise((resolve) => setTimeout(() => resolve(holder.close()), 1500));
    const started = Date.now();
    const run = await pods.aku(1, 'end', { config: { endTimeBudgetSec: 2, queryRetryDelayMsec: 50 } });
    const seconds = (Date.now() - started) / 1000;
    await released;
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.ok(seconds < 1.4, `gave up on the busy MASTER after ${seconds} s (a quarter of 2 s is 0.5 s)`);
    assert.match(tagged(run).join('\n'), /\[INFO\]\[akuRunEnd:connect\]\[altibase-sts-0\]\[-\] altibase-sts-0\.altibase-svc is not reachable \(ERR-\w+ : .*\)\./);
    assert.ok(run.outcome.pairs.some((p) => p.result === 'kept'));
  });

  it('clean interrupted after dropping its objects: the rerun still stops and resets the peers\' sides from its record', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const first = await pods.aku(1, 'clean', {
      beforeStatement: (sql, server) => {
        if (server.startsWith('altibase-sts-0')) throw new Error('killed');
      },
    });
    assert.equal(first.code, 1);
    assert.equal((await pods.replications(1)).size, 0, 'dropped here');
    assert.equal((await pods.replications(0)).get('AKU_REP_01')?.started, true, 'the MASTER\'s side still runs');
    const again = await pods.aku(1, 'clean');
    assert.equal(again.code, 0, again.lines.join('\n'));
    assert.deepEqual(again.outcome.pairs.map((p) => `${p.replication}@${p.pod}:${p.result}`), ['AKU_REP_01@altibase-sts-0:reset']);
    assert.deepEqual((await pods.replications(0)).get('AKU_REP_01'), { xsn: -1, started: false });
  });

  it('start: while it runs, its pid and this container\'s identity are beside the completion file (what -p end looks for); a dry run leaves none', async () => {
    pods = new SimPods(testConfig({ serverCount: 1 }));
    await pods.addPod(0);
    const marker = `${pods.completionFile(0)}.start-pid`;
    const seen: string[] = [];
    const look = () => {
      seen.push(existsSync(marker) ? readFileSync(marker, 'utf8') : 'none');
    };
    assert.equal((await pods.aku(0, 'start', { dryRun: true, beforeStatement: look })).code, 0);
    assert.ok(seen.length > 0 && seen.every((s) => s === 'none'), seen.join(', '));
    seen.length = 0;
    assert.equal((await pods.aku(0, 'start', { beforeStatement: look })).code, 0);
    assert.ok(seen.length > 0 && seen.every((s) => s === `${process.pid} ${containerIdentity()}\n`), seen.join(', '));
    assert.ok(!existsSync(marker));
  });

  it('start --dry-run is not stopped by a stop request (it changes nothing, and end does not wait for it)', async () => {
    pods = new SimPods(testConfig({ serverCount: 1 }));
    await pods.addPod(0);
    writeFileSync(`${pods.completionFile(0)}.stop-requested`, '1\n');
    const run = await pods.aku(0, 'start', { dryRun: true });
    assert.equal(run.code, 0, run.lines.join('\n'));
  });

  it('a SYNC that takes a while says it is still running, naming the pair and the MASTER', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0]);
    await pods.addPod(1);
    const run = await pods.aku(1, 'start', {
      beforeStatement: async (sql) => {
        if (sql.includes(' SYNC')) await new Promise((resolve) => setTimeout(resolve, 1200));
      },
    });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(tagged(run).filter((l) => l.includes('still running')), [
      '[INFO][akuRunStart:sync][altibase-sts-0][AKU_REP_01] SYNC of AKU_REP_01 from altibase-sts-0.altibase-svc: still running (1 s).',
    ]);
  });

  it('start resuming: a FLUSH that finds no sender, or fails, is a warning naming why; the start completes and replication goes on', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    pods.restartPod(1);
    const notStarted = new DbError({
      server: 'altibase-sts-0.altibase-svc:20300', sql: 'ALTER REPLICATION AKU_REP_01 FLUSH WAIT 1', phase: 'statement',
      diagnostics: [{ state: 'HY000', code: AltibaseCode.REPLICATION_NOT_STARTED, message: 'The replication has not been started.' }], verdict: 'permanent', attempts: 1,
    });
    const run = await pods.aku(1, 'start', {
      beforeStatement: (sql, server) => {
        if (sql.includes('FLUSH') && server.startsWith('altibase-sts-0')) throw notStarted;
        if (sql.includes('FLUSH') && server.startsWith('altibase-sts-1')) throw new Error('socket closed');
      },
    });
    assert.equal(run.code, 0, run.lines.join('\n'));
    const warnings = tagged(run).filter((l) => l.startsWith('[WARN][akuRunStart:flush]'));
    assert.deepEqual(warnings.sort(), [
      '[WARN][akuRunStart:flush][altibase-sts-0][AKU_REP_01] AKU_REP_01 on altibase-sts-0 was not fully flushed (no sender runs); replication goes on and its sender delivers the rest when the link heals.',
      '[WARN][akuRunStart:flush][altibase-sts-1][AKU_REP_01] AKU_REP_01 on altibase-sts-1 was not fully flushed (socket closed); replication goes on and its sender delivers the rest when the link heals.',
    ]);
  });

  it('end: a STOP that fails on a peer is a problem naming the statement, the pair and the server; the run goes on to RESET the rest', async () => {
    pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.startPods([0, 1, 2]);
    const run = await pods.aku(2, 'end', {
      beforeStatement: (sql, server) => {
        if (server.startsWith('altibase-sts-0') && sql === 'ALTER REPLICATION AKU_REP_02 STOP') throw new Error('connection reset');
      },
    });
    assert.equal(run.code, 1);
    // Its sender still runs, so its RESET needs the STOP again, which fails again; both are named, and the other pairs are reset.
    assert.deepEqual(run.outcome.problems, [
      'STOP of AKU_REP_02 on altibase-sts-0.altibase-svc failed: connection reset',
      'SETTLE of AKU_REP_02 on altibase-sts-0.altibase-svc failed: connection reset',
    ]);
    assert.deepEqual(run.errors, ['aku: STOP of AKU_REP_02 on altibase-sts-0.altibase-svc failed: connection reset; SETTLE of AKU_REP_02 on altibase-sts-0.altibase-svc failed: connection reset']);
    assert.ok(tagged(run).includes('[ERROR][akuRunEnd:stop][altibase-sts-0][AKU_REP_02] STOP of AKU_REP_02 on altibase-sts-0.altibase-svc failed: connection reset'));
    assert.ok(statements(run).includes('altibase-sts-1: ALTER REPLICATION AKU_REP_12 RESET'));
    assert.ok(run.outcome.steps.every((s) => s.status === 'done'));
  });
});

function messages(run: { lines: string[] }): string[] {
  return run.lines.map((l) => l.replace(/^\[AKU\]\[[^\]]*\]\[\d+\] \[[A-Z]+\]\[[^\]]*\]\[[^\]]*\]\[[^\]]*\] /, ''));
}
