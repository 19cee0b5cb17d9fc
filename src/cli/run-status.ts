import { isConfigError, loadAkuConf } from '../config/index.js';
import { loadDriver } from '../db/drivers/index.js';
import { sessionSettingsFromConfig } from '../db/session.js';
import { Logger, levelFromEnv } from '../log/logger.js';
import { monitorLoginFromEnv, MonitorLoginError, renderStatusText, runStatus, type KnownReplicas, type StatusContext, type Verdict } from '../status/index.js';
import { resolvePodIdentity } from '../topology/index.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_COMPLETION_FILE } from './run-pod-action.js';

export interface StatusCliOptions {
  json: boolean;
  replicas?: KnownReplicas;
  failOn: Exclude<Verdict, 'ok'>;
}

/** How long status waits for a busy SYSDBA slot before it reports the pod busy. */
export const BUSY_WAIT_MS = 2000;
/** Status reads views only; none of its statements should take long. */
export const STATUS_STATEMENT_TIMEOUT_SEC = 10;

/**
 * Builds `aku status` from the environment: aku.conf, the monitoring login, the pod it runs in
 * (if any: outside the set, e.g. in the `helm test` pod, there is none), the driver.
 * Exit 0 when the verdict is below `--fail-on`, 1 when it reaches it, 2 for a usage or
 * configuration problem (nothing was read then).
 */
export async function runStatusCommand(options: StatusCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = new Logger({
    write: (line) => (options.json ? process.stderr : process.stdout).write(`${line}\n`),
    writeError: (line) => process.stderr.write(`${line}\n`),
    level: levelFromEnv(env.AKU_LOG_LEVEL),
  });
  let ctx: StatusContext;
  try {
    const { config } = loadAkuConf(env);
    logger.addSecret(config.sysPassword);
    const monitor = monitorLoginFromEnv(env, config.sysPassword);
    if (monitor) logger.addSecret(monitor.password);
    const self = ownPod(env, config.stsName, config.serverCount);
    ctx = {
      config,
      driver: await loadDriver(env.AKU_DRIVER?.trim() || 'odbc'),
      sysdba: sessionSettingsFromConfig(config, env),
      ...(monitor ? { monitor } : {}),
      logger,
      ...(self ? { selfOrdinal: self.ordinal, observer: self.name } : {}),
      completionFile: env.AKU_START_COMPLETED_FILE || DEFAULT_COMPLETION_FILE,
      busyWaitMs: BUSY_WAIT_MS,
      statementTimeoutSec: STATUS_STATEMENT_TIMEOUT_SEC,
      now: () => Date.now(),
    };
  } catch (error) {
    if (isConfigError(error) || error instanceof MonitorLoginError) {
      process.stderr.write(`aku: ${logger.redact(error.message)}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`aku: ${logger.redact(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.usage;
  }
  const report = await runStatus(ctx, { failOn: options.failOn, ...(options.replicas ? { replicas: options.replicas } : {}) });
  process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : renderStatusText(report)}\n`);
  return report.exitCode;
}

/**
 * The set's pod status runs in, if it runs in one: its name must be `<AKU_STS_NAME>-<n>` with n
 * inside AKU_SERVER_COUNT. Anywhere else (a test pod, a laptop) status is an outside observer.
 */
function ownPod(env: NodeJS.ProcessEnv, stsName: string, serverCount: number): { name: string; ordinal: number } | undefined {
  try {
    const pod = resolvePodIdentity(env);
    return pod.name === `${stsName}-${pod.ordinal}` && pod.ordinal < serverCount ? pod : undefined;
  } catch {
    return undefined;
  }
}
