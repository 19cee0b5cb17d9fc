/**
 * The odbc driver for real: node-odbc over unixODBC, with Debian's SQLite ODBC driver (registered as
 * [SQLite3]) standing in for Altibase's, and a probe driver (fixtures/probe-driver.c) that shows
 * what reaches a driver through the driver manager.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DriverError, type ConnectOptions, type Connection } from '../../src/db/driver.js';
import { createOdbcDriver, OdbcUnavailableError, type OdbcDriverOptions } from '../../src/db/drivers/odbc.js';
import { connectionStringFor, type OdbcStringSettings } from '../../src/db/drivers/odbc-connection-string.js';
import { DbError } from '../../src/db/errors.js';
import { Session, type SessionSettings } from '../../src/db/session.js';
import { buildProbeDriver } from './probe-driver.js';
import { rejectionOf } from '../helpers/rejection.js';

const PASSWORD = 'p;w}d';

/** SQLite through unixODBC, DSN-less; the "host" of these tests is the database file. */
const sqlite: OdbcStringSettings = { driver: 'SQLite3', quoting: 'odbc', template: 'Driver=${DRIVER};Database=${HOST}' };

function connectOptions(host: string, overrides: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host, port: 20300, user: 'SYS', password: PASSWORD, sysdba: true, connectTimeoutSec: 5, queryTimeoutSec: 30, ...overrides };
}

function sessionSettings(overrides: Partial<SessionSettings> = {}): SessionSettings {
  return {
    port: 20300,
    user: 'SYS',
    password: PASSWORD,
    sysdba: true,
    connectTimeoutSec: 5,
    queryTimeoutSec: 30,
    retryCount: 3,
    retryDelayMsec: 100,
    deadlineGraceMs: 0,
    ...overrides,
  };
}

const dbError = (promise: Promise<unknown>) => rejectionOf(promise, DbError);
const driverError = (promise: Promise<unknown>) => rejectionOf(promise, DriverError);

describe('odbc driver (unixODBC, real drivers)', () => {
  let dir: string;
  let database: string;
  const open: Connection[] = [];

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'aku-odbc-'));
    database = path.join(dir, 'test.db');
  });

  afterEach(async () => {
    for (const connection of open.splice(0)) await connection.close().catch(() => undefined);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  async function connectSqlite(overrides: Partial<ConnectOptions> = {}): Promise<Connection> {
    const connection = await createOdbcDriver({ strings: sqlite }).connect(connectOptions(database, overrides));
    open.push(connection);
    return connection;
  }

  describe('statements and rows (SQLite3)', () => {
    it('connects DSN-less and returns rows: upper-case column names, numbers, text, NULL', async () => {
      const c = await connectSqlite();
      assert.deepEqual(await c.query('CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20), ratio REAL, note VARCHAR(5))', 30), []);
      await c.query("INSERT INTO t VALUES (1, 'one', 1.5, NULL)", 30);
      await c.query("INSERT INTO t VALUES (2, 'two', 2.5, 'x')", 30);
      assert.deepEqual(await c.query('SELECT id, name AS Lower_Name, ratio, note FROM t ORDER BY id', 30), [
        { ID: 1, LOWER_NAME: 'one', RATIO: 1.5, NOTE: null },
        { ID: 2, LOWER_NAME: 'two', RATIO: 2.5, NOTE: 'x' },
      ]);
    });

    it('returns BIGINT values as numbers when exact (an XSN of -1 compares as -1) and as text beyond 2^53', async () => {
      const c = await connectSqlite();
      await c.query('CREATE TABLE x (name VARCHAR(10), xsn BIGINT)', 30);
      await c.query("INSERT INTO x VALUES ('reset', -1), ('big', 9007199254740991), ('huge', 9223372036854775807), ('none', NULL)", 30);
      const rows = await c.query('SELECT name, xsn FROM x', 30);
      assert.deepEqual(rows, [
        { NAME: 'reset', XSN: -1 },
        { NAME: 'big', XSN: 9007199254740991 },
        { NAME: 'huge', XSN: '9223372036854775807' },
        { NAME: 'none', XSN: null },
      ]);
    });

    it('maps a syntax error to the driver\'s own SQLSTATE and native code, with the statement and server, not retried', async () => {
      const waits: number[] = [];
      const session = new Session(createOdbcDriver({ strings: sqlite }), database, sessionSettings(), {
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      try {
        const error = await dbError(session.query('SELEC 1'));
        assert.equal(error.state, 'HY000');
        assert.equal(error.code, 1, "SQLite's SQLITE_ERROR");
        assert.match(error.primary.message, /syntax error/);
        assert.match(error.message, new RegExp(`^ERR-00001 : \\[SQLite\\]near "SELEC": syntax error \\(1\\) \\[SQL: SELEC 1\\] \\[server: ${database.replaceAll('/', '\\/')}:20300\\]$`));
        assert.equal(error.attempts, 1);
        assert.deepEqual(waits, []);
        assert.deepEqual(await session.query('SELECT 41 + 1 AS answer'), [{ ANSWER: 42 }], 'the session still works');
      } finally {
        await session.close();
      }
    });

    it('cancels a statement that overruns the session clock (SQLite ignores the per-query timeout) and closes it after', async () => {
      const session = new Session(createOdbcDriver({ strings: sqlite }), database, sessionSettings({ queryTimeoutSec: 0.3, retryCount: 0 }));
      try {
        const started = Date.now();
        const error = await dbError(
          session.query('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT count(*) AS n FROM c'),
        );
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 280 && elapsed < 2000, `took ${elapsed} ms`);
        assert.equal(error.timedOutByAku, true);
        assert.equal(error.altibaseCode, 'ERR-01044');
        assert.equal(session.isConnected, false);
        assert.deepEqual(await session.query('SELECT 1 AS one', { timeoutSec: 5 }), [{ ONE: 1 }], 'a new connection serves the next statement');
      } finally {
        await session.close();
      }
    });
  });

  describe('driver manager errors', () => {
    it('a driver name unixODBC does not know: 01000 "Can\'t open lib", a hint, and no retry', async () => {
      const waits: number[] = [];
      const driver = createOdbcDriver({ strings: { driver: 'NO_SUCH_ODBC_DRIVER', quoting: 'odbc' } });
      const session = new Session(driver, 'altibase-sts-0.altibase-svc', sessionSettings(), {
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      const error = await dbError(session.open());
      assert.equal(error.state, '01000');
      assert.match(error.primary.message, /Can't open lib 'NO_SUCH_ODBC_DRIVER'/);
      assert.match(error.message, /\[connecting\] \[server: altibase-sts-0\.altibase-svc:20300\] — the ODBC driver could not be loaded: set AKU_ODBC_DRIVER/);
      assert.equal(error.transient, false);
      assert.deepEqual(waits, []);
      assert.ok(!error.message.includes(PASSWORD));
    });

    it('a driver library path that does not exist: 01000 naming the path', async () => {
      const error = await driverError(
        createOdbcDriver({ strings: { driver: path.join(dir, 'missing', 'libaltibase_odbc-64bit-ul64.so'), quoting: 'odbc' } }).connect(connectOptions('h')),
      );
      assert.equal(error.primary.state, '01000');
      assert.ok(error.primary.message.includes(path.join(dir, 'missing')));
    });

    it('a data source name instead of a driver: IM002', async () => {
      const error = await driverError(createOdbcDriver({ strings: { driver: 'x', quoting: 'odbc', template: 'DSN=aku_no_such_dsn;PWD=${PASSWORD}' } }).connect(connectOptions('h')));
      assert.equal(error.primary.state, 'IM002');
    });
  });

  describe('what reaches the driver (probe driver)', () => {
    let probe: string;
    let received: string;

    before(() => {
      probe = buildProbeDriver(path.join(dir, 'probe'));
      received = path.join(dir, 'received.txt');
      process.env.AKU_PROBE_ODBC_OUT = received;
    });
    after(() => {
      delete process.env.AKU_PROBE_ODBC_OUT;
    });

    async function refusedBy(strings: OdbcStringSettings, options = connectOptions('altibase-sts-2.altibase-svc', { nlsUse: 'UTF8' })) {
      rmSync(received, { force: true });
      const error = await driverError(createOdbcDriver({ strings }).connect(options));
      return { error, got: existsSync(received) ? readFileSync(received, 'utf8') : undefined };
    }

    it('unixODBC hands the Altibase connection string to the driver unchanged, DRIVER first and DSN kept', async () => {
      const strings: OdbcStringSettings = { driver: probe, quoting: 'odbc' };
      const options = connectOptions('altibase-sts-2.altibase-svc', { nlsUse: 'UTF8' });
      const { got } = await refusedBy(strings, options);
      assert.equal(got, connectionStringFor(options, strings));
      assert.match(got!, /^DRIVER=[^;]+;DSN=altibase-sts-2\.altibase-svc;Server=altibase-sts-2\.altibase-svc;PORT=20300;UID=SYS;PWD=\{p;w\}\}d\};PRIVILEGE=SYSDBA;NLS_USE=UTF8;/);
    });

    it('unixODBC reads a braced value with ";" and "}}" whole: a driver path that needs the escaping loads', async () => {
      const odd = buildProbeDriver(path.join(dir, 'odd;dir}name'));
      const { got, error } = await refusedBy({ driver: odd, quoting: 'odbc' });
      assert.equal(error.primary.code, 4242, 'the probe driver was loaded and answered');
      assert.ok(got?.startsWith(`DRIVER={${odd.replaceAll('}', '}}')}};`));
      // Control: unquoted, the driver manager cuts the path at ';' and cannot load it.
      const unquoted = await refusedBy({ driver: 'x', quoting: 'odbc', template: `Driver=${odd};PWD=\${PASSWORD}` });
      assert.equal(unquoted.error.primary.state, '01000');
      assert.match(unquoted.error.primary.message, /Can't open lib '.*odd' : file not found/);
    });

    it('masks the password, raw and escaped, when the driver echoes the connection string in its error', async () => {
      const strings: OdbcStringSettings = { driver: probe, quoting: 'odbc' };
      const { error } = await refusedBy(strings);
      assert.match(error.primary.message, /PWD=\*\*\*;PRIVILEGE=SYSDBA/);
      const session = new Session(createOdbcDriver({ strings }), 'altibase-sts-2.altibase-svc', sessionSettings());
      const dbe = await dbError(session.open());
      for (const text of [error.message, JSON.stringify(error.diagnostics), dbe.message, dbe.describeDiagnostics(), String(dbe.stack)]) {
        assert.ok(!text.includes(PASSWORD) && !text.includes('p;w}}d'), text);
      }
      assert.equal(dbe.state, '28000');
      assert.equal(dbe.attempts, 1, 'a refused login is not retried');
    });
  });

  describe('without the odbc package', () => {
    it('fails the connect with an error that says what to install (and nothing is loaded before)', async () => {
      let loads = 0;
      const options: OdbcDriverOptions = {
        strings: sqlite,
        loadModule: async () => {
          loads++;
          throw new Error("Cannot find module 'odbc'");
        },
      };
      const driver = createOdbcDriver(options);
      assert.equal(loads, 0, 'creating the driver does not load the addon');
      await assert.rejects(driver.connect(connectOptions(database)), (e: unknown) => {
        assert.ok(e instanceof OdbcUnavailableError);
        assert.match(e.message, /needs unixODBC and the odbc package: apt-get install unixodbc unixodbc-dev && npm install odbc/);
        assert.match(e.message, /Cannot find module 'odbc'/);
        return true;
      });
      const error = await dbError(new Session(driver, 'h', sessionSettings()).open());
      assert.match(error.message, /apt-get install unixodbc/);
      assert.equal(error.attempts, 1);
      assert.equal(loads, 1, 'the failure is remembered, not retried per connect');
    });
  });
});
