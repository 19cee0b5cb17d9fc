import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** The startupProbe's signal that `-p start` finished. Written last, atomically (write, then rename). */
export function completionFileExists(path: string): boolean {
  return existsSync(path);
}

export function writeCompletionFile(path: string): void {
  writeAtomically(path, '');
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * REPLICATION_DDL_ENABLE as aku found it before setting it to 1 for TRUNCATE, kept beside the
 * completion file until it is restored. The file lives as long as the server's ALTER SYSTEM value
 * does: a container restart loses both (the server starts from its properties file again).
 */
const ddlEnableFile = (completionFile: string) => `${completionFile}.replication_ddl_enable`;

export function recordDdlEnable(completionFile: string, value: string): void {
  writeAtomically(ddlEnableFile(completionFile), `${value}\n`);
}

export function recordedDdlEnable(completionFile: string): string | undefined {
  try {
    const value = readFileSync(ddlEnableFile(completionFile), 'utf8').trim();
    return value === '0' || value === '1' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function forgetDdlEnable(completionFile: string): void {
  rmSync(ddlEnableFile(completionFile), { force: true });
}

export function deleteCompletionFile(path: string): void {
  rmSync(path, { force: true });
}
