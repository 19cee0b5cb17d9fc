/**
 * `npm run chaos [-- --seed N] [--rounds N] [--faithful] [--namespace NAME] [--keep]`: the chaos
 * run on demand (docs/chaos.md). The last line is the summary; the exit status is 1 when a row
 * was lost or diverged, a pod was Ready before its start completed, or the run could not finish;
 * 2 when it cannot run here or the arguments are wrong.
 */
import { parseArgs } from 'node:util';
import { runChaos, staleLine, summaryLine } from './chaos.js';
import { openHarness } from './harness.js';
import { consoleSay } from './log.js';

const say = consoleSay();
let args;
try {
  args = parseArgs({
    options: {
      seed: { type: 'string' },
      rounds: { type: 'string', default: '20' },
      faithful: { type: 'boolean', default: false },
      namespace: { type: 'string', default: 'aku-chaos' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  console.error(`chaos: ${(error as Error).message}\nusage: npm run chaos -- [--seed N] [--rounds N] [--faithful] [--namespace NAME] [--keep]`);
  process.exit(2);
}
const seed = args.seed === undefined ? Date.now() % 2 ** 31 : Number(args.seed);
const rounds = Number(args.rounds);
if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(rounds) || rounds < 1) {
  console.error(`chaos: --seed must be a non-negative integer and --rounds a positive one (got ${args.seed}, ${args.rounds})`);
  process.exit(2);
}

say('setup', `seed ${seed}, ${rounds} rounds, ${args.faithful ? 'faithful pace' : 'fast retry'}, namespace ${args.namespace} (replay: npm run chaos -- --seed ${seed} --rounds ${rounds}${args.faithful ? ' --faithful' : ''})`);
const harness = await openHarness(args.namespace, say).catch((error: Error) => ({ reason: error.message }));
if ('reason' in harness) {
  console.error(`chaos: cannot run here: ${harness.reason}`);
  console.log(summaryLine({ seed, rounds: 0, faults: 0, acknowledged: 0, lost: 0, diverged: 0 }));
  process.exit(2);
}
const started = Date.now();
let summary;
try {
  summary = await runChaos(harness.cluster, { seed, rounds, faithful: args.faithful, say });
} finally {
  await harness.close({ keepNamespace: args.keep || Boolean(summary && (summary.lost || summary.diverged || summary.stale.length || summary.failure)) });
}
say('done', `${((Date.now() - started) / 1000).toFixed(0)} s; readiness checked ${summary.readyChecked} time(s), ${summary.readyViolations.length} violation(s)${summary.failure ? `; stopped: ${summary.failure.split('\n')[0]}` : ''}`);
console.log(staleLine(summary));
console.log(summary.line);
process.exit(summary.lost > 0 || summary.diverged > 0 || summary.stale.length > 0 || summary.readyViolations.length > 0 || summary.failure ? 1 : 0);
