import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createInProcessDriver } from '../../src/altisim/index.js';
import { createFixture, expectDriverError, type Fixture } from './helpers.js';

describe('altisim SQL engine', () => {
  let f: Fixture;

  beforeEach(async () => {
    f = createFixture([{ name: 'a' }]);
    await f.sql(
      'a',
      'CREATE TABLE SYS.T (ID INTEGER PRIMARY KEY, NAME VARCHAR(20) NOT NULL, AMOUNT NUMERIC(10, 2) DEFAULT 0) ' +
        'PARTITION BY RANGE (ID) (PARTITION P1 VALUES LESS THAN (100), PARTITION P2 VALUES DEFAULT)',
    );
  });

  afterEach(async () => {
    await f.close();
  });

  it('inserts with defaults, filters, orders and aggregates', async () => {
    await f.sql('a', "INSERT INTO SYS.T (ID, NAME) VALUES (3, 'c'), (1, 'a'), (150, 'z')", "INSERT INTO SYS.T VALUES (2, 'b', 7.5)");
    assert.deepEqual(await f.sql('a', 'SELECT ID, AMOUNT FROM SYS.T WHERE ID IN (1, 2) ORDER BY ID DESC'), [
      { ID: 2, AMOUNT: 7.5 },
      { ID: 1, AMOUNT: 0 },
    ]);
    assert.deepEqual(await f.sql('a', 'SELECT COUNT(*) AS N, MAX(ID) AS TOP, SUM(AMOUNT) FROM SYS.T WHERE ID < 100'), [
      { N: 3, TOP: 3, 'SUM(AMOUNT)': 7.5 },
    ]);
    assert.deepEqual(await f.sql('a', "SELECT NAME FROM SYS.T WHERE ID BETWEEN 2 AND 200 AND NOT NAME = 'c' ORDER BY NAME"), [
      { NAME: 'b' },
      { NAME: 'z' },
    ]);
  });

  it('primary-key lookups return what a full scan returns', async () => {
    await f.sql('a', 'CREATE TABLE SYS.K (ID INTEGER, CODE VARCHAR(5), V INTEGER, PRIMARY KEY (ID, CODE))');
    const rows = Array.from({ length: 40 }, (_, i) => `(${i % 10}, '${String.fromCharCode(97 + (i % 4))}${Math.floor(i / 10)}', ${i})`);
    await f.sql('a', `INSERT INTO SYS.K VALUES ${rows.join(', ')}`);
    const literal = fc.oneof(fc.integer({ min: -1, max: 11 }).map(String), fc.constantFrom("'3'", "'x'", 'NULL', '2.5'));
    const code = fc.constantFrom("'a0'", "'b1'", "'c2'", "'d3'", "'zz'", '5');
    const condition = fc.oneof(
      fc.tuple(literal, code).map(([id, c]) => `ID = ${id} AND CODE = ${c}`),
      fc.tuple(fc.array(literal, { minLength: 1, maxLength: 3 }), code).map(([ids, c]) => `ID IN (${ids.join(', ')}) AND ${c} = CODE AND V >= 0`),
    );
    await fc.assert(
      fc.asyncProperty(condition, async (where) => {
        const indexed = await f.sql('a', `SELECT ID, CODE FROM SYS.K WHERE ${where} ORDER BY ID, CODE`);
        const scanned = await f.sql('a', `SELECT ID, CODE FROM SYS.K WHERE (${where}) OR 1 = 0 ORDER BY ID, CODE`);
        assert.deepEqual(indexed, scanned);
      }),
      { numRuns: 60 },
    );
  });

  it('updates and deletes by condition, including primary-key changes', async () => {
    await f.sql('a', "INSERT INTO SYS.T (ID, NAME) VALUES (1, 'a'), (2, 'b')");
    await f.sql('a', "UPDATE SYS.T SET AMOUNT = AMOUNT + 1, NAME = NAME || '!' WHERE ID = 1");
    await f.sql('a', 'UPDATE SYS.T SET ID = ID + 10 WHERE ID = 2');
    await f.sql('a', 'DELETE FROM SYS.T WHERE AMOUNT = 1');
    assert.deepEqual(await f.sql('a', 'SELECT * FROM SYS.T'), [{ ID: 12, NAME: 'b', AMOUNT: 0 }]);
  });

  it('enforces the primary key, NOT NULL, value counts, columns and tables with Altibase-style errors', async () => {
    await f.sql('a', "INSERT INTO SYS.T (ID, NAME) VALUES (1, 'a')");
    const duplicate = await expectDriverError(f.sql('a', "INSERT INTO SYS.T (ID, NAME) VALUES (1, 'again')"), 0x11058);
    assert.equal(duplicate.primary.state, '23000');
    await expectDriverError(f.sql('a', 'INSERT INTO SYS.T (ID) VALUES (5)'), 0x3101c);
    await expectDriverError(f.sql('a', 'INSERT INTO SYS.T VALUES (5)'), 0x3101a);
    await expectDriverError(f.sql('a', 'SELECT NOPE FROM SYS.T'), 0x31003, 'NOPE');
    const missing = await expectDriverError(f.sql('a', 'SELECT * FROM SYS.NOPE'), 0x31031);
    assert.equal(missing.primary.state, '42S02');
    await expectDriverError(f.sql('a', "INSERT INTO SYS.T VALUES ('x', 'y', 0)"), 0x21011);
    const syntax = await expectDriverError(f.sql('a', 'SELEC * FROM SYS.T'), 0x31001, 'parse error');
    assert.equal(syntax.primary.state, '42000');
  });

  it('returns integers beyond 2^53 as strings, exactly', async () => {
    await f.sql('a', 'CREATE TABLE SYS.BIG (ID BIGINT PRIMARY KEY)', 'INSERT INTO SYS.BIG VALUES (9223372036854775807), (42)');
    assert.deepEqual(await f.sql('a', 'SELECT ID FROM SYS.BIG ORDER BY ID'), [{ ID: 42 }, { ID: '9223372036854775807' }]);
    assert.deepEqual(await f.sql('a', 'SELECT ID FROM SYS.BIG WHERE ID > 9007199254740993'), [{ ID: '9223372036854775807' }]);
  });

  it('truncates one partition, and refuses an unknown one', async () => {
    await f.sql('a', "INSERT INTO SYS.T (ID, NAME) VALUES (1, 'a'), (150, 'z')", 'ALTER TABLE SYS.T TRUNCATE PARTITION P1');
    assert.deepEqual(await f.sql('a', 'SELECT ID FROM SYS.T'), [{ ID: 150 }]);
    await expectDriverError(f.sql('a', 'ALTER TABLE SYS.T TRUNCATE PARTITION P7'), 0x3130a);
  });

  it('selects the rows of one partition (FROM t PARTITION (p)), and refuses an unknown one', async () => {
    await f.sql('a', "INSERT INTO SYS.T (ID, NAME) VALUES (1, 'a'), (7, 'b'), (150, 'z')");
    assert.deepEqual(await f.sql('a', 'SELECT ID FROM SYS.T PARTITION (P1) WHERE ID > 1 ORDER BY ID'), [{ ID: 7 }]);
    assert.deepEqual(await f.sql('a', 'SELECT ID FROM SYS.T PARTITION (P2)'), [{ ID: 150 }]);
    await expectDriverError(f.sql('a', 'SELECT ID FROM SYS.T PARTITION (P7)'), 0x3130a);
  });

  it('ALTER SYSTEM changes last until restart; read-only and unknown properties are refused', async () => {
    await f.sql('a', 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1');
    assert.deepEqual(await f.sql('a', "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'REPLICATION_DDL_ENABLE'"), [{ VALUE1: '1' }]);
    await expectDriverError(f.sql('a', 'ALTER SYSTEM SET REPLICATION_MAX_COUNT = 5'), 0x0101a);
    await expectDriverError(f.sql('a', 'ALTER SYSTEM SET NO_SUCH_PROPERTY = 5'), 0x01019);
    await expectDriverError(f.sql('a', 'ALTER SYSTEM SET ADMIN_MODE = 2'), 0x0101b);
    f.cluster.restart('a');
    f.forget('a');
    assert.deepEqual(await f.sql('a', "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'REPLICATION_DDL_ENABLE'"), [{ VALUE1: '0' }]);
  });

  it('injected statement faults fail the next matching statements, then stop', async () => {
    f.cluster.server('a').faults.add({ count: 2, match: /flush/i, error: { code: 0x61075 } });
    await f.sql('a', 'SELECT COUNT(*) FROM SYS.T');
    const injected = await expectDriverError(f.sql('a', 'ALTER REPLICATION X FLUSH'), 0x61075, 'Timeout exceed.');
    assert.equal(injected.primary.state, 'HY000');
    await expectDriverError(f.sql('a', 'alter replication x flush all'), 0x61075);
    await expectDriverError(f.sql('a', 'ALTER REPLICATION X FLUSH'), 0x6111b);
    f.cluster.server('a').faults.add({ error: { code: 0x41041, state: '08001', message: 'custom' } });
    await expectDriverError(f.sql('a', 'SELECT 1 FROM DUAL'), 0x41041, 'custom');
  });

  it('limits CREATE REPLICATION to REPLICATION_MAX_COUNT objects (ERR-61102), checked before the items', async () => {
    const limited = createFixture([{ name: 'x', properties: { REPLICATION_MAX_COUNT: 1 } }]);
    try {
      await limited.sql('x', 'CREATE TABLE SYS.T (ID INTEGER PRIMARY KEY)', "CREATE REPLICATION R1 WITH 'h1', 1 FROM SYS.T TO SYS.T");
      await expectDriverError(limited.sql('x', "CREATE REPLICATION R2 WITH 'h2', 1 FROM SYS.NOPE TO SYS.NOPE"), 0x61102);
    } finally {
      await limited.close();
    }
  });

  it('validates hosts: port > 65535 and, with ALTISIM_HOST_IP_ONLY, names are ERR-6110B', async () => {
    await expectDriverError(f.sql('a', "CREATE REPLICATION R WITH 'h', 70000 FROM SYS.T TO SYS.T"), 0x6110b);
    await f.sql('a', 'ALTER SYSTEM SET ALTISIM_HOST_IP_ONLY = 1');
    await expectDriverError(f.sql('a', "CREATE REPLICATION R WITH 'peer.svc', 20301 FROM SYS.T TO SYS.T"), 0x6110b);
    await f.sql('a', "CREATE REPLICATION R WITH '10.1.2.3', 20301 FROM SYS.T TO SYS.T");
  });

  it('rejects ADD/DROP TABLE while started and keeps at least one item', async () => {
    await f.sql('a', 'CREATE TABLE SYS.U (ID INTEGER PRIMARY KEY)', "CREATE REPLICATION R WITH '127.0.0.1', 1 FROM SYS.T TO SYS.T");
    await f.sql('a', 'ALTER REPLICATION R ADD TABLE FROM SYS.U TO SYS.U');
    assert.equal((await f.sql('a', "SELECT * FROM SYSTEM_.SYS_REPL_ITEMS_ WHERE REPLICATION_NAME = 'R'")).length, 2);
    await f.sql('a', 'ALTER REPLICATION R DROP TABLE FROM SYS.U TO SYS.U');
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R DROP TABLE FROM SYS.T TO SYS.T'), 0x6106f);
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R DROP TABLE FROM SYS.U TO SYS.U'), 0x610c4);
    await f.sql('a', 'ALTER REPLICATION R START RETRY');
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R ADD TABLE FROM SYS.U TO SYS.U'), 0x610fe);
  });
});

describe('altisim logins', () => {
  let f: Fixture;

  beforeEach(() => {
    f = createFixture([{ name: 'a', properties: { ADMIN_MODE: 1 } }]);
  });

  afterEach(async () => {
    await f.close();
  });

  const login = (options: { user?: string; password?: string; sysdba?: boolean; clientAddress?: string; from?: string }) =>
    createInProcessDriver(f.cluster, {
      ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}),
      ...(options.from ? { from: options.from } : {}),
    }).connect({
      host: 'a',
      port: 20300,
      user: options.user ?? 'SYS',
      password: options.password ?? 'manager',
      sysdba: options.sysdba ?? true,
      connectTimeoutSec: 1,
      queryTimeoutSec: 0,
    });

  it('with REMOTE_SYSDBA_ENABLE = 0 refuses remote SYSDBA before checking the password (ERR-410C9)', async () => {
    await f.sql('a', 'ALTER SYSTEM SET REMOTE_SYSDBA_ENABLE = 0');
    await f.sql('a', 'SELECT 1 FROM DUAL'); // the fixture's own SYSDBA session was opened before
    await expectDriverError(login({ password: 'wrong', clientAddress: '10.9.9.9' }), 0x410c9, 'Remote access as SYSDBA not allowed');
    // A local client reaches the password check, then the one-SYSDBA rule.
    await expectDriverError(login({ password: 'wrong', clientAddress: '127.0.0.1' }), 0x4102e);
    await expectDriverError(login({ clientAddress: '127.0.0.1' }), 0x41041);
  });

  it('connecting to its own pod name counts as remote (the client address is the pod address)', async () => {
    await f.sql('a', 'ALTER SYSTEM SET REMOTE_SYSDBA_ENABLE = 0');
    await expectDriverError(login({ from: 'a' }), 0x410c9);
  });

  it('checks user, password, SYSDBA for SYS only, then ADMIN_MODE', async () => {
    await f.sql('a', 'CREATE USER APP IDENTIFIED BY secret');
    const noUser = await expectDriverError(login({ user: 'nobody' }), 0x4102d);
    assert.equal(noUser.primary.state, '28000');
    await expectDriverError(login({ user: 'app', password: 'wrong', sysdba: false }), 0x4102e);
    await expectDriverError(login({ user: 'app', password: 'secret', sysdba: true }), 0x41043);
    await expectDriverError(login({ user: 'app', password: 'secret', sysdba: false }), 0x4106e);
    await f.sql('a', 'ALTER SYSTEM SET ADMIN_MODE = 0');
    const app = await login({ user: 'app', password: 'secret', sysdba: false });
    await app.close();
  });

  it('ALTER USER … IDENTIFIED BY changes a password for later logins, durably; the changing session stays in', async () => {
    const sys = await f.sys('a');
    await sys.query("ALTER USER SYS IDENTIFIED BY 'n3w-Secret'", 0);
    assert.equal((await sys.query('SELECT 1 AS ONE FROM DUAL', 0))[0]?.ONE, 1);
    f.forget('a');
    await expectDriverError(login({ clientAddress: '127.0.0.1' }), 0x4102e);
    f.cluster.restart('a');
    const again = await login({ clientAddress: '127.0.0.1', password: 'n3w-Secret' });
    await again.query('CREATE USER APP IDENTIFIED BY secret', 0);
    await again.query('ALTER SYSTEM SET ADMIN_MODE = 0', 0);
    const app = await login({ user: 'app', password: 'secret', sysdba: false });
    await app.query('ALTER USER APP IDENTIFIED BY other', 0);
    await expectDriverError(app.query("ALTER USER SYS IDENTIFIED BY 'x'", 0), 0x31084);
    await app.close();
    await expectDriverError(login({ user: 'app', password: 'secret', sysdba: false }), 0x4102e);
    await (await login({ user: 'app', password: 'other', sysdba: false })).close();
    await expectDriverError(again.query('ALTER USER NOBODY IDENTIFIED BY x', 0), 0x3102b);
    await again.close();
  });

  it('reports an unreachable or unknown server like the ODBC client does', async () => {
    const driver = createInProcessDriver(f.cluster);
    const base = { port: 20300, user: 'SYS', password: 'manager', sysdba: false, connectTimeoutSec: 1, queryTimeoutSec: 0 };
    const unknown = await expectDriverError(driver.connect({ ...base, host: 'nowhere.svc' }), 0x50032, 'nowhere.svc');
    assert.equal(unknown.primary.state, '08001');
    f.cluster.kill('a');
    await expectDriverError(
      driver.connect({ ...base, host: 'a' }),
      0x50032,
      'Client unable to establish connection. (Failed to invoke the connect() system function, errno=111)',
    );
  });

  it('a session of a killed server fails with 08S01, a closed connection with 08003', async () => {
    const connection = await f.sys('a');
    f.cluster.kill('a');
    const lost = await expectDriverError(connection.query('SELECT 1 FROM DUAL', 0), 0x51043);
    assert.equal(lost.primary.state, '08S01');
    await connection.close();
    await expectDriverError(connection.query('SELECT 1 FROM DUAL', 0), 0x51036);
  });
});
