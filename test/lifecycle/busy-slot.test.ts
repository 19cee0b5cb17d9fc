import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createInProcessDriver } from '../../src/altisim/inprocess/driver.js';
import type { Connection } from '../../src/db/driver.js';
import { messages, podHost, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * A join meets a slave whose one SYSDBA slot another run holds (another pod's `aku -p start`, an
 * operator's `isql -sysdba`). That slave is running, not absent: the join waits for the slot
 * within a bound and pairs with it, or fails by name; it never joins without it.
 */

/** Holds pod i's SYSDBA slot, as another aku run would. */
async function holdSlot(pods: SimPods, i: number): Promise<Connection> {
  const driver = createInProcessDriver(pods.cluster, { clientAddress: '127.0.0.1' });
  return driver.connect({ host: podHost(i), port: 20300, user: 'SYS', password: pods.config.sysPassword, sysdba: true, connectTimeoutSec: 1, queryTimeoutSec: 30 });
}

describe('a join meets a slave whose SYSDBA slot is busy (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('waits for the slot, pairs with that slave, and later changes made there reach the new pod', async () => {
    pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 5 }));
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1 before the join')");
    await pods.converged([0, 1]);
    await pods.addPod(2);
    const held = await holdSlot(pods, 1);
    const releasing = new Promise<void>((resolve) => setTimeout(() => void held.close().then(resolve), 300));
    const run = await pods.aku(2, 'start');
    await releasing;
    assert.equal(run.code, 0, run.lines.join('\n'));
    // Joined without pod 1, pod 1's side of AKU_REP_12 would not run, and this row would never reach pod 2.
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on 1 after the join')");
    assert.deepEqual(await pods.converged([0, 1, 2]), ['1:on 1 before the join', '2:on 1 after the join']);
    assert.ok(
      messages(run).some((m) => m.startsWith("altibase-sts-1.altibase-svc's SYSDBA session is in use") && m.includes('waiting for it, at most 5 s')),
      run.lines.join('\n'),
    );
    assert.ok(!messages(run).some((m) => m.includes('altibase-sts-1.altibase-svc is not reachable')), 'a busy slave is not reported absent');
  });

  it('fails by name when the slot stays busy past the bound, changing nothing; the next start joins', async () => {
    pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 1 }));
    await pods.startPods([0, 1]);
    await pods.addPod(2);
    await pods.sysdba(2, "INSERT INTO SYS.T1 VALUES (7, 'old row on 2')");
    const before = JSON.stringify([await pods.replications(0), await pods.replications(2), await pods.rows(2)].map((x) => (x instanceof Map ? [...x] : x)));
    const held = await holdSlot(pods, 1);
    const run = await pods.aku(2, 'start');
    await held.close();
    assert.equal(run.code, 1, run.lines.join('\n'));
    assert.ok(run.lines.some((l) => l.includes('[ERROR][akuRunStart:connect]')), run.lines.join('\n'));
    assert.match(
      run.errors.join('\n'),
      /altibase-sts-1\.altibase-svc kept its SYSDBA session in use for 1 s \(ERR-41041.*\): another pod's aku run, or an isql -sysdba session on altibase-sts-1\. .*Nothing was changed; aku -p start will try again/,
    );
    const after = JSON.stringify([await pods.replications(0), await pods.replications(2), await pods.rows(2)].map((x) => (x instanceof Map ? [...x] : x)));
    assert.equal(after, before, 'no object created, nothing truncated');
    assert.ok(!existsSync(pods.completionFile(2)));
    // The bound under test was the first run's; the next one gets room to flush on a busy machine.
    const again = await pods.aku(2, 'start', { config: { flushTimeoutAtStartSec: 5 } });
    assert.equal(again.code, 0, again.lines.join('\n'));
  });

  it('two joins at once, each holding slots the other needs, both complete (slots taken in ordinal order)', async () => {
    pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 5 }));
    await pods.startPods([0, 1]);
    await pods.addPod(2);
    await pods.addPod(3);
    const [two, three] = await Promise.all([pods.aku(2, 'start'), pods.aku(3, 'start')]);
    assert.equal(two.code, 0, two.lines.join('\n'));
    assert.equal(three.code, 0, three.lines.join('\n'));
    for (const i of [1, 2, 3]) await pods.app(i, `INSERT INTO SYS.T1 VALUES (${i}, 'on ${i}')`);
    assert.deepEqual(await pods.converged([0, 1, 2, 3]), ['1:on 1', '2:on 2', '3:on 3']);
  });
});
