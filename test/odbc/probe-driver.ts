/**
 * Builds fixtures/probe-driver.c into a shared library (see that file). The C compiler is the one
 * that built the odbc addon (node-gyp needs it), so it is present wherever these tests can run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'probe-driver.c');

/** Compile the probe driver into `directory` and return the library's path. */
export function buildProbeDriver(directory: string): string {
  mkdirSync(directory, { recursive: true });
  const library = path.join(directory, 'libakuprobeodbc.so');
  execFileSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-o', library, source], { stdio: 'pipe' });
  return library;
}
