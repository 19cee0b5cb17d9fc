/**
 * The Altibase replication contract: one test per documented rule (altibase-replication.md, §0
 * first), written against aku's `Driver` so it runs on altisim in-process, on altisim processes,
 * and on a real Altibase. Rules that need a fault (restart, network cut, delay) run only where the
 * target can inject one.
 */
import assert from 'node:assert/strict';
import {
  ContractContext,
  CREATE_T1,
  CREATE_T2,
  CREATE_TP,
  elapsedSince,
  ERR,
  eventually,
  expectError,
  T1,
  T2,
  TEST_USER,
  TEST_USER_PASSWORD,
  TP,
} from './fixture.js';
import { contractTargetFactories } from './registry.js';
import type { ContractTarget } from './targets.js';

for (const factory of contractTargetFactories()) {
  describe(`Altibase replication contract [${factory.label}]`, function () {
    this.timeout(30000);
    let target: ContractTarget;
    let c: ContractContext;

    before(async () => {
      target = await factory.create();
    });

    beforeEach(async () => {
      c = new ContractContext(target);
      await target.reset(() => c.cleanBySql());
    });

    afterEach(async () => {
      await c.dispose();
    });

    after(async () => {
      await target?.dispose();
    });

    const R = (): string => c.name('R01');

    describe('CREATE REPLICATION', () => {
      it('creates the object without contacting the peer: IS_STARTED 0, XSN -1, one host and item row each', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE REPLICATION ${R()} WITH '${target.deadPeer.host}', ${target.deadPeer.port} FROM ${T1} TO ${T1}`);
        const row = await c.replicationRow(0, R());
        assert.equal(Number(row?.IS_STARTED), 0);
        assert.equal(Number(row?.XSN), -1);
        const hosts = await c.sql(0, `SELECT HOST_IP, PORT_NO FROM SYSTEM_.SYS_REPL_HOSTS_ WHERE REPLICATION_NAME = '${R()}'`);
        assert.deepEqual(hosts.map((h) => [h.HOST_IP, Number(h.PORT_NO)]), [[target.deadPeer.host, target.deadPeer.port]]);
        const items = await c.sql(0, `SELECT LOCAL_TABLE_NAME, REMOTE_TABLE_NAME FROM SYSTEM_.SYS_REPL_ITEMS_ WHERE REPLICATION_NAME = '${R()}'`);
        assert.deepEqual(items, [{ LOCAL_TABLE_NAME: 'AKUCT_T1', REMOTE_TABLE_NAME: 'AKUCT_T1' }]);
      });

      it('refuses a duplicate name with ERR-61100', async () => {
        await c.createTables([0]);
        await c.sql(0, c.createReplicationSql(R(), 1));
        await expectError(c.sql(0, c.createReplicationSql(R(), 2)), ERR.DUPLICATE_NAME, {
          state: 'HY000',
          message: 'Duplicate replication names. The replication name already exists in the database.',
        });
      });

      it('checks items: missing table ERR-61111, missing user ERR-6110F, missing partition ERR-6114F, no primary key ERR-61113', async () => {
        await c.sql(0, `CREATE TABLE ${T2} (ID INTEGER, VAL VARCHAR(40))`, CREATE_TP);
        await expectError(c.sql(0, c.createReplicationSql(R(), 1, [`${T1} TO ${T1}`])), ERR.NO_TABLE, {
          message: `Table not found : ${T1}`,
        });
        await expectError(c.sql(0, c.createReplicationSql(R(), 1, ['NOSUCHUSER.T TO NOSUCHUSER.T'])), ERR.NO_USER, {
          message: 'User not found : NOSUCHUSER',
        });
        await expectError(c.sql(0, c.createReplicationSql(R(), 1, [`${TP} PARTITION P9 TO ${TP} PARTITION P9`])), ERR.NO_PARTITION, {
          message: 'Partition not found : P9',
        });
        await expectError(c.sql(0, c.createReplicationSql(R(), 1, [`${T2} TO ${T2}`])), ERR.NO_PRIMARY_KEY, {
          message: 'A replicated table must have a primary key. (SYS.AKUCT_T2)',
        });
      });

      it('refuses a second object toward the same host and port (ERR-6110C) unless REPLICATION_ALLOW_DUPLICATE_HOSTS = 1', async () => {
        await c.createTables([0], CREATE_T1, CREATE_T2);
        await c.sql(0, c.createReplicationSql(c.name('R01'), 1, [`${T1} TO ${T1}`]));
        await expectError(c.sql(0, c.createReplicationSql(c.name('R02'), 1, [`${T2} TO ${T2}`])), ERR.HOSTS_EXIST, {
          message: 'Replication hosts already exist.',
        });
        await c.sql(0, 'ALTER SYSTEM SET REPLICATION_ALLOW_DUPLICATE_HOSTS = 1');
        await c.sql(0, c.createReplicationSql(c.name('R02'), 1, [`${T2} TO ${T2}`]));
        assert.ok(await c.replicationRow(0, c.name('R02')));
      });

      it('lets only SYS run replication DDL (ERR-31084)', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE USER ${TEST_USER} IDENTIFIED BY ${TEST_USER_PASSWORD}`);
        const user = await c.connect(0, TEST_USER, TEST_USER_PASSWORD, false);
        await expectError(user.query(c.createReplicationSql(R(), 1), 0), ERR.NO_GRANT, {
          message: 'The user has no permission to execute the SQL statement.',
        });
      });
    });

    describe('START', () => {
      it('needs the same-named object on the peer: ERR-6100D (Network error during receiving metadata ACK)', async () => {
        await c.createTables([0, 1]);
        await c.sql(0, c.createReplicationSql(R(), 1));
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} START`), ERR.HANDSHAKE, {
          state: 'HY000',
          message: '[Sender] Failed to handshake with the peer server (Network error during receiving metadata ACK)',
        });
        assert.deepEqual(await c.senders(0), []);
        assert.equal(Number((await c.replicationRow(0, R()))?.IS_STARTED), 0);
      });

      it('fails with ERR-6100D (Handshake Process Error) when the peer is unreachable, leaving nothing started', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE REPLICATION ${R()} WITH '${target.deadPeer.host}', ${target.deadPeer.port} FROM ${T1} TO ${T1}`);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} START`), ERR.HANDSHAKE, {
          message: '[Sender] Failed to handshake with the peer server (Handshake Process Error)',
        });
        assert.deepEqual(await c.senders(0), []);
        assert.equal(await c.xsn(0, R()), -1);
      });

      it('succeeds when the peer has the object, even unstarted: IS_STARTED 1, XSN set, sender RUN, peer receiver', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        const row = await c.replicationRow(0, R());
        assert.equal(Number(row?.IS_STARTED), 1);
        assert.notEqual(Number(row?.XSN), -1);
        assert.deepEqual(await c.senders(0), [{ REP_NAME: R(), STATUS: 1, NET_ERROR_FLAG: 0 }]);
        await eventually(() => c.sql(1, 'SELECT REP_NAME FROM V$REPRECEIVER'), (rows) => rows.some((r) => r.REP_NAME === R()));
        assert.equal(Number((await c.replicationRow(1, R()))?.IS_STARTED), 0);
      });

      it('answers ERR-6100A when the sender already runs', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} START`), ERR.ALREADY_STARTED, {
          message: 'The sender has already been started.',
        });
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} QUICKSTART`), ERR.ALREADY_STARTED);
      });

      it('QUICKSTART starts from the current position: the backlog written while stopped is skipped', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`, `ALTER REPLICATION ${R()} STOP`);
        await c.insertRows(0, [1, 2]);
        await c.sql(0, `ALTER REPLICATION ${R()} QUICKSTART`);
        await c.insertRows(0, [3]);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(1), (ids) => ids.length > 0);
        assert.deepEqual(await c.ids(1), [3]);
      });

      it('both sides started replicate in both directions (active-active)', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.sql(1, `ALTER REPLICATION ${R()} START`);
        await c.insertRows(0, [1]);
        await c.insertRows(1, [2]);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await c.sql(1, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(0), (ids) => ids.join() === '1,2');
        await eventually(() => c.ids(1), (ids) => ids.join() === '1,2');
      });

      it('START RETRY succeeds toward an unreachable peer: IS_STARTED 1, XSN set, sender in RETRY', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE REPLICATION ${R()} WITH '${target.deadPeer.host}', ${target.deadPeer.port} FROM ${T1} TO ${T1}`);
        await c.sql(0, `ALTER REPLICATION ${R()} START RETRY`);
        const row = await c.replicationRow(0, R());
        assert.equal(Number(row?.IS_STARTED), 1);
        assert.notEqual(Number(row?.XSN), -1);
        await eventually(() => c.senders(0), (rows) => rows[0]?.STATUS === 2 && rows[0]?.NET_ERROR_FLAG === 1);
      });

      it('detects self-replication at the handshake (ERR-6100D), not at CREATE', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE REPLICATION ${R()} WITH '${c.host(0)}', ${c.replicationPort(0)} FROM ${T1} TO ${T1}`);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} START`), ERR.HANDSHAKE, {
          message: /^\[Sender\] Failed to handshake with the peer server \(The self replication case has been detected\. \(Peer=.+:\d+\)\)$/,
        });
      });
    });

    describe('STOP / RESET / DROP', () => {
      it('STOP of a replication that never started answers ERR-61027', async () => {
        await c.createTables([0]);
        await c.sql(0, c.createReplicationSql(R(), 1));
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} STOP`), ERR.NOT_STARTED, { message: 'Replication did not start.' });
      });

      it('STOP ends the sender, writes IS_STARTED 0 and keeps XSN', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.insertRows(0, [1, 2]);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        // XSN moves as the peer acknowledges, which may still happen during STOP; after it, it stays.
        const before = await c.xsn(0, R());
        await c.sql(0, `ALTER REPLICATION ${R()} STOP`);
        assert.deepEqual(await c.senders(0), []);
        const row = await c.replicationRow(0, R());
        assert.equal(Number(row?.IS_STARTED), 0);
        const xsn = Number(row?.XSN);
        assert.notEqual(xsn, -1);
        assert.ok(xsn >= before, `XSN went back from ${before} to ${xsn}`);
        await c.insertRows(0, [3]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(await c.xsn(0, R()), xsn, 'XSN moved while stopped');
      });

      it('START after STOP resumes from XSN: changes made while stopped reach the peer', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.sql(0, `ALTER REPLICATION ${R()} STOP`);
        await c.insertRows(0, [10, 11]);
        await c.sql(0, `ALTER REPLICATION ${R()} START`, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(1), (ids) => ids.length === 2);
      });

      it('RESET needs the sender stopped (ERR-6100A), then sets XSN back to -1', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} RESET`), ERR.ALREADY_STARTED);
        await c.sql(0, `ALTER REPLICATION ${R()} STOP`, `ALTER REPLICATION ${R()} RESET`);
        const row = await c.replicationRow(0, R());
        assert.equal(Number(row?.XSN), -1);
        assert.equal(Number(row?.IS_STARTED), 0);
      });

      it('DROP needs the replication stopped (ERR-610FE); afterwards the name is gone (ERR-6111B)', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await expectError(c.sql(0, `DROP REPLICATION ${R()}`), ERR.ALREADY_STARTED_DDL, { message: 'Replication has already started.' });
        await c.sql(0, `ALTER REPLICATION ${R()} STOP`, `DROP REPLICATION ${R()}`);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} START`), ERR.UNDEFINED_NAME, {
          message: 'Undefined replication name. The replication name was not found in the database.',
        });
      });

      it('DROP on the peer kills its receiver: the sender drops into RETRY', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.sql(1, `DROP REPLICATION ${R()}`);
        await eventually(() => c.senders(0), (rows) => rows[0]?.STATUS === 2, 15000);
      });

      it('an unknown name: ERR-6111B for START, STOP, FLUSH, DROP and SYNC … TABLE; ERR-61126 for plain SYNC', async () => {
        const unknown = c.name('NOPE');
        for (const statement of [`ALTER REPLICATION ${unknown} START`, `ALTER REPLICATION ${unknown} STOP`, `ALTER REPLICATION ${unknown} FLUSH`, `DROP REPLICATION ${unknown}`, `ALTER REPLICATION ${unknown} SYNC TABLE ${T1}`]) {
          await expectError(c.sql(0, statement), ERR.UNDEFINED_NAME);
        }
        await expectError(c.sql(0, `ALTER REPLICATION ${unknown} SYNC`), ERR.NOT_FOUND_FOR_SYNC, { message: 'Replication not found' });
      });
    });

    describe('FLUSH', () => {
      it('needs a sender (ERR-61027)', async () => {
        await c.createTables([0]);
        await c.sql(0, c.createReplicationSql(R(), 1));
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} FLUSH`), ERR.NOT_STARTED);
      });

      it('FLUSH ALL returns once the changes were sent; they reach the peer', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.insertRows(0, [1, 2, 3]);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(1), (ids) => ids.join() === '1,2,3');
      });

      it('FLUSH WAIT n gives up with ERR-61075 when the peer is down', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE REPLICATION ${R()} WITH '${target.deadPeer.host}', ${target.deadPeer.port} FROM ${T1} TO ${T1}`);
        await c.sql(0, `ALTER REPLICATION ${R()} START RETRY`);
        await c.insertRows(0, [1]);
        const start = Date.now();
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} FLUSH WAIT 1`), ERR.TIMEOUT_EXCEED, { message: 'Timeout exceed.' });
        assert.ok(elapsedSince(start) >= 900, `FLUSH WAIT 1 returned after ${elapsedSince(start)} ms`);
      });

      it('FLUSH without WAIT toward a dead peer is bounded by the query timeout (ERR-01044, HYT00)', async () => {
        await c.createTables([0]);
        await c.sql(0, `CREATE REPLICATION ${R()} WITH '${target.deadPeer.host}', ${target.deadPeer.port} FROM ${T1} TO ${T1}`);
        await c.sql(0, `ALTER REPLICATION ${R()} START RETRY`);
        await expectError(c.query(0, `ALTER REPLICATION ${R()} FLUSH ALL`, 1), ERR.QUERY_TIMEOUT, {
          state: 'HYT00',
          message: "Client's query exceeded the execution time limit.",
        });
      });
    });

    describe('SYNC', () => {
      it('copies the local rows to the peer, then keeps replicating (IS_STARTED 1, sender running)', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.insertRows(0, [1, 2, 3]);
        await c.sql(0, `ALTER REPLICATION ${R()} SYNC PARALLEL 2`);
        await eventually(() => c.ids(1), (ids) => ids.join() === '1,2,3');
        assert.equal(Number((await c.replicationRow(0, R()))?.IS_STARTED), 1);
        assert.equal((await c.senders(0)).length, 1);
        await c.insertRows(0, [4]);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(1), (ids) => ids.join() === '1,2,3,4');
      });

      it('fails with ERR-61153 when a row conflicts on the peer', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.insertRows(0, [1, 2]);
        await c.insertRows(1, [2]);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} SYNC`), ERR.SYNC_FAILED, { message: 'Replication synchronization failed.' });
        assert.deepEqual(await c.senders(0), []);
      });

      it('answers ERR-6100A on a running replication', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await expectError(c.sql(0, `ALTER REPLICATION ${R()} SYNC`), ERR.ALREADY_STARTED);
      });

      it('SYNC ONLY copies the rows and leaves no sender (IS_STARTED 0)', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.insertRows(0, [5, 6]);
        await c.sql(0, `ALTER REPLICATION ${R()} SYNC ONLY`);
        await eventually(() => c.ids(1), (ids) => ids.join() === '5,6');
        assert.deepEqual(await c.senders(0), []);
        assert.equal(Number((await c.replicationRow(0, R()))?.IS_STARTED), 0);
      });

      it('replicates a partition item: only that partition’s rows move', async () => {
        await c.createTables([0, 1], CREATE_TP);
        await c.createPair(R(), 0, 1, [`${TP} PARTITION P1 TO ${TP} PARTITION P1`]);
        await c.insertRows(0, [1, 150], TP);
        await c.sql(0, `ALTER REPLICATION ${R()} SYNC`);
        await c.insertRows(0, [2, 151], TP);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(1, TP), (ids) => ids.join() === '1,2');
      });
    });

    describe('TRUNCATE on replicated tables', () => {
      it('is refused without REPLICATION_DDL_ENABLE (ERR-312C4), allowed with it, and stays local', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.insertRows(0, [1, 2]);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.count(1), (n) => n === 2);
        await expectError(c.sql(0, `TRUNCATE TABLE ${T1}`), ERR.DDL_DISABLED, {
          message: 'Cannot execute this DDL on a replicated table when the system property REPLICATION_DDL_ENABLE is 0.',
        });
        await c.sql(0, 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1', `TRUNCATE TABLE ${T1}`, 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0');
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        assert.equal(await c.count(0), 0);
        assert.equal(await c.count(1), 2);
      });

      it('ALTER TABLE … TRUNCATE PARTITION empties only that partition', async () => {
        await c.createTables([0], CREATE_TP);
        await c.sql(0, c.createReplicationSql(R(), 1, [`${TP} PARTITION P1 TO ${TP} PARTITION P1`]));
        await c.insertRows(0, [1, 2, 150], TP);
        await expectError(c.sql(0, `ALTER TABLE ${TP} TRUNCATE PARTITION P1`), ERR.DDL_DISABLED);
        await c.sql(0, 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1', `ALTER TABLE ${TP} TRUNCATE PARTITION P1`, 'ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 0');
        assert.deepEqual(await c.ids(0, TP), [150]);
      });
    });

    describe('logins', () => {
      it('ADMIN_MODE = 1 admits only SYSDBA logins (ERR-4106E); ADMIN_MODE = 0 lets others in', async () => {
        await c.sql(0, 'ALTER SYSTEM SET ADMIN_MODE = 1');
        await expectError(c.connect(0, 'SYS', target.sysPassword, false), ERR.ADMIN_MODE);
        await c.sql(0, 'ALTER SYSTEM SET ADMIN_MODE = 0');
        const plain = await c.connect(0, 'SYS', target.sysPassword, false);
        assert.equal((await plain.query('SELECT COUNT(*) AS N FROM SYSTEM_.SYS_REPLICATIONS_', 0)).length, 1);
      });

      it('allows one SYSDBA session per server (ERR-41041, SQLSTATE 08001)', async () => {
        await c.sql(0, 'SELECT COUNT(*) FROM SYSTEM_.SYS_REPLICATIONS_');
        await expectError(c.connect(0, 'SYS', target.sysPassword, true), ERR.SYSDBA_RUNNING, {
          state: '08001',
          message: 'Another SYSDBA session is already running.',
        });
        await c.release(0);
        const again = await c.connect(0, 'SYS', target.sysPassword, true);
        await again.close();
      });

      it('refuses a wrong password with SQLSTATE 28000', async () => {
        const error = await c.connect(0, 'SYS', `${target.sysPassword}-wrong`, false).then(
          () => assert.fail('login with a wrong password succeeded'),
          (e: unknown) => e,
        );
        assert.equal((error as { primary: { state: string } }).primary.state, '28000');
      });
    });

    describe('conflict rules (§7, §0.11): a conflicting change is skipped and counted, the rest applies', () => {
      /** A started pair 0 → 1 whose peer already holds rows of its own (written while nothing replicated). */
      async function pairWithPeerRows(peerRows: string[]): Promise<void> {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        for (const statement of peerRows) await c.sql(1, statement);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
      }

      async function receiverCounters(): Promise<Record<string, number>> {
        const rows = await c.sql(1, `SELECT * FROM V$REPRECEIVER WHERE REP_NAME = '${R()}'`);
        const row = rows[0] ?? {};
        const pick = ['INSERT_SUCCESS_COUNT', 'INSERT_FAILURE_COUNT', 'UPDATE_SUCCESS_COUNT', 'UPDATE_FAILURE_COUNT', 'DELETE_SUCCESS_COUNT', 'DELETE_FAILURE_COUNT'];
        return Object.fromEntries(pick.map((name) => [name, Number(row[name] ?? NaN)]));
      }

      async function peerRows(): Promise<string[]> {
        return (await c.sql(1, `SELECT ID, VAL FROM ${T1} ORDER BY ID`)).map((r) => `${r.ID}:${r.VAL}`);
      }

      it('INSERT of a key the peer already holds: skipped (the peer keeps its row), INSERT_FAILURE_COUNT + 1; later rows apply', async () => {
        await pairWithPeerRows([`INSERT INTO ${T1} VALUES (1, 'peer')`]);
        await c.sql(0, `INSERT INTO ${T1} VALUES (1, 'sender')`, `INSERT INTO ${T1} VALUES (2, 'sender')`, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(peerRows, (rows) => rows.join() === '1:peer,2:sender');
        const counters = await receiverCounters();
        assert.equal(counters.INSERT_FAILURE_COUNT, 1);
        assert.equal(counters.INSERT_SUCCESS_COUNT, 1);
      });

      it('UPDATE and DELETE of a row the peer does not hold: skipped, UPDATE_FAILURE_COUNT and DELETE_FAILURE_COUNT + 1', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `INSERT INTO ${T1} VALUES (1, 'only here')`, `INSERT INTO ${T1} VALUES (2, 'only here')`);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.sql(0, `UPDATE ${T1} SET VAL = 'changed' WHERE ID = 1`, `DELETE FROM ${T1} WHERE ID = 2`, `INSERT INTO ${T1} VALUES (3, 'new')`);
        await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(peerRows, (rows) => rows.join() === '3:new');
        const counters = await receiverCounters();
        assert.equal(counters.UPDATE_FAILURE_COUNT, 1);
        assert.equal(counters.DELETE_FAILURE_COUNT, 1);
        assert.equal(counters.INSERT_SUCCESS_COUNT, 1);
      });

      it('UPDATE of a row changed on the peer: skipped by default; applied with REPLICATION_UPDATE_REPLACE = 1', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `INSERT INTO ${T1} VALUES (1, 'both')`, `INSERT INTO ${T1} VALUES (2, 'both')`);
        await c.sql(1, `INSERT INTO ${T1} VALUES (1, 'peer changed')`, `INSERT INTO ${T1} VALUES (2, 'peer changed')`);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.sql(0, `UPDATE ${T1} SET VAL = 'sender' WHERE ID = 1`, `INSERT INTO ${T1} VALUES (9, 'marker')`, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(peerRows, (rows) => rows.includes('9:marker'));
        assert.deepEqual(await peerRows(), ['1:peer changed', '2:peer changed', '9:marker']);
        assert.equal((await receiverCounters()).UPDATE_FAILURE_COUNT, 1);
        await c.sql(1, 'ALTER SYSTEM SET REPLICATION_UPDATE_REPLACE = 1');
        await c.sql(0, `UPDATE ${T1} SET VAL = 'replaced' WHERE ID = 2`, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(peerRows, (rows) => rows.includes('2:replaced'));
      });

      it('DELETE of a row changed on the peer is applied: a DELETE needs only the key', async () => {
        await c.createTables([0, 1]);
        await c.createPair(R(), 0, 1);
        await c.sql(0, `INSERT INTO ${T1} VALUES (1, 'old')`);
        await c.sql(1, `INSERT INTO ${T1} VALUES (1, 'newer on the peer')`);
        await c.sql(0, `ALTER REPLICATION ${R()} START`);
        await c.sql(0, `DELETE FROM ${T1} WHERE ID = 1`, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(peerRows, (rows) => rows.length === 0);
        assert.equal((await receiverCounters()).DELETE_SUCCESS_COUNT, 1);
      });
    });

    describe('START RETRY toward a peer without the object, then delivery from the pinned point (what a join relies on)', () => {
      it('changes made after START RETRY reach the peer once it has the object and the sender restarts; earlier ones do not', async () => {
        await c.createTables([0, 1]);
        await c.sql(0, c.createReplicationSql(R(), 1));
        await c.insertRows(0, [1]);
        await c.sql(0, `ALTER REPLICATION ${R()} START RETRY`);
        const pinned = await c.xsn(0, R());
        assert.notEqual(pinned, -1, 'START RETRY pins the restart point even though the handshake fails');
        await eventually(() => c.senders(0), (rows) => rows[0]?.STATUS === 2);
        await c.insertRows(0, [2, 3]);
        await c.sql(0, `DELETE FROM ${T1} WHERE ID = 3`);
        assert.equal(await c.xsn(0, R()), pinned, 'nothing can be delivered yet: XSN stays at the pin');
        // The peer gets the object (as a joining pod does after its SYNC), then the sender restarts.
        await c.sql(1, c.createReplicationSql(R(), 0));
        await c.sql(0, `ALTER REPLICATION ${R()} STOP`, `ALTER REPLICATION ${R()} START`, `ALTER REPLICATION ${R()} FLUSH ALL`);
        await eventually(() => c.ids(1), (ids) => ids.join() === '2');
        await eventually(() => c.xsn(0, R()), (xsn) => xsn > pinned);
      });
    });

    describe('replication topology', () => {
      it('does not forward received changes to a third server (no transitive propagation)', async () => {
        await c.createTables([0, 1, 2]);
        await c.createPair(c.name('R01'), 0, 1);
        await c.createPair(c.name('R12'), 1, 2);
        await c.sql(0, `ALTER REPLICATION ${c.name('R01')} START`);
        await c.sql(1, `ALTER REPLICATION ${c.name('R12')} START`);
        await c.insertRows(0, [1]);
        await c.sql(0, `ALTER REPLICATION ${c.name('R01')} FLUSH ALL`);
        await eventually(() => c.ids(1), (ids) => ids.join() === '1');
        await c.insertRows(1, [2]);
        await c.sql(1, `ALTER REPLICATION ${c.name('R12')} FLUSH ALL`);
        await eventually(() => c.ids(2), (ids) => ids.includes(2));
        assert.deepEqual(await c.ids(2), [2]);
      });
    });

    if (factory.label !== 'real Altibase') {
      describe('faults (altisim only)', () => {
        it('a restarted server restarts its started objects in RETRY: START answers ERR-6100A, data and XSN survive', async () => {
          const faults = c.faults!;
          await c.createTables([0, 1]);
          await c.createPair(R(), 0, 1);
          await c.sql(0, `ALTER REPLICATION ${R()} START`);
          await c.insertRows(0, [1]);
          await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
          const xsn = await c.xsn(0, R());
          await faults.kill(1);
          await faults.restart(0);
          await eventually(() => c.senders(0), (rows) => rows[0]?.STATUS === 2);
          assert.equal(await c.xsn(0, R()), xsn);
          assert.deepEqual(await c.ids(0), [1]);
          await expectError(c.sql(0, `ALTER REPLICATION ${R()} START`), ERR.ALREADY_STARTED);
          await c.insertRows(0, [2]);
          await expectError(c.sql(0, `ALTER REPLICATION ${R()} FLUSH WAIT 0`), ERR.TIMEOUT_EXCEED);
          await faults.start(1);
          await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
          await eventually(() => c.ids(1), (ids) => ids.join() === '1,2');
        });

        it('FLUSH returns once the changes are sent, not applied: on a slow link the rows arrive after it returns (§4.6)', async () => {
          const faults = c.faults!;
          await c.createTables([0, 1]);
          await c.createPair(R(), 0, 1);
          await c.sql(0, `ALTER REPLICATION ${R()} START`);
          await faults.delayReplication(0, 1, 400);
          await c.insertRows(0, [1, 2]);
          await c.sql(0, `ALTER REPLICATION ${R()} FLUSH`);
          assert.deepEqual(await c.ids(1), [], 'the rows were already on the peer when FLUSH returned');
          await eventually(() => c.ids(1), (ids) => ids.join() === '1,2');
          await faults.delayReplication(0, 1, 0);
        });

        it('a cut replication link puts the sender in RETRY; it catches up when the link heals', async () => {
          const faults = c.faults!;
          await c.createTables([0, 1]);
          await c.createPair(R(), 0, 1);
          await c.sql(0, `ALTER REPLICATION ${R()} START`);
          await faults.cutReplication(0, 1);
          await c.insertRows(0, [7]);
          await eventually(() => c.senders(0), (rows) => rows[0]?.STATUS === 2 && rows[0]?.NET_ERROR_FLAG === 1);
          await faults.healReplication(0, 1);
          await c.sql(0, `ALTER REPLICATION ${R()} FLUSH ALL`);
          await eventually(() => c.ids(1), (ids) => ids.join() === '7');
        });
      });
    }
  });
}
