import { strict as assert } from 'node:assert';
import { flushAtStartBoundSec } from '../../src/lifecycle/flush.js';

describe('the bound of a FLUSH at start', () => {
  const cases: [flushTimeoutAtStartSec: number, queryTimeoutSec: number, bound: number][] = [
    [300, 3600, 300], // AKU_FLUSH_TIMEOUT_AT_START when set
    [5, 4, 5],
    [0, 3600, 120], // 0: half of AKU_QUERY_TIMEOUT (1800 s), at most 120 s
    [0, 200, 100],
    [0, 4, 2],
    [0, 1, 1], // never 0: FLUSH WAIT needs at least 1 s
    [0, 0, 120], // AKU_QUERY_TIMEOUT = 0 (no limit): the cap
  ];
  for (const [flushTimeoutAtStartSec, queryTimeoutSec, bound] of cases) {
    it(`AKU_FLUSH_TIMEOUT_AT_START = ${flushTimeoutAtStartSec}, AKU_QUERY_TIMEOUT = ${queryTimeoutSec} → ${bound} s`, () => {
      assert.equal(flushAtStartBoundSec({ flushTimeoutAtStartSec, queryTimeoutSec }), bound);
    });
  }
});
