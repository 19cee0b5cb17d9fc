import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Result } from 'execa';
import { FIXTURES } from './conf.js';

export const AKU_BIN = fileURLToPath(new URL('../../bin/aku', import.meta.url));

/** A throwaway ALTIBASE_HOME whose conf/aku.conf is a fixture (or the given text). */
export function altibaseHome(conf: { fixture: string } | { text: string }): string {
  const home = mkdtempSync(join(tmpdir(), 'aku-home-'));
  mkdirSync(join(home, 'conf'));
  if ('fixture' in conf) copyFileSync(join(FIXTURES, 'conf', conf.fixture), join(home, 'conf', 'aku.conf'));
  else writeFileSync(join(home, 'conf', 'aku.conf'), conf.text);
  return home;
}

/** Runs the built CLI with a clean environment (plus what is given) and never throws on exit codes. */
export function runAku(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return execa(AKU_BIN, args, {
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
}
