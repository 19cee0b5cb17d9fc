import { isConfigError } from '../config/index.js';
import { DbError } from '../db/errors.js';
import { BANNER } from '../log/banners.js';
import { runClean } from './clean.js';
import type { LifecycleContext } from './context.js';
import { runEnd } from './end.js';
import { LifecycleError } from './errors.js';
import { runStart } from './start.js';

export type { LifecycleContext, SqlSession } from './context.js';
export { LifecycleError } from './errors.js';

export type PodAction = 'start' | 'end' | 'clean';

/**
 * Runs one pod action between the original's banners and returns the exit status:
 * 0 success, 1 an operation failed. Sessions are closed whatever happens.
 */
export async function runPodLifecycle(action: PodAction, ctx: LifecycleContext, closeSessions: () => Promise<void>): Promise<number> {
  const { logger } = ctx;
  logger.banner(BANNER.started(action === 'start' ? 'START' : action === 'end' ? 'END' : 'CLEAN'));
  if (ctx.dryRun) logger.info('plan', 'Dry run: reading only; the statements below are what aku would run.');
  let failure: string | undefined;
  try {
    if (action === 'start') await runStart(ctx);
    else if (action === 'clean') await runClean(ctx);
    else {
      const { problems } = await runEnd(ctx);
      if (problems.length > 0) failure = `${problems.length} step(s) of -p end failed: ${problems.join('; ')}`;
    }
  } catch (error) {
    failure = describe(error);
    const where = error instanceof LifecycleError ? error.where : `akuRun${action[0]?.toUpperCase()}${action.slice(1)}`;
    logger.error(where, failure);
  } finally {
    await closeSessions().catch(() => undefined);
  }
  if (failure === undefined) {
    logger.banner(BANNER.success);
    return 0;
  }
  logger.banner(BANNER.failure);
  logger.summary(`aku: ${failure}`);
  return 1;
}

function describe(error: unknown): string {
  if (error instanceof LifecycleError || error instanceof DbError || isConfigError(error)) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
