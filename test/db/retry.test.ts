import assert from 'node:assert/strict';
import { attemptWithRetries, withinDeadline } from '../../src/db/retry.js';
import { delay, recordingSleep } from './fake-driver.js';

describe('retry', () => {
  describe('attemptWithRetries', () => {
    it('makes 1 + retries attempts at most, sleeping the delay between them, and reports the count', async () => {
      const { sleep, delays } = recordingSleep();
      const seen: number[] = [];
      const outcome = await attemptWithRetries(
        async (n) => {
          seen.push(n);
          throw new Error(`attempt ${n}`);
        },
        { retries: 4, delayMs: 30 },
        { shouldRetry: () => true, sleep },
      );
      assert.deepEqual(seen, [1, 2, 3, 4, 5]);
      assert.deepEqual(delays, [30, 30, 30, 30]);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 5);
      assert.equal(!outcome.ok && (outcome.error as Error).message, 'attempt 5');
    });

    it('stops at the first error not worth retrying', async () => {
      const { sleep, delays } = recordingSleep();
      const outcome = await attemptWithRetries(
        async (n) => {
          throw new Error(n === 2 ? 'fatal' : 'flaky');
        },
        { retries: 9, delayMs: 5 },
        { shouldRetry: (e) => (e as Error).message === 'flaky', sleep },
      );
      assert.equal(outcome.attempts, 2);
      assert.deepEqual(delays, [5]);
    });

    it('tells the hook which attempt comes next', async () => {
      const calls: Array<[number, number]> = [];
      await attemptWithRetries(
        async (n) => {
          if (n < 3) throw new Error('x');
          return n;
        },
        { retries: 5, delayMs: 0 },
        { shouldRetry: () => true, beforeRetry: (_e, next, ms) => calls.push([next, ms]) },
      );
      assert.deepEqual(calls, [
        [2, 0],
        [3, 0],
      ]);
    });
  });

  describe('withinDeadline', () => {
    it('returns the value when the work finishes in time', async () => {
      assert.deepEqual(await withinDeadline(Promise.resolve(7), 50), { settled: true, value: 7 });
    });

    it('rethrows a failure that comes in time', async () => {
      await assert.rejects(withinDeadline(Promise.reject(new Error('boom')), 50), /boom/);
    });

    it('stops waiting at the deadline and hands a late value to onLate', async () => {
      const late: number[] = [];
      const started = Date.now();
      const outcome = await withinDeadline(
        delay(120).then(() => 42),
        30,
        (v) => late.push(v),
      );
      assert.deepEqual(outcome, { settled: false });
      assert.ok(Date.now() - started < 110);
      await delay(150);
      assert.deepEqual(late, [42]);
    });

    it('swallows a failure that comes after the deadline', async () => {
      const outcome = await withinDeadline(
        delay(40).then(() => {
          throw new Error('late failure');
        }),
        10,
      );
      assert.deepEqual(outcome, { settled: false });
      await delay(60); // an unhandled rejection here would fail the run
    });
  });
});
