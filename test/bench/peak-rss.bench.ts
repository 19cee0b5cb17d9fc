/**
 * peak-rss: the largest peak resident set of the built `aku -p start` across a six-pod start (the
 * MASTER, then five slaves joining by SYNC, in order as a StatefulSet starts them; altisim server
 * processes on loopback), against the peak RSS of `node -e ''`. Peak RSS is the kernel's (GNU
 * time's %M, kB).
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { AKU_BIN } from '../helpers/cli.js';
import { ProcessPods } from '../helpers/process-pods.js';
import { result, skipped, type BenchLine } from './types.js';

const GNU_TIME = '/usr/bin/time';
const PODS = 6;

/** Runs argv under GNU time; returns its peak RSS in kB (the run must succeed). */
async function peakRssKb(argv: string[], env: Record<string, string>): Promise<number> {
  const run = await execa(GNU_TIME, ['-f', 'peak-rss-kb=%M', ...argv], { reject: false, env, extendEnv: false, timeout: 120_000 });
  const match = /peak-rss-kb=(\d+)/.exec(String(run.stderr));
  if (run.exitCode !== 0 || !match) throw new Error(`${argv.join(' ')} exited ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
  return Number(match[1]);
}

export async function run(): Promise<BenchLine[]> {
  if (!existsSync(GNU_TIME)) return [skipped('peak-rss', `${GNU_TIME} (GNU time) is not installed`)];
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const node = await peakRssKb([process.execPath, '-e', ''], base);
  const pods = new ProcessPods(PODS);
  try {
    let peak = 0;
    for (let i = 0; i < PODS; i++) {
      await pods.startServer(i);
      peak = Math.max(peak, await peakRssKb([process.execPath, AKU_BIN, '-p', 'start'], { ...base, ...pods.akuEnv(i) }));
    }
    return [result('peak-rss', peak / 1024, 'MiB', { name: "node -e ''", value: node / 1024, unit: 'MiB' })];
  } finally {
    await pods.close();
  }
}
