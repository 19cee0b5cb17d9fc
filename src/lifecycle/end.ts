import { AltibaseCode, DbError } from '../db/errors.js';
import { flushReplication, resetReplication, stopReplication } from '../sql/index.js';
import { deleteCompletionFile } from './completion-file.js';
import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';
import { withProgress } from './progress.js';
import { reachServers, shortReason, type Server } from './server.js';
import { reachSelf } from './start.js';

/**
 * `aku -p end` (preStop), in the manual's order: ② reach related pods, ③ FLUSH this pod's
 * objects (AKU_FLUSH_AT_END), ④ STOP them here and on every related pod, ⑤ RESET them
 * (slaves, AKU_REPLICATION_RESET_AT_END), ⑥ delete the completion file.
 *
 * Kubernetes kills the pod when the grace period ends, so the whole run fits
 * AKU_END_TIME_BUDGET: every FLUSH is bounded (`FLUSH ALL WAIT n`), and what could not be done
 * is named in the log. An object whose FLUSH did not finish keeps its restart point (it is not
 * RESET), so the unsent changes are delivered if the pod comes back instead of being discarded.
 */

const W = {
  role: 'akuRunEnd:role',
  connect: 'akuRunEnd:connect',
  flush: 'akuRunEnd:flush',
  stop: 'akuRunEnd:stop',
  reset: 'akuRunEnd:reset',
  complete: 'akuRunEnd:complete',
} as const;

/** Seconds kept back from flushing for STOP and RESET. */
const RESERVE_FRACTION = 0.3;
const MAX_RESERVE_SEC = 10;

export interface EndOutcome {
  /** Things that could not be done; the run still exits non-zero so an operator looks. */
  problems: string[];
}

export async function runEnd(ctx: LifecycleContext): Promise<EndOutcome> {
  const { topology, logger, config } = ctx;
  const deadline = ctx.now() + config.endTimeBudgetSec * 1000;
  const remainingSec = () => Math.max(1, Math.floor((deadline - ctx.now()) / 1000));
  const problems: string[] = [];
  const isMaster = topology.self.role === 'MASTER';
  logger.info(W.role, isMaster ? 'Start as MASTER Pod.' : 'Start as SLAVE Pod.');

  let self: Server;
  try {
    self = await reachSelf(ctx, W.connect);
  } catch (error) {
    deleteFile(ctx);
    throw error;
  }
  const reached = await reachServers(ctx, topology.peers, W.connect);
  const links = topology.links;
  const unflushed = new Set<string>();

  if (config.flushAtEnd) {
    logger.info(W.flush, 'Flush replications.');
    const reserve = Math.min(MAX_RESERVE_SEC, config.endTimeBudgetSec * RESERVE_FRACTION) * 1000;
    const flushable = links.filter((l) => reached.servers.has(l.peer.ordinal));
    for (const [index, link] of flushable.entries()) {
      const target = { pod: link.peer.host.split('.')[0], replication: link.name };
      const available = Math.floor((deadline - reserve - ctx.now()) / 1000 / (flushable.length - index));
      if (available < 1) {
        unflushed.add(link.name);
        logger.warn(W.flush, `${link.name} toward ${link.peer.host} was not flushed: the end time budget (AKU_END_TIME_BUDGET = ${config.endTimeBudgetSec} s) ran out.`, target);
        continue;
      }
      try {
        await withProgress(ctx, W.flush, `FLUSH of ${link.name}`, target, () =>
          self.change(flushReplication(link.name, { all: true, waitSec: available }), { timeoutSec: available + 5, retry: false }));
      } catch (error) {
        if (error instanceof DbError && error.isCode(AltibaseCode.REPLICATION_NOT_STARTED)) continue; // nothing to send
        unflushed.add(link.name);
        const why = error instanceof DbError && error.isCode(AltibaseCode.FLUSH_WAIT_EXPIRED) ? `not finished within ${available} s` : shortReason(error);
        logger.warn(W.flush, `${link.name} toward ${link.peer.host} was not fully flushed (${why}); its unsent changes stay in this pod's log.`, target);
      }
    }
    for (const link of links.filter((l) => !reached.servers.has(l.peer.ordinal))) {
      logger.info(W.flush, `${link.name} was not flushed: ${link.peer.host} is not reachable.`, { replication: link.name });
    }
    logger.info(W.flush, 'Replication flush has ended.');
  }

  // ④ STOP everywhere: this pod's senders, and every related pod's sender toward this pod.
  for (const link of links) {
    const peer = reached.servers.get(link.peer.ordinal);
    for (const server of peer ? [self, peer] : [self]) {
      await attempt(ctx, problems, W.stop, server, link.name, () =>
        server.changeTolerating(stopReplication(link.name), [AltibaseCode.REPLICATION_NOT_STARTED, AltibaseCode.NO_SUCH_REPLICATION], { timeoutSec: remainingSec() }));
    }
  }

  // ⑤ RESET (slaves only: a reset MASTER next to running slaves is what failure detection flags).
  if (!isMaster && config.replicationResetAtEnd) {
    logger.info(W.reset, 'Reset replications.');
    for (const link of links) {
      const peer = reached.servers.get(link.peer.ordinal);
      if (unflushed.has(link.name)) {
        logger.warn(W.reset, `${link.name} is not reset here: it still holds unsent changes, which are delivered if this pod starts again.`, { replication: link.name });
      } else {
        await attempt(ctx, problems, W.reset, self, link.name, () =>
          self.changeTolerating(resetReplication(link.name), [AltibaseCode.NO_SUCH_REPLICATION], { timeoutSec: remainingSec() }));
      }
      if (peer) {
        await attempt(ctx, problems, W.reset, peer, link.name, () =>
          peer.changeTolerating(resetReplication(link.name), [AltibaseCode.NO_SUCH_REPLICATION], { timeoutSec: remainingSec() }));
      } else {
        logger.warn(W.reset, `${link.name} was not stopped or reset on ${link.peer.host} (not reachable). If that pod is running, run there: ` +
          `ALTER REPLICATION ${link.name} STOP; ALTER REPLICATION ${link.name} RESET;`, { pod: link.peer.host.split('.')[0], replication: link.name });
      }
    }
    logger.info(W.reset, 'Replication reset has ended.');
  }

  deleteFile(ctx);
  return { problems };
}

/** One statement of the best-effort part of `-p end`: a failure is recorded and the run goes on. */
async function attempt(ctx: LifecycleContext, problems: string[], where: string, server: Server, name: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const problem = `${where.split(':')[1]?.toUpperCase()} of ${name} on ${server.host} failed: ${shortReason(error)}`;
    problems.push(problem);
    ctx.logger.error(where, problem, { pod: server.pod, replication: name });
  }
}

function deleteFile(ctx: LifecycleContext): void {
  if (!ctx.dryRun) deleteCompletionFile(ctx.completionFile);
}

export { LifecycleError };
