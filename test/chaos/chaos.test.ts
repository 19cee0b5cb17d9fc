/**
 * The chaos run in CI (docs/chaos.md): a fixed seed, AKU_CHAOS_ROUNDS rounds (default 20) on the
 * local cluster (brought up under the machine's cluster lock, as the cluster suite does) or on
 * AKU_KUBECONFIG + AKU_IMAGE. No acknowledged write lost, no pod's rows differing from another's,
 * no pod Ready before its `aku -p start` completed, every quiesce converged.
 */
import assert from 'node:assert/strict';
import { resolveTarget } from '../cluster/helpers.js';
import { runChaos, staleLine, type ChaosSummary } from './chaos.js';
import { openHarness, type Harness } from './harness.js';
import { consoleSay } from './log.js';

const SEED = Number(process.env.AKU_CHAOS_SEED ?? 20261202);
const ROUNDS = Number(process.env.AKU_CHAOS_ROUNDS ?? 20);

describe('chaos on a real cluster: scale, pod deletions, link cuts and a writer, checked after every round', function () {
  this.timeout(60 * 60_000);
  const target = resolveTarget();
  if ('reason' in target) {
    it('reports why it cannot run here', () => {
      console.warn(`      NOT RUN: the chaos run (${ROUNDS} rounds, seed ${SEED}): ${target.reason}`);
      assert.match(target.reason, /AKU_KUBECONFIG|cluster-tools/);
    });
    return;
  }

  let harness: Harness | undefined;
  let summary: ChaosSummary | undefined;
  const say = consoleSay((line) => console.log(`      ${line}`));

  before(async () => {
    const opened = await openHarness('aku-chaos', say);
    if ('reason' in opened) throw new Error(opened.reason);
    harness = opened;
    summary = await runChaos(harness.cluster, { seed: SEED, rounds: ROUNDS, faithful: false, say });
    console.log(`      ${summary.line}`);
    console.log(`      ${staleLine(summary)}`);
  });

  after(async () => {
    const failed = !summary || summary.lost > 0 || summary.diverged > 0 || summary.stale.length > 0 || Boolean(summary.failure);
    await harness?.close({ keepNamespace: failed && process.env.CI === undefined });
  });

  it(`runs all ${ROUNDS} rounds, each quiesce converging, with faults applied and writes acknowledged`, () => {
    assert.ok(summary);
    assert.equal(summary.failure, undefined, summary.failure);
    assert.equal(summary.rounds, ROUNDS);
    assert.ok(summary.faults >= ROUNDS / 2, `only ${summary.faults} faults applied`);
    assert.ok(summary.acknowledged >= ROUNDS * 10, `only ${summary.acknowledged} acknowledged writes`);
  });

  it('loses no acknowledged write and every in-service pod holds the same rows', () => {
    assert.ok(summary);
    assert.deepEqual(summary.findings.map((f) => `${f.kind}: ${f.detail}`), []);
    assert.equal(summary.lost, 0);
    assert.equal(summary.diverged, 0);
  });

  it('leaves no replication started toward a pod outside the set after a round and the reconcile hook', () => {
    assert.ok(summary);
    assert.deepEqual(summary.stale, []);
  });

  it('no pod was Ready before its aku -p start completed', () => {
    assert.ok(summary);
    assert.ok(summary.readyChecked >= 1, 'no Ready pod was checked');
    assert.deepEqual(summary.readyViolations, []);
  });
});
