import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { containerIdentity } from './completion-file.js';

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
