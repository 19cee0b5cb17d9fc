import { isConfigError } from '../config/index.js';
import { DbError } from '../db/errors.js';
import { BANNER } from '../log/banners.js';
import { runClean } from './clean.js';
import type { LifecycleContext } from './context.js';
import { runEnd } from './end.js';
import { LifecycleError } from './errors.js';
import { OutcomeRecorder, type LifecycleOutcome, type PodAction } from './outcome.js';
import { runStart } from './start.js';

export type { LifecycleContext, SqlSession } from './context.js';
export { LifecycleError } from './errors.js';
export type { LifecycleOutcome, PairRecord, PairResult, PodAction, StepRecord, StopRecord } from './outcome.js';
export type { StopReason } from './stop-reason.js';

const RUNNERS: Record<PodAction, (ctx: LifecycleContext, outcome: OutcomeRecorder) => Promise<void>> = {
  start: runStart,
  end: runEnd,
  clean: runClean,
};

/**
 * Runs one pod action between the original's banners and returns its outcome; `exitCode` is 0
 * on success, 1 when a step failed or something could not be done. Sessions are closed whatever
 * happens.
 */
export async function runPodLifecycle(action: PodAction, ctx: LifecycleContext, closeSessions: () => Promise<void>): Promise<LifecycleOutcome> {
  const { logger } = ctx;
  logger.banner(BANNER.started(action === 'start' ? 'START' : action === 'end' ? 'END' : 'CLEAN'));
  if (ctx.dryRun) logger.info('plan', 'Dry run: reading only; the statements below are what aku would run.');
  const recorder = new OutcomeRecorder(ctx);
  try {
    await RUNNERS[action](ctx, recorder);
  } catch (error) {
    const where = error instanceof LifecycleError ? error.where : `akuRun${action[0]?.toUpperCase()}${action.slice(1)}`;
    recorder.problem(where, describe(error));
  } finally {
    await closeSessions().catch(() => undefined);
  }
  const outcome: LifecycleOutcome = {
    action,
    dryRun: ctx.dryRun,
    exitCode: recorder.problems.length === 0 ? 0 : 1,
    steps: recorder.steps,
    pairs: recorder.pairs,
    problems: recorder.problems,
    ...(recorder.stop ? { stop: recorder.stop } : {}),
  };
  if (outcome.exitCode === 0) {
    logger.banner(BANNER.success);
  } else {
    logger.banner(BANNER.failure);
    logger.summary(`aku: ${recorder.problems.join('; ')}`);
  }
  return outcome;
}

function describe(error: unknown): string {
  if (error instanceof LifecycleError || error instanceof DbError || isConfigError(error)) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
