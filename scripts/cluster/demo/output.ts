/**
 * The demo's output, in the cluster scripts' style (scripts/cluster/lib/common.sh): `[demo] …` lines,
 * warnings and errors on stderr, one `✓ name (1.2 s)` / `✗ name` line per awaited step, and each
 * command a user would type shown as `$ command` before it runs.
 */
export const TAG = 'demo';

export function log(message: string): void {
  process.stdout.write(`[${TAG}] ${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`[${TAG}] WARNING: ${message}\n`);
}

export function error(message: string): void {
  process.stderr.write(`[${TAG}] ERROR: ${message}\n`);
}

export function shown(command: string[]): void {
  const quoted = command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  process.stdout.write(`\n$ ${quoted.join(' ')}\n`);
}

export function seconds(fromMs: number): string {
  return ((Date.now() - fromMs) / 1000).toFixed(1);
}

/** Runs one awaited step and prints its status line with its duration. */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    const value = await fn();
    process.stdout.write(`  ✓ ${name} (${seconds(started)} s)\n`);
    return value;
  } catch (e) {
    process.stdout.write(`  ✗ ${name} (after ${seconds(started)} s)\n`);
    throw e;
  }
}
