import { loadAkuConf } from '../config/index.js';
import { ServerSessions } from '../db/server-sessions.js';
import { runRecover, type RecoverContext } from '../recover/index.js';
import { buildTopology, MASTER_ORDINAL, PodIdentityError, resolvePodIdentity } from '../topology/index.js';
import { commandLogger } from './command-logger.js';
import { serverAccess } from './server-access.js';
import { EXIT } from './exit-codes.js';

export interface RecoverCliOptions {
  source: number;
  act: boolean;
  acceptLoss: boolean;
  /** Print the outcome as JSON on stdout; the log lines then go to stderr. */
  json: boolean;
}

/**
 * How long recover waits for a SYSDBA slot another aku run holds, or for a `-p start` / `-p end`
 * running in this container: the entrypoint's start attempts on a failed MASTER end in seconds.
 */
export const RECOVER_BUSY_WAIT_SEC = 30;

/**
 * Builds `aku recover` from the environment, as `-p` is built: aku.conf, the pod it runs in
 * (the MASTER's: its completion file and its server are the ones recover works beside), the
 * driver, one session per server. A usage or configuration problem is exit 2 before any server
 * is reached: `--from` outside 1..AKU_SERVER_COUNT-1, or a pod that is not the MASTER's.
 */
export async function runRecoverCommand(options: RecoverCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = commandLogger(options.json, env);
  let ctx: RecoverContext;
  let sessions: ServerSessions;
  try {
    const { config } = loadAkuConf(env);
    logger.addSecret(config.sysPassword);
    const master = `${config.stsName}-${MASTER_ORDINAL}`;
    if (options.source < 1 || options.source >= config.serverCount) {
      throw new PodIdentityError(
        `--from ${options.source} is not allowed: expected the ordinal of a slave, 1 to ${config.serverCount - 1} (AKU_SERVER_COUNT = ${config.serverCount})` +
          `${options.source === MASTER_ORDINAL ? `; ${MASTER_ORDINAL} is the MASTER being restored` : ''}`,
      );
    }
    const topology = buildTopology(config, resolvePodIdentity(env));
    if (topology.self.ordinal !== MASTER_ORDINAL) {
      throw new PodIdentityError(`aku recover runs in the MASTER's pod ${master}, not in ${topology.self.podName}: kubectl exec ${master} -- aku recover --from ${options.source}`);
    }
    const opened = await serverAccess(config, topology, logger, env);
    sessions = opened.sessions;
    ctx = {
      ...opened.access,
      busyWaitSec: RECOVER_BUSY_WAIT_SEC,
    };
  } catch (error) {
    // A configuration, pod-identity or --from problem, or a driver that cannot load: nothing was reached.
    process.stderr.write(`aku: ${logger.redact(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.usage;
  }
  const outcome = await runRecover(ctx, { source: options.source, act: options.act, acceptLoss: options.acceptLoss }, () => sessions.closeAll());
  if (options.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  return outcome.exitCode;
}
