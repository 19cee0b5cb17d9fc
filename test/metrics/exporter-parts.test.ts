import { strict as assert } from 'node:assert';
import { RepeatFilter } from '../../src/metrics/repeat-filter.js';
import { SharedRead } from '../../src/metrics/shared-read.js';
import { XsnAges } from '../../src/metrics/xsn-age.js';

/** A read the test finishes when it chooses. */
function controlledReads() {
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  let count = 0;
  return {
    read: () => {
      count++;
      return new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
    },
    get count() {
      return count;
    },
    finish(value: number) {
      pending.shift()?.resolve(value);
    },
    fail(message: string) {
      pending.shift()?.reject(new Error(message));
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('aku metrics: the shared read', () => {
  it('scrapes during a read share it; within the minimum interval the last read serves; after it, a new read', async () => {
    const reads = controlledReads();
    let now = 1000;
    const shared = new SharedRead(reads.read, { minIntervalMs: 10000, boundMs: 5000, now: () => now });
    const a = shared.get();
    const b = shared.get();
    await tick();
    assert.equal(reads.count, 1, 'one read for two concurrent scrapes');
    reads.finish(7);
    const [ra, rb] = await Promise.all([a, b]);
    assert.ok(ra.ok && rb.ok && ra.value === 7 && rb.value === 7);
    now += 9999;
    assert.deepEqual(await shared.get(), ra, 'within the interval: the same read');
    assert.equal(reads.count, 1);
    now += 1;
    const c = shared.get();
    await tick();
    assert.equal(reads.count, 2, 'the interval is over: a new read');
    reads.finish(8);
    const rc = await c;
    assert.ok(rc.ok && rc.value === 8 && rc.startedAt === now);
    assert.equal(shared.failureCount, 0);
  });

  it('a read beyond its bound: the scrape gets a failure at the bound, counted once; the read, when it ends, serves the next scrape', async () => {
    const reads = controlledReads();
    const failures: string[] = [];
    const shared = new SharedRead(reads.read, { minIntervalMs: 60000, boundMs: 100, now: () => Date.now(), onFailure: (e) => failures.push(e) });
    const began = Date.now();
    const first = await shared.get();
    const waited = Date.now() - began;
    assert.ok(!first.ok && /did not finish within 0.1 s/.test(first.error));
    assert.ok(waited >= 90 && waited < 1000, `${waited} ms`);
    const second = await shared.get();
    assert.ok(!second.ok, 'a scrape while the late read still runs: failed at once (its bound is past)');
    assert.equal(reads.count, 1, 'no second read while the first runs');
    assert.equal(shared.failureCount, 1, 'one failure per read, not per scrape');
    assert.deepEqual(failures, ['the status read did not finish within 0.1 s']);
    assert.ok(shared.runningForMs() >= 90);
    reads.finish(9);
    await tick();
    const third = await shared.get();
    assert.ok(third.ok && third.value === 9, 'the late read serves');
    assert.equal(shared.runningForMs(), 0);
    assert.equal(shared.failureCount, 1);
  });

  it('a read that fails: reported to the scrape, counted, and a success after it is reported too', async () => {
    const reads = controlledReads();
    const events: string[] = [];
    let now = 0;
    const shared = new SharedRead(reads.read, { minIntervalMs: 0, boundMs: 5000, now: () => now, onFailure: (e) => events.push(`fail ${e}`), onSuccess: () => events.push('ok') });
    const failing = shared.get();
    await tick();
    reads.fail('driver exploded');
    const failed = await failing;
    assert.ok(!failed.ok && failed.error === 'driver exploded');
    now += 1;
    const next = shared.get();
    await tick();
    reads.finish(1);
    assert.ok((await next).ok);
    assert.deepEqual(events, ['fail driver exploded', 'ok']);
    assert.equal(shared.failureCount, 1);
  });
});

describe('aku metrics: XSN ages', () => {
  it('grows while the gap is above 0 and the XSN stays; 0 when the XSN moves or the gap is 0; a side that vanishes starts again', () => {
    const ages = new XsnAges();
    const at = (s: number) => s * 1000;
    assert.deepEqual([...ages.update([{ key: 'R@p0', xsn: 10, gap: 3 }], at(0))], [['R@p0', 0]], 'first sight: nothing known before');
    assert.equal(ages.update([{ key: 'R@p0', xsn: 10, gap: 5 }], at(30)).get('R@p0'), 30);
    assert.equal(ages.update([{ key: 'R@p0', xsn: 10, gap: 5 }], at(45)).get('R@p0'), 45);
    assert.equal(ages.update([{ key: 'R@p0', xsn: 11, gap: 5 }], at(60)).get('R@p0'), 0, 'the XSN moved');
    assert.equal(ages.update([{ key: 'R@p0', xsn: 11, gap: 5 }], at(70)).get('R@p0'), 10);
    assert.equal(ages.update([{ key: 'R@p0', xsn: 11, gap: 0 }], at(80)).get('R@p0'), 0, 'nothing to send: not stuck');
    assert.equal(ages.update([{ key: 'R@p0', xsn: 11, gap: 2 }], at(90)).get('R@p0'), 10, 'counted from the last read with gap 0');
    assert.equal(ages.update([], at(100)).size, 0);
    assert.equal(ages.update([{ key: 'R@p0', xsn: 11, gap: 2 }], at(110)).get('R@p0'), 0, 'forgotten while absent');
  });
});

describe('aku metrics: the status read\'s log lines once per change', () => {
  it('writes a line the read before did not write, ignoring time stamp and thread', () => {
    const written: string[] = [];
    const filter = new RepeatFilter((l) => written.push(l));
    const line = (ts: string, message: string) => `[AKU][2025/01/01 00:00:${ts}.000000][${ts}] [INFO][akuStatus:read][-][-] ${message}`;
    filter.line(line('01', 'Reading 3 pod(s).'));
    filter.line(line('01', 'OK'));
    filter.nextRead();
    filter.line(line('02', 'Reading 3 pod(s).'));
    filter.line(line('02', 'FAIL'));
    filter.nextRead();
    filter.line(line('03', 'Reading 3 pod(s).'));
    filter.line(line('03', 'OK'));
    filter.line(line('03', 'OK'));
    assert.deepEqual(written.map((l) => l.slice(l.lastIndexOf('] ') + 2)), ['Reading 3 pod(s).', 'OK', 'FAIL', 'OK']);
  });
});
