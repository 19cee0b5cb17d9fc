import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import type { AkuConfig } from '../../src/config/index.js';
import { fixtureText, parse } from '../helpers/conf.js';
import { messages, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * Kill aku at each statement of a run, run it again, and check that the pods converge with no
 * row lost. Three ways to die at statement k:
 *   - before: k never reaches the server (nor any later statement; no cleanup);
 *   - after:  k is applied by the server, but aku dies before the reply;
 *   - restart: as "before", and the pod's server restarts too (the container died).
 * The statement count comes from an undisturbed run of the same scenario.
 */

type CrashMode = 'before' | 'after' | 'restart';
const MODES: CrashMode[] = ['before', 'after', 'restart'];

interface Scenario {
  name: string;
  config?: Partial<AkuConfig>;
  /** Builds the cluster up to the moment of the run under test; returns the pod the run is in. */
  setUp(pods: SimPods): Promise<number>;
  action: 'start' | 'end' | 'clean';
  /** Exit codes the rerun may give (default 0): an end that keeps undelivered pairs exits 1. */
  rerunCodes?: number[];
  /** After the rerun: what must hold. */
  after(pods: SimPods, pod: number): Promise<void>;
}

const twoGroups = (): Partial<AkuConfig> => ({
  replications: parse(fixtureText('sample-three-groups.conf')).config.replications.slice(0, 2).map((g) => ({
    ...g,
    items: g.items.map(({ user, table }) => ({ user, table })),
  })),
});
const GROUP_SCHEMA = Array.from({ length: 9 }, (_, k) => `CREATE TABLE SYS.T${k + 1} (ID INTEGER PRIMARY KEY, V VARCHAR(40))`);

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
  {
    name: 'MASTER end (flush, stop, never reset), then the MASTER starts again',
    action: 'end',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'last write on the MASTER')");
      return 0;
    },
    async after(pods) {
      pods.restartPod(0);
      const run = await pods.aku(0, 'start');
      assert.equal(run.code, 0, run.lines.join('\n'));
      assert.ok((await pods.converged([0, 1])).includes('1:last write on the MASTER'));
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
  {
    name: 'slave end under a cut link (kept on both sides), then a start that delivers',
    config: { endTimeBudgetSec: 1 },
    rerunCodes: [1],
    action: 'end',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      pods.cluster.cut('altibase-sts-1', 'altibase-sts-0', 'replication');
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'unsent on 1')");
      return 1;
    },
    async after(pods) {
      pods.cluster.heal('altibase-sts-1', 'altibase-sts-0', 'replication');
      pods.restartPod(1);
      const run = await pods.aku(1, 'start');
      assert.equal(run.code, 0, run.lines.join('\n'));
      assert.ok((await pods.converged([0, 1])).includes('1:unsent on 1'));
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
  {
    name: 'slave end with the MASTER down (kept), then both start again',
    rerunCodes: [1],
    action: 'end',
    async setUp(pods) {
      await pods.startPods([0, 1]);
      pods.cluster.kill('altibase-sts-0');
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'while the MASTER was down')");
      return 1;
    },
    async after(pods) {
      pods.cluster.kill('altibase-sts-1');
      pods.restartPod(0);
      assert.equal((await pods.aku(0, 'start')).code, 0);
      pods.restartPod(1);
      const run = await pods.aku(1, 'start');
      assert.equal(run.code, 0, run.lines.join('\n'));
      assert.ok((await pods.converged([0, 1])).includes('1:while the MASTER was down'));
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
  {
    name: 'clean of a slave, then the MASTER restarts and the pod rejoins',
    action: 'clean',
    async setUp(pods) {
      await pods.startPods([0, 1, 2]);
      await pods.app(1, "INSERT INTO SYS.T1 VALUES (1, 'on 1')");
      await pods.converged([0, 1, 2]);
      return 1;
    },
    async after(pods) {
      pods.restartPod(0);
      const master = await pods.aku(0, 'start');
      assert.equal(master.code, 0, master.lines.join('\n'));
      pods.restartPod(1);
      const back = await pods.aku(1, 'start');
      assert.equal(back.code, 0, back.lines.join('\n'));
      assert.ok((await pods.converged([0, 1, 2])).includes('1:on 1'));
      await writeEverywhereAndConverge(pods, [0, 1, 2], 100);
    },
  },
  {
    name: 'slave join with two REPLICATIONS groups',
    config: twoGroups(),
    action: 'start',
    async setUp(pods) {
      await pods.addPod(0, GROUP_SCHEMA);
      assert.equal((await pods.aku(0, 'start')).code, 0);
      await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'group one')");
      await pods.app(0, "INSERT INTO SYS.T4 VALUES (1, 'group two')");
      await pods.addPod(1, GROUP_SCHEMA);
      return 1;
    },
    async after(pods) {
      assert.deepEqual(await pods.converged([0, 1], 'SYS.T1'), ['1:group one']);
      assert.deepEqual(await pods.converged([0, 1], 'SYS.T4'), ['1:group two']);
      await writeEverywhereAndConverge(pods, [0, 1], 100);
    },
  },
];

describe('crash points: aku killed at every statement (before it, after it, with a server restart), then run again', function () {
  this.timeout(300000);

  for (const scenario of scenarios) {
    it(`${scenario.name}: converges from every crash point`, async () => {
      const probe = new SimPods(testConfig(scenario.config));
      let total: number;
      try {
        const pod = await scenario.setUp(probe);
        const run = await probe.aku(pod, scenario.action);
        assert.ok((scenario.rerunCodes ?? [0]).includes(run.code), run.lines.join('\n'));
        total = run.statements;
      } finally {
        probe.close();
      }
      assert.ok(total > 3, `only ${total} statements`);
      for (const mode of MODES) {
        for (let k = 1; k <= total; k++) {
          const pods = new SimPods(testConfig(scenario.config));
          try {
            const pod = await scenario.setUp(pods);
            const killed = await pods.aku(pod, scenario.action, mode === 'after' ? { killAfterStatement: k } : { killAtStatement: k });
            assert.equal(killed.code, 137);
            if (scenario.action === 'start') assert.ok(!existsSync(pods.completionFile(pod)), 'no completion file');
            if (mode === 'restart') pods.restartPod(pod);
            const rerun = await pods.aku(pod, scenario.action);
            assert.ok((scenario.rerunCodes ?? [0]).includes(rerun.code), `rerun exited ${rerun.code}:\n${rerun.lines.join('\n')}`);
            await scenario.after(pods, pod);
          } catch (error) {
            throw new Error(`killed ${mode} statement ${k}/${total}: ${(error as Error).message}`);
          } finally {
            pods.close();
          }
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
