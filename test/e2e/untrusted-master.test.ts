import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessPods } from '../helpers/process-pods.js';

/** Never SYNC from a MASTER that is not a trustworthy source (bin/aku, altisim processes). */
describe('a join refuses an untrustworthy MASTER (bin/aku, altisim processes)', function () {
  this.timeout(60000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('a MASTER that lost its volume flags itself, and a new pod refuses to SYNC from it; nothing is truncated anywhere', async () => {
    pods = new ProcessPods(3);
    await pods.startPods([0, 1]);
    await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'the data')");
    assert.deepEqual(await pods.converged([0, 1]), ['1:the data']);

    // The MASTER's volume is lost: a new, empty database comes up under its name.
    await pods.killServer(0);
    rmSync(join(pods.home(0), 'data'), { recursive: true, force: true });
    rmSync(pods.completionFile(0), { force: true });
    await pods.startServer(0);
    const master = await pods.aku(0, ['-p', 'start']);
    assert.equal(master.code, 1, master.stdout);
    assert.match(master.stdout, /The MASTER server is detected to have failed\./);

    await pods.startServer(2);
    await pods.sysdba(2, "INSERT INTO SYS.T1 VALUES (5, 'on the new pod')");
    const before = { rows: [await pods.rows(0), await pods.rows(1), await pods.rows(2)], objects: [await pods.objects(0), await pods.objects(1), await pods.objects(2)] };
    const join2 = await pods.aku(2, ['-p', 'start']);
    assert.equal(join2.code, 1, join2.stdout);
    assert.match(join2.stderr, /the MASTER altibase-sts-0\.altibase-svc has not completed its own aku -p start \(its ADMIN_MODE is 1/);
    assert.match(join2.stderr, /Nothing was truncated\. See "Manual recovery of a failed MASTER" in docs\/lifecycle\.md\./);
    assert.deepEqual({ rows: [await pods.rows(0), await pods.rows(1), await pods.rows(2)], objects: [await pods.objects(0), await pods.objects(1), await pods.objects(2)] }, before);
  });
});
