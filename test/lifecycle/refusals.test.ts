import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import type { PodAction } from '../../src/lifecycle/index.js';
import { SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * Every refusal of `-p start`: the exit code, the `[ERROR][where]` line, the message, and that
 * nothing changed — every pod's rows and every object's XSN and started flag are what they were.
 */

interface Refusal {
  name: string;
  /** Builds the state; returns the pod that runs aku and the pods whose state must not change. */
  setUp(pods: SimPods): Promise<{ pod: number; watched: number[] }>;
  config?: Parameters<typeof testConfig>[0];
  action?: PodAction;
  where: string;
  message: RegExp;
}

async function snapshot(pods: SimPods, watched: number[]): Promise<string> {
  const state: Record<number, unknown> = {};
  for (const i of watched) {
    state[i] = {
      T1: await pods.rows(i, 'SYS.T1'), T2: await pods.rows(i, 'SYS.T2'), T3: await pods.rows(i, 'SYS.T3'),
      objects: Object.fromEntries([...(await pods.replications(i)).entries()].sort()),
    };
  }
  return JSON.stringify(state, null, 1);
}

const refusals: Refusal[] = [
  {
    name: 'a second start while the completion file exists',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      return { pod: 1, watched: [0, 1] };
    },
    where: 'akuRunStart:role',
    message: /aku -p start already completed on this pod \(.*aku_start_completed-1 exists\)\. Run aku -p end first/,
  },
  {
    name: 'a pod name that is not the StatefulSet\'s',
    async setUp(pods) {
      await pods.addPod(0);
      return { pod: 0, watched: [0] };
    },
    config: { stsName: 'another-sts' },
    where: 'akuRunStart:role',
    message: /Set AKU_STS_NAME to the StatefulSet's name\./,
  },
  {
    name: 'the MASTER lost the history a slave holds (MASTER side)',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 RESET');
      pods.restartPod(0);
      return { pod: 0, watched: [0, 1] };
    },
    where: 'akuRunStart:detect',
    message: /The MASTER server is detected to have failed\. Check and perform a manual recovery\. altibase-sts-1\.altibase-svc holds history for AKU_REP_01 \(XSN \d+\) but this MASTER's copy is reset \(XSN -1\)/,
  },
  {
    name: 'a slave in service lost its objects without a recorded leave',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      await pods.sysdba(1, 'ALTER REPLICATION AKU_REP_01 STOP');
      await pods.sysdba(1, 'DROP REPLICATION AKU_REP_01');
      pods.restartPod(0);
      return { pod: 0, watched: [0, 1] };
    },
    where: 'akuRunStart:detect',
    message: /The SLAVE server is detected to have failed\. Check and perform a manual recovery\. altibase-sts-1\.altibase-svc is in service but its AKU_REP_01 is missing while this MASTER holds history for it, and it did not leave deliberately/,
  },
  {
    name: 'a slave with history whose MASTER has none (slave side)',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 STOP');
      await pods.sysdba(0, 'ALTER REPLICATION AKU_REP_01 RESET');
      pods.restartPod(1);
      return { pod: 1, watched: [0, 1] };
    },
    where: 'akuRunStart:detect',
    message: /The MASTER server is detected to have failed\. Check and perform a manual recovery\. This pod holds history for AKU_REP_01 but the MASTER's copy has none/,
  },
  {
    name: 'an existing object whose items differ from aku.conf',
    async setUp(pods) {
      pods.config = testConfig({ replications: [{ prefix: 'AKU_REP', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] }] });
      await pods.startPods([0, 1]);
      pods.config = testConfig();
      pods.restartPod(1);
      return { pod: 1, watched: [0, 1] };
    },
    where: 'akuRunStart:items',
    message: /AKU_REP_01 on altibase-sts-1\.altibase-svc replicates SYS\.T1, but aku\.conf's group AKU_REP lists SYS\.T1, SYS\.T2 PARTITION P1, SYS\.T3; not replicated: SYS\.T2 PARTITION P1, SYS\.T3\. To reconcile, run on both pods of the pair: ALTER REPLICATION AKU_REP_01 STOP; ALTER REPLICATION AKU_REP_01 ADD TABLE FROM SYS\.T2 PARTITION P1 TO SYS\.T2 PARTITION P1; ALTER REPLICATION AKU_REP_01 ADD TABLE FROM SYS\.T3 TO SYS\.T3; ALTER REPLICATION AKU_REP_01 START;/,
  },
  {
    name: 'a join while the MASTER has not completed its own start',
    async setUp(pods) {
      await pods.startPods([0]);
      await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
      pods.restartPod(0); // back in ADMIN_MODE 1, its start not run yet
      await pods.addPod(1);
      await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (9, 'kept on 1')");
      return { pod: 1, watched: [0, 1] };
    },
    where: 'akuRunStart:source',
    message: /the MASTER altibase-sts-0\.altibase-svc has not completed its own aku -p start \(its ADMIN_MODE is 1/,
  },
  {
    name: 'a join from a freshly created MASTER while the joining pod holds data',
    async setUp(pods) {
      await pods.startPods([0]);
      await pods.addPod(1);
      await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (1, 'only here')");
      return { pod: 1, watched: [0, 1] };
    },
    where: 'akuRunStart:source',
    message: /the MASTER altibase-sts-0\.altibase-svc looks freshly created \(no replication history, its replicated tables empty\) while altibase-sts-1\.altibase-svc holds 1 rows/,
  },
  {
    name: 'a join whose MASTER is unreachable',
    async setUp(pods) {
      await pods.startPods([0]);
      await pods.addPod(1);
      await pods.sysdba(1, "INSERT INTO SYS.T1 VALUES (1, 'keep me')");
      pods.cluster.kill('altibase-sts-0');
      return { pod: 1, watched: [1] };
    },
    where: 'akuRunStart:source',
    message: /the MASTER pod altibase-sts-0\.altibase-svc cannot be reached .* Nothing was truncated/,
  },
  {
    name: 'a join while a slave that holds history with the MASTER is down',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      pods.cluster.cut('altibase-sts-0', 'altibase-sts-1', 'replication');
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'not yet on the MASTER')");
      pods.cluster.kill('altibase-sts-1');
      pods.cluster.heal('altibase-sts-0', 'altibase-sts-1', 'replication');
      await pods.addPod(2);
      await pods.sysdba(2, "INSERT INTO SYS.T1 VALUES (7, 'old row on 2')");
      return { pod: 2, watched: [0, 2] };
    },
    where: 'akuRunStart:source',
    message: /this pod cannot join while a slave that may hold changes the MASTER has not received is down: altibase-sts-1\.altibase-svc is not reachable .*Nothing was truncated; aku -p start joins once that pod answers again/,
  },
];

describe('refusals of -p start: exit 1, the message, nothing changed (altisim in-process)', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  for (const refusal of refusals) {
    it(refusal.name, async () => {
      pods = new SimPods();
      const { pod, watched } = await refusal.setUp(pods);
      const before = await snapshot(pods, watched);
      const hadFile = existsSync(pods.completionFile(pod));
      const run = await pods.aku(pod, refusal.action ?? 'start', refusal.config ? { config: refusal.config } : {});
      assert.equal(run.code, 1, run.lines.join('\n'));
      assert.equal(run.lines.at(-1), 'AKU failed to run.');
      assert.ok(run.lines.some((l) => l.includes(`[ERROR][${refusal.where}]`)), `no [ERROR][${refusal.where}] line:\n${run.lines.join('\n')}`);
      assert.match(run.errors.join('\n'), refusal.message);
      assert.equal(await snapshot(pods, watched), before, 'rows and replication objects unchanged');
      assert.equal(existsSync(pods.completionFile(pod)), hadFile, 'completion file as it was');
    });
  }
});

describe('refusal of a join when another slave cannot flush to the MASTER (altisim in-process)', function () {
  this.timeout(30000);

  it('exits 1 naming the slave and the pair, truncates nothing, and leaves every pair with the MASTER as it was', async () => {
    const pods = new SimPods(testConfig({ flushTimeoutAtStartSec: 1 }));
    try {
      await pods.startPods([0, 1]);
      pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'not yet on the MASTER')");
      await pods.addPod(2);
      await pods.sysdba(2, "INSERT INTO SYS.T1 VALUES (7, 'old row on 2')");
      const rowsBefore = await Promise.all([0, 1, 2].map((i) => pods.rows(i)));
      const masterPairs = async () => [(await pods.replications(0)).get('AKU_REP_01'), (await pods.replications(1)).get('AKU_REP_01')];
      const pairsBefore = await masterPairs();
      const run = await pods.aku(2, 'start');
      assert.equal(run.code, 1, run.lines.join('\n'));
      assert.ok(run.lines.some((l) => l.includes('[ERROR][akuRunStart:prepare]')));
      assert.match(run.errors.join('\n'), /altibase-sts-1\.altibase-svc could not flush its changes to the MASTER \(AKU_REP_01: not flushed within 1 s\); a SYNC now could miss them\. Nothing was truncated/);
      assert.deepEqual(await Promise.all([0, 1, 2].map((i) => pods.rows(i))), rowsBefore);
      assert.deepEqual(await masterPairs(), pairsBefore);
      assert.ok(!existsSync(pods.completionFile(2)));
    } finally {
      pods.close();
    }
  });
});
