import assert from 'node:assert/strict';
import { DriverError } from '../../src/db/driver.js';
import { AltibaseCode, DbError } from '../../src/db/errors.js';
import { Session, sessionSettingsFromConfig, type DbLogLevel, type SessionSettings } from '../../src/db/session.js';
import type { AkuConfig } from '../../src/config/model.js';
import { FakeDriver, delay, diag, recordingSleep } from './fake-driver.js';
import { rejectionOf } from '../helpers/rejection.js';

const HOST = 'altibase-sts-1.altibase-svc';
const PASSWORD = 'p;w}d';

function settings(overrides: Partial<SessionSettings> = {}): SessionSettings {
  return {
    port: 20300,
    user: 'SYS',
    password: PASSWORD,
    sysdba: true,
    connectTimeoutSec: 5,
    queryTimeoutSec: 3600,
    retryCount: 3,
    retryDelayMsec: 250,
    deadlineGraceMs: 0,
    ...overrides,
  };
}

function setup(overrides: Partial<SessionSettings> = {}) {
  const driver = new FakeDriver();
  const { sleep, delays } = recordingSleep();
  const logs: Array<{ level: DbLogLevel; message: string; sql?: string; server: string }> = [];
  const session = new Session(driver, HOST, settings(overrides), {
    sleep,
    logger: { log: (level, message, context) => logs.push({ level, message, server: context.server, ...(context.sql ? { sql: context.sql } : {}) }) },
  });
  return { driver, session, delays, logs };
}

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, DbError);

describe('Session', () => {
  describe('connecting', () => {
    it('connects lazily at the first statement, as SYS with SYSDBA, and reuses the connection', async () => {
      const { driver, session } = setup({ nlsUse: 'UTF8' });
      assert.equal(driver.connectAttempts, 0);
      await session.query('SELECT 1 FROM DUAL');
      await session.query('SELECT 2 FROM DUAL');
      assert.equal(driver.connectAttempts, 1);
      assert.deepEqual(
        { ...driver.lastConnectOptions },
        {
          host: HOST,
          port: 20300,
          user: 'SYS',
          password: PASSWORD,
          sysdba: true,
          connectTimeoutSec: 5,
          queryTimeoutSec: 3600,
          nlsUse: 'UTF8',
        },
      );
      assert.ok(session.isConnected);
    });

    it('release gives the SYSDBA slot back after the queued statements, and the next statement connects again', async () => {
      const { driver, session } = setup();
      const first = session.query('SELECT 1 FROM DUAL');
      const released = session.release();
      await first;
      await released;
      assert.equal(session.isConnected, false);
      assert.equal(driver.connections[0]?.closed, true, 'the connection was closed');
      await session.query('SELECT 2 FROM DUAL');
      assert.equal(driver.connectAttempts, 2);
      assert.equal(session.isClosed, false);
    });

    it('retries a connect refused with ERR-41041 (another SYSDBA session) and then runs the statement', async () => {
      const { driver, session, delays } = setup();
      driver.connectPlan = (n) =>
        n < 3 ? { kind: 'fail', diagnostics: [diag(AltibaseCode.ANOTHER_SYSDBA_SESSION, '08001', 'Another SYSDBA session is already running.')] } : { kind: 'ok' };
      await session.query('SELECT 1 FROM DUAL');
      assert.equal(driver.connectAttempts, 3);
      assert.deepEqual(delays, [250, 250]);
    });

    it('does not retry a refused login, and says where and what to check', async () => {
      const { driver, session, delays } = setup();
      driver.connectPlan = () => ({ kind: 'fail', diagnostics: [diag(AltibaseCode.WRONG_PASSWORD, '28000', 'Invalid password')] });
      const error = await rejection(session.open());
      assert.equal(driver.connectAttempts, 1);
      assert.deepEqual(delays, []);
      assert.equal(error.phase, 'connect');
      assert.equal(error.transient, false);
      assert.match(error.message, /^ERR-4102E : Invalid password \[connecting\] \[server: altibase-sts-1\.altibase-svc:20300\]/);
      assert.match(error.message, /AKU_SYS_PASSWORD/);
    });

    it('abandons a connect that hangs after the connect timeout, even if the driver ignores its own', async () => {
      const { driver, session } = setup({ connectTimeoutSec: 0.1, retryCount: 0 });
      driver.connectPlan = () => ({ kind: 'hang' });
      const started = Date.now();
      const error = await rejection(session.open());
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 90 && elapsed < 1000, `took ${elapsed} ms`);
      assert.equal(error.timedOutByAku, true);
      assert.equal(error.state, 'HYT01');
      assert.equal(error.transient, true);
    });

    it('closes a connection that arrives after the connect timeout (it would hold the SYSDBA slot)', async () => {
      const { driver, session } = setup({ connectTimeoutSec: 0.05, retryCount: 0 });
      driver.connectPlan = () => ({ kind: 'late', ms: 150 });
      await rejection(session.open());
      assert.equal(session.isConnected, false);
      await delay(250);
      assert.equal(driver.connections.length, 1);
      assert.equal(driver.connections[0]!.closed, true);
    });
  });

  describe('retries', () => {
    it('retries a transient failure exactly AKU_QUERY_RETRY_COUNT times, waiting AKU_QUERY_RETRY_DELAY_MSEC before each', async () => {
      const { driver, session, delays } = setup({ retryCount: 3, retryDelayMsec: 250 });
      driver.onQuery = async () => {
        throw new DriverError([diag(AltibaseCode.HANDSHAKE_FAILED, 'HY000', '[Sender] Failed to handshake with the peer server (Handshake Process Error)')]);
      };
      const error = await rejection(session.query('ALTER REPLICATION AKU_REP_01 START'));
      assert.equal(driver.statements.length, 4);
      assert.deepEqual(delays, [250, 250, 250]);
      assert.equal(error.attempts, 4);
      assert.equal(error.transient, true);
      assert.ok(error.isCode(AltibaseCode.HANDSHAKE_FAILED));
      // The handshake failure does not break the session: the same connection is used throughout.
      assert.equal(driver.connectAttempts, 1);
      assert.equal(
        error.message,
        'ERR-6100D : [Sender] Failed to handshake with the peer server (Handshake Process Error) [SQL: ALTER REPLICATION AKU_REP_01 START] [server: altibase-sts-1.altibase-svc:20300] [attempts: 4]',
      );
    });

    it('stops retrying as soon as an attempt succeeds', async () => {
      const { driver, session, delays } = setup({ retryCount: 5, retryDelayMsec: 10 });
      let calls = 0;
      driver.onQuery = async () => {
        calls++;
        if (calls < 3) throw new DriverError([diag(AltibaseCode.REPLICATION_DENIED, 'HY000', 'Replication denied (peer starting)')]);
        return [{ X: 1 }];
      };
      assert.deepEqual(await session.query('ALTER REPLICATION AKU_REP_01 START'), [{ X: 1 }]);
      assert.equal(calls, 3);
      assert.deepEqual(delays, [10, 10]);
    });

    it('with AKU_QUERY_RETRY_COUNT = 0 makes one attempt', async () => {
      const { driver, session, delays } = setup({ retryCount: 0 });
      driver.onQuery = async () => {
        throw new DriverError([diag(AltibaseCode.HANDSHAKE_FAILED)]);
      };
      const error = await rejection(session.query('ALTER REPLICATION AKU_REP_01 START'));
      assert.equal(error.attempts, 1);
      assert.deepEqual(delays, []);
    });

    for (const [what, diagnostic] of [
      ['a syntax error', diag(AltibaseCode.SYNTAX_ERROR, '42000', 'Parsing error')],
      ['a privilege error', diag(AltibaseCode.NO_PRIVILEGE, 'HY000', 'The user has no permission to execute the SQL statement.')],
      ['ERR-6100A (already started)', diag(AltibaseCode.SENDER_ALREADY_STARTED, 'HY000', 'The sender has already been started.')],
      ['the query timeout (HYT00, ERR-01044)', diag(AltibaseCode.QUERY_TIMEOUT, 'HYT00', "Client's query exceeded the execution time limit.")],
      ['an error no rule names', diag(0x31999, 'HY000', 'something else')],
    ] as const) {
      it(`does not retry ${what}`, async () => {
        const { driver, session, delays } = setup();
        driver.onQuery = async () => {
          throw new DriverError([diagnostic]);
        };
        const error = await rejection(session.query('ALTER REPLICATION AKU_REP_01 START'));
        assert.equal(driver.statements.length, 1);
        assert.deepEqual(delays, []);
        assert.equal(error.attempts, 1);
        assert.equal(error.transient, false);
        assert.ok(error.isCode(diagnostic.code));
      });
    }

    it('retries a lock timeout (HYT00 that is not ERR-01044)', async () => {
      const { driver, session } = setup({ retryCount: 1 });
      let calls = 0;
      driver.onQuery = async () => {
        if (++calls === 1) throw new DriverError([diag(0x11165, 'HYT00', 'lock timeout')]);
        return [];
      };
      await session.query('TRUNCATE TABLE U.T');
      assert.equal(calls, 2);
    });

    it('reopens a lost connection before retrying, and closes the broken one', async () => {
      const { driver, session, delays } = setup({ retryCount: 2, retryDelayMsec: 100 });
      driver.onQuery = async (_sql, _timeout, connection) => {
        if (connection.id === 1) throw new DriverError([diag(AltibaseCode.COMMUNICATION_LINK_FAILURE, '08S01', 'Communication link failure.')]);
        return [{ OK: 1 }];
      };
      assert.deepEqual(await session.query('SELECT 1 FROM DUAL'), [{ OK: 1 }]);
      assert.equal(driver.connectAttempts, 2);
      assert.equal(driver.connections[0]!.closed, true);
      assert.equal(driver.connections[1]!.closed, false);
      assert.deepEqual(delays, [100]);
      assert.deepEqual(
        driver.statements.map((s) => s.connection),
        [1, 2],
      );
    });

    it('honours retry: false and retry: <n> per statement', async () => {
      const { driver, session } = setup({ retryCount: 5, retryDelayMsec: 0 });
      driver.onQuery = async () => {
        throw new DriverError([diag(AltibaseCode.HANDSHAKE_FAILED)]);
      };
      assert.equal((await rejection(session.query('A', { retry: false }))).attempts, 1);
      assert.equal((await rejection(session.query('B', { retry: 1 }))).attempts, 2);
      assert.equal(driver.statements.length, 3);
    });

    it('logs each retry at the level the caller chose, naming the server and the statement', async () => {
      const { driver, session, logs } = setup({ retryCount: 2, retryDelayMsec: 250, retryLogLevel: 'INFO' });
      driver.onQuery = async () => {
        throw new DriverError([diag(AltibaseCode.REPLICATION_DENIED, 'HY000', 'Replication denied (peer starting)')]);
      };
      await rejection(session.query('ALTER REPLICATION AKU_REP_01 START'));
      const retries = logs.filter((l) => /retrying/.test(l.message));
      assert.equal(retries.length, 2);
      assert.ok(retries.every((l) => l.level === 'INFO' && l.server === `${HOST}:20300` && l.sql === 'ALTER REPLICATION AKU_REP_01 START'));
      assert.match(retries[0]!.message, /ERR-61025 : Replication denied \(peer starting\).*retrying in 250 ms \(attempt 2 of 3\)/);
      assert.match(retries[1]!.message, /attempt 3 of 3/);
    });
  });

  describe('time limits', () => {
    it('passes the default statement timeout to the driver, and a per-statement override', async () => {
      const { driver, session } = setup({ queryTimeoutSec: 3600 });
      await session.query('SELECT 1 FROM DUAL');
      await session.query('ALTER REPLICATION AKU_REP_01 FLUSH', { timeoutSec: 300 });
      assert.deepEqual(
        driver.statements.map((s) => s.timeoutSec),
        [3600, 300],
      );
    });

    it('gives up on a statement the driver does not end in time, without closing under it, then reconnects', async () => {
      const { driver, session } = setup({ queryTimeoutSec: 0.1, retryCount: 3 });
      driver.onQuery = async (sql) => {
        if (sql === 'SLOW') await delay(300);
        return [];
      };
      const started = Date.now();
      const error = await rejection(session.query('SLOW'));
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 90 && elapsed < 290, `took ${elapsed} ms`);
      assert.equal(error.timedOutByAku, true);
      assert.ok(error.isCode(AltibaseCode.QUERY_TIMEOUT));
      assert.equal(error.attempts, 1, 'the query timeout is not retried');
      const first = driver.connections[0]!;
      assert.equal(first.cancelCalls, 1, 'the driver is asked to cancel');
      assert.equal(first.closed, false, 'not closed while the statement runs');
      await session.query('FAST');
      assert.equal(driver.connectAttempts, 2, 'the next statement gets a new connection');
      await delay(300);
      assert.equal(first.closed, true, 'closed once the abandoned statement ended');
      assert.ok(!driver.events.some((e) => e.endsWith('WHILE-RUNNING')), driver.events.join(', '));
    });

    it('keeps a statement and its retries inside a caller-given budget (deadline)', async () => {
      const driver = new FakeDriver();
      let clock = 1_000_000;
      const waits: number[] = [];
      const session = new Session(driver, HOST, settings({ retryCount: 10, retryDelayMsec: 100, queryTimeoutSec: 3600 }), {
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      });
      driver.onQuery = async () => {
        throw new DriverError([diag(AltibaseCode.HANDSHAKE_FAILED)]);
      };
      const error = await rejection(session.query('ALTER REPLICATION AKU_REP_01 FLUSH', { deadline: clock + 350 }));
      // Attempts at +0, +100, +200, +300; a fifth would start at +400, past the budget.
      assert.equal(error.attempts, 4);
      assert.deepEqual(waits, [100, 100, 100]);
      assert.deepEqual(
        driver.statements.map((s) => s.timeoutSec),
        [0.35, 0.25, 0.15, 0.05],
        'each attempt gets what is left of the budget',
      );
    });

    it('does not start a statement whose budget is already spent', async () => {
      const { driver, session } = setup();
      const error = await rejection(session.query('SELECT 1 FROM DUAL', { deadline: Date.now() - 1 }));
      assert.equal(error.timedOutByAku, true);
      assert.equal(driver.statements.length, 0);
      assert.equal(driver.connectAttempts, 0);
    });

    it('does not race a statement whose timeout is 0 (unlimited)', async () => {
      const { driver, session } = setup({ queryTimeoutSec: 0 });
      driver.onQuery = async () => {
        await delay(50);
        return [{ N: 1 }];
      };
      assert.deepEqual(await session.query('SELECT 1 FROM DUAL'), [{ N: 1 }]);
      assert.deepEqual(
        driver.statements.map((s) => s.timeoutSec),
        [0],
      );
    });
  });

  describe('serialisation', () => {
    it('never runs two statements at once on one session, and runs them in call order', async () => {
      const { driver, session } = setup();
      driver.onQuery = async () => {
        await delay(Math.floor(Math.random() * 4));
        return [];
      };
      const sqls = Array.from({ length: 25 }, (_, i) => `STATEMENT ${i}`);
      await Promise.all(sqls.map((sql) => session.query(sql)));
      assert.equal(driver.maxActive, 1);
      assert.deepEqual(
        driver.statements.map((s) => s.sql),
        sqls,
      );
      assert.equal(driver.connectAttempts, 1, 'parallel first callers share one connect');
    });

    it('keeps the queue going after a failure', async () => {
      const { driver, session } = setup({ retryCount: 0 });
      driver.onQuery = async (sql) => {
        if (sql === 'BAD') throw new DriverError([diag(AltibaseCode.SYNTAX_ERROR, '42000')]);
        return [{ SQL: sql }];
      };
      const [bad, good] = await Promise.allSettled([session.query('BAD'), session.query('GOOD')]);
      assert.equal(bad.status, 'rejected');
      assert.deepEqual(good, { status: 'fulfilled', value: [{ SQL: 'GOOD' }] });
    });
  });

  describe('closing', () => {
    it('waits for the running statement before closing the connection', async () => {
      const { driver, session } = setup();
      driver.onQuery = async () => {
        await delay(50);
        return [];
      };
      const running = session.query('ALTER REPLICATION AKU_REP_01 FLUSH');
      await delay(5);
      await session.close();
      await running;
      assert.deepEqual(driver.events, ['connect:1', 'query:1:ALTER REPLICATION AKU_REP_01 FLUSH', 'done:1:ALTER REPLICATION AKU_REP_01 FLUSH', 'close:1']);
    });

    it('refuses statements after close', async () => {
      const { driver, session } = setup();
      await session.query('SELECT 1 FROM DUAL');
      await session.close();
      const error = await rejection(session.query('SELECT 2 FROM DUAL'));
      assert.match(error.message, /closed/);
      assert.equal(driver.statements.length, 1);
      await session.close(); // idempotent
    });
  });

  describe('secrets', () => {
    it('never shows the password, raw or escaped, even when the driver echoes it', async () => {
      const { driver, session, logs } = setup({ retryCount: 1, retryDelayMsec: 0 });
      driver.connectPlan = () => ({
        kind: 'fail',
        diagnostics: [diag(AltibaseCode.CLIENT_CANNOT_CONNECT, '08001', `Client unable to establish connection. (PWD={p;w}}d};UID=SYS) pwd was p;w}d`)],
      });
      const error = await rejection(session.query('SELECT 1 FROM DUAL'));
      const everything = [error.message, error.describeDiagnostics(), JSON.stringify(error.diagnostics), ...logs.map((l) => l.message)].join('\n');
      assert.ok(!everything.includes(PASSWORD), everything);
      assert.ok(!everything.includes('p;w}}d'), everything);
      assert.match(error.message, /\*\*\*/);
    });
  });

  it('builds its settings from aku.conf and ALTIBASE_NLS_USE', () => {
    const config = {
      portNo: 20400,
      sysPassword: 'secret',
      connectTimeoutSec: 7,
      queryTimeoutSec: 600,
      queryRetryCount: 2,
      queryRetryDelayMsec: 500,
    } as AkuConfig;
    assert.deepEqual(sessionSettingsFromConfig(config, { ALTIBASE_NLS_USE: 'UTF8' }), {
      port: 20400,
      user: 'SYS',
      password: 'secret',
      sysdba: true,
      connectTimeoutSec: 7,
      queryTimeoutSec: 600,
      retryCount: 2,
      retryDelayMsec: 500,
      nlsUse: 'UTF8',
    });
    assert.equal(sessionSettingsFromConfig(config, {}).nlsUse, undefined);
  });
});
