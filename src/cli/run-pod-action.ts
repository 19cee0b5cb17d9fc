import { isConfigError, loadAkuConf } from '../config/index.js';
import { loadDriver } from '../db/drivers/index.js';
import { ServerSessions } from '../db/server-sessions.js';
import { sessionSettingsFromConfig, type DbLogger } from '../db/session.js';
import { recordOutcome } from '../lifecycle/completion-file.js';
import { runPodLifecycle, type LifecycleContext } from '../lifecycle/index.js';
import { hostResolver, isLocalAddress } from '../lifecycle/host-resolution.js';
import { Logger } from '../log/logger.js';
import { buildTopology, PodIdentityError, replicationHostProblem, resolvePodIdentity } from '../topology/index.js';
import { commandLogger } from './command-logger.js';
import { EXIT } from './exit-codes.js';
import type { PodAction } from './pod-action.js';

export interface PodActionOptions {
  dryRun: boolean;
  /** Print the outcome as JSON on stdout; the log lines then go to stderr. */
  json?: boolean;
}

export const DEFAULT_COMPLETION_FILE = '/tmp/aku_start_completed';

/**
 * Builds everything `-p` needs from the environment — config, pod identity, topology, driver,
 * one session per server — then runs the action. A configuration or pod-identity problem is a
 * usage error (exit 2) found before any database is touched.
 */
export async function runPodAction(action: PodAction, options: PodActionOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = commandLogger(options.json ?? false, env);
  let ctx: LifecycleContext;
  let sessions: ServerSessions;
  try {
    const { config } = loadAkuConf(env);
    logger.addSecret(config.sysPassword);
    const topology = buildTopology(config, resolvePodIdentity(env));
    const hostProblem = replicationHostProblem(config);
    if (hostProblem) throw new PodIdentityError(hostProblem);
    const driver = await loadDriver(env.AKU_DRIVER?.trim() || 'odbc');
    sessions = new ServerSessions(driver, sessionSettingsFromConfig(config, env), { logger: dbLogger(logger) });
    ctx = {
      config,
      topology,
      logger,
      session: (host) => sessions.get(host),
      completionFile: env.AKU_START_COMPLETED_FILE || DEFAULT_COMPLETION_FILE,
      dryRun: options.dryRun,
      resolve: hostResolver(driver),
      isLocalAddress,
      localServerAddress: '127.0.0.1',
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => Date.now(),
      progressIntervalSec: Number(env.AKU_PROGRESS_INTERVAL_SEC) || 10,
      // Loaded here, on use: only -p end asks, so -i and -p start never load the Kubernetes client.
      stopReason: async (boundMs) => {
        const { readStopReason } = await import('../kube/stop-facts.js');
        return readStopReason({ env, stsName: config.stsName, podName: topology.self.podName, ordinal: topology.self.ordinal, boundMs });
      },
    };
  } catch (error) {
    if (isConfigError(error) || error instanceof PodIdentityError) {
      process.stderr.write(`aku: ${logger.redact(error.message)}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`aku: ${logger.redact(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.usage;
  }
  const began = Date.now();
  const outcome = await runPodLifecycle(action, ctx, () => sessions.closeAll());
  if (!options.dryRun && (action === 'start' || action === 'end')) {
    // For `aku metrics` (docs/metrics.md): how this run ended, beside the completion file.
    const failed = recordOutcome(ctx.completionFile, { action, exitCode: outcome.exitCode, seconds: (Date.now() - began) / 1000, finishedAt: new Date().toISOString() });
    if (failed) logger.warn(`akuRun${action === 'start' ? 'Start' : 'End'}:complete`, `Could not record the outcome beside ${ctx.completionFile} (${failed.message}); aku metrics will not show this run.`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  return outcome.exitCode;
}

/** The session layer's messages, as aku log lines with the server in the `[pod]` field. */
function dbLogger(logger: Logger): DbLogger {
  return {
    log: (level, message, context) => logger.log({ level, where: 'db', message, pod: context.host.split('.')[0] ?? context.host }),
  };
}
