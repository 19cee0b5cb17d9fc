/**
 * altisim's faithful defaults, where aku could otherwise lean on a stronger guarantee than
 * Altibase gives (issue 11 item 8):
 *   - a FLUSH returns once the changes are sent, not once the peer applied them (§4.6), and XSN
 *     moves only when the peer acknowledges;
 *   - a sender in RETRY sleeps REPLICATION_SENDER_SLEEP_TIMEOUT seconds (60 by default) between
 *     rounds of attempts; only a peer's boot wakes it sooner (§0.10), a healed network does not.
 * These tests run without the test-only knobs (TEST_PACE) the other unit tests use.
 */
import assert from 'node:assert/strict';
import { createInProcessDriver, SimCluster } from '../../src/altisim/index.js';
import { count, createFixture, eventually, expectDriverError, REPLICATION_DDL, TABLE_DDL, type Fixture } from './helpers.js';

const FAITHFUL = { ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 0, ALTISIM_RECEIVER_APPLY_LAG_MSEC: 50 };

async function senderStatus(f: Fixture, server: string): Promise<number | undefined> {
  const rows = await f.sql(server, 'SELECT STATUS FROM V$REPSENDER');
  return rows[0] === undefined ? undefined : Number(rows[0].STATUS);
}

async function xsn(f: Fixture, server: string, name: string): Promise<number> {
  return Number((await f.sql(server, `SELECT XSN FROM SYSTEM_.SYS_REPLICATIONS_ WHERE REPLICATION_NAME = '${name}'`))[0]?.XSN);
}

describe('altisim faithful pace (defaults, no test knobs)', function () {
  this.timeout(20000);
  let f: Fixture;

  beforeEach(async () => {
    f = createFixture([{ name: 'a' }, { name: 'b' }], { defaultProperties: FAITHFUL });
    for (const server of ['a', 'b']) await f.sql(server, TABLE_DDL);
    await f.sql('a', REPLICATION_DDL('R_AB', 'b'));
    await f.sql('b', REPLICATION_DDL('R_AB', 'a'));
  });

  afterEach(async () => {
    await f.close();
  });

  it('the defaults are Altibase’s: no retry override, a receiver apply lag, REPLICATION_SENDER_SLEEP_TIMEOUT 60', async () => {
    const cluster = new SimCluster();
    cluster.addServer({ name: 'p' });
    try {
      const sys = await createInProcessDriver(cluster).connect({
        host: 'p', port: 20300, user: 'SYS', password: 'manager', sysdba: true, connectTimeoutSec: 5, queryTimeoutSec: 0,
      });
      const rows = await sys.query(
        "SELECT NAME, VALUE1 FROM V$PROPERTY WHERE NAME IN ('REPLICATION_SENDER_SLEEP_TIMEOUT', 'ALTISIM_SENDER_RETRY_INTERVAL_MSEC', 'ALTISIM_RECEIVER_APPLY_LAG_MSEC')",
        0,
      );
      const values = Object.fromEntries(rows.map((r) => [r.NAME, r.VALUE1]));
      assert.equal(values.REPLICATION_SENDER_SLEEP_TIMEOUT, '60');
      assert.equal(values.ALTISIM_SENDER_RETRY_INTERVAL_MSEC, '0');
      assert.ok(Number(values.ALTISIM_RECEIVER_APPLY_LAG_MSEC) > 25, 'the apply lag must exceed one FLUSH poll (25 ms)');
      await expectDriverError(sys.query('ALTER SYSTEM SET REPLICATION_SENDER_SLEEP_TIMEOUT = 2592001', 0), 0x0101b);
      await sys.close();
    } finally {
      cluster.close();
    }
  });

  it('FLUSH returns when the changes are sent: the peer applies them afterwards, and XSN follows the acknowledgement', async () => {
    await f.sql('a', 'ALTER REPLICATION R_AB START');
    const before = await xsn(f, 'a', 'R_AB');
    await f.sql('a', "INSERT INTO SYS.T1 VALUES (1, 'one')", "INSERT INTO SYS.T1 VALUES (2, 'two')");
    await f.sql('a', 'ALTER REPLICATION R_AB FLUSH ALL');
    assert.equal(await count(f, 'b'), 0, 'FLUSH returned only after the peer applied the rows');
    assert.equal(await xsn(f, 'a', 'R_AB'), before, 'XSN moved before the peer acknowledged');
    const [gap] = await f.sql('a', 'SELECT REP_SN, REP_LAST_SN FROM V$REPGAP');
    assert.equal(gap?.REP_SN, gap?.REP_LAST_SN, 'V$REPGAP shows what was sent');
    await eventually(() => count(f, 'b'), (n) => n === 2);
    await eventually(() => xsn(f, 'a', 'R_AB'), (value) => value > before);
  });

  it('an XLog that reached the receiver is applied even when the sender stops right after the FLUSH', async () => {
    await f.sql('a', 'ALTER REPLICATION R_AB START');
    await f.sql('a', "INSERT INTO SYS.T1 VALUES (1, 'one')", 'ALTER REPLICATION R_AB FLUSH ALL', 'ALTER REPLICATION R_AB STOP');
    await eventually(() => count(f, 'b'), (n) => n === 1);
    // Not acknowledged before the STOP: START resends it, and the receiver does not apply it twice.
    await f.sql('a', 'ALTER REPLICATION R_AB START', 'ALTER REPLICATION R_AB FLUSH ALL');
    await eventually(() => f.sql('b', 'SELECT INSERT_SUCCESS_COUNT, INSERT_FAILURE_COUNT FROM V$REPRECEIVER'), (rows) => rows.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const [counters] = await f.sql('b', 'SELECT INSERT_FAILURE_COUNT FROM V$REPRECEIVER');
    assert.equal(Number(counters?.INSERT_FAILURE_COUNT), 0, 'the resent insert was applied again (a conflict)');
    assert.equal(await count(f, 'b'), 1);
  });

  it('what was sent on a link that broke before the acknowledgement no longer counts: FLUSH waits for the resend', async () => {
    await f.sql('a', 'ALTER SYSTEM SET ALTISIM_SENDER_RETRY_INTERVAL_MSEC = 20', 'ALTER REPLICATION R_AB START');
    f.cluster.delay('a', 'b', 300);
    await f.sql('a', "INSERT INTO SYS.T1 VALUES (1, 'in flight')", 'ALTER REPLICATION R_AB FLUSH WAIT 1');
    f.cluster.cut('a', 'b', 'replication'); // the XLog is still on the wire: lost
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R_AB FLUSH WAIT 0'), 0x61075);
    f.cluster.delay('a', 'b', 0);
    f.cluster.heal('a', 'b', 'replication');
    await f.sql('a', 'ALTER REPLICATION R_AB FLUSH ALL');
    await eventually(() => count(f, 'b'), (n) => n === 1);
  });

  it('a sender in RETRY does not notice a healed network before REPLICATION_SENDER_SLEEP_TIMEOUT; the peer’s boot wakes it', async () => {
    await f.sql('a', 'ALTER REPLICATION R_AB START');
    f.cluster.cut('a', 'b', 'replication');
    await f.sql('a', "INSERT INTO SYS.T1 VALUES (1, 'during cut')");
    await eventually(() => senderStatus(f, 'a'), (status) => status === 2);
    f.cluster.heal('a', 'b', 'replication');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await senderStatus(f, 'a'), 2, 'the sender reconnected long before its 60 s sleep ended');
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R_AB FLUSH WAIT 1'), 0x61075);
    f.cluster.restart('b');
    f.forget('b');
    await eventually(() => senderStatus(f, 'a'), (status) => status === 1, 3000);
    await eventually(() => count(f, 'b'), (n) => n === 1);
  });

  it('REPLICATION_SENDER_SLEEP_TIMEOUT sets the pace: with 1 s the sender is back about a second after the heal', async () => {
    await f.sql('a', 'ALTER SYSTEM SET REPLICATION_SENDER_SLEEP_TIMEOUT = 1', 'ALTER REPLICATION R_AB START');
    f.cluster.cut('a', 'b', 'replication');
    await eventually(() => senderStatus(f, 'a'), (status) => status === 2);
    f.cluster.heal('a', 'b', 'replication');
    const healed = Date.now();
    await eventually(() => senderStatus(f, 'a'), (status) => status === 1, 3000);
    assert.ok(Date.now() - healed <= 2500, `reconnected ${Date.now() - healed} ms after the heal`);
  });
});
