import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import type { LoadedConfig } from './model.js';
import { parseDocument } from './parser.js';
import { validateDocument } from './validate.js';

export { ConfigError, ConfigErrors, isConfigError, missingPropertyProblem } from './errors.js';
export type { AkuConfig, LoadedConfig, ReplicationGroup, ReplicationItem } from './model.js';
export { formatAkuConf } from './format.js';

/** Parses aku.conf text; environment variables named like scalar properties win over the file. */
export function parseAkuConf(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return validateDocument(parseDocument(text, file), file, env);
}

/** `$ALTIBASE_HOME/conf/aku.conf`, the one place aku reads its configuration from. */
export function akuConfPath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.ALTIBASE_HOME;
  if (home === undefined || home === '') {
    throw new ConfigError({
      file: 'environment',
      property: 'ALTIBASE_HOME',
      problem: 'ALTIBASE_HOME is not set; aku reads $ALTIBASE_HOME/conf/aku.conf. Set it to the Altibase home directory.',
    });
  }
  return join(home, 'conf', 'aku.conf');
}

export function loadAkuConf(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = akuConfPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? '; copy $ALTIBASE_HOME/conf/aku.conf.sample to aku.conf and edit it' : '';
    throw new ConfigError({ file, problem: `cannot read the configuration (${code ?? String(error)})${hint}` });
  }
  return parseAkuConf(text, file, env);
}
