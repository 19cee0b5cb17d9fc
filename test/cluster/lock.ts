/**
 * One user of the machine's cluster at a time: the cluster suite (cluster.test.ts) and the demo
 * (scripts/cluster/demo.ts) hold this lock for their whole run, and `cluster.sh up|down` refuse while
 * another process holds it. The same directory as SESSION_LOCK_DIR in scripts/cluster/lib/config.sh
 * (test/cluster/scripts.test.ts checks they agree).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { waitFor } from './helpers.js';

export const LOCK_DIR = '/run/aku-cluster-suite.lock';

/** The pid holding the lock, or undefined when it is free or its holder is gone. */
export function lockHolder(dir = LOCK_DIR): number | undefined {
  let holder: number;
  try {
    holder = Number(readFileSync(`${dir}/pid`, 'utf8').trim() || 0);
  } catch {
    return undefined;
  }
  if (!(holder > 0)) return undefined;
  try {
    process.kill(holder, 0);
    return holder;
  } catch (error) {
    // EPERM: alive but not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? holder : undefined;
  }
}

/**
 * Takes the lock (a directory holding the owner's pid; a dead owner's lock is taken over), waiting
 * at most `timeoutMs`; `onWait` is told who holds it about once a minute.
 */
export async function takeLock(opts: { dir?: string; timeoutMs?: number; onWait?: (holder: number | undefined) => void } = {}): Promise<void> {
  const dir = opts.dir ?? LOCK_DIR;
  let lastTold = 0;
  const tryTake = (): boolean => {
    try {
      mkdirSync(dir);
    } catch {
      return false;
    }
    writeFileSync(`${dir}/pid`, String(process.pid));
    return true;
  };
  await waitFor(`the cluster lock ${dir} (the cluster suite or a demo uses the cluster)`, opts.timeoutMs ?? 30 * 60_000, async () => {
    if (tryTake()) return true;
    const holder = lockHolder(dir);
    if (holder === undefined) {
      // Its holder is gone, unless the pid is not written yet (taken a moment ago): then the next
      // round sees it.
      let pid = '';
      try {
        pid = readFileSync(`${dir}/pid`, 'utf8').trim();
      } catch {
        /* no pid file yet */
      }
      if (pid) {
        rmSync(dir, { recursive: true, force: true });
        if (tryTake()) return true;
      }
    } else if (Date.now() - lastTold >= 60_000) {
      lastTold = Date.now();
      opts.onWait?.(holder);
    }
    return undefined;
  }, 5000);
}

/** Releases the lock if this process holds it. */
export function releaseLock(dir = LOCK_DIR): void {
  try {
    if (Number(readFileSync(`${dir}/pid`, 'utf8').trim()) !== process.pid) return;
  } catch {
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}
