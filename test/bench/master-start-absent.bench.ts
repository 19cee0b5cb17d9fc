/**
 * master-start-5-absent: wall time of the built `aku -p start` in the MASTER (ordinal 0) of a
 * six-server StatefulSet whose five other pods do not exist, as Kubernetes makes them absent: their
 * DNS names do not resolve (the pods' hosts file lists pod 0 alone). The server is an altisim
 * process on loopback. Baseline: one connect timeout (AKU_CONNECT_TIMEOUT of the pod's aku.conf);
 * a ratio near or above 1 means the start waits on absent peers instead of skipping them.
 */
import { writeFileSync } from 'node:fs';
import { CONNECT_TIMEOUT_SEC, ProcessPods } from '../helpers/process-pods.js';
import { median, result, type BenchLine } from './types.js';

const SAMPLES = 3;

async function sample(): Promise<number> {
  const pods = new ProcessPods(6);
  try {
    writeFileSync(pods.hosts, `${pods.address(0)} altibase-sts-0.altibase-svc\n`);
    await pods.startServer(0);
    const run = await pods.aku(0, ['-p', 'start']);
    if (run.code !== 0) throw new Error(`aku -p start in pod 0 exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    return run.seconds * 1000;
  } finally {
    await pods.close();
  }
}

export async function run(): Promise<BenchLine[]> {
  const samples: number[] = [];
  for (let n = 0; n < SAMPLES; n++) samples.push(await sample());
  return [result('master-start-5-absent', median(samples), 'ms', { name: 'one-connect-timeout', value: CONNECT_TIMEOUT_SEC * 1000, unit: 'ms' })];
}
