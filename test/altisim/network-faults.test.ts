import assert from 'node:assert/strict';
import { createInProcessDriver } from '../../src/altisim/index.js';
import { createFixture, eventually, expectDriverError, REPLICATION_DDL, TABLE_DDL, type Fixture } from './helpers.js';

describe('altisim in-process network faults', () => {
  let f: Fixture;

  beforeEach(async () => {
    f = createFixture([{ name: 'a' }, { name: 'b' }]);
    for (const [server, peer] of [['a', 'b'], ['b', 'a']] as const) await f.sql(server, TABLE_DDL, REPLICATION_DDL('R', peer));
  });

  afterEach(async () => {
    await f.close();
  });

  const fromA = () =>
    createInProcessDriver(f.cluster, { from: 'a' }).connect({
      host: 'b',
      port: 20300,
      user: 'SYS',
      password: 'manager',
      sysdba: false,
      connectTimeoutSec: 1,
      queryTimeoutSec: 0,
    });

  it('a service-path cut refuses new connections from that pod and breaks its open sessions; replication goes on', async () => {
    const session = await fromA();
    await f.sql('a', 'ALTER REPLICATION R START');
    f.cluster.cut('a', 'b', 'service');
    await expectDriverError(fromA(), 0x50032);
    await expectDriverError(session.query('SELECT 1 FROM DUAL', 0), 0x51043);
    await f.sql('a', "INSERT INTO SYS.T1 VALUES (1, 'still replicated')", 'ALTER REPLICATION R FLUSH');
    assert.equal((await f.sql('b', 'SELECT * FROM SYS.T1')).length, 1);
    f.cluster.heal('a', 'b', 'service');
    const again = await fromA();
    assert.deepEqual(await again.query('SELECT ID FROM SYS.T1', 0), [{ ID: 1 }]);
  });

  it('a replication-path cut leaves the service path alone and refuses START with ERR-6100D', async () => {
    f.cluster.cut('a', 'b', 'replication');
    const session = await fromA();
    assert.deepEqual(await session.query('SELECT COUNT(*) AS N FROM SYS.T1', 0), [{ N: 0 }]);
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R START'), 0x6100d, '(Handshake Process Error)');
    f.cluster.heal('a', 'b', 'replication');
    await f.sql('a', 'ALTER REPLICATION R START');
  });

  it('a killed peer drops the receiver and puts the sender in RETRY; a boot wakes it at once', async () => {
    await f.sql('b', 'ALTER SYSTEM SET ALTISIM_SENDER_RETRY_INTERVAL_MSEC = 60000');
    await f.sql('a', 'ALTER SYSTEM SET ALTISIM_SENDER_RETRY_INTERVAL_MSEC = 60000', 'ALTER REPLICATION R START');
    f.cluster.kill('b');
    f.forget('b');
    await eventually(() => f.sql('a', 'SELECT STATUS FROM V$REPSENDER'), (rows) => rows[0]?.STATUS === 2);
    f.cluster.start('b');
    // With a 60 s retry interval only the boot-time wake-up can reconnect this fast.
    await eventually(() => f.sql('a', 'SELECT STATUS FROM V$REPSENDER'), (rows) => rows[0]?.STATUS === 1, 1000);
  });

  it('a name that stops resolving makes the peer unreachable (ERR-6100D), as a missing DNS record would', async () => {
    f.cluster.removeHost('b');
    await expectDriverError(f.sql('a', 'ALTER REPLICATION R START'), 0x6100d, '(Handshake Process Error)');
    f.cluster.addHost('b', f.cluster.server('b').address);
    await f.sql('a', 'ALTER REPLICATION R START');
  });
});
