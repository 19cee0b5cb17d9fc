import { parseReplicationName } from '../topology/index.js';
import type { ReconcileContext } from './context.js';
import { podName, W } from './context.js';
import { cureSurvivor } from './cure.js';
import { checkDeparted } from './departed.js';
import { RECONCILE_SCHEMA_VERSION, type DepartedReport, type KnownReplicas, type ObjectReport, type ReconcileReport } from './model.js';
import { waitForSettledSet } from './settle.js';
import { readSurvivors, type Survivor } from './survivors.js';

export type { ReconcileContext } from './context.js';
export type { KnownReplicas, ReconcileReport } from './model.js';
export { resolveReplicas, unknownCountMessage } from './replica-count.js';

/**
 * `aku reconcile`: on every pod in the set, the replication objects toward ordinals at or beyond
 * the replica count that still keep log for a pod that is gone (it died without `aku -p end`,
 * then the set was scaled down) are stopped and reset, the leave recorded — the aku manual's
 * "pod killed before -p end finished" procedure, done for every pod at once and safely:
 *   ① the replica count (the caller: --replicas or the StatefulSet)
 *   ② wait for departing pods to be gone and the set to settle (settle.ts)
 *   ③ read every pod in the set (survivors.ts)          ④ is each departed pod really gone (departed.ts)
 *   ⑤ per object: record the leave, name the gap, STOP, RESET (cure.ts)
 */
export async function runReconcile(ctx: ReconcileContext, replicas: KnownReplicas): Promise<ReconcileReport> {
  const { config, logger } = ctx;
  if (ctx.dryRun) logger.info('plan', 'Dry run: reading only; the statements below are what aku reconcile would run.');
  const settled = await waitForSettledSet(ctx, replicas.count);
  const survivors = await readSurvivors(ctx, replicas.count, settled.starting);
  const problems: string[] = [];
  try {
    const objects = survivors.flatMap((s) => objectsTowardDeparted(ctx, s, replicas.count));
    // A pod with nothing to cure gets its SYSDBA slot back now, not at the end of the run.
    await Promise.all(survivors.filter((s) => !objects.some((o) => o.ordinal === s.report.ordinal)).map((s) => s.server?.session.close()));
    const peers = [...new Set(objects.map((o) => o.peerOrdinal))].sort((a, b) => a - b);
    const departed: DepartedReport[] = [];
    for (const ordinal of peers) departed.push(await checkDeparted(ctx, ordinal, settled.departed.get(ordinal)));
    for (const o of objects) {
      const d = departed.find((r) => r.ordinal === o.peerOrdinal);
      if (d && d.state !== 'gone') Object.assign(o, { action: 'skipped', reason: d.state === 'running' ? `${o.peerPod} is still running (${d.reason}); its aku -p end decommissions it; run aku reconcile again once it is gone` : `whether ${o.peerPod} still exists is unknown (${d.reason})` });
    }
    for (const o of objects.filter((x) => x.action === 'planned' && !x.started && !ctx.discardKept)) {
      // Stopped with its restart point: what a departing pod's aku -p end leaves when it could not
      // deliver every change (end.ts). Its return delivers them; a reset here would lose them.
      Object.assign(o, {
        action: 'kept',
        reason: `stopped with its restart point (XSN ${o.xsn}), as ${o.peerPod}'s aku -p end leaves a pair when it could not deliver every change (or AKU_REPLICATION_RESET_AT_END = 0): scaling back up to ${o.peerOrdinal + 1} pods resumes the pair and delivers them; aku reconcile --discard-kept resets it, and those changes are lost`,
      });
      logger.warn(W.read, `${o.name} on ${o.pod} is kept: ${o.reason}.`, { pod: o.pod, replication: o.name });
    }
    await Promise.all(survivors.map(async (s) => {
      const mine = objects.filter((o) => o.ordinal === s.report.ordinal && o.action === 'planned');
      if (mine.length > 0) await cureSurvivor(ctx, s, mine);
      await s.server?.session.close();
    }));
    for (const d of departed.filter((r) => r.state === 'gone' && objects.some((o) => o.peerOrdinal === r.ordinal && (o.action === 'reset' || o.action === 'planned')))) {
      logger.warn(W.gap, `What ${d.pod} had written and not yet sent to the pods in the set cannot be seen from here: it exists on ${d.pod}'s volume only. If that volume returns, ${d.pod}'s server restarts the senders it had started, and what they deliver before its aku -p start truncates and synchronises it reaches the pods in the set.`, { pod: d.pod });
    }

    for (const s of survivors.filter((p) => p.report.state === 'busy' || p.report.state === 'unreachable')) {
      problems.push(`${s.report.pod} was not read (${s.report.reason}); run aku reconcile again when it ${s.report.state === 'busy' ? 'is free' : 'answers'}`);
    }
    for (const o of objects.filter((x) => x.action === 'skipped' || x.action === 'failed')) problems.push(`${o.name} on ${o.pod} ${o.action}: ${o.reason}`);
    const report: ReconcileReport = {
      schemaVersion: RECONCILE_SCHEMA_VERSION,
      command: 'reconcile',
      dryRun: ctx.dryRun,
      exitCode: problems.length === 0 ? 0 : 1,
      replicas,
      serverCount: config.serverCount,
      pods: survivors.map((s) => s.report),
      departed,
      objects,
      problems,
    };
    summarise(ctx, report);
    return report;
  } finally {
    await Promise.all(survivors.map((s) => s.server?.session.close()));
  }
}

/**
 * The objects on one read pod named for a pair with an ordinal at or beyond the replica count,
 * that keep log for it: started, or stopped with a restart point. Stopped and reset ones (what
 * `-p end` leaves on a scale-down) need nothing.
 */
function objectsTowardDeparted(ctx: ReconcileContext, survivor: Survivor, replicas: number): ObjectReport[] {
  if (!survivor.states) return [];
  const { ordinal, pod } = survivor.report;
  const found: ObjectReport[] = [];
  for (const state of [...survivor.states.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const parsed = parseReplicationName(ctx.config.replications, state.name);
    if (!parsed || !parsed.ordinals.includes(ordinal)) continue;
    const peerOrdinal = parsed.ordinals[0] === ordinal ? parsed.ordinals[1] : parsed.ordinals[0];
    if (peerOrdinal < replicas || (!state.started && state.xsn === -1)) continue;
    found.push({
      pod, ordinal, name: state.name, group: parsed.group, peerOrdinal, peerPod: podName(ctx.config, peerOrdinal),
      started: state.started, xsn: state.xsn, action: 'planned', gap: null, reason: null,
    });
  }
  return found;
}

function summarise(ctx: ReconcileContext, report: ReconcileReport): void {
  const count = (action: ObjectReport['action']) => report.objects.filter((o) => o.action === action).length;
  const done = ctx.dryRun ? `${count('planned')} to stop and reset` : `${count('reset')} stopped and reset`;
  const starting = report.pods.filter((p) => p.state === 'starting').length;
  const text = report.objects.length === 0 && report.problems.length === 0
    ? `Nothing to do: no object on the ${report.pods.length - starting} pod(s) read keeps log for a pod at or beyond ordinal ${report.replicas.count}${starting > 0 ? ` (${starting} starting, left alone)` : ''}.`
    : `${done}, ${count('kept')} kept, ${count('skipped')} skipped, ${count('failed')} failed; ${report.pods.filter((p) => p.state !== 'read').length} pod(s) in the set not read${starting > 0 ? ` (${starting} starting, left alone)` : ''}.`;
  ctx.logger.log({ level: report.exitCode === 0 ? 'INFO' : 'WARN', where: W.done, message: text });
  if (report.exitCode !== 0) ctx.logger.summary(`aku: ${report.problems.join('; ')}`);
}
