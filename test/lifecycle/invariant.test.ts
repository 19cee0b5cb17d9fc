import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { podName, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * Random scale-ups, scale-downs, crashes and writes on any in-service pod; after quiescence every
 * in-service pod holds the same rows, and every acknowledged write is there. Replication links
 * are slowed down so that writes are often still in flight when the topology changes.
 */

type Step =
  | { kind: 'scale-up' }
  | { kind: 'scale-down' }
  | { kind: 'crash'; pod: number }
  | { kind: 'write'; pod: number; count: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'scale-up' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'scale-down' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), pod: fc.nat(3) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), pod: fc.nat(3), count: fc.integer({ min: 1, max: 3 }) }) },
);

const LINK_DELAY_MS = 15;
const SERVERS = 4;

async function play(steps: Step[]): Promise<void> {
  const pods = new SimPods(testConfig({ serverCount: SERVERS }));
  const created = new Set<number>();
  let replicas = 0;
  let nextId = 1;
  const acknowledged: number[] = [];
  const history: string[] = [];
  const fail = (message: string) => assert.fail(`${message}\nsteps: ${history.join(' → ')}`);
  try {
    const scaleUp = async () => {
      const i = replicas;
      if (created.has(i)) {
        pods.restartPod(i); // the PVC is kept: the server comes back with its old data
      } else {
        await pods.addPod(i);
        created.add(i);
        for (const j of created) if (j !== i) { pods.cluster.delay(podName(i), podName(j), LINK_DELAY_MS); pods.cluster.delay(podName(j), podName(i), LINK_DELAY_MS); }
      }
      const run = await pods.aku(i, 'start');
      if (run.code !== 0) fail(`start of pod ${i} failed:\n${run.lines.join('\n')}`);
      replicas++;
    };
    await scaleUp();
    for (const s of steps) {
      history.push(s.kind === 'write' ? `write×${s.count}@${s.pod % replicas}` : s.kind === 'crash' ? `crash@${s.pod % replicas}` : s.kind);
      if (s.kind === 'scale-up' && replicas < SERVERS) {
        await scaleUp();
      } else if (s.kind === 'scale-down' && replicas > 1) {
        const i = replicas - 1;
        const run = await pods.aku(i, 'end');
        if (run.code !== 0) fail(`end of pod ${i} failed:\n${run.lines.join('\n')}`);
        pods.cluster.shutdown(podName(i));
        replicas--;
      } else if (s.kind === 'crash') {
        const i = s.pod % replicas;
        pods.restartPod(i);
        const run = await pods.aku(i, 'start');
        if (run.code !== 0) fail(`restart of pod ${i} failed:\n${run.lines.join('\n')}`);
      } else if (s.kind === 'write') {
        const i = s.pod % replicas;
        for (let n = 0; n < s.count; n++) {
          const id = nextId++;
          await pods.app(i, `INSERT INTO SYS.T1 VALUES (${id}, 'w')`);
          acknowledged.push(id);
        }
      }
    }
    const inService = Array.from({ length: replicas }, (_, i) => i);
    let rows: string[];
    try {
      rows = await pods.converged(inService, 'SYS.T1', 3000);
    } catch (error) {
      return fail((error as Error).message);
    }
    const present = new Set(rows.map((r) => Number(r.split(':')[0])));
    const lost = acknowledged.filter((id) => !present.has(id));
    if (lost.length > 0) fail(`acknowledged writes lost: ${lost.join(', ')} (pods ${inService.join(',')} agree on ${rows.length} rows)`);
  } finally {
    pods.close();
  }
}

describe('invariant over random scale, crash and write sequences (altisim in-process)', function () {
  this.timeout(300000);

  it('after quiescence every in-service pod holds the same rows and no acknowledged write is lost', async () => {
    const runs = Number(process.env.AKU_INVARIANT_RUNS ?? 25);
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 14 }), play), { numRuns: runs, endOnFailure: true });
  });
});
