import type { ReplicationGroup } from '../config/model.js';
import { AltibaseCode, DbError } from '../db/errors.js';
import { alterSystemSet, dropReplication, startReplication, stopReplication, syncReplication, truncateItem } from '../sql/index.js';
import { MASTER_ORDINAL, podNameMismatch, replicationName } from '../topology/index.js';
import { waitForOwnAddress } from './address-check.js';
import { completionFileExists, forgetDdlEnable, recordDdlEnable, recordedDdlEnable, writeCompletionFile } from './completion-file.js';
import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';
import { ensureObject, readAllStates, stopAndReset } from './objects.js';
import { withProgress } from './progress.js';
import { readLeaves, forgetLeaves } from './leaves.js';
import { checkItemsMatchConfig, checkMasterIsSource, checkNoJoinedSlaveIsDown } from './preconditions.js';
import { ensureLineage, readLineage, writeLineage } from './lineage.js';
import { readRecord } from './recovery-record.js';
import { hasHistory, type ReplicationStates } from './replication-state.js';
import { readProperty, checkServerAllows } from './server-checks.js';
import { flushAtStartBoundSec, flushWithin } from './flush.js';
import { clearStartRunning, markStartRunning, stopRequested, waitWhileRecoverRuns } from './start-handover.js';
import type { OutcomeRecorder } from './outcome.js';
import { reachInOrder } from './ordered-reach.js';
import { podOf, shortReason, type Reached, type Server } from './server.js';

/**
 * `aku -p start`, in the manual's order:
 *   ① read aku.conf (done by the caller)      ② refuse a second start
 *   ③ reach every pod                          ④ create this pod's replication objects
 *   new/reset slave: ⑤ truncate ⑥⑦ SYNC from the MASTER, then start both ways
 *   restarted pod:   start both ways, then FLUSH (AKU_FLUSH_AT_START)
 *   ⑨ leave ADMIN_MODE (after AKU_DELAY_START_COMPLETE_TIME on a slave)   ⑩ completion file, last
 * Decisions where the manual is silent are in docs/lifecycle.md.
 */

const W = {
  role: 'akuRunStart:role',
  connect: 'akuRunStart:connect',
  path: 'akuRunStart:path',
  detect: 'akuRunStart:detect',
  items: 'akuRunStart:items',
  source: 'akuRunStart:source',
  create: 'akuRunStart:create',
  prepare: 'akuRunStart:prepare',
  truncate: 'akuRunStart:truncate',
  sync: 'akuRunStart:sync',
  start: 'akuRunStart:start',
  flush: 'akuRunStart:flush',
  admin: 'akuRunStart:admin',
  complete: 'akuRunStart:complete',
} as const;

/** How a group starts on this pod: synchronised from the master, or resumed from its own history. */
type Path = 'sync' | 'resume';

const FAILED_MASTER = 'The MASTER server is detected to have failed. Check and perform a manual recovery.';
const FAILED_SLAVE = 'The SLAVE server is detected to have failed. Check and perform a manual recovery.';

export async function runStart(ctx: LifecycleContext, outcome: OutcomeRecorder): Promise<void> {
  await outcome.step(W.role, async () => checkRole(ctx));
  if (ctx.dryRun) return startSteps(ctx, outcome);
  markStartRunning(ctx.completionFile);
  try {
    await startSteps(ctx, outcome);
  } finally {
    clearStartRunning(ctx.completionFile);
  }
}

async function startSteps(ctx: LifecycleContext, outcome: OutcomeRecorder): Promise<void> {
  const { topology, logger } = ctx;
  // Between steps is a safe point: every step resumes from where an interrupted run left it.
  const step = <T>(where: string, work: () => Promise<T>) => {
    if (!ctx.dryRun && stopRequested(ctx.completionFile)) {
      throw new LifecycleError(`aku -p end on this pod asked this start to stop; it stopped before ${where}. The next aku -p start resumes from here.`, where);
    }
    return outcome.step(where, work);
  };
  const { self, reached, states, leaves } = await step(W.connect, async () => {
    // A recovery of this MASTER holds every server's SYSDBA slot: this start would only fail on them.
    await waitWhileRecoverRuns(ctx, W.connect);
    await waitForOwnAddress(ctx);
    // A peer busy with another pod's start is waited for as long as a FLUSH at start may take.
    const { self, reached } = await reachInOrder(ctx, W.connect, flushAtStartBoundSec(ctx.config));
    const states = await readAllStates([self, ...reached.servers.values()]);
    const leaves = new Map(await Promise.all([self, ...reached.servers.values()].map(async (s) => [s.ordinal, await readLeaves(s)] as const)));
    await restoreDdlEnable(ctx, self);
    return { self, reached, states, leaves };
  });
  const own = states.get(self.ordinal) as ReplicationStates;

  await step(W.detect, async () => {
    if (topology.self.role === 'MASTER') await refuseHalfRecovered(ctx, self);
    await detectFailedServers(ctx, self, reached, states, leaves);
  });
  await step(W.items, () => checkItemsMatchConfig(ctx, [self, ...reached.servers.values()], states));
  const paths = await step(W.path, async () => choosePaths(ctx, own, states, leaves));

  // Every refusal comes before the first change.
  const syncGroups = ctx.config.replications.filter((g) => paths.get(g.prefix) === 'sync');
  const master = syncGroups.length > 0 ? await step(W.source, async () => {
    const master = requireMaster(ctx, reached);
    await checkMasterIsSource(ctx, master, self, reached, states, syncGroups);
    checkNoJoinedSlaveIsDown(ctx, self, reached, states, syncGroups);
    return master;
  }) : undefined;

  await step(W.create, async () => {
    const missing = topology.links.filter((l) => !own.has(l.name)).length;
    await checkServerAllows(ctx, self, own, missing);
    await createOwnObjects(ctx, self, own);
    if (topology.self.role === 'MASTER') await ensureLineage(self, new Date(ctx.now()));
  });

  if (master) {
    await step(W.prepare, async () => {
      await prepareForSync(ctx, self, reached, states, syncGroups);
      await holdOtherPodsChanges(ctx, self, reached, states, syncGroups);
    });
    await step(W.truncate, () => truncateTables(ctx, self, syncGroups));
    await step(W.sync, async () => {
      await syncFromMaster(ctx, master, self, syncGroups);
      // This pod's data now descends from the MASTER's database (lineage.ts).
      const lineage = await readLineage(master);
      if (lineage !== undefined) await writeLineage(self, lineage, new Date(ctx.now()));
      // The pod is back in these pairs: they are no longer left, on either side — on the MASTER
      // and on every pod in replication that recorded leaving a pair with this one (aku
      // reconcile records on each). A pod out of replication keeps its records for its own start.
      for (const group of syncGroups) {
        const rejoined = ctx.topology.links.filter((l) => l.group === group).map((l) => l.name);
        for (const server of [self, ...reached.servers.values()].filter((s) => s === self || hasJoined(states, group, s.ordinal))) {
          await forgetLeaves(server, rejoined, leaves.get(server.ordinal) as Map<string, string>);
        }
      }
    });
  }

  const historyBeforeStart = new Set([...own.values()].filter((s) => s.xsn !== -1).map((s) => s.name));
  await step(W.start, () => startLinks(ctx, self, reached, states, paths));
  if (ctx.config.flushAtStart) await step(W.flush, () => flushResumedLinks(ctx, self, reached, states, paths, historyBeforeStart));
  // The peers are not needed any more: their slots go back to other pods' runs now, not after the delay.
  await Promise.all([...reached.servers.values()].map((peer) => peer.release()));

  await step(W.admin, async () => {
    if (topology.self.role === 'SLAVE' && ctx.config.delayStartCompleteTimeSec > 0) {
      logger.info(W.admin, `Waiting ${ctx.config.delayStartCompleteTimeSec} s (AKU_DELAY_START_COMPLETE_TIME) before leaving ADMIN_MODE.`);
      if (!ctx.dryRun) await ctx.sleep(ctx.config.delayStartCompleteTimeSec * 1000);
    }
    await self.change(alterSystemSet('ADMIN_MODE', 0));
    logger.info(W.admin, 'ADMIN_MODE is 0: the server accepts ordinary users.');
  });

  await step(W.complete, async () => {
    if (!ctx.dryRun) writeCompletionFile(ctx.completionFile);
    logger.debug(W.complete, `Wrote ${ctx.completionFile}.`);
  });
}

/** ② A second start is refused; the pod name must be the StatefulSet's. */
function checkRole(ctx: LifecycleContext): void {
  const { topology, logger } = ctx;
  if (completionFileExists(ctx.completionFile)) {
    throw new LifecycleError(
      `aku -p start already completed on this pod (${ctx.completionFile} exists). Run aku -p end first; ` +
        'if the server was restarted without it, delete the file and run aku -p start again.',
      W.role,
    );
  }
  logger.info(W.role, topology.self.role === 'MASTER' ? 'Start as MASTER Pod.' : 'Start as SLAVE Pod.');
  const mismatch = podNameMismatch(ctx.config, { name: topology.self.podName, ordinal: topology.self.ordinal, source: 'AKU_POD_NAME' });
  if (mismatch) throw new LifecycleError(`${mismatch}. Set AKU_STS_NAME to the StatefulSet's name.`, W.role);
}

/** What the user runs after a MASTER failure: `aku recover` in the MASTER's pod, from a slave that holds the data. */
function recoverHint(ctx: LifecycleContext, ordinal: number): string {
  const master = `${ctx.config.stsName}-${MASTER_ORDINAL}`;
  return `Restore the MASTER from a slave with aku recover --from <ordinal> in ${master}: kubectl exec ${master} -- aku recover --from ${ordinal} prints the plan and changes nothing; add --yes to carry it out (docs/recover.md).`;
}

/** A slave that needs a SYNC needs the MASTER; without it nothing is truncated. */
function requireMaster(ctx: LifecycleContext, reached: Reached): Server {
  const master = reached.servers.get(MASTER_ORDINAL);
  if (master) return master;
  const why = reached.unreachable.get(MASTER_ORDINAL);
  throw new LifecycleError(
    `the MASTER pod ${ctx.topology.master.host} cannot be reached (${shortReason(why?.error)}), and this pod needs its data. ` +
      'Nothing was truncated; aku -p start will sync once the MASTER is back.',
    W.source,
  );
}

/**
 * An `aku recover` that began and did not finish (SYS.AKU_RECOVERY says RUNNING) may have left the
 * MASTER truncated with no pair holding history on either side — nothing the checks below would
 * flag — and a start then would put an emptied MASTER in service. Only the recovery finishes it.
 */
async function refuseHalfRecovered(ctx: LifecycleContext, self: Server): Promise<void> {
  const record = await readRecord(self);
  if (record?.state !== 'RUNNING') return;
  const master = `${ctx.config.stsName}-${MASTER_ORDINAL}`;
  throw new LifecycleError(
    `aku recover began restoring this MASTER from ${ctx.config.stsName}-${record.source} at ${record.startedAt} and has not finished (SYS.AKU_RECOVERY on ${master} says RUNNING); ` +
      `this start does not put a half-restored MASTER in service. Finish the recovery: kubectl exec ${master} -- aku recover --from ${record.source} --yes (docs/recover.md).`,
    W.detect,
  );
}

/**
 * A replication pair whose one side holds history while the other lost it cannot simply be
 * restarted: the side that lost it would miss or replay changes. The manual's rule on the
 * MASTER, plus its mirror image on a slave that was already in service.
 */
async function detectFailedServers(
  ctx: LifecycleContext,
  self: Server,
  reached: Reached,
  states: Map<number, ReplicationStates>,
  leaves: Map<number, Map<string, string>>,
): Promise<void> {
  const own = states.get(self.ordinal) as ReplicationStates;
  const left = (ordinal: number, name: string) => leaves.get(ordinal)?.get(name);
  for (const group of ctx.config.replications) {
    if (ctx.topology.self.role === 'MASTER') {
      // In ordinal order: the refusal names the lowest slave with history (the servers were
      // reached in whatever order their sessions opened).
      for (const slave of [...reached.servers.values()].sort((a, b) => a.ordinal - b.ordinal)) {
        const name = replicationName(group, MASTER_ORDINAL, slave.ordinal);
        const theirs = states.get(slave.ordinal) as ReplicationStates;
        if (hasHistory(theirs, name) && !hasHistory(own, name)) {
          const when = left(self.ordinal, name);
          if (when !== undefined) {
            ctx.logger.warn(W.detect, `${slave.pod} holds history for ${name}, which this MASTER left deliberately (recorded by aku -p clean or aku reconcile at ${when}); that pair does not start, and aku -p start in ${slave.pod} rejoins it by TRUNCATE + SYNC.`, { pod: slave.pod, replication: name });
            continue;
          }
          ctx.logger.error(W.detect, FAILED_MASTER);
          throw new LifecycleError(
            `${FAILED_MASTER} ${slave.host} holds history for ${name} (XSN ${theirs.get(name)?.xsn}) but this MASTER's copy is ${own.has(name) ? 'reset (XSN -1)' : 'missing'}. ` +
              `${recoverHint(ctx, slave.ordinal)}`,
            W.detect,
          );
        }
        if (hasHistory(own, name) && !hasHistory(theirs, name) && (await readProperty(slave, 'ADMIN_MODE')) === '0') {
          const when = left(slave.ordinal, name);
          if (when !== undefined) {
            ctx.logger.warn(W.detect, `${slave.pod} left ${name} deliberately (recorded by aku -p clean or aku reconcile at ${when}): it is out of replication and not waited for; aku -p start in ${slave.pod} brings it back (TRUNCATE + SYNC).`, { pod: slave.pod, replication: name });
            continue;
          }
          ctx.logger.error(W.detect, FAILED_SLAVE, { pod: slave.pod, replication: name });
          throw new LifecycleError(
            `${FAILED_SLAVE} ${slave.host} is in service but its ${name} is ${theirs.has(name) ? 'reset (XSN -1)' : 'missing'} while this MASTER holds history for it, and it did not leave deliberately (no row in its SYS.AKU_LEFT_PAIRS).`,
            W.detect,
          );
        }
      }
    } else {
      const master = reached.servers.get(MASTER_ORDINAL);
      const name = replicationName(group, MASTER_ORDINAL, self.ordinal);
      if (master && hasHistory(own, name) && !hasHistory(states.get(MASTER_ORDINAL) as ReplicationStates, name) && left(MASTER_ORDINAL, name) === undefined) {
        ctx.logger.error(W.detect, FAILED_MASTER, { pod: master.pod, replication: name });
        throw new LifecycleError(
          `${FAILED_MASTER} This pod holds history for ${name} but the MASTER's copy has none; restarting replication would lose changes. ${recoverHint(ctx, self.ordinal)}`,
          W.detect,
        );
      }
    }
  }
}

/**
 * Per group, from this pod's object with the MASTER (decision 11): no history → sync, history →
 * resume — unless the MASTER left that pair deliberately (its side has no history and its
 * SYS.AKU_LEFT_PAIRS names it): this pod's history then has no counterpart, and it rejoins by
 * the reset path.
 */
function choosePaths(ctx: LifecycleContext, own: ReplicationStates, states: Map<number, ReplicationStates>, leaves: Map<number, Map<string, string>>): Map<string, Path> {
  const paths = new Map<string, Path>();
  for (const group of ctx.config.replications) {
    if (ctx.topology.self.role === 'MASTER') {
      paths.set(group.prefix, 'resume');
      continue;
    }
    const name = replicationName(group, MASTER_ORDINAL, ctx.topology.self.ordinal);
    const masterLeft = leaves.get(MASTER_ORDINAL)?.get(name);
    const masterStates = states.get(MASTER_ORDINAL);
    const rejoin = hasHistory(own, name) && masterLeft !== undefined && masterStates !== undefined && !hasHistory(masterStates, name);
    const path: Path = hasHistory(own, name) && !rejoin ? 'resume' : 'sync';
    paths.set(group.prefix, path);
    ctx.logger.info(
      W.path,
      rejoin
        ? `The MASTER left ${name} deliberately (recorded by aku -p clean or aku reconcile at ${masterLeft}): group ${group.prefix} rejoins; it will be truncated and synchronised from the MASTER.`
        : path === 'sync'
          ? `${own.has(name) ? 'Replication information was reset' : 'No replication information yet'}: group ${group.prefix} will be truncated and synchronised from the MASTER.`
          : `Replication information is intact (XSN ${own.get(name)?.xsn}): group ${group.prefix} resumes.`,
      { replication: name },
    );
  }
  return paths;
}

/** ④ Every object this pod shares with every other pod, per group. The first failure ends the run (BUG-50950). */
async function createOwnObjects(ctx: LifecycleContext, self: Server, own: ReplicationStates): Promise<void> {
  for (const link of ctx.topology.links) {
    try {
      await ensureObject(ctx, self, own, link.group, link.peer.ordinal);
    } catch (error) {
      throw new LifecycleError(`creating ${link.name} on ${self.host} failed: ${error instanceof Error ? error.message : String(error)}`, W.create);
    }
  }
}

/**
 * Before truncating and syncing a group again, every object of the pair set loses its old
 * history: the MASTER's object so SYNC sets a fresh restart point, and the other pods' objects
 * toward this pod so nothing from before reaches the truncated tables. Running this again after
 * a crash does the same thing, which is what makes the sync path resumable.
 */
async function prepareForSync(ctx: LifecycleContext, self: Server, reached: Reached, states: Map<number, ReplicationStates>, groups: ReplicationGroup[]): Promise<void> {
  const i = self.ordinal;
  const master = reached.servers.get(MASTER_ORDINAL) as Server;
  for (const group of groups) {
    await ensureObject(ctx, master, states.get(MASTER_ORDINAL) as ReplicationStates, group, i);
    const servers = [self, ...reached.servers.values()];
    await Promise.all(
      servers.map(async (server) => {
        const serverStates = states.get(server.ordinal) as ReplicationStates;
        const names = server === self
          ? ctx.topology.links.filter((l) => l.group === group).map((l) => l.name)
          : [replicationName(group, i, server.ordinal)];
        for (const name of names) {
          const state = serverStates.get(name);
          if (state && (state.started || state.xsn !== -1)) {
            ctx.logger.info(W.prepare, `Stopping and resetting ${name} before the sync.`, { pod: server.pod, replication: name });
            await stopAndReset(server, name, serverStates);
          }
        }
      }),
    );
  }
}

/**
 * Closes the window decision 23 describes. Altibase does not forward received changes, so a
 * change made on another slave j reaches this pod only through the MASTER's snapshot or through
 * the direct pair (i, j). Before the snapshot, every reached slave j:
 *   - pins its restart point toward this pod: `START RETRY` of `P_ij` on j, while this pod has no
 *     `P_ij` (dropped here), so j records from now on but cannot deliver into tables that are about
 *     to be truncated;
 *   - flushes its pair with the MASTER (`FLUSH WAIT`), then STOPs and STARTs it again: FLUSH
 *     returns when the changes are sent, STOP when the MASTER applied them, so every change j
 *     made before the pin is in the MASTER's tables when SYNC takes the snapshot.
 * After SYNC the pair reconnects from the pinned point (see startLinks); changes that are both in
 * the snapshot and re-sent by j are skipped by Altibase's conflict rules.
 */
async function holdOtherPodsChanges(ctx: LifecycleContext, self: Server, reached: Reached, states: Map<number, ReplicationStates>, groups: ReplicationGroup[]): Promise<void> {
  const own = states.get(self.ordinal) as ReplicationStates;
  const others = [...reached.servers.values()].filter((s) => s.ordinal !== MASTER_ORDINAL);
  const boundSec = flushAtStartBoundSec(ctx.config);
  for (const group of groups) {
    // Only toward reached slaves: an absent pod's pair stays (reset) and is handled by startTowardAbsentPeer.
    for (const link of ctx.topology.links.filter((l) => l.group === group && l.peer.ordinal !== MASTER_ORDINAL && reached.servers.has(l.peer.ordinal) && own.has(l.name))) {
      await self.change(dropReplication(link.name));
      own.delete(link.name);
    }
    await Promise.all(
      others.map(async (peer) => {
        const name = replicationName(group, self.ordinal, peer.ordinal);
        const toMaster = replicationName(group, MASTER_ORDINAL, peer.ordinal);
        const target = { pod: peer.pod, replication: name };
        if (!hasJoined(states, group, peer.ordinal)) {
          warnNotJoined(ctx, W.prepare, peer, toMaster);
          return;
        }
        await ensureObject(ctx, peer, states.get(peer.ordinal) as ReplicationStates, group, self.ordinal);
        await peer.changeTolerating(startReplication(name, { retry: true }), [AltibaseCode.SENDER_ALREADY_STARTED]);
        // Its pair with the MASTER may have been stopped by an earlier, interrupted join (below).
        await peer.changeTolerating(startReplication(toMaster, { retry: true }), [AltibaseCode.SENDER_ALREADY_STARTED]);
        ctx.logger.info(W.prepare, `${peer.pod} keeps its changes for this pod from now on; flushing its changes to the MASTER before the sync.`, target);
        const flushed = await flushWithin(ctx, {
          where: W.prepare, server: peer, name: toMaster, peerHost: ctx.topology.master.host, all: false, deadline: ctx.now() + boundSec * 1000, boundSec,
        });
        if (flushed.kind !== 'flushed') {
          const why = flushed.kind === 'expired' ? `not flushed within ${boundSec} s` : flushed.kind === 'failed' ? flushed.reason : 'its sender is not running';
          throw new LifecycleError(
            `${peer.host} could not flush its changes to the MASTER (${toMaster}: ${why}); a SYNC now could miss them. ` +
              'Nothing was truncated; aku -p start will try again.',
            W.prepare,
          );
        }
        // FLUSH returns once the changes are sent, not applied (altibase-replication.md §4.6); STOP
        // returns once the MASTER's receiver applied what was sent, so the snapshot taken next holds
        // them. START RETRY resumes the pair from its restart point at once.
        await peer.changeTolerating(stopReplication(toMaster), [AltibaseCode.REPLICATION_NOT_STARTED]);
        await peer.changeTolerating(startReplication(toMaster, { retry: true }), [AltibaseCode.SENDER_ALREADY_STARTED]);
      }),
    );
  }
}

/**
 * ⑤ Rows left from an earlier life would collide with the MASTER's rows during SYNC. TRUNCATE
 * of a replicated table needs REPLICATION_DDL_ENABLE = 1; the value found before is written
 * beside the completion file first, so that a run killed before restoring it restores it next
 * time (restoreDdlEnable).
 */
async function truncateTables(ctx: LifecycleContext, self: Server, groups: ReplicationGroup[]): Promise<void> {
  ctx.logger.info(W.truncate, 'Truncate tables for replications.');
  const previous = await readProperty(self, 'REPLICATION_DDL_ENABLE');
  const mustEnable = previous !== '1';
  if (mustEnable) {
    if (!ctx.dryRun) recordDdlEnable(ctx.completionFile, previous ?? '0');
    await self.change(alterSystemSet('REPLICATION_DDL_ENABLE', 1));
  }
  try {
    for (const item of groups.flatMap((g) => g.items)) await self.change(truncateItem(item));
  } finally {
    // Restore what the server had, also when a TRUNCATE failed.
    if (mustEnable) {
      await self.change(alterSystemSet('REPLICATION_DDL_ENABLE', 0));
      if (!ctx.dryRun) forgetDdlEnable(ctx.completionFile);
    }
  }
  ctx.logger.info(W.truncate, 'Table truncation has ended.');
}

/** A run killed between enabling and restoring REPLICATION_DDL_ENABLE left the value it found; put it back. */
async function restoreDdlEnable(ctx: LifecycleContext, self: Server): Promise<void> {
  const recorded = recordedDdlEnable(ctx.completionFile);
  if (recorded === undefined) return;
  const now = await readProperty(self, 'REPLICATION_DDL_ENABLE');
  if (now !== recorded) {
    await self.change(alterSystemSet('REPLICATION_DDL_ENABLE', recorded === '1' ? 1 : 0));
    ctx.logger.warn(W.connect, `REPLICATION_DDL_ENABLE was left at ${now} by an interrupted run; restored to ${recorded}, the value it had before.`, { pod: self.pod });
  }
  if (!ctx.dryRun) forgetDdlEnable(ctx.completionFile);
}

/** ⑥⑦ The MASTER copies its rows to this pod and starts its sender from the snapshot. */
async function syncFromMaster(ctx: LifecycleContext, master: Server, self: Server, groups: ReplicationGroup[]): Promise<void> {
  ctx.logger.info(W.sync, 'Sync tables from MASTER Server.');
  for (const group of groups) {
    const name = replicationName(group, MASTER_ORDINAL, self.ordinal);
    await withProgress(ctx, W.sync, `SYNC of ${name} from ${master.host}`, { pod: master.pod, replication: name }, () =>
      master.change(syncReplication(name, group.syncParallelCount)));
  }
  ctx.logger.info(W.sync, 'Replication sync has ended.');
}

/**
 * ⑧ Starts every object of this pod with every reached pod, on both sides. A failure in a
 * synced group is fatal (its objects have no restart point yet, so changes would go unrecorded);
 * in a resumed group the restart point survives, so the pair resumes when that pod starts.
 */
async function startLinks(ctx: LifecycleContext, self: Server, reached: Reached, states: Map<number, ReplicationStates>, paths: Map<string, Path>): Promise<void> {
  const byPeer = new Map<number, typeof ctx.topology.links>();
  for (const link of ctx.topology.links) byPeer.set(link.peer.ordinal, [...(byPeer.get(link.peer.ordinal) ?? []), link]);

  await Promise.all(
    [...byPeer.entries()].map(async ([ordinal, links]) => {
      const peer = reached.servers.get(ordinal);
      for (const link of links) {
        const path = paths.get(link.group.prefix) as Path;
        const target = { pod: peer?.pod ?? podOf(link.peer.host), replication: link.name };
        if (!peer) {
          await startTowardAbsentPeer(ctx, self, states.get(self.ordinal) as ReplicationStates, link.name, ordinal);
          continue;
        }
        const theirs = (states.get(ordinal) as ReplicationStates).get(link.name);
        if (path === 'sync' && !hasJoined(states, link.group, ordinal)) {
          warnNotJoined(ctx, W.start, peer, replicationName(link.group, MASTER_ORDINAL, ordinal));
          continue;
        }
        if (path === 'resume' && theirs !== undefined && theirs.xsn !== -1 && !hasHistory(states.get(self.ordinal) as ReplicationStates, link.name) && ctx.topology.self.role === 'MASTER') {
          // This MASTER left the pair deliberately (detectFailedServers checked its record); the
          // slave's history has no counterpart here, and its own start rejoins by TRUNCATE + SYNC.
          ctx.logger.info(W.start, `${link.name} does not start: ${peer.pod} rejoins it by TRUNCATE + SYNC at its next aku -p start.`, target);
          continue;
        }
        if (path === 'resume' && (theirs === undefined || theirs.xsn === -1)) {
          // That pod has not joined yet (or left with a reset): starting the pair now would feed
          // it changes before its own aku -p start truncates and syncs it.
          ctx.logger.info(W.start, `${peer.pod} has no replication history for ${link.name} yet; the pair starts when its aku -p start joins it.`, target);
          continue;
        }
        try {
          await ensureObject(ctx, peer, states.get(ordinal) as ReplicationStates, link.group, self.ordinal);
          await ensureObject(ctx, self, states.get(self.ordinal) as ReplicationStates, link.group, ordinal);
          await startOn(ctx, self, link.name, path);
          if (path === 'resume') await startOn(ctx, peer, link.name, path);
          // After SYNC the MASTER's sender already runs. Another slave's sender was started in
          // RETRY before the snapshot; STOP and START reconnect it now, from its pinned point.
          else if (ordinal !== MASTER_ORDINAL) await restartPinnedSender(peer, link.name);
        } catch (error) {
          if (path === 'sync') throw error;
          ctx.logger.warn(W.start, `Could not start ${link.name} with ${peer.host}: ${shortReason(error)}. Its restart point is kept; the pair resumes when ${peer.pod} runs aku -p start.`, target);
        }
      }
    }),
  );
}

/**
 * A slave has joined a group when its pair with the MASTER holds history. One that has not (new,
 * cleaned with -p clean, or reset at end) is out of replication: it holds no changes anyone
 * needs, and its own -p start joins it by TRUNCATE + SYNC.
 */
function hasJoined(states: Map<number, ReplicationStates>, group: ReplicationGroup, ordinal: number): boolean {
  if (ordinal === MASTER_ORDINAL) return true;
  const theirs = states.get(ordinal);
  return theirs !== undefined && hasHistory(theirs, replicationName(group, MASTER_ORDINAL, ordinal));
}

function warnNotJoined(ctx: LifecycleContext, where: string, peer: Server, toMaster: string): void {
  ctx.logger.warn(
    where,
    `${peer.pod} is out of replication (its ${toMaster} has no restart point): it is not waited for and no pair with it starts now; ` +
      `aku -p start in ${peer.pod} brings it back (TRUNCATE + SYNC from the MASTER).`,
    { pod: peer.pod, replication: toMaster },
  );
}

async function restartPinnedSender(peer: Server, name: string): Promise<void> {
  await peer.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
  await peer.change(startReplication(name));
}

/** START; in a resumed group a sender the server restarted at boot answers ERR-6100A, which is fine (decision 22). */
async function startOn(ctx: LifecycleContext, server: Server, name: string, path: Path): Promise<void> {
  if (path === 'resume') {
    const target = { pod: server.pod, replication: name };
    try {
      const outcome = await server.changeTolerating(startReplication(name), [AltibaseCode.SENDER_ALREADY_STARTED]);
      if (outcome === 'already') ctx.logger.info(W.start, `${name} was already running on ${server.host}.`, target);
    } catch (error) {
      if (!(error instanceof DbError && error.isCode(AltibaseCode.HANDSHAKE_FAILED))) throw error;
      // The peer answers SQL but not on the replication port (a cut link): the restart point is
      // kept either way, and a sender in RETRY reconnects by itself when the link heals, where a
      // stopped one would wait for the next aku -p start.
      await server.changeTolerating(startReplication(name, { retry: true }), [AltibaseCode.SENDER_ALREADY_STARTED]);
      ctx.logger.warn(W.start, `${name} on ${server.pod} could not reach its peer (${shortReason(error)}); started in RETRY mode: it delivers when the link heals.`, target);
    }
  } else {
    await server.change(startReplication(name));
  }
}

/**
 * A lower-ordinal pod that is down now existed when this one was created (OrderedReady), so it
 * will come back. If this pod's object toward it has no restart point, START RETRY sets one now,
 * so changes made here from now on are kept for it. Absent higher ordinals do not exist yet and
 * will join through SYNC.
 */
async function startTowardAbsentPeer(ctx: LifecycleContext, self: Server, own: ReplicationStates, name: string, ordinal: number): Promise<void> {
  if (ordinal > self.ordinal || own.get(name)?.xsn !== -1) return;
  await self.changeTolerating(startReplication(name, { retry: true }), [AltibaseCode.SENDER_ALREADY_STARTED]);
  ctx.logger.info(W.start, `${name}: its peer is down; started in RETRY mode so changes are kept until it returns.`, { replication: name });
}

/**
 * FLUSH for pairs that resumed with history on both sides, all within one bound (flushAtStartBoundSec): this
 * pod sends what it had not sent (`FLUSH ALL`: nobody writes here yet, ADMIN_MODE is 1), and each
 * reached pod sends what it had not sent to this one (`FLUSH`, whose target is fixed when issued,
 * so writers on that pod cannot make it chase). A FLUSH that runs out of time leaves replication
 * running: the started sender delivers the rest when the link heals.
 */
async function flushResumedLinks(
  ctx: LifecycleContext,
  self: Server,
  reached: Reached,
  states: Map<number, ReplicationStates>,
  paths: Map<string, Path>,
  history: Set<string>,
): Promise<void> {
  // A peer side without history (not joined yet, reset, or dropped by -p clean) was not started
  // (startLinks): a FLUSH toward it could only wait out the bound.
  const links = ctx.topology.links.filter(
    (l) => paths.get(l.group.prefix) === 'resume' && history.has(l.name) && reached.servers.has(l.peer.ordinal) && hasHistory(states.get(l.peer.ordinal) as ReplicationStates, l.name),
  );
  if (links.length === 0) return;
  const boundSec = flushAtStartBoundSec(ctx.config);
  const deadline = ctx.now() + boundSec * 1000;
  ctx.logger.info(W.flush, 'Flush replications.');
  ctx.logger.info(W.flush, `Every FLUSH ends within ${boundSec} s (${ctx.config.flushTimeoutAtStartSec > 0 ? 'AKU_FLUSH_TIMEOUT_AT_START' : 'half of AKU_QUERY_TIMEOUT, at most 120 s, as AKU_FLUSH_TIMEOUT_AT_START is 0'}).`);
  const here = async () => {
    for (const link of links) await flushOn(ctx, self, link.name, link.peer.host, true, deadline, boundSec);
  };
  await Promise.all([
    here(),
    ...links.map((link) => flushOn(ctx, reached.servers.get(link.peer.ordinal) as Server, link.name, ctx.topology.self.host, false, deadline, boundSec)),
  ]);
  ctx.logger.info(W.flush, 'Replication flush has ended.');
}

async function flushOn(ctx: LifecycleContext, server: Server, name: string, peerHost: string, all: boolean, deadline: number, boundSec: number): Promise<void> {
  const target = { pod: server.pod, replication: name };
  const result = await flushWithin(ctx, { where: W.flush, server, name, peerHost, all, deadline, boundSec });
  if (result.kind === 'flushed') return;
  const why = result.kind === 'expired'
    ? `within ${boundSec} s${result.gap === undefined ? '' : ` (gap ${result.gap})`}`
    : result.kind === 'no-sender' ? '(no sender runs)' : `(${result.reason})`;
  ctx.logger.warn(W.flush, `${name} on ${server.pod} was not fully flushed ${why}; replication goes on and its sender delivers the rest when the link heals.`, target);
}
