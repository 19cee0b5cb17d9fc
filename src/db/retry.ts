/**
 * Time-bounded attempts: run an operation up to 1 + `retries` times with a fixed delay between
 * attempts, and race a single attempt against a deadline. Both are generic; `Session` supplies what
 * counts as worth another try. Sleep is injectable so tests count delays instead of waiting them out.
 */

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Attempts after the first one (AKU_QUERY_RETRY_COUNT); 0 = one attempt only. */
  retries: number;
  /** Wait before each retry (AKU_QUERY_RETRY_DELAY_MSEC); 0 = retry at once. */
  delayMs: number;
}

export interface RetryHooks {
  /** Is this failure worth another attempt? */
  shouldRetry(error: unknown): boolean;
  /** Called before the wait that precedes attempt `nextAttempt` (2, 3, …); a good place to log. */
  beforeRetry?(error: unknown, nextAttempt: number, delayMs: number): void;
  sleep?: Sleep;
}

export type RetryOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

/** Never throws: the caller gets the last error together with the number of attempts made. */
export async function attemptWithRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<RetryOutcome<T>> {
  const sleep = hooks.sleep ?? realSleep;
  const maxAttempts = 1 + Math.max(0, Math.floor(policy.retries));
  for (let n = 1; ; n++) {
    try {
      return { ok: true, value: await attempt(n), attempts: n };
    } catch (error) {
      if (n >= maxAttempts || !hooks.shouldRetry(error)) return { ok: false, error, attempts: n };
      hooks.beforeRetry?.(error, n + 1, policy.delayMs);
      if (policy.delayMs > 0) await sleep(policy.delayMs);
    }
  }
}

export type DeadlineOutcome<T> = { settled: true; value: T } | { settled: false };

/**
 * Wait for `work` at most `ms` milliseconds. If the deadline passes first, `work` keeps running
 * (a native call cannot be interrupted from JavaScript) and `onLate` receives its eventual value,
 * so that whatever it produced (a connection, say) can be cleaned up. A rejection of `work` before the
 * deadline is rethrown; one after it is swallowed (nobody is listening any more).
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number, onLate?: (value: T) => void): Promise<DeadlineOutcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<DeadlineOutcome<T>>((resolve) => {
    timer = setTimeout(() => {
      expired = true;
      resolve({ settled: false });
    }, ms);
  });
  const finished = work.then(
    (value): DeadlineOutcome<T> => {
      if (expired) onLate?.(value);
      return { settled: true, value };
    },
    (error: unknown) => {
      if (expired) return { settled: false } as DeadlineOutcome<T>;
      throw error;
    },
  );
  try {
    return await Promise.race([finished, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
