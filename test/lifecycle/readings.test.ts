import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Row } from '../../src/db/driver.js';
import { waitForOwnAddress } from '../../src/lifecycle/address-check.js';
import { containerIdentity } from '../../src/lifecycle/completion-file.js';
import type { LifecycleContext, SqlSession } from '../../src/lifecycle/index.js';
import { readStates } from '../../src/lifecycle/replication-state.js';
import { checkServerAllows } from '../../src/lifecycle/server-checks.js';
import { Server } from '../../src/lifecycle/server.js';
import { Logger } from '../../src/log/logger.js';
import { tagged } from '../helpers/run-output.js';
import { SimPods, TestClock, testConfig } from '../helpers/sim-pods.js';

/**
 * How aku reads what a server or the resolver answers in the cases altisim never produces (NULL
 * columns as ODBC returns them from a real Altibase, a property that is not set, several
 * addresses for one name), and a `-p start` in another process that `-p end` has to signal.
 */

function context(overrides: Partial<LifecycleContext> = {}): LifecycleContext & { lines: string[] } {
  const lines: string[] = [];
  const config = testConfig();
  return {
    config,
    topology: { self: { host: 'altibase-sts-1.altibase-svc' } } as LifecycleContext['topology'],
    logger: new Logger({ write: (l) => lines.push(l), level: 'DEBUG' }),
    session: () => { throw new Error('no session'); },
    completionFile: '/nonexistent/aku_start_completed',
    dryRun: false,
    resolve: async () => [],
    isLocalAddress: () => false,
    sleep: async () => undefined,
    now: () => 0,
    progressIntervalSec: 1,
    stopReason: async () => ({ kind: 'unknown', why: 'no Kubernetes API in this test' }),
    lines,
    ...overrides,
  };
}

/** A server whose every SELECT answers these rows (what the driver returned). */
function answering(rows: (sql: string) => Row[], ctx = context()): Server {
  const session: SqlSession = {
    server: 'altibase-sts-1.altibase-svc:20300',
    open: async () => undefined,
    query: async (sql) => rows(sql),
    release: async () => undefined,
    close: async () => undefined,
  };
  return new Server({ ordinal: 1, host: 'altibase-sts-1.altibase-svc' }, session, ctx);
}

describe('reading what servers and the resolver answer', () => {
  it('a NULL restart point (a real Altibase after RESET) is "no history"; a NULL IS_STARTED is stopped', async () => {
    const states = await readStates(answering(() => [
      { REPLICATION_NAME: 'AKU_REP_01', XSN: null, IS_STARTED: null },
      { REPLICATION_NAME: 'AKU_REP_12', XSN: '1234', IS_STARTED: 1 },
      { REPLICATION_NAME: 'AKU_REP_13', XSN: 0, IS_STARTED: '0' },
    ]));
    assert.deepEqual([...states.values()], [
      { name: 'AKU_REP_01', xsn: -1, started: false },
      { name: 'AKU_REP_12', xsn: 1234, started: true },
      { name: 'AKU_REP_13', xsn: 0, started: false },
    ]);
  });

  it('several groups on a server where REPLICATION_ALLOW_DUPLICATE_HOSTS is not set at all: refused, saying "not set"', async () => {
    const ctx = context({ config: testConfig({ replications: [
      { prefix: 'A', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] },
      { prefix: 'B', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T3' }] },
    ] }) });
    const server = answering(() => [], ctx);
    await assert.rejects(checkServerAllows(ctx, server, new Map(), 6), {
      name: 'LifecycleError',
      where: 'akuRunStart:check',
      message: 'aku.conf has 2 REPLICATIONS groups, so every peer appears in 2 replication objects, but REPLICATION_ALLOW_DUPLICATE_HOSTS is not set on altibase-sts-1.altibase-svc; ' +
        'the server would refuse the second object (ERR-6110C). Start the server with REPLICATION_ALLOW_DUPLICATE_HOSTS=1 (the chart sets it when there are several groups).',
    });
    // REPLICATION_MAX_COUNT not set either: nothing to compare, no refusal.
    await checkServerAllows(context(), answering(() => []), new Map(), 6);
  });

  it('own address: any one of several addresses on this machine is enough, at once and without a word', async () => {
    const ctx = context({ resolve: async () => ['10.1.1.1', '127.0.0.1'], isLocalAddress: (a) => a === '127.0.0.1' });
    await waitForOwnAddress(ctx);
    assert.deepEqual(ctx.lines, []);
  });

  it('own address: several addresses none of which is here are all named; a resolver error without a code is named by its text', async () => {
    const slept: number[] = [];
    const ctx = context({
      config: testConfig({ addressCheckCount: 2 }),
      resolve: async () => ['10.1.1.1', '10.1.1.2'],
      sleep: async (ms) => { slept.push(ms); },
    });
    await assert.rejects(waitForOwnAddress(ctx), { message: /^altibase-sts-1\.altibase-svc did not resolve to this pod after 2 tries \(resolves to 10\.1\.1\.1, 10\.1\.1\.2, not to this pod\)\./ });
    assert.match(ctx.lines[0] as string, /Waiting for altibase-sts-1\.altibase-svc to resolve to this pod \(resolves to 10\.1\.1\.1, 10\.1\.1\.2, not to this pod; try 1\/2\)\.$/);
    assert.deepEqual(slept, Array(9).fill(200), 'two tries of five looks, no wait after the last');
    const odd = context({ config: testConfig({ addressCheckCount: 1 }), resolve: async () => { throw new Error('resolver gone'); } });
    await assert.rejects(waitForOwnAddress(odd), { message: /after 1 tries \(Error: resolver gone\)/ });
  });
});

describe('-p end and a -p start in another process of this container', function () {
  this.timeout(30000);
  let pods: SimPods;
  afterEach(() => pods?.close());

  it('a start that does not stop when asked gets SIGTERM; once it is gone, end goes on without SIGKILL', async () => {
    pods = new SimPods(testConfig({ serverCount: 2 }));
    await pods.startPods([0, 1]);
    const start = spawn('sleep', ['60']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => start.on('exit', (_code, signal) => resolve(signal)));
    writeFileSync(`${pods.completionFile(1)}.start-pid`, `${start.pid} ${containerIdentity()}\n`);
    // Time stands still except while end waits; each wait also lets the signalled process be reaped.
    const clock = new class extends TestClock {
      override async sleep(ms: number): Promise<void> {
        await super.sleep(ms);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }();
    const run = await pods.aku(1, 'end', { clock, config: { endTimeBudgetSec: 2 } });
    assert.equal(await exited, 'SIGTERM');
    const handover = tagged(run).filter((l) => l.includes('[akuRunEnd:handover]'));
    assert.deepEqual(handover, [
      `[INFO][akuRunEnd:handover][-][-] aku -p start (pid ${start.pid}) is still running on this pod; asking it to stop at its next step (waiting at most 1 s).`,
      `[WARN][akuRunEnd:handover][-][-] aku -p start (pid ${start.pid}) did not stop in time; sending SIGTERM. The next aku -p start resumes from where it was.`,
      '[INFO][akuRunEnd:handover][-][-] aku -p start is no longer running; ending.',
    ]);
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(waited >= 1000 && waited < 3000, `waited ${waited} ms: 1 s, then only until the process was gone`);
  });
});
