import { loadAkuConf } from '../config/index.js';
import { loadDriver } from '../db/drivers/index.js';
import { sessionSettingsFromConfig } from '../db/session.js';
import { Logger } from '../log/logger.js';
import { monitorLoginFromEnv, renderStatusText, runStatus, type KnownReplicas, type StatusContext, type Verdict } from '../status/index.js';
import { podInSet } from '../topology/index.js';
import { commandLogger } from './command-logger.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_COMPLETION_FILE } from './server-access.js';

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
  const logger = commandLogger(options.json, env);
  let ctx: StatusContext;
  try {
    ctx = await statusContextFromEnv(env, logger, STATUS_STATEMENT_TIMEOUT_SEC);
  } catch (error) {
    process.stderr.write(`aku: ${logger.redact(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.usage;
  }
  const report = await runStatus(ctx, { failOn: options.failOn, ...(options.replicas ? { replicas: options.replicas } : {}) });
  process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : renderStatusText(report)}\n`);
  return report.exitCode;
}

/**
 * What a status read needs, from the environment: aku.conf, the monitoring login, the pod it runs
 * in (if any: outside the set, e.g. in the `helm test` pod, there is none), the driver. Every
 * password is registered with the logger. Throws a configuration error (or MonitorLoginError)
 * before anything is read; `aku metrics` builds its reads here too.
 */
export async function statusContextFromEnv(env: NodeJS.ProcessEnv, logger: Logger, statementTimeoutSec: number): Promise<StatusContext> {
  const { config } = loadAkuConf(env);
  logger.addSecret(config.sysPassword);
  const monitor = monitorLoginFromEnv(env, config.sysPassword);
  if (monitor) logger.addSecret(monitor.password);
  const self = podInSet(env, config.stsName, config.serverCount);
  return {
    config,
    driver: await loadDriver(env.AKU_DRIVER?.trim() || 'odbc'),
    sysdba: sessionSettingsFromConfig(config, env),
    ...(monitor ? { monitor } : {}),
    logger,
    ...(self ? { selfOrdinal: self.ordinal, observer: self.name } : {}),
    completionFile: env.AKU_START_COMPLETED_FILE || DEFAULT_COMPLETION_FILE,
    // In a sidecar of the pod (the chart's metrics container), start's and end's pid files count whoever wrote them.
    lifecycleElsewhere: env.AKU_SIDECAR === '1',
    busyWaitMs: BUSY_WAIT_MS,
    statementTimeoutSec,
    now: () => Date.now(),
  };
}
