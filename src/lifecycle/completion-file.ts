import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The startupProbe's signal that `-p start` finished in this container. Written last, atomically
 * (write, then rename). A file another container left (a different identity inside) does not
 * count: that container's server is gone, so this one must start again.
 */
export function completionFileExists(path: string, identity: string = containerIdentity()): boolean {
  if (!existsSync(path)) return false;
  let written: string;
  try {
    written = readFileSync(path, 'utf8').trim();
  } catch {
    return true;
  }
  return written === '' || identity === '' || written === identity;
}

/**
 * Writes the completion file with the identity of the container it was written in. A pod's /tmp
 * can outlive its container (an emptyDir), and a file an earlier container left must never make
 * the startupProbe pass: the probe (chart/files/probe.sh) accepts the file only when its content
 * is the identity of the container it runs in.
 */
export function writeCompletionFile(path: string, identity: string = containerIdentity()): void {
  writeAtomically(path, identity === '' ? '' : `${identity}\n`);
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * `<boot id> <start time of the container's init process>`: unique per container (a restarted
 * container gets a new init process), the same for every process inside it, and computable by a
 * shell probe (/proc/sys/kernel/random/boot_id and field 22 of /proc/<pid>/stat, clock ticks since
 * boot). The init process is PID 1, or AKU_CONTAINER_INIT_PID for tests. Empty outside Linux.
 */
export function containerIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const pid = env.AKU_CONTAINER_INIT_PID || '1';
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 2 (the command name) is in parentheses and may hold spaces: count from after it
    const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
    const startTime = fields[19];
    return startTime ? `${bootId} ${startTime}` : '';
  } catch {
    return '';
  }
}

/**
 * REPLICATION_DDL_ENABLE as aku found it before setting it to 1 for TRUNCATE, kept beside the
 * completion file until it is restored, with the identity of the container it was written in: a
 * record from another container is ignored, because that container's server (and its ALTER
 * SYSTEM value) is gone; this one started from its properties file.
 */
const ddlEnableFile = (completionFile: string) => `${completionFile}.replication_ddl_enable`;

export function recordDdlEnable(completionFile: string, value: string, identity: string = containerIdentity()): void {
  writeAtomically(ddlEnableFile(completionFile), `${value} ${identity}\n`);
}

export function recordedDdlEnable(completionFile: string, identity: string = containerIdentity()): string | undefined {
  try {
    const text = readFileSync(ddlEnableFile(completionFile), 'utf8').trim();
    const [value, ...rest] = text.split(' ');
    if (rest.join(' ') !== identity) return undefined;
    return value === '0' || value === '1' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function forgetDdlEnable(completionFile: string): void {
  rmSync(ddlEnableFile(completionFile), { force: true });
}

/**
 * How the last `-p start` and the last `-p end` of this pod finished, each in a small JSON file
 * beside the completion file (`<file>.start-outcome`, `<file>.end-outcome`), for `aku metrics`,
 * which runs beside the pod's container and shares its /tmp. A run that is killed writes none:
 * the record stays the one of the last run that finished. /tmp outlives the container, so the
 * record may be an earlier container's; `finishedAt` tells.
 */
export interface OutcomeRecord {
  action: 'start' | 'end';
  /** The run's exit status: 0 done, 1 a step failed or something could not be done. */
  exitCode: number;
  /** Wall-clock seconds the run took. */
  seconds: number;
  /** When it finished, ISO 8601. */
  finishedAt: string;
}

const outcomeFile = (completionFile: string, action: OutcomeRecord['action']) => `${completionFile}.${action}-outcome`;

/** Writes the record; a run must not fail for its record, so a write that fails is only reported back. */
export function recordOutcome(completionFile: string, record: OutcomeRecord): Error | undefined {
  try {
    writeAtomically(outcomeFile(completionFile, record.action), `${JSON.stringify(record)}\n`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The record of the last finished run of `action`, if there is a readable one. */
export function readOutcome(completionFile: string, action: OutcomeRecord['action']): OutcomeRecord | undefined {
  let parsed: Partial<OutcomeRecord>;
  try {
    parsed = JSON.parse(readFileSync(outcomeFile(completionFile, action), 'utf8')) as Partial<OutcomeRecord>;
  } catch {
    return undefined;
  }
  const { exitCode, seconds, finishedAt } = parsed;
  if (parsed.action !== action || typeof exitCode !== 'number' || typeof seconds !== 'number' || typeof finishedAt !== 'string' || Number.isNaN(Date.parse(finishedAt))) {
    return undefined;
  }
  return { action, exitCode, seconds, finishedAt };
}

export function deleteCompletionFile(path: string): void {
  rmSync(path, { force: true });
}
