import { strict as assert } from 'node:assert';

/** Awaits a promise that must reject with an error of the given class, and returns that error for further assertions. */
export async function rejectionOf<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected the promise to reject with a ${type.name}`);
}
