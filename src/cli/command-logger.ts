import { Logger, levelFromEnv } from '../log/logger.js';

/**
 * The logger of a command that may print JSON: its log lines go to stdout, or to stderr when
 * `--json` makes stdout the report's alone; errors always to stderr; the level from AKU_LOG_LEVEL.
 */
export function commandLogger(json: boolean, env: NodeJS.ProcessEnv): Logger {
  return new Logger({
    write: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    writeError: (line) => process.stderr.write(`${line}\n`),
    level: levelFromEnv(env.AKU_LOG_LEVEL),
  });
}
