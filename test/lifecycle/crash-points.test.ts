import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { messages, SimPods } from '../helpers/sim-pods.js';

/**
 * Kill aku before each statement of a run (no later statement, no cleanup), run it again, and
 * check that the pods converge with no row lost. The statement count comes from an undisturbed
 * run of the same scenario.
 */

interface Scenario {
  name: string;
  /** Builds the cluster up to the moment of the run under test; returns the pod the run is in. */
  setUp(pods: SimPods): Promise<number>;
  action: 'start' | 'end';
  /** After the rerun: what must hold. */
  after(pods: SimPods, pod: number): Promise<void>;
}

async function writeEverywhereAndConverge(pods: SimPods, ordinals: number[], base: number): Promise<void> {
  for (const i of ordinals) await pods.app(i, `INSERT INTO SYS.T1 VALUES (${base + i}, 'after on ${i}')`);
  const rows = await pods.converged(ordinals);
  for (const i of ordinals) assert.ok(rows.includes(`${base + i}:after on ${i}`));
}

const scenarios: Scenario[] = [
  {
    name: 'MASTER first start',
    action: 'start',
    async setUp(pods) {
      await pods.addPod(0);
      return 0;
    },
    async after(pods) {
      await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'x')");
      assert.equal((await pods.replications(0)).size, 3);
    },
  },
  {
    name: 'slave join (truncate + SYNC)',
    action: 'start',
    async setUp(pods) {
      await pods.startPods([0]);
      for (let id = 1; id <= 5; id++) await pods.app(0, `INSERT INTO SYS.T1 VALUES (${id}, 'm')`);
      await pods.addPod(1);
      return 1;
    },
    async after(pods) {
      assert.equal((await pods.rows(1)).length, 5, 'every MASTER row arrived');
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
  {
    name: 'third pod join',
    action: 'start',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1')");
      await pods.converged([0, 1]);
      await pods.addPod(2);
      return 2;
    },
    async after(pods) {
      assert.ok((await pods.rows(2)).includes('1:on 1'));
      await writeEverywhereAndConverge(pods, [0, 1, 2], 100);
    },
  },
  {
    name: 'restarted slave (resume + FLUSH)',
    action: 'start',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      pods.restartPod(1);
      await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'while 1 restarted')");
      return 1;
    },
    async after(pods) {
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
  {
    name: 'slave end (flush, stop, reset), then a new start',
    action: 'end',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'last write on 1')");
      return 1;
    },
    async after(pods) {
      assert.ok(!existsSync(pods.completionFile(1)));
      pods.restartPod(1);
      const run = await pods.aku(1, 'start');
      assert.equal(run.code, 0, run.lines.join('\n'));
      assert.ok((await pods.converged([0, 1])).includes('1:last write on 1'));
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
];

describe('crash points: aku killed before any statement, then run again', function () {
  this.timeout(120000);

  for (const scenario of scenarios) {
    it(`${scenario.name}: converges from every crash point`, async () => {
      const probe = new SimPods();
      let total: number;
      try {
        const pod = await scenario.setUp(probe);
        const run = await probe.aku(pod, scenario.action);
        assert.equal(run.code, 0, run.lines.join('\n'));
        total = run.statements;
      } finally {
        probe.close();
      }
      assert.ok(total > 3, `only ${total} statements`);
      for (let k = 1; k <= total; k++) {
        const pods = new SimPods();
        try {
          const pod = await scenario.setUp(pods);
          const killed = await pods.aku(pod, scenario.action, { killAtStatement: k });
          assert.equal(killed.code, 137);
          if (scenario.action === 'start') assert.ok(!existsSync(pods.completionFile(pod)), `crash at ${k}: no completion file`);
          const rerun = await pods.aku(pod, scenario.action);
          assert.equal(rerun.code, 0, `crash before statement ${k}/${total}, rerun:\n${rerun.lines.join('\n')}`);
          await scenario.after(pods, pod);
        } catch (error) {
          throw new Error(`crash before statement ${k}/${total}: ${(error as Error).message}`);
        } finally {
          pods.close();
        }
      }
    });
  }
});

describe('REPLICATION_DDL_ENABLE after a crash between setting it and restoring it', function () {
  this.timeout(60000);

  const ddlEnable = async (pods: SimPods, i: number) =>
    String((await pods.sysdba(i, "SELECT VALUE1 FROM V$PROPERTY WHERE NAME = 'REPLICATION_DDL_ENABLE'"))[0]?.VALUE1);

  it('the next run restores the value the killed run found', async () => {
    let leftAtOne = 0;
    for (let k = 1; k <= 40; k++) {
      const pods = new SimPods();
      try {
        await pods.startPods([0]);
        await pods.addPod(1);
        const killed = await pods.aku(1, 'start', { killAtStatement: k });
        if (killed.code !== 137) break; // the run finished before statement k
        if ((await ddlEnable(pods, 1)) !== '1') continue;
        leftAtOne++;
        const rerun = await pods.aku(1, 'start');
        assert.equal(rerun.code, 0, rerun.lines.join('\n'));
        assert.equal(await ddlEnable(pods, 1), '0', `crash before statement ${k}: restored`);
        assert.ok(messages(rerun).some((l) => /REPLICATION_DDL_ENABLE was left at 1 by an interrupted run; restored to 0/.test(l)), rerun.lines.join('\n'));
      } finally {
        pods.close();
      }
    }
    assert.ok(leftAtOne >= 3, `only ${leftAtOne} crash points left it at 1 (one per TRUNCATE expected)`);
  });
});
