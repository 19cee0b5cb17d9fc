/**
 * The machine's cluster lock (scripts/cluster/lib/config.sh SESSION_LOCK_DIR, read from there so
 * the path has one source): one suite, demo or chaos run at a time on the local cluster.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, waitFor } from '../cluster/helpers.js';

export function lockDir(): string {
  const config = readFileSync(join(REPO_ROOT, 'scripts/cluster/lib/config.sh'), 'utf8');
  const dir = /^SESSION_LOCK_DIR=(\S+)$/m.exec(config)?.[1];
  if (!dir) throw new Error('scripts/cluster/lib/config.sh: no SESSION_LOCK_DIR=… line');
  return dir;
}

export async function takeLock(timeoutMs = 30 * 60_000): Promise<() => void> {
  const dir = lockDir();
  await waitFor(`the cluster lock ${dir} (another suite, demo or chaos run on this machine)`, timeoutMs, async () => {
    try {
      mkdirSync(dir);
      writeFileSync(`${dir}/pid`, String(process.pid));
      return true;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(`${dir}/pid`, 'utf8') || 0);
        if (holder > 0) process.kill(holder, 0);
      } catch {
        if (holder > 0) rmSync(dir, { recursive: true, force: true }); // its holder is gone
      }
      return undefined;
    }
  }, 5000);
  return () => rmSync(dir, { recursive: true, force: true });
}
