import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { altisimAdmin } from '../../src/db/drivers/altisim.js';
import { ProcessPods } from '../helpers/process-pods.js';

/**
 * Runs that meet each other on one server's single SYSDBA slot: `-p end` while `-p start` still
 * runs on the same pod, and every pod ending at once (helm uninstall, a node drain).
 */
describe('concurrent aku runs (bin/aku, altisim processes)', function () {
  this.timeout(90000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('-p end during a -p start on the same pod makes the start stop at its next step, then ends; no pair stays started toward the pod', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0]);
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'on the MASTER')");
    await pods.startServer(1);
    // The join's SYNC takes a while (a big table).
    await altisimAdmin(pods.address(0), 20300, 'stall', { ms: 2500, count: 1, match: 'SYNC' });
    const start = pods.aku(1, ['-p', 'start']);
    const deadline = Date.now() + 10000;
    while (!existsSync(`${pods.completionFile(1)}.start-pid`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));

    const end = await pods.aku(1, ['-p', 'end']);
    const started = await start;
    assert.equal(end.code, 0, `${end.stdout}\n${end.stderr}`);
    assert.match(end.stdout, /aku -p start \(pid \d+\) is still running on this pod; asking it to stop at its next step/);
    assert.notEqual(started.code, 0, started.stdout);
    assert.match(started.stdout + started.stderr, /aku -p end on this pod asked this start to stop; it stopped before akuRunStart:\w+/);
    assert.ok(!existsSync(pods.completionFile(1)), 'the pod is not marked started');
    const master = await pods.objects(0);
    assert.equal(master.AKU_REP_01?.started, false, 'the MASTER does not keep a started pair toward the departed pod');

    await pods.restartPod(1);
    const again = await pods.aku(1, ['-p', 'start']);
    assert.equal(again.code, 0, again.stdout);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (2, 'on 1')");
    assert.deepEqual(await pods.converged([0, 1]), ['1:on the MASTER', '2:on 1']);
  });

  it('every pod ending at once leaves consistent pairs and loses no change; any subset with the MASTER starts again', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1, 2]);
    for (const i of [0, 1, 2]) await pods.app(i, `INSERT INTO SYS.T1 VALUES (${i + 1}, 'on ${i}')`);
    const all = ['1:on 0', '2:on 1', '3:on 2'];
    assert.deepEqual(await pods.converged([0, 1, 2]), all);

    const ends = await Promise.all([0, 1, 2].map((i) => pods.aku(i, ['-p', 'end'])));
    ends.forEach((end, i) => assert.equal(end.code, 0, `pod ${i}:\n${end.stdout}\n${end.stderr}`));
    for (const i of [0, 1, 2]) await pods.killServer(i);

    // The MASTER and pod 2 come back; pod 1 stays away.
    for (const i of [0, 2]) {
      await pods.restartPod(i);
      const start = await pods.aku(i, ['-p', 'start']);
      assert.equal(start.code, 0, `pod ${i}:\n${start.stdout}`);
    }
    assert.deepEqual(await pods.converged([0, 2]), all);
    await pods.restartPod(1);
    const late = await pods.aku(1, ['-p', 'start']);
    assert.equal(late.code, 0, late.stdout);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (4, 'on 1 again')");
    assert.deepEqual(await pods.converged([0, 1, 2]), [...all, '4:on 1 again']);
  });
});
