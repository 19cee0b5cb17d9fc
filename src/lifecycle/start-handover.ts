import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { containerIdentity } from './completion-file.js';
import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';

/**
 * How `-p end` and a `-p start` still running on the same pod cooperate (scale-down during a
 * SYNC, a rollout, a failed startupProbe). Altibase admits one SYSDBA session per server, so
 * end cannot work while start holds this pod's server. Start writes its pid beside the
 * completion file while it runs; end writes a stop request there; start checks it before each
 * step (its safe points) and stops with the sessions closed. If start does not stop in time,
 * end terminates it: every step of start is resumable from where a killed run left it.
 */

const runningFile = (completionFile: string) => `${completionFile}.start-pid`;
const stopFile = (completionFile: string) => `${completionFile}.stop-requested`;

/** The pid, with the container's identity: a pid from another container names nothing here. */
export function markStartRunning(completionFile: string): void {
  rmSync(stopFile(completionFile), { force: true });
  forgetEndOfAnotherContainer(completionFile);
  forgetStaleRecover(completionFile);
  writeFileSync(runningFile(completionFile), `${process.pid} ${containerIdentity()}\n`);
}

export function clearStartRunning(completionFile: string): void {
  rmSync(runningFile(completionFile), { force: true });
  rmSync(stopFile(completionFile), { force: true });
}

export function stopRequested(completionFile: string): boolean {
  return existsSync(stopFile(completionFile));
}

export function requestStop(completionFile: string): void {
  writeFileSync(stopFile(completionFile), `${process.pid}\n`);
}

/** The pid of a `-p start` that runs on this pod now, if any (a file left by a killed one does not count). */
export function runningStart(completionFile: string): number | undefined {
  return runningPid(runningFile(completionFile));
}

/**
 * `-p end` leaves its pid beside the completion file too, for the one reader that must not take
 * this pod's SYSDBA slot while end holds it: `aku status` (docs/status.md). Start does not need
 * it: a start never runs while end does (end stops it first).
 */
const endRunningFile = (completionFile: string) => `${completionFile}.end-pid`;

export function markEndRunning(completionFile: string): void {
  try {
    writeFileSync(endRunningFile(completionFile), `${process.pid} ${containerIdentity()}\n`);
  } catch {
    // Only status reads it; an end that cannot write it (no such directory) must still end.
  }
}

export function clearEndRunning(completionFile: string): void {
  rmSync(endRunningFile(completionFile), { force: true });
}

/** The pid of a `-p end` that runs on this pod now, if any. */
export function runningEnd(completionFile: string): number | undefined {
  return runningPid(endRunningFile(completionFile));
}

/**
 * An end killed at the end of its grace period leaves its pid file in the pod's /tmp, which
 * outlives the container. The next container's start removes it: that end is gone for sure, and
 * a reader in another container (below) would otherwise take it for a running one.
 */
function forgetEndOfAnotherContainer(completionFile: string): void {
  const file = endRunningFile(completionFile);
  try {
    const identity = readFileSync(file, 'utf8').trim().split(' ').slice(1).join(' ');
    if (identity !== containerIdentity()) rmSync(file, { force: true });
  } catch {
    // no such file
  }
}

/**
 * For a reader in another container of the same pod (the metrics sidecar): it shares /tmp but
 * not the process namespace, so it can neither see the pid nor compute the identity of the
 * container that runs start and end. A pid file counts there whoever wrote it, which errs on the
 * side of leaving the SYSDBA slot alone: start removes its own file when it ends, end kills a
 * start it stops and removes that file, and the next start removes an end's (above).
 */
export function markedStart(completionFile: string): number | undefined {
  return markedPid(runningFile(completionFile));
}

export function markedEnd(completionFile: string): number | undefined {
  return markedPid(endRunningFile(completionFile));
}

function markedPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim().split(' ')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `aku recover` (run in the MASTER's container) leaves its pid there too. The entrypoint keeps
 * retrying `-p start` while the MASTER is failed; a start that took the SYSDBA slots in the
 * middle of a recovery would make it wait or refuse, and one that failed on the recovery's busy
 * slots would use up the entrypoint's attempts, whose last one stops the server under the
 * recovery. So a start that finds a recover running waits for it before it reads anything
 * (waitWhileRecoverRuns), and `aku status` leaves the slot alone.
 */
const recoverRunningFile = (completionFile: string) => `${completionFile}.recover-pid`;

export function markRecoverRunning(completionFile: string): void {
  writeFileSync(recoverRunningFile(completionFile), `${process.pid} ${containerIdentity()}\n`);
}

export function clearRecoverRunning(completionFile: string): void {
  rmSync(recoverRunningFile(completionFile), { force: true });
}

/** The pid of an `aku recover` that runs in this container now, if any. */
export function runningRecover(completionFile: string): number | undefined {
  return runningPid(recoverRunningFile(completionFile));
}

/**
 * A recover killed with its `kubectl exec` (or its container) leaves its pid file; a reader in
 * another container (the metrics sidecar) would take it for a running one. The next start removes
 * it unless that recover still runs here: it is gone for sure.
 */
function forgetStaleRecover(completionFile: string): void {
  if (existsSync(recoverRunningFile(completionFile)) && runningRecover(completionFile) === undefined) clearRecoverRunning(completionFile);
}

/** A recover's pid file as a reader in another container sees it (markedStart). */
export function markedRecover(completionFile: string): number | undefined {
  return markedPid(recoverRunningFile(completionFile));
}

/** A pid file's process, if it is alive in this container. */
function runningPid(file: string): number | undefined {
  let pid: number;
  try {
    const [first, ...identity] = readFileSync(file, 'utf8').trim().split(' ');
    if (identity.join(' ') !== containerIdentity()) return undefined;
    pid = Number(first);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return pid; // in-process (tests): alive by definition while the file is there
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL: for a start that did not reach a safe point in time. */
export function terminate(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (pid === process.pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Waits, holding no session, while an `aku recover` runs in this container: at most
 * AKU_QUERY_TIMEOUT (the bound of the recovery's longest statement, its SYNC; 3600 s when it is
 * 0), checked every second. A stop request from `-p end` ends the wait at once.
 */
export async function waitWhileRecoverRuns(ctx: LifecycleContext, where: string): Promise<void> {
  let pid = runningRecover(ctx.completionFile);
  if (pid === undefined) return;
  const boundSec = ctx.config.queryTimeoutSec > 0 ? ctx.config.queryTimeoutSec : 3600;
  ctx.logger.info(where, `aku recover (pid ${pid}) is restoring this MASTER and holds the servers' SYSDBA sessions; waiting for it to end, at most ${boundSec} s (AKU_QUERY_TIMEOUT).`);
  const until = ctx.now() + boundSec * 1000;
  while (pid !== undefined) {
    if (stopRequested(ctx.completionFile)) throw new LifecycleError(`aku -p end on this pod asked this start to stop while it waited for aku recover (pid ${pid}).`, where);
    if (ctx.now() >= until) {
      throw new LifecycleError(`aku recover (pid ${pid}) is still restoring this MASTER after ${boundSec} s; this start stops before reading anything (the entrypoint retries it).`, where);
    }
    await ctx.sleep(1000);
    pid = runningRecover(ctx.completionFile);
  }
  ctx.logger.info(where, 'aku recover has ended; this start goes on.');
}
