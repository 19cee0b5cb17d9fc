import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** The startupProbe's signal that `-p start` finished. Written last, atomically (write, then rename). */
export function completionFileExists(path: string): boolean {
  return existsSync(path);
}

export function writeCompletionFile(path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, '');
  renameSync(temporary, path);
}

export function deleteCompletionFile(path: string): void {
  rmSync(path, { force: true });
}
