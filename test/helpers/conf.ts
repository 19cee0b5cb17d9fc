import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAkuConf, type LoadedConfig } from '../../src/config/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES}conf/${name}`, 'utf8');
}

/** Parses text as if it were the file `aku.conf`, with no environment overrides unless given. */
export function parse(text: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  return parseAkuConf(text, 'aku.conf', env);
}

/** The message a bad config produces (fails the test if it parses). */
export function parseError(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parse(text, env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected a configuration error for:\n${text}`);
}

/** A minimal valid aku.conf, with extra lines appended. */
export function minimal(extra = '', replications = 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = AKU_REP ( SYS.T1 ) )'): string {
  return ['AKU_STS_NAME = altibase-sts', 'AKU_SVC_NAME = altibase-svc', 'AKU_SYS_PASSWORD = manager', extra, replications, ''].join('\n');
}
