import { AltibaseCode } from '../db/errors.js';
import { dropReplication, resetReplication, stopReplication } from '../sql/index.js';
import { deleteCompletionFile } from './completion-file.js';
import type { LifecycleContext } from './context.js';
import { readLeaves, recordLeaves } from './leaves.js';
import type { OutcomeRecorder } from './outcome.js';
import { readStates } from './replication-state.js';
import { podOf, reachSelf, reachServers, type Reached, type Server } from './server.js';

/**
 * `aku -p clean`: this pod leaves replication on purpose. One function per step; the step's
 * name is its `[akuRunClean:step]` tag:
 *   connect → record → drop → peers → complete
 *
 * "Made by aku" means named `<prefix>_<i><j>` for one of aku.conf's prefixes with this pod's
 * ordinal in the pair — also objects toward ordinals beyond today's AKU_SERVER_COUNT, left from
 * a larger setting. The leave is recorded (SYS.AKU_LEFT_PAIRS, see leaves.ts) so that no other
 * pod takes it for a failure, and the reachable peers' sides are stopped and reset (BUG-50873),
 * so they neither send toward a pod that is gone nor keep log for it.
 */

const W = {
  connect: 'akuRunClean:connect',
  drop: 'akuRunClean:drop',
  record: 'akuRunClean:record',
  peers: 'akuRunClean:peers',
  complete: 'akuRunClean:complete',
} as const;

interface CleanRun {
  ctx: LifecycleContext;
  self: Server;
  reached: Reached;
  /** This pod's aku objects, as found, and those an interrupted clean recorded. */
  names: string[];
  /** The objects that still exist here. */
  existing: Set<string>;
}

export async function runClean(ctx: LifecycleContext, outcome: OutcomeRecorder): Promise<void> {
  const run = await outcome.step(W.connect, () => connect(ctx));
  await outcome.step(W.record, () => recordLeave(run));
  await outcome.step(W.drop, () => dropOwnObjects(run, outcome));
  await outcome.step(W.peers, () => resetPeersSides(run, outcome));
  await outcome.step(W.complete, async () => {
    if (!ctx.dryRun) deleteCompletionFile(ctx.completionFile);
  });
}

async function connect(ctx: LifecycleContext): Promise<CleanRun> {
  const self = await reachSelf(ctx, W.connect);
  const reached = await reachServers(ctx, ctx.topology.peers, W.connect);
  // With the names an interrupted clean recorded before it dropped them, so a rerun finishes
  // their peers' sides too.
  const existing = [...(await readStates(self)).keys()];
  const recorded = [...(await readLeaves(self)).keys()];
  const names = [...new Set([...existing, ...recorded])].filter((name) => isAkuObjectOf(ctx, name, self.ordinal)).sort();
  return { ctx, self, reached, names, existing: new Set(existing) };
}

/** STOP (ERR-61027: already stopped) and DROP every aku object of this pod. */
async function dropOwnObjects({ ctx, self, names, existing }: CleanRun, outcome: OutcomeRecorder): Promise<void> {
  for (const name of names.filter((n) => existing.has(n))) {
    await self.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
    await self.change(dropReplication(name));
    outcome.pair(name, self.pod, 'dropped');
    if (!ctx.dryRun) ctx.logger.info(W.drop, `Dropped ${name}.`, { pod: self.pod, replication: name });
  }
}

/**
 * The names this pod leaves, with when, on its own server, before anything is dropped: every
 * other pod's start reads them, also after a clean that was interrupted half-way.
 */
async function recordLeave({ ctx, self, names }: CleanRun): Promise<void> {
  await recordLeaves(self, names, new Date(ctx.now()));
  if (names.length > 0) ctx.logger.info(W.record, `Recorded in SYS.AKU_LEFT_PAIRS that this pod left ${names.join(', ')} deliberately.`, { pod: self.pod });
}

/** STOP and RESET the same-named objects on every reachable peer; name what to run on the others. */
async function resetPeersSides({ ctx, reached, names }: CleanRun, outcome: OutcomeRecorder): Promise<void> {
  await Promise.all(
    [...reached.servers.values()].map(async (peer) => {
      const theirs = await readStates(peer);
      for (const name of names.filter((n) => theirs.has(n))) {
        await peer.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
        await peer.change(resetReplication(name));
        outcome.pair(name, peer.pod, 'reset');
        if (!ctx.dryRun) ctx.logger.info(W.peers, `Stopped and reset ${name}.`, { pod: peer.pod, replication: name });
      }
    }),
  );
  for (const { node } of reached.unreachable.values()) {
    const theirs = names.filter((n) => pairOrdinals(n)?.includes(node.ordinal));
    if (theirs.length === 0) continue;
    ctx.logger.warn(
      W.peers,
      `${node.host} is not reachable: its side of ${theirs.join(', ')} keeps running or keeps log for this pod. Its next aku -p start reads this pod's record and goes on; ` +
        `to stop it now, run there: ${theirs.map((n) => `ALTER REPLICATION ${n} STOP; ALTER REPLICATION ${n} RESET;`).join(' ')}`,
      { pod: podOf(node.host) },
    );
  }
}

function pairOrdinals(name: string): [number, number] | undefined {
  const match = /_(\d)(\d)$/.exec(name);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function isAkuObjectOf(ctx: LifecycleContext, name: string, ordinal: number): boolean {
  return ctx.config.replications.some((group) => {
    const match = new RegExp(`^${group.prefix.replace(/\$/g, '\\$')}_(\\d)(\\d)$`).exec(name);
    return match !== null && Number(match[1]) < Number(match[2]) && (Number(match[1]) === ordinal || Number(match[2]) === ordinal);
  });
}
