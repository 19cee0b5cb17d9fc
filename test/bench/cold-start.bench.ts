/**
 * cold-start: wall time of `bin/aku -i` (the built bundle, against a valid aku.conf; no server is
 * needed) against `node -e ''` on the same Node: what aku adds to a bare Node start. Goal ≤ 1.5×
 * (docs/benchmarks.md). Runs alternate between the two so that load on the machine hits both
 * alike; the figure is the median of each.
 *
 * Two lines, because a fixed cost of the environment moves the ratio: `cold-start` runs both in the
 * bench's own environment (as a developer's shell runs them; NODE_EXTRA_CA_CERTS, set on the
 * project's machines, makes every Node start read and parse a CA bundle), `cold-start-bare-env`
 * with PATH and HOME only, as in a pod.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AKU_BIN } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/conf.js';
import { median, result, type BenchLine } from './types.js';

const RUNS = 31;
const WARM_UP = 3;

/** Milliseconds from spawn to exit of one run; the run must succeed (and print what `check` wants). */
function timed(args: string[], env: NodeJS.ProcessEnv, check?: RegExp): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 10_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0 || (check && !check.test(run.stdout))) {
    throw new Error(`${process.execPath} ${args.join(' ')} exited ${run.status ?? run.signal}:\n${run.stdout}${run.stderr}`);
  }
  return ms;
}

async function measure(name: string, env: NodeJS.ProcessEnv): Promise<BenchLine> {
  const aku = () => timed([AKU_BIN, '-i'], env, /\[ Server \]/);
  const node = () => timed(['-e', ''], env);
  for (let i = 0; i < WARM_UP; i++) (aku(), node());
  const akuMs: number[] = [];
  const nodeMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    akuMs.push(aku());
    nodeMs.push(node());
  }
  return result(name, median(akuMs), 'ms', { name: "node -e ''", value: median(nodeMs), unit: 'ms' });
}

export async function run(): Promise<BenchLine[]> {
  const home = mkdtempSync(join(tmpdir(), 'aku-bench-home-'));
  try {
    mkdirSync(join(home, 'conf'));
    copyFileSync(join(FIXTURES, 'conf', 'sample-one-group.conf'), join(home, 'conf', 'aku.conf'));
    const pod = { ALTIBASE_HOME: home, AKU_POD_NAME: 'altibase-sts-1' };
    return [
      await measure('cold-start', { ...process.env, ...pod }),
      await measure('cold-start-bare-env', { PATH: process.env.PATH, HOME: process.env.HOME, ...pod }),
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
