import type { LogTarget } from '../log/logger.js';
import type { LifecycleContext } from './context.js';

/**
 * Runs a long operation (SYNC, FLUSH) and logs a line every few seconds while it lasts, so an
 * operator watching the pod knows which step is slow and that aku is still alive.
 */
export async function withProgress<T>(
  ctx: LifecycleContext,
  where: string,
  what: string,
  target: LogTarget,
  work: () => Promise<T>,
): Promise<T> {
  const started = ctx.now();
  const interval = setInterval(() => {
    const seconds = Math.round((ctx.now() - started) / 1000);
    ctx.logger.info(where, `${what}: still running (${seconds} s).`, target);
  }, Math.max(1, ctx.progressIntervalSec) * 1000);
  interval.unref();
  try {
    return await work();
  } finally {
    clearInterval(interval);
  }
}
