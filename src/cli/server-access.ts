import type { AkuConfig } from '../config/model.js';
import { loadDriver } from '../db/drivers/index.js';
import { ServerSessions } from '../db/server-sessions.js';
import { sessionSettingsFromConfig, type DbLogger } from '../db/session.js';
import type { LifecycleContext } from '../lifecycle/index.js';
import { hostResolver, isLocalAddress } from '../lifecycle/host-resolution.js';
import type { Logger } from '../log/logger.js';
import { PodIdentityError, replicationHostProblem, type Topology } from '../topology/index.js';

/** Where `-p start` writes the completion file the startupProbe reads (AKU_START_COMPLETED_FILE overrides). */
export const DEFAULT_COMPLETION_FILE = '/tmp/aku_start_completed';

/** The part of a lifecycle context that reaches servers and the pod: the same for -p and recover. */
export type ServerAccess = Pick<
  LifecycleContext,
  'config' | 'topology' | 'logger' | 'session' | 'completionFile' | 'resolve' | 'isLocalAddress' | 'localServerAddress' | 'sleep' | 'now' | 'progressIntervalSec'
>;

/**
 * The driver (AKU_DRIVER, odbc by default), one session per server as SYS SYSDBA, and the pod's
 * own facts, for a command that works on servers the way `-p` does. Throws PodIdentityError when
 * aku.conf names replication hosts Altibase cannot keep (nothing is reached then).
 */
export async function serverAccess(config: AkuConfig, topology: Topology, logger: Logger, env: NodeJS.ProcessEnv): Promise<{ access: ServerAccess; sessions: ServerSessions }> {
  const hostProblem = replicationHostProblem(config);
  if (hostProblem) throw new PodIdentityError(hostProblem);
  const driver = await loadDriver(env.AKU_DRIVER?.trim() || 'odbc');
  const sessions = new ServerSessions(driver, sessionSettingsFromConfig(config, env), { logger: dbLogger(logger) });
  const access: ServerAccess = {
    config,
    topology,
    logger,
    session: (host) => sessions.get(host),
    completionFile: env.AKU_START_COMPLETED_FILE || DEFAULT_COMPLETION_FILE,
    resolve: hostResolver(driver),
    isLocalAddress,
    localServerAddress: '127.0.0.1',
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    progressIntervalSec: Number(env.AKU_PROGRESS_INTERVAL_SEC) || 10,
  };
  return { access, sessions };
}

/** The session layer's messages, as aku log lines with the server in the `[pod]` field. */
function dbLogger(logger: Logger): DbLogger {
  return {
    log: (level, message, context) => logger.log({ level, where: 'db', message, pod: context.host.split('.')[0] ?? context.host }),
  };
}
