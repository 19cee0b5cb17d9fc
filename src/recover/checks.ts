import { hasHistory, type ReplicationStates } from '../lifecycle/replication-state.js';
import { MASTER_ORDINAL, replicationName } from '../topology/index.js';
import { RecoverRefusal, W, type RecoverContext, type RecoverRequest } from './context.js';
import type { PodReading, SetReading } from './read.js';
import type { RecoveryRecord } from '../lifecycle/recovery-record.js';

/**
 * The refusals that need only the pods' replication state, all before anything changes: a MASTER
 * that did not fail, a source that cannot be one, a recovery from another pod still under way.
 * What they leave is the situation the rest of the run works from.
 */

export interface Situation {
  source: PodReading;
  /** A recovery from this source that began and did not finish: this run resumes it. */
  resuming: RecoveryRecord | undefined;
  /** A recovery from this source that finished, its pair with the MASTER still holding history: nothing is left to do. */
  finished: RecoveryRecord | undefined;
  /** Reached slaves other than the source whose data comes from the set (their pair with the MASTER holds history): compared with the source. */
  joined: PodReading[];
  /** Reached slaves other than the source that still take part in replication: they leave. */
  leavers: PodReading[];
  /** Reached slaves other than the source that are already out of replication. */
  alreadyOut: PodReading[];
  /** Unreachable slaves whose pair with the source holds history there: changes they made may not have reached it. */
  absent: { ordinal: number; pod: string; reason: string; pairs: { name: string; xsn: number }[] }[];
}

export function checkSituation(ctx: RecoverContext, reading: SetReading, request: RecoverRequest): Situation {
  const { master } = reading;
  const s = request.source;
  const sourcePod = `${ctx.config.stsName}-${s}`;
  const record = reading.record?.state === 'RUNNING' ? reading.record : undefined;
  if (record !== undefined && record.source !== s) {
    throw new RecoverRefusal(
      `a recovery of the MASTER from ${ctx.config.stsName}-${record.source} began at ${record.startedAt} and has not finished (SYS.AKU_RECOVERY on ${master.pod}); ` +
        `finish it with aku recover --from ${record.source} --yes. To abandon it instead, run on ${master.pod}: DELETE FROM SYS.AKU_RECOVERY; (the MASTER then holds whatever that recovery left). Nothing was changed.`,
      W.check,
    );
  }
  const source = reading.slaves.get(s);
  if (source === undefined) {
    const why = reading.unreachable.get(s)?.reason ?? 'no answer';
    throw new RecoverRefusal(`the source ${sourcePod} is not reachable (${why}); the MASTER can only be restored from a running slave. Nothing was changed. Bring it back, or choose another --from.`, W.check);
  }
  const done = reading.record?.state === 'DONE' ? reading.record : undefined;
  const restored = pairsWithMaster(ctx, s).every((name) => hasHistory(master.states, name) && hasHistory(source.states, name));
  const finished = done !== undefined && done.source === s && restored ? done : undefined;
  // A resumed (or finished) recovery needs its source reachable only: one that restarted meanwhile
  // cannot get back in service (its own start waits for the MASTER), and nothing writes there while it is not.
  if (record === undefined && finished === undefined && source.adminMode !== '0') {
    throw new RecoverRefusal(
      `the source ${source.pod} is not in service (ADMIN_MODE ${source.adminMode ?? 'unknown'}: its own aku -p start has not completed, or it is ending), so its data is not known to be the set's latest. ` +
        'Nothing was changed. Choose a slave in service as --from (aku status shows which are).',
      W.check,
    );
  }

  if (finished !== undefined) {
    ctx.logger.info(W.check, `The recovery from ${source.pod} that began at ${finished.startedAt} has finished (SYS.AKU_RECOVERY on ${master.pod} says DONE): nothing is left to do.`, { pod: master.pod });
  } else if (record === undefined) {
    checkMasterFailed(ctx, master, done);
    checkSourceHistory(ctx, source);
    ctx.logger.info(W.check, `The MASTER ${master.pod} has failed: ADMIN_MODE ${master.adminMode}, and none of its pairs holds replication history.`, { pod: master.pod });
    const pairs = pairsWithMaster(ctx, s).map((name) => `${name} XSN ${source.states.get(name)?.xsn}`);
    ctx.logger.info(W.check, `The source ${source.pod} is in service and holds history with the set (${pairs.join(', ')}).`, { pod: source.pod });
  } else {
    ctx.logger.info(W.check, `Resuming the recovery from ${source.pod} that began at ${record.startedAt} (SYS.AKU_RECOVERY on ${master.pod}).`, { pod: master.pod });
  }

  const others = [...reading.slaves.values()].filter((p) => p.ordinal !== s).sort((a, b) => a.ordinal - b.ordinal);
  const leavers = others.filter((p) => takesPart(ctx, reading, p));
  const absent = [...reading.unreachable]
    .filter(([ordinal]) => ordinal !== s)
    .sort(([a], [b]) => a - b)
    .map(([ordinal, { pod, reason }]) => ({
      ordinal,
      pod,
      reason,
      pairs: ctx.config.replications
        .map((g) => replicationName(g, s, ordinal))
        .filter((name) => hasHistory(source.states, name))
        .map((name) => ({ name, xsn: source.states.get(name)?.xsn ?? -1 })),
    }))
    .filter((a) => a.pairs.length > 0);
  return {
    source,
    resuming: record,
    finished,
    joined: others.filter((p) => pairsWithMaster(ctx, p.ordinal).some((name) => hasHistory(p.states, name))),
    leavers,
    alreadyOut: others.filter((p) => !leavers.includes(p)),
    absent,
  };
}

/** A MASTER in service, or one whose pairs hold history, did not lose its data: recovering it would truncate it. */
function checkMasterFailed(ctx: RecoverContext, master: PodReading, done: RecoveryRecord | undefined): void {
  const restoredBy = done === undefined ? '' : ` (aku recover restored it from ${ctx.config.stsName}-${done.source}, begun at ${done.startedAt})`;
  if (master.adminMode === '0') {
    throw new RecoverRefusal(
      `the MASTER ${master.pod} is in service (ADMIN_MODE 0)${restoredBy}: its aku -p start completed, so it did not fail, and a recovery would truncate its tables. ` +
        'Nothing was changed. aku status shows how its pairs are.',
      W.check,
    );
  }
  const kept = masterObjects(ctx).filter((name) => hasHistory(master.states, name));
  if (kept.length > 0) {
    throw new RecoverRefusal(
      `the MASTER ${master.pod} holds replication history (${kept.map((n) => `${n} XSN ${master.states.get(n)?.xsn}`).join(', ')})${restoredBy}: it did not lose its replication information, ` +
        'so it did not fail the way recover repairs, and a recovery would truncate its tables. Nothing was changed. Its aku -p start resumes those pairs; ' +
        'if it refuses, its message says what it found.',
      W.check,
    );
  }
}

function checkSourceHistory(ctx: RecoverContext, source: PodReading): void {
  const missing = pairsWithMaster(ctx, source.ordinal).filter((name) => !hasHistory(source.states, name));
  if (missing.length > 0) {
    throw new RecoverRefusal(
      `the source ${source.pod} holds no replication history with the MASTER for ${missing.map((n) => `${n} (${source.states.has(n) ? 'XSN -1' : 'missing'})`).join(', ')}: ` +
        'it left the set or never joined it, so its data is not known to be the set\'s. Nothing was changed. Choose a slave whose pair with the MASTER holds history as --from (aku status shows them).',
      W.check,
    );
  }
}

/**
 * Still in replication, so it must leave before the MASTER is restored: in service, or any pair
 * of it holds history or runs, on its side or on a reached peer's.
 */
function takesPart(ctx: RecoverContext, reading: SetReading, pod: PodReading): boolean {
  if (pod.adminMode === '0') return true;
  const live = (states: ReplicationStates, name: string) => {
    const state = states.get(name);
    return state !== undefined && (state.started || state.xsn !== -1);
  };
  const peers = [reading.master, ...reading.slaves.values()].filter((p) => p.ordinal !== pod.ordinal);
  return peers.some((peer) => ctx.config.replications.some((g) => {
    const name = replicationName(g, pod.ordinal, peer.ordinal);
    return live(pod.states, name) || live(peer.states, name);
  })) || linksOf(ctx, pod.ordinal).some((name) => live(pod.states, name));
}

/** The objects a slave shares with the MASTER, one per group. */
export function pairsWithMaster(ctx: RecoverContext, ordinal: number): string[] {
  return ctx.config.replications.map((g) => replicationName(g, MASTER_ORDINAL, ordinal));
}

/** Every object of a pod, toward every other ordinal of the set, for every group. */
export function linksOf(ctx: RecoverContext, ordinal: number): string[] {
  const names: string[] = [];
  for (const group of ctx.config.replications) {
    for (let peer = 0; peer < ctx.config.serverCount; peer++) if (peer !== ordinal) names.push(replicationName(group, ordinal, peer));
  }
  return names;
}

function masterObjects(ctx: RecoverContext): string[] {
  return linksOf(ctx, MASTER_ORDINAL);
}
