import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  completionFileExists, containerIdentity, deleteCompletionFile, forgetDdlEnable, readOutcome, recordDdlEnable, recordedDdlEnable, recordOutcome, writeCompletionFile,
} from '../../src/lifecycle/completion-file.js';
import { isLocalAddress } from '../../src/lifecycle/host-resolution.js';
import { withProgress } from '../../src/lifecycle/progress.js';
import { podOf } from '../../src/lifecycle/server.js';
import {
  clearEndRunning, clearRecoverRunning, clearStartRunning, markedEnd, markedRecover, markedStart, markEndRunning, markRecoverRunning, markStartRunning, requestStop, runningEnd,
  runningRecover, runningStart, stopRequested, terminate,
} from '../../src/lifecycle/start-handover.js';
import type { LifecycleContext } from '../../src/lifecycle/index.js';
import { Logger } from '../../src/log/logger.js';

/**
 * The files beside the completion file that outlive a run (the startupProbe's signal, the
 * REPLICATION_DDL_ENABLE found before a TRUNCATE, the running start's pid, end's stop request):
 * what counts, and what a file from another container or a dead process does not.
 */
describe('files beside the completion file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aku-files-'));
    file = join(dir, 'aku_start_completed');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the completion file: written atomically with the identity, no temporary left; deleted, also when absent', () => {
    writeCompletionFile(file, 'boot 42');
    assert.equal(readFileSync(file, 'utf8'), 'boot 42\n');
    assert.deepEqual(readdir(dir), ['aku_start_completed']);
    writeCompletionFile(file, '');
    assert.equal(readFileSync(file, 'utf8'), '', 'no identity readable: an empty file');
    assert.equal(completionFileExists(file, 'boot 42'), true, 'an empty file counts');
    writeCompletionFile(file, 'boot 42');
    assert.equal(completionFileExists(file, ''), true, 'where no identity can be read, any file counts');
    assert.equal(completionFileExists(file), false, 'written with another identity than this container\'s');
    writeCompletionFile(file);
    assert.equal(readFileSync(file, 'utf8'), `${containerIdentity()}\n`);
    assert.equal(completionFileExists(file), true);
    deleteCompletionFile(file);
    assert.equal(existsSync(file), false);
    deleteCompletionFile(file);
  });

  it('a completion file that cannot be read counts as there (the probe would see it)', () => {
    mkdirSync(file);
    assert.equal(completionFileExists(file, 'boot 42'), true);
  });

  it('the container identity: empty when the init process cannot be read; the start time is field 22 even when the command name holds spaces and parentheses', () => {
    assert.equal(containerIdentity({ AKU_CONTAINER_INIT_PID: '999999999' }), '');
    // A command named `a b) (c`: /proc/<pid>/stat shows it as `(a b) (c)`.
    const named = join(dir, 'a b) (c');
    symlinkSync('/bin/sleep', named);
    const child = spawn(named, ['5']);
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      assert.match(stat, /^\d+ \(a b\) \(c\) /);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      assert.equal(containerIdentity({ AKU_CONTAINER_INIT_PID: String(child.pid) }), `${bootId} ${fields[19]}`);
      assert.match(fields[19] as string, /^\d+$/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the REPLICATION_DDL_ENABLE found before a TRUNCATE: recorded with the identity, read back only in the same container, only 0 or 1, forgotten', () => {
    assert.equal(recordedDdlEnable(file, 'boot 1'), undefined, 'nothing recorded');
    recordDdlEnable(file, '0', 'boot 1');
    assert.equal(readFileSync(`${file}.replication_ddl_enable`, 'utf8'), '0 boot 1\n');
    assert.deepEqual(readdir(dir), ['aku_start_completed.replication_ddl_enable']);
    assert.equal(recordedDdlEnable(file, 'boot 1'), '0');
    assert.equal(recordedDdlEnable(file, 'boot 2'), undefined, 'another container\'s record');
    recordDdlEnable(file, '1', 'boot 1');
    assert.equal(recordedDdlEnable(file, 'boot 1'), '1');
    recordDdlEnable(file, '2', 'boot 1');
    assert.equal(recordedDdlEnable(file, 'boot 1'), undefined, 'not a value aku records');
    recordDdlEnable(file, '1', '');
    assert.equal(recordedDdlEnable(file, ''), '1', 'no identity on either side');
    recordDdlEnable(file, '1');
    assert.equal(recordedDdlEnable(file), '1');
    forgetDdlEnable(file);
    assert.equal(existsSync(`${file}.replication_ddl_enable`), false);
    assert.equal(recordedDdlEnable(file), undefined);
    forgetDdlEnable(file);
  });

  it('a running start: its pid with this container\'s identity; a stop request; both cleared; a pid of another container or a dead process is no start', async () => {
    assert.equal(runningStart(file), undefined);
    requestStop(file);
    assert.equal(stopRequested(file), true);
    assert.equal(readFileSync(`${file}.stop-requested`, 'utf8'), `${process.pid}\n`);
    markStartRunning(file);
    assert.equal(stopRequested(file), false, 'a new start clears an old request');
    assert.equal(readFileSync(`${file}.start-pid`, 'utf8'), `${process.pid} ${containerIdentity()}\n`);
    assert.equal(runningStart(file), process.pid);
    requestStop(file);
    clearStartRunning(file);
    assert.equal(runningStart(file), undefined);
    assert.equal(stopRequested(file), false);
    assert.deepEqual(readdir(dir), []);

    writeFileSync(`${file}.start-pid`, `${process.pid} another-boot 1\n`);
    assert.equal(runningStart(file), undefined, 'another container\'s pid');
    for (const bad of ['0', '-5', 'x', '1.5', '']) {
      writeFileSync(`${file}.start-pid`, `${bad} ${containerIdentity()}\n`);
      assert.equal(runningStart(file), undefined, `pid "${bad}"`);
    }
    const child = spawn('sleep', ['30']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    writeFileSync(`${file}.start-pid`, `${child.pid} ${containerIdentity()}\n`);
    assert.equal(runningStart(file), child.pid, 'a live process of this container');
    terminate(child.pid as number, 'SIGTERM');
    assert.equal(await exited, 'SIGTERM');
    assert.equal(runningStart(file), undefined, 'a dead process');
    terminate(child.pid as number, 'SIGKILL'); // already gone: no error
    terminate(process.pid, 'SIGKILL'); // never this process (an in-process start in tests)
  });

  it('seen from another container of the pod (markedStart, markedEnd): a pid file counts whoever wrote it', () => {
    assert.equal(markedStart(file), undefined);
    assert.equal(markedEnd(file), undefined);
    writeFileSync(`${file}.start-pid`, '4242 another-boot 1\n');
    assert.equal(runningStart(file), undefined, 'not a process of this container');
    assert.equal(markedStart(file), 4242, 'but marked running in the pod');
    writeFileSync(`${file}.end-pid`, '77 another-boot 1\n');
    assert.equal(markedEnd(file), 77);
    for (const bad of ['0', 'x', '']) {
      writeFileSync(`${file}.start-pid`, `${bad} another-boot 1\n`);
      assert.equal(markedStart(file), undefined, `pid "${bad}"`);
    }
  });

  it('a start removes the end pid file a killed end of another container left, never one of its own container', () => {
    writeFileSync(`${file}.end-pid`, '77 another-boot 1\n');
    markStartRunning(file);
    assert.equal(existsSync(`${file}.end-pid`), false, 'left by another container: removed');
    clearStartRunning(file);
    markEndRunning(file);
    assert.equal(runningEnd(file), process.pid);
    markStartRunning(file);
    assert.equal(runningEnd(file), process.pid, 'this container\'s end stays');
    clearStartRunning(file);
    clearEndRunning(file);
    assert.deepEqual(readdir(dir), []);
  });

  it('aku recover\'s pid file: running in this container, marked for another; a start removes it once its process is gone, never while it runs', () => {
    assert.equal(runningRecover(file), undefined);
    markRecoverRunning(file);
    assert.equal(readFileSync(`${file}.recover-pid`, 'utf8'), `${process.pid} ${containerIdentity()}\n`);
    assert.equal(runningRecover(file), process.pid);
    assert.equal(markedRecover(file), process.pid);
    markStartRunning(file);
    assert.equal(runningRecover(file), process.pid, 'a running recover\'s file stays');
    clearStartRunning(file);
    clearRecoverRunning(file);
    assert.equal(markedRecover(file), undefined);
    writeFileSync(`${file}.recover-pid`, '4242 another-boot 1\n');
    assert.equal(runningRecover(file), undefined, 'not a process of this container');
    assert.equal(markedRecover(file), 4242, 'but marked running in the pod');
    markStartRunning(file);
    assert.equal(existsSync(`${file}.recover-pid`), false, 'its process is gone: removed');
    clearStartRunning(file);
    assert.deepEqual(readdir(dir), []);
  });

  it('the outcome of the last start and end: JSON beside the completion file, written atomically; a malformed one reads as none', () => {
    assert.equal(readOutcome(file, 'start'), undefined);
    const start = { action: 'start' as const, exitCode: 0, seconds: 12.5, finishedAt: '2025-01-02T03:04:05.000Z' };
    assert.equal(recordOutcome(file, start), undefined);
    assert.deepEqual(readOutcome(file, 'start'), start);
    assert.equal(readOutcome(file, 'end'), undefined, 'each action its own file');
    assert.deepEqual(JSON.parse(readFileSync(`${file}.start-outcome`, 'utf8')), start);
    assert.deepEqual(readdir(dir), ['aku_start_completed.start-outcome'], 'no temporary left');
    recordOutcome(file, { action: 'end', exitCode: 1, seconds: 3, finishedAt: '2025-01-02T03:05:00.000Z' });
    assert.equal(readOutcome(file, 'end')?.exitCode, 1);
    for (const bad of ['{', '{"action":"end","exitCode":0,"seconds":1}', '{"action":"start","exitCode":"0","seconds":1,"finishedAt":"2025-01-02T03:04:05Z"}', '{"action":"end","exitCode":0,"seconds":1,"finishedAt":"later"}']) {
      writeFileSync(`${file}.end-outcome`, bad);
      assert.equal(readOutcome(file, 'end'), undefined, bad);
    }
    const failed = recordOutcome(join(dir, 'missing', 'aku_start_completed'), start);
    assert.match(String(failed?.message), /ENOENT/, 'a record that cannot be written is reported, not thrown');
  });
});

describe('small facts an operator reads in messages', () => {
  it('the pod of a DNS name is its first label', () => {
    assert.equal(podOf('altibase-sts-1.altibase-svc'), 'altibase-sts-1');
    assert.equal(podOf('altibase-sts-1'), 'altibase-sts-1');
    assert.equal(podOf('.svc'), '.svc');
  });

  it('an address is local when one of this machine\'s interfaces has it (a whole loopback /8 counts)', () => {
    assert.equal(isLocalAddress('127.0.0.1'), true);
    assert.equal(isLocalAddress('127.3.4.5'), true);
    const hasIpv6Loopback = Object.values(networkInterfaces()).flat().some((e) => e?.address === '::1');
    assert.equal(isLocalAddress('::1'), hasIpv6Loopback);
    assert.equal(isLocalAddress('203.0.113.77'), false);
    assert.equal(isLocalAddress('2001:db8::77'), false);
    const own = Object.values(networkInterfaces()).flat().find((e) => e && e.family === 'IPv4' && !e.internal);
    if (own) {
      assert.equal(isLocalAddress(own.address), true, own.address);
      // Another pod on this node, in the same pod subnet, is not this pod.
      const octets = own.address.split('.').map(Number);
      octets[3] = ((octets[3] as number) % 250) + 2;
      const neighbour = octets.join('.');
      assert.equal(isLocalAddress(neighbour), false, `${neighbour} beside ${own.cidr}`);
    }
  });

  it('a long SYNC or FLUSH says every progress interval that it is still running, with the seconds so far, and stops saying it when done', async function () {
    this.timeout(10000);
    const lines: string[] = [];
    const logger = new Logger({ write: (l) => lines.push(l), level: 'INFO' });
    const started = Date.now();
    const ctx = { logger, now: () => Date.now(), progressIntervalSec: 0 } as unknown as LifecycleContext;
    const result = await withProgress(ctx, 'akuRunStart:sync', 'SYNC of AKU_REP_01 from altibase-sts-0.altibase-svc', { pod: 'altibase-sts-0', replication: 'AKU_REP_01' },
      () => new Promise((resolve) => setTimeout(() => resolve('synced'), 2300)));
    assert.equal(result, 'synced');
    const seconds = (Date.now() - started) / 1000;
    // AKU_… interval 0 means every second (never more often)
    assert.deepEqual(lines.map((l) => l.replace(/^\[AKU\]\[[^\]]*\]\[\d+\] /, '')), [
      '[INFO][akuRunStart:sync][altibase-sts-0][AKU_REP_01] SYNC of AKU_REP_01 from altibase-sts-0.altibase-svc: still running (1 s).',
      '[INFO][akuRunStart:sync][altibase-sts-0][AKU_REP_01] SYNC of AKU_REP_01 from altibase-sts-0.altibase-svc: still running (2 s).',
    ], `after ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(lines.length, 2, 'nothing after the work is over');
    await assert.rejects(withProgress(ctx, 'w', 'x', {}, async () => { throw new Error('failed'); }), /failed/);
  });
});

const readdir = (path: string): string[] => readdirSync(path).sort();
