import { AltibaseCode } from '../db/errors.js';
import type { LifecycleContext } from '../lifecycle/context.js';
import { LifecycleError } from '../lifecycle/errors.js';
import { flushAtStartBoundSec, flushWithin } from '../lifecycle/flush.js';
import { recordLeaves } from '../lifecycle/leaves.js';
import { hasHistory, readStates, type ReplicationStates } from '../lifecycle/replication-state.js';
import { shortReason } from '../lifecycle/server.js';
import { alterSystemSet, resetReplication, selectReplicationGap, startReplication, stopReplication } from '../sql/index.js';
import { replicationName } from '../topology/index.js';
import { W, type RecoverContext } from './context.js';
import { linksOf, pairsWithMaster, type Situation } from './checks.js';
import type { PodReading, SetReading } from './read.js';

/**
 * Every slave but the source leaves replication, the way `-p end` decommissions a pod: no new
 * application session (ADMIN_MODE 1: what it took now would reach nobody), its own changes
 * delivered to the source (FLUSH ALL, bounded, then STOP and a check that nothing committed after
 * the FLUSH stayed behind), then every pair of it stopped and reset on both sides. It rejoins by
 * its own `aku -p start`: TRUNCATE + SYNC from the restored MASTER.
 *
 * It runs before the MASTER is restored: the source's rows are copied to the MASTER by SYNC, and
 * a change that reached the source after that copy would never reach the MASTER (not forwarded).
 *
 * Each part is idempotent, so a rerun after a failure goes through it again: ADMIN_MODE 1 again,
 * a pair that still holds history is delivered again, what was reset stays reset.
 */
export async function leaveAll(ctx: RecoverContext, lctx: LifecycleContext, reading: SetReading, situation: Situation): Promise<void> {
  for (const slave of situation.leavers) await leave(ctx, lctx, reading, situation, slave);
  for (const slave of situation.alreadyOut) {
    ctx.logger.info(W.leave, `${slave.pod} is already out of replication (no pair of it holds history, ADMIN_MODE ${slave.adminMode}); its aku -p start joins it from the restored MASTER.`, { pod: slave.pod });
  }
  if (situation.absent.length > 0) await recordAbsent(ctx, reading, situation);
}

async function leave(ctx: RecoverContext, lctx: LifecycleContext, reading: SetReading, situation: Situation, slave: PodReading): Promise<void> {
  const source = situation.source;
  ctx.logger.info(W.leave, `${slave.pod} leaves replication; it rejoins from the restored MASTER by its own aku -p start.`, { pod: slave.pod });
  await slave.server.change(alterSystemSet('ADMIN_MODE', 1));
  slave.adminMode = '1';
  ctx.logger.info(W.leave, `ADMIN_MODE is 1 on ${slave.pod}: no new application session opens there.`, { pod: slave.pod });

  for (const group of ctx.config.replications) {
    const name = replicationName(group, source.ordinal, slave.ordinal);
    if (hasHistory(slave.states, name)) await deliverToSource(ctx, lctx, slave, source, name);
  }

  // This side first, as -p end does: a run stopped between the two sides leaves this slave
  // without history, and the peers' sides are reset by the rerun or by this slave's own join.
  const peers = [reading.master, ...reading.slaves.values()].filter((p) => p.ordinal !== slave.ordinal).sort((a, b) => a.ordinal - b.ordinal);
  for (const name of linksOf(ctx, slave.ordinal)) await stopAndResetIfLive(ctx, slave, name);
  for (const peer of peers) {
    for (const group of ctx.config.replications) await stopAndResetIfLive(ctx, peer, replicationName(group, slave.ordinal, peer.ordinal));
  }
  ctx.logger.info(W.leave, `${slave.pod} has left replication: every pair of it is stopped and reset on both sides.`, { pod: slave.pod });
}

/**
 * FLUSH ALL toward the source within the bound (nobody new writes here: ADMIN_MODE 1), then the
 * sender's last log position (V$REPGAP.REP_LAST_SN) read just before STOP and the restart point
 * (XSN) just after it: STOP returns once the source applied what was sent, so an XSN behind that
 * position is a change committed after the FLUSH (a session opened before ADMIN_MODE 1) that
 * never left. Anything short of full delivery stops the run before this slave is reset.
 */
async function deliverToSource(ctx: RecoverContext, lctx: LifecycleContext, slave: PodReading, source: PodReading, name: string): Promise<void> {
  const target = { pod: slave.pod, replication: name };
  const undelivered = (why: string) =>
    new LifecycleError(
      `${slave.pod} could not deliver all its changes to ${source.pod} (${name}: ${why}); nothing of ${slave.pod}'s pairs was reset, so it keeps them. ` +
        `${slave.pod} takes no new application session now (ADMIN_MODE 1). Once ${name} delivers again (aku status shows the pair), run aku recover --from ${source.ordinal} --yes again: it resumes here.`,
      W.leave,
    );
  // A pair stopped with a restart point (an earlier run stopped here) holds changes only a running sender sends.
  try {
    await slave.server.changeTolerating(startReplication(name), [AltibaseCode.SENDER_ALREADY_STARTED]);
  } catch (error) {
    throw undelivered(`its sender could not start: ${shortReason(error)}`);
  }
  const boundSec = flushAtStartBoundSec(ctx.config);
  ctx.logger.info(W.leave, `Flushing ${slave.pod}'s changes to ${source.pod}, within ${boundSec} s.`, target);
  const result = await flushWithin(lctx, { where: W.leave, server: slave.server, name, peerHost: source.pod, all: true, deadline: ctx.now() + boundSec * 1000, boundSec });
  if (result.kind === 'expired') throw undelivered(`not flushed within ${boundSec} s${result.gap === undefined ? '' : `, gap ${result.gap}`}`);
  if (result.kind === 'failed') throw undelivered(`FLUSH failed: ${result.reason}`);
  if (result.kind === 'no-sender') throw undelivered('its sender stopped during the FLUSH');
  const rows = await slave.server.read(selectReplicationGap(name));
  const last = rows[0]?.REP_LAST_SN;
  await slave.server.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
  const after = await readStates(slave.server);
  const xsn = after.get(name)?.xsn ?? -1;
  refresh(slave.states, after);
  if (last !== undefined && last !== null && xsn < Number(last)) {
    throw undelivered(`a change committed after its FLUSH was not sent (XSN ${xsn} after STOP, log at ${last} before it)`);
  }
  ctx.logger.info(W.leave, `${slave.pod}'s changes have reached ${source.pod}.`, target);
}

/** STOP (not started is fine) and RESET of an object that exists and runs or holds history. */
async function stopAndResetIfLive(ctx: RecoverContext, pod: PodReading, name: string): Promise<void> {
  const state = pod.states.get(name);
  if (state === undefined || (!state.started && state.xsn === -1)) return;
  await pod.server.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
  await pod.server.change(resetReplication(name));
  pod.states.set(name, { ...state, xsn: -1, started: false });
  ctx.logger.debug(W.leave, `Stopped and reset ${name}.`, { pod: pod.pod, replication: name });
}

/**
 * A slave that cannot be reached keeps its history with the old MASTER. Its pairs with the MASTER
 * are recorded as left on the MASTER (SYS.AKU_LEFT_PAIRS, docs/lifecycle.md "Deliberate
 * leaves"), so that its next start rejoins by TRUNCATE + SYNC instead of reporting a failed
 * MASTER, and the MASTER's own start goes on without it.
 */
async function recordAbsent(ctx: RecoverContext, reading: SetReading, situation: Situation): Promise<void> {
  const names = situation.absent.flatMap((a) => pairsWithMaster(ctx, a.ordinal));
  await recordLeaves(reading.master.server, names, new Date(ctx.now()));
  for (const absent of situation.absent) {
    ctx.logger.warn(
      W.leave,
      `${absent.pod} is not reachable: its pairs with the MASTER are recorded as left on ${reading.master.pod}, so its aku -p start rejoins by TRUNCATE + SYNC. ` +
        `Changes it made that had not reached ${situation.source.pod} are lost; to be sure none come back, delete its volume before it starts again (docs/recover.md).`,
      { pod: absent.pod },
    );
  }
}

function refresh(states: ReplicationStates, after: ReplicationStates): void {
  for (const [name, state] of after) states.set(name, state);
}
