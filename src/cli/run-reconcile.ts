import { isConfigError, loadAkuConf } from '../config/index.js';
import { loadDriver } from '../db/drivers/index.js';
import { sessionSettingsFromConfig } from '../db/session.js';
import { resolveReplicas, runReconcile, unknownCountMessage, type KnownReplicas, type ReconcileContext } from '../reconcile/index.js';
import { podInSet } from '../topology/index.js';
import { quietDbLogger } from '../status/observe.js';
import { commandLogger } from './command-logger.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_COMPLETION_FILE } from './server-access.js';

export interface ReconcileCliOptions {
  dryRun: boolean;
  json: boolean;
  /** `--discard-kept`: reset the objects a departed pod's `aku -p end` kept too. */
  discardKept: boolean;
  /** `--replicas N`; without it the StatefulSet's spec.replicas. */
  replicas?: number;
}

/** How long a busy SYSDBA slot is waited for before the pod is reported busy (as status does). */
export const RECONCILE_BUSY_WAIT_MS = 2000;
/** Beyond `-p end`'s budget, what a departing pod's server needs to stop and its Pod object to go. */
export const DEPARTURE_MARGIN_SEC = 30;
/** Bound on reading the StatefulSet for the replica count. */
const COUNT_BOUND_MS = 10_000;
const POLL_MS = 2000;

/**
 * Builds `aku reconcile` from the environment: aku.conf, the pod it runs in (if any), the driver,
 * the Kubernetes API (loaded only here, on use), the replica count, the wait bound. Exit 0 when
 * done or nothing was to do, 1 when something was skipped or failed (named), 2 for a usage or
 * configuration problem, the replica count included (nothing was changed then).
 */
export async function runReconcileCommand(options: ReconcileCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = commandLogger(options.json, env);
  const fail = (message: string) => {
    process.stderr.write(`aku: ${logger.redact(message)}\n`);
    return EXIT.usage;
  };
  let ctx: ReconcileContext;
  let replicas: KnownReplicas;
  try {
    const { config } = loadAkuConf(env);
    logger.addSecret(config.sysPassword);
    const waitSec = env.AKU_RECONCILE_WAIT?.trim();
    if (waitSec && !/^[0-9]+$/.test(waitSec)) return fail(`AKU_RECONCILE_WAIT = ${waitSec} is not allowed; expected a whole number of seconds (0: do not wait)`);
    const counted = await resolveReplicas({
      ...(options.replicas === undefined ? {} : { option: options.replicas }),
      stsName: config.stsName,
      boundMs: COUNT_BOUND_MS,
      logger,
      connect: async () => {
        // Loaded here, on use: no other command but -p end loads the Kubernetes client.
        const { connectSetReader } = await import('../kube/set-facts.js');
        return connectSetReader({ env, stsName: config.stsName });
      },
    });
    if (counted.kind === 'unknown') return fail(unknownCountMessage(config.stsName, counted.why));
    replicas = counted.replicas;
    const departing = Math.max(1, config.serverCount - replicas.count);
    const self = podInSet(env, config.stsName, config.serverCount);
    ctx = {
      config,
      logger,
      dryRun: options.dryRun,
      discardKept: options.discardKept,
      slot: {
        driver: await loadDriver(env.AKU_DRIVER?.trim() || 'odbc'),
        sysdba: sessionSettingsFromConfig(config, env),
        dbLogger: quietDbLogger(logger),
        ...(self ? { selfOrdinal: self.ordinal } : {}),
        completionFile: env.AKU_START_COMPLETED_FILE || DEFAULT_COMPLETION_FILE,
        busyWaitMs: RECONCILE_BUSY_WAIT_MS,
        now: () => Date.now(),
      },
      ...(counted.kube ? { kube: counted.kube } : {}),
      // Departing pods go one after another (OrderedReady), each within its -p end's budget.
      waitMs: (waitSec ? Number(waitSec) : (config.endTimeBudgetSec + DEPARTURE_MARGIN_SEC) * departing) * 1000,
      pollMs: POLL_MS,
      statementTimeoutSec: config.queryTimeoutSec,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => Date.now(),
    };
  } catch (error) {
    if (isConfigError(error)) return fail(error.message);
    return fail(error instanceof Error ? error.message : String(error));
  }
  const report = await runReconcile(ctx, replicas);
  // Through the redactor: a server's error text in a reason could quote anything.
  if (options.json) process.stdout.write(`${logger.redact(JSON.stringify(report, null, 2))}\n`);
  return report.exitCode;
}

/** Connect retries are expected (a busy slot, a departed pod): the session layer's lines go to DEBUG only. */
