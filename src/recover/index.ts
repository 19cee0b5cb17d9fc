import { isConfigError } from '../config/index.js';
import { DbError } from '../db/errors.js';
import { LifecycleError } from '../lifecycle/errors.js';
import { clearRecoverRunning, markRecoverRunning, runningRecover } from '../lifecycle/start-handover.js';
import { BANNER } from '../log/banners.js';
import { MASTER_ORDINAL } from '../topology/index.js';
import type { LifecycleContext } from '../lifecycle/context.js';
import { checkSituation, type Situation } from './checks.js';
import { compareRows, type Comparison } from './compare.js';
import { lifecycleView, RecoverRefusal, W, type ActStep, type RecoverContext, type RecoverRequest } from './context.js';
import { flushTowardSource } from './flush-to-source.js';
import { leaveAll } from './leave.js';
import { judgeLoss, NOT_FORWARDED, type Loss } from './loss.js';
import type { RecoverOutcome } from './outcome.js';
import { buildPlan, printPlan, type PlanEntry } from './plan.js';
import { readSet, type SetReading } from './read.js';
import { markRecordDone, writeRunningRecord } from '../lifecycle/recovery-record.js';
import { createPairs, restoredGroups, startMasterSide, syncFromSource, truncateMaster, writeMasterLineage } from './restore.js';

export type { RecoverContext, RecoverRequest } from './context.js';
export type { RecoverOutcome } from './outcome.js';

/**
 * `aku recover --from <ordinal> [--yes] [--accept-loss]`: the manual's MASTER recovery (aku-spec
 * §12.1) as one guarded command, run in the MASTER's pod.
 *
 *   read → check → flush → compare → plan            reads only (FLUSH only waits for delivery)
 *   record → leave → create → truncate → sync → start → lineage → done     with --yes
 *
 * Every refusal comes before the first change. Each acting step is named on failure and
 * resumable: the record written first makes a rerun resume instead of refusing (docs/recover.md).
 */
export async function runRecover(ctx: RecoverContext, request: RecoverRequest, closeSessions: () => Promise<void>): Promise<RecoverOutcome> {
  const { logger, config } = ctx;
  logger.banner(BANNER.started('RECOVER'));
  const masterPod = `${config.stsName}-${MASTER_ORDINAL}`;
  const outcome: RecoverOutcome = {
    schemaVersion: 1,
    action: 'recover',
    mode: request.act ? 'act' : 'plan',
    master: { ordinal: MASTER_ORDINAL, pod: masterPod },
    source: { ordinal: request.source, pod: `${config.stsName}-${request.source}` },
    resumed: null,
    finished: null,
    exitCode: 0,
    refusal: null,
    problems: [],
    pods: [],
    comparison: null,
    loss: null,
    plan: [],
    rejoin: [],
    next: [],
  };
  const acting = { started: false };
  const other = runningRecover(ctx.completionFile);
  if (other !== undefined && other !== process.pid) {
    // Its pid file is its own: this run neither reaches a server nor touches the file.
    outcome.refusal = `aku recover (pid ${other}) is already running in this pod; one recovery at a time. Nothing was changed.`;
    outcome.problems.push(outcome.refusal);
    outcome.exitCode = 1;
    logger.error(W.read, outcome.refusal);
    logger.banner(BANNER.failure);
    logger.summary(`aku: ${outcome.refusal}`);
    await closeSessions().catch(() => undefined);
    return outcome;
  }
  markRecoverRunning(ctx.completionFile);
  try {
    const lctx = lifecycleView(ctx);
    logger.info(W.read, `Restoring the MASTER ${masterPod} from ${outcome.source.pod}${request.act ? '' : ' (plan only: add --yes to carry it out)'}; reading the ${config.serverCount} pod(s) of ${config.stsName}.`);
    const reading = await readSet(ctx, lctx);
    outcome.pods = podsOf(reading);
    const situation = checkSituation(ctx, reading, request);
    outcome.resumed = situation.resuming ? { startedAt: situation.resuming.startedAt } : null;
    if (situation.finished) {
      // Finished (its reply lost, or run again): say so and what comes next, rather than refuse a MASTER that "holds history".
      outcome.finished = { startedAt: situation.finished.startedAt };
      // The pods that left are out of replication now; the ones not in service still have to rejoin.
      const left = situation.alreadyOut.filter((p) => p.adminMode !== '0');
      outcome.rejoin = left.map((p) => ({ pod: p.pod, command: `kubectl delete pod ${p.pod}` }));
      outcome.next = nextSteps(reading, { ...situation, leavers: left });
      for (const line of outcome.next) logger.info(W.done, `Next: ${line}`);
    } else {
      await planAndAct(ctx, lctx, request, reading, situation, outcome, acting);
    }
  } catch (error) {
    const where = error instanceof RecoverRefusal || error instanceof LifecycleError ? error.where : 'akuRecover';
    const message = describe(error);
    if (acting.started) {
      const again = /run aku recover/.test(message) ? '' : ` Run aku recover --from ${request.source} --yes again: it resumes from the MASTER's record (SYS.AKU_RECOVERY).`;
      outcome.problems.push(`${message}${again}`);
    } else {
      outcome.refusal = /Nothing was changed/.test(message) ? message : `${message} Nothing was changed.`;
      outcome.problems.push(outcome.refusal);
    }
    outcome.exitCode = 1;
    logger.error(where, outcome.problems.at(-1) as string);
  } finally {
    clearRecoverRunning(ctx.completionFile);
    await closeSessions().catch(() => undefined);
  }
  if (outcome.exitCode === 0) {
    logger.banner(BANNER.success);
  } else {
    logger.banner(BANNER.failure);
    logger.summary(`aku: ${outcome.problems.join('; ')}`);
  }
  return outcome;
}

/**
 * flush → compare → plan, then (with --yes) the acting steps. `acting.started` tells the caller
 * whether a failure came after the first change (named, resumable) or before it (a refusal).
 */
async function planAndAct(
  ctx: RecoverContext,
  lctx: LifecycleContext,
  request: RecoverRequest,
  reading: SetReading,
  situation: Situation,
  outcome: RecoverOutcome,
  acting: { started: boolean },
): Promise<void> {
  const { logger } = ctx;
  const masterPod = reading.master.pod;
  let comparison: Comparison | undefined;
  if (!situation.resuming) {
    await flushTowardSource(ctx, lctx, situation);
    comparison = await compareRows(ctx, situation.source, situation.joined, reading.master);
    outcome.comparison = comparison;
  }
  const { loss, refusal } = judgeLoss(ctx, request, situation, comparison);
  outcome.loss = loss;
  if (refusal) throw refusal;

  const restored = restoredGroups(ctx, reading, situation);
  outcome.plan = buildPlan(ctx, reading, situation, restored);
  outcome.rejoin = situation.leavers.map((s) => ({ pod: s.pod, command: `kubectl delete pod ${s.pod}` }));
  outcome.next = nextSteps(reading, situation);
  printPlan(ctx, request, reading, situation, outcome.plan);
  printLoss(ctx, situation, loss, comparison);

  if (!request.act) {
    logger.info(W.plan, `Nothing was changed. To carry out this plan: aku recover --from ${request.source} --yes${request.acceptLoss ? ' --accept-loss' : ''}`);
    for (const line of outcome.next) logger.info(W.plan, `After it: ${line}`);
  } else {
    acting.started = true;
    await act(ctx, request, reading, situation, restored, outcome.plan);
    logger.info(W.done, `The MASTER ${masterPod} holds ${situation.source.pod}'s data and replicates with it.`, { pod: masterPod });
    for (const line of outcome.next) logger.info(W.done, `Next: ${line}`);
  }
}

/** The acting steps in order; each marks its plan entries done, or failed with why. */
async function act(ctx: RecoverContext, request: RecoverRequest, reading: SetReading, situation: Situation, restored: Set<string>, plan: PlanEntry[]): Promise<void> {
  const lctx = lifecycleView(ctx);
  const master = reading.master;
  const steps: [ActStep, () => Promise<void>][] = [
    ['record', async () => {
      if (situation.resuming) return;
      const record = await writeRunningRecord(master.server, request.source, new Date(ctx.now()));
      ctx.logger.info(W.record, `Recorded on the MASTER: restoring from ${situation.source.pod} since ${record.startedAt} (SYS.AKU_RECOVERY).`, { pod: master.pod });
    }],
    ['leave', () => leaveAll(ctx, lctx, reading, situation)],
    ['create', () => createPairs(ctx, lctx, reading, situation, restored)],
    ['truncate', () => truncateMaster(ctx, reading, restored)],
    ['sync', () => syncFromSource(ctx, lctx, reading, situation, restored)],
    ['start', () => startMasterSide(ctx, reading, situation, restored)],
    ['lineage', () => writeMasterLineage(ctx, reading, situation)],
    ['done', async () => {
      await markRecordDone(master.server);
      ctx.logger.info(W.done, 'The recovery record says DONE.', { pod: master.pod });
    }],
  ];
  for (const [step, work] of steps) {
    const entries = plan.filter((e) => e.step === step && e.status === 'planned');
    try {
      await work();
      for (const entry of entries) entry.status = 'done';
    } catch (error) {
      for (const entry of entries) Object.assign(entry, { status: 'failed', why: describe(error) });
      throw error instanceof LifecycleError ? error : new LifecycleError(`the ${step} step failed: ${describe(error)}`, `akuRecover:${step}`);
    }
  }
}

/** What the user does after the recovery, in order. */
function nextSteps(reading: SetReading, situation: Situation): string[] {
  const master = reading.master.pod;
  const lines = [
    reading.master.adminMode === '0'
      ? `${master} is in service: its aku -p start completed after the recovery.`
      : `the MASTER's aku -p start succeeds now. The container's entrypoint retries it by itself (at most AKU_START_RETRY_MAX_DELAY seconds apart, default 60); ` +
      `if it used up its AKU_START_MAX_ATTEMPTS the container restarts (CrashLoopBackOff) and the next container's start succeeds. ${master} is then Ready ` +
      `(kubectl delete pod ${master} skips a CrashLoopBackOff wait).`,
  ];
  for (const slave of situation.leavers) {
    lines.push(
      `kubectl delete pod ${slave.pod}: it rejoins by its own aku -p start (TRUNCATE + SYNC from the restored MASTER). The StatefulSet creates it again once the pods before it are Ready (OrderedReady); ` +
        'until it is deleted it refuses application sessions (ADMIN_MODE 1).',
    );
  }
  for (const absent of situation.absent) {
    lines.push(`when ${absent.pod} comes back, its aku -p start rejoins by TRUNCATE + SYNC; delete its volume first (kubectl delete pvc data-${absent.pod}) so that no change of its old life reaches another pod.`);
  }
  return lines;
}

function printLoss(ctx: RecoverContext, situation: Situation, loss: Loss, comparison: Comparison | undefined): void {
  const { logger } = ctx;
  const source = situation.source.pod;
  if (comparison === undefined) {
    logger.info(W.plan, 'What will be lost: the rows were compared by the run that began this recovery; nothing more is compared now.');
  } else if (loss.rows.length === 0 && loss.unreachable.length === 0 && loss.masterRows.count === 0) {
    logger.info(W.plan, `What will be lost: nothing that can be seen. ${comparison.versus.length === 0 ? `No other slave holds data of the set to compare with ${source}.` : `Every row the other slaves hold is on ${source}.`}`);
  }
  for (const rows of loss.rows) {
    logger.warn(W.plan, `What will be lost: ${rows.count} row(s) only ${rows.pod} holds (${rows.samples.join('; ')}${rows.count > rows.samples.length ? '; …' : ''}), gone once it rejoins from the restored MASTER. ${NOT_FORWARDED}.`, { pod: rows.pod });
  }
  if (loss.masterRows.count > 0) {
    logger.warn(W.plan, `What will be lost: ${loss.masterRows.count} row(s) the failed MASTER holds that ${source} lacks (${loss.masterRows.samples.join('; ')}${loss.masterRows.count > loss.masterRows.samples.length ? '; …' : ''}); its tables are truncated.`, { pod: `${ctx.config.stsName}-${MASTER_ORDINAL}` });
  }
  for (const absent of loss.unreachable) {
    logger.warn(W.plan, `What will be lost: changes ${absent.pod} made that had not reached ${source} (${absent.pod} is not reachable: ${absent.reason}; ${absent.pairs.join(', ')}).`, { pod: absent.pod });
  }
}

function podsOf(reading: SetReading): RecoverOutcome['pods'] {
  const pods: RecoverOutcome['pods'] = [reading.master, ...reading.slaves.values()].map((p) => ({ ordinal: p.ordinal, pod: p.pod, reachable: true, adminMode: p.adminMode ?? null, reason: null }));
  for (const [ordinal, { pod, reason }] of reading.unreachable) pods.push({ ordinal, pod, reachable: false, adminMode: null, reason });
  return pods.sort((a, b) => a.ordinal - b.ordinal);
}

function describe(error: unknown): string {
  if (error instanceof RecoverRefusal || error instanceof LifecycleError || error instanceof DbError || isConfigError(error)) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
