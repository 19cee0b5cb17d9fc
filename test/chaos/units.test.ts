/**
 * The chaos run's own logic, without a cluster: a seed replays the same fault plan and writer
 * choices, the check finds lost and diverged rows, the log parsers read what the entrypoint and
 * aku print, and the chaos values render with the chart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../cluster/helpers.js';
import { helmTemplateText, parseManifests, find, altibaseContainer } from '../chart/tools.js';
import { compareRows } from './check.js';
import { staleLine, summaryLine } from './chaos.js';
import { endStatus } from './ends.js';
import { WriteModel } from './model.js';
import { FaultPlanner, MAX_REPLICAS } from './plan.js';
import { Prng } from './prng.js';
import { startCompletedAt } from './ready-check.js';

describe('chaos run: plan, model, check and parsers (no cluster)', () => {
  it('a seed reproduces the same fault plan; another seed gives another', () => {
    const plans = (seed: number) => {
      const p = new FaultPlanner(seed);
      return Array.from({ length: 30 }, () => p.next());
    };
    assert.deepEqual(plans(7), plans(7));
    assert.notDeepEqual(plans(7), plans(8));
    const all = plans(20261202).flatMap((r) => r.steps.map((s) => s.fault));
    for (const kind of ['scale', 'delete', 'cut', 'heal']) assert.ok(all.some((f) => f.kind === kind), `no ${kind} in 30 rounds`);
    assert.ok(all.some((f) => f.kind === 'delete' && f.force) && all.some((f) => f.kind === 'delete' && !f.force));
    for (const f of all) {
      if (f.kind === 'scale') assert.ok(f.replicas >= 1 && f.replicas <= MAX_REPLICAS);
    }
  });

  it('the PRNG stays in its ranges and is not constant', () => {
    const p = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = p.int(2, 5);
      assert.ok(n >= 2 && n <= 5);
      seen.add(n);
    }
    assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
    assert.equal(new Prng(3).uint32(), new Prng(3).uint32());
  });

  it('the model turns writes into INSERT, UPDATE, DELETE, and re-INSERT after a DELETE', () => {
    const m = new WriteModel('s1');
    const k = m.newKey();
    assert.match(m.statement(k, 'update', 'a').sql, /^INSERT INTO SYS\.T1 VALUES \(1, 'a'\)$/);
    m.acknowledge(k, 'a', 0, 5);
    assert.match(m.statement(k, 'update', 'b').sql, /^UPDATE SYS\.T1 SET V = 'b' WHERE ID = 1$/);
    assert.deepEqual(m.statement(k, 'delete', 'c'), { sql: 'DELETE FROM SYS.T1 WHERE ID = 1', after: null });
    m.acknowledge(k, null, 1, 6);
    assert.match(m.statement(k, 'delete', 'd').sql, /^INSERT/);
    assert.equal(m.acknowledged, 2);
    m.uncertain(k, 2);
    assert.deepEqual(m.writable(), []);
  });

  it('the check counts a missing row, an old value and a deleted row back as lost, and pods that differ as diverged', () => {
    const m = new WriteModel('s');
    m.acknowledge(1, 'v1', 0, 1);
    m.acknowledge(2, 'v2', 0, 2);
    m.acknowledge(3, null, 1, 3);
    m.acknowledge(4, 'v4', 1, 4);
    m.uncertain(5, 1);
    const rows = new Map([
      ['pod-0', [{ id: 1, v: 'v1' }, { id: 2, v: 'v2' }, { id: 4, v: 'v4' }, { id: 5, v: 'x' }]],
      ['pod-1', [{ id: 1, v: 'v1' }, { id: 2, v: 'old' }, { id: 3, v: 'back' }, { id: 4, v: 'v4' }, { id: 5, v: 'x' }]],
    ]);
    const findings = compareRows(rows, m);
    assert.deepEqual(findings.map((f) => `${f.kind} ${f.key}`), ['diverged 2', 'lost 2', 'diverged 3', 'lost 3']);
    assert.match(findings[1]!.detail, /pod-1 'old'/);
    // Identical and complete: nothing; a key already reported is not reported again.
    rows.set('pod-1', rows.get('pod-0')!);
    assert.deepEqual(compareRows(rows, m), []);
    rows.set('pod-1', [{ id: 1, v: 'v1' }]);
    assert.deepEqual(compareRows(rows, m, new Set([2, 4, 5])), []);
    // An uncertain key on which the pods disagree is diverged, never lost.
    rows.set('pod-1', [...rows.get('pod-0')!.filter((r) => r.id !== 5), { id: 5, v: 'y' }]);
    assert.deepEqual(compareRows(rows, m).map((f) => `${f.kind} ${f.key}`), ['diverged 5']);
  });

  it('reads the end status from pre-stop.sh\'s and the entrypoint\'s lines, and aku\'s ADMIN_MODE 0 line with its timestamp', () => {
    const log = [
      '[pre-stop] 2026/12/02 11:00:00 running aku -p end (budget 20 s)',
      '[pre-stop] 2026/12/02 11:00:04 aku -p end exited with status 1',
      '[entrypoint] 2026/12/02 11:00:05 [aku-1] aku -p end already ran in preStop (exit status 1)',
    ].join('\n');
    assert.equal(endStatus(log), 1);
    assert.equal(endStatus(`${log}\n[entrypoint] 2026/12/02 11:00:09 [aku-1] aku -p end exited with status 0`), 0);
    assert.equal(endStatus('[entrypoint] bye'), undefined);
    const started = [
      '2026-12-02T11:00:00.100000000Z [AKU][2026/12/02 11:00:00.100000][1] [INFO][akuRunStart:start][-][-] started',
      '2026-12-02T11:00:01.250000000Z [AKU][2026/12/02 11:00:01.250000][1] [INFO][akuRunStart:admin][-][-] ADMIN_MODE is 0: the server accepts ordinary users.',
    ].join('\n');
    assert.equal(startCompletedAt(started), Date.parse('2026-12-02T11:00:01.250Z'));
    assert.equal(startCompletedAt(started.split('\n')[0]!), undefined);
  });

  it('the summary line has the fixed shape; the harness takes the suite\'s lock and brings the cluster up only when it is not', () => {
    assert.equal(summaryLine({ seed: 5, rounds: 20, faults: 31, acknowledged: 900, lost: 0, diverged: 1 }),
      'chaos: seed=5 rounds=20 faults=31 acknowledged=900 lost=0 diverged=1');
    assert.equal(staleLine({ rounds: 20, stale: ['round 3: AKU_REP_03 on aku-chaos-0'], staleCured: 2 }),
      'chaos: stale-replications=1 rounds-cured-by-reconcile=2 rounds=20');
    const harness = readFileSync(join(REPO_ROOT, 'test/chaos/harness.ts'), 'utf8');
    assert.match(harness, /from '\.\.\/cluster\/lock\.js'/);
    assert.match(harness, /if \(state !== 'up'\) \{\s*await must\('cluster up'/);
  });

  it('the chaos values render with the chart: fast retry only without --faithful, small pods, short probes', async () => {
    const values = ['ci/local-cluster-values.yaml', join(REPO_ROOT, 'test/chaos/chaos-values.yaml')];
    const fast = parseManifests(await helmTemplateText({ valuesFiles: [...values, join(REPO_ROOT, 'test/chaos/fast-retry-values.yaml')] }));
    const faithful = parseManifests(await helmTemplateText({ valuesFiles: values }));
    const env = (objects: ReturnType<typeof parseManifests>) => {
      const c = altibaseContainer(find(objects, 'StatefulSet'));
      return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
    };
    assert.equal(env(fast).ALTIBASE_ALTISIM_SENDER_RETRY_INTERVAL_MSEC, '500');
    assert.equal(env(faithful).ALTIBASE_ALTISIM_SENDER_RETRY_INTERVAL_MSEC, undefined);
    const c = altibaseContainer(find(fast, 'StatefulSet'));
    assert.equal(c.startupProbe.periodSeconds, 1);
    assert.equal(c.resources.requests.cpu, '50m');
    assert.equal(env(fast).AKU_END_TIME_BUDGET, '20');
  });
});
