import { AltibaseCode } from '../db/errors.js';
import { dropReplication, stopReplication } from '../sql/index.js';
import { deleteCompletionFile } from './completion-file.js';
import type { LifecycleContext } from './context.js';
import { readStates } from './replication-state.js';
import type { OutcomeRecorder } from './outcome.js';
import { reachSelf, reachServers, type Server } from './server.js';

const W = { connect: 'akuRunClean:connect', drop: 'akuRunClean:drop', stop: 'akuRunClean:stop' } as const;

/**
 * `aku -p clean`: STOP and DROP every replication object aku made on this pod, and STOP the
 * same-named objects on every related pod (BUG-50873). "Made by aku" means named
 * `<prefix>_<i><j>` for one of aku.conf's prefixes with this pod's ordinal in the pair — also
 * objects toward ordinals beyond today's AKU_SERVER_COUNT, left from a larger setting.
 */
export async function runClean(ctx: LifecycleContext, _outcome: OutcomeRecorder): Promise<void> {
  const self = await reachSelf(ctx, W.connect);
  const reached = await reachServers(ctx, ctx.topology.peers, W.connect);
  const names = [...(await readStates(self)).keys()].filter((name) => isAkuObjectOf(ctx, name, self.ordinal));

  for (const name of names) {
    await self.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
    await self.change(dropReplication(name));
    if (!ctx.dryRun) ctx.logger.info(W.drop, `Dropped ${name}.`, { pod: self.pod, replication: name });
  }
  await Promise.all([...reached.servers.values()].map((peer) => stopOnPeer(ctx, peer, names)));
  if (!ctx.dryRun) deleteCompletionFile(ctx.completionFile);
}

async function stopOnPeer(ctx: LifecycleContext, peer: Server, names: string[]): Promise<void> {
  const theirs = await readStates(peer);
  for (const name of names.filter((n) => theirs.has(n))) {
    const outcome = await peer.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
    if (outcome === 'done' && !ctx.dryRun) ctx.logger.info(W.stop, `Stopped ${name}.`, { pod: peer.pod, replication: name });
  }
}

function isAkuObjectOf(ctx: LifecycleContext, name: string, ordinal: number): boolean {
  return ctx.config.replications.some((group) => {
    const match = new RegExp(`^${group.prefix.replace(/\$/g, '\\$')}_(\\d)(\\d)$`).exec(name);
    return match !== null && Number(match[1]) < Number(match[2]) && (Number(match[1]) === ordinal || Number(match[2]) === ordinal);
  });
}
