import { isConfigError, loadAkuConf } from '../config/index.js';
import { ServerSessions } from '../db/server-sessions.js';
import { recordOutcome } from '../lifecycle/completion-file.js';
import { runPodLifecycle, type LifecycleContext } from '../lifecycle/index.js';
import { buildTopology, PodIdentityError, resolvePodIdentity } from '../topology/index.js';
import { commandLogger } from './command-logger.js';
import { serverAccess } from './server-access.js';
import { EXIT } from './exit-codes.js';
import type { PodAction } from './pod-action.js';

export interface PodActionOptions {
  dryRun: boolean;
  /** Print the outcome as JSON on stdout; the log lines then go to stderr. */
  json?: boolean;
}


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
    const opened = await serverAccess(config, topology, logger, env);
    sessions = opened.sessions;
    ctx = {
      ...opened.access,
      dryRun: options.dryRun,
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
