/**
 * The demo's parts that need no cluster (the demo itself runs as `npm run demo`): its command line,
 * the verdict line, the writer (its Pod built from the chart's rendered StatefulSet, its script run
 * against a stand-in aku-sql), the replication table, log timestamps and the cluster lock.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDemoArgs } from '../../scripts/cluster/demo/args.js';
import { splitTimestamp, timestampKey } from '../../scripts/cluster/demo/pod-logs.js';
import { formatTable, replicationRows, replicationTable } from '../../scripts/cluster/demo/replication-table.js';
import { summarize, summaryExitCode, summaryLine } from '../../scripts/cluster/demo/summary.js';
import { WRITER_SCRIPT, WRITER_STOP_FILE, parseWriterLog, writerPod } from '../../scripts/cluster/demo/writer.js';
import { find, render } from '../chart/tools.js';
import { clusterState } from './helpers.js';
import { lockHolder, releaseLock, takeLock } from './lock.js';

const row = (id: number, v = `row ${id}`) => ({ ID: id, V: v });

describe('demo: command line', () => {
  it('--keep keeps; no argument tears down; AKU_DEMO_KEEP=1 is --keep; AKU_DEMO_IMAGES=0 imports no image', () => {
    assert.deepEqual(parseDemoArgs(['--keep'], {}), { options: { keep: true, images: true, namespace: 'aku-demo', release: 'demo' } });
    assert.deepEqual(parseDemoArgs([], {}), { options: { keep: false, images: true, namespace: 'aku-demo', release: 'demo' } });
    assert.deepEqual(parseDemoArgs([], { AKU_DEMO_KEEP: '1', AKU_DEMO_IMAGES: '0', AKU_DEMO_NAMESPACE: 'aku-x', AKU_DEMO_RELEASE: 'r1' }), { options: { keep: true, images: false, namespace: 'aku-x', release: 'r1' } });
  });

  it('help is asked for; an unknown argument or a namespace that is no DNS label is refused by name', () => {
    assert.deepEqual(parseDemoArgs(['-h'], {}), { help: true });
    assert.deepEqual(parseDemoArgs(['--keep', '--help'], {}), { help: true });
    assert.deepEqual(parseDemoArgs(['--kep'], {}), { error: 'unknown argument "--kep"' });
    const bad = parseDemoArgs([], { AKU_DEMO_NAMESPACE: 'Aku_Demo' });
    assert.ok('error' in bad && bad.error.startsWith('AKU_DEMO_NAMESPACE=Aku_Demo'), JSON.stringify(bad));
  });
});

describe('demo: the verdict line', () => {
  it('identical pods holding every acknowledged row: identical=yes lost=0, exit 0', () => {
    const rows = [row(1), row(2), row(3)];
    // Column order and row order do not matter; an unacknowledged row present everywhere is fine.
    const shuffled = [{ V: 'row 3', ID: 3 }, row(1), row(2)];
    const s = summarize([1, 2, 2], [{ pod: 'p-0', rows }, { pod: 'p-1', rows: shuffled }, { pod: 'p-2', rows }]);
    assert.equal(summaryLine(s), 'demo: pods=3 rows=3,3,3 identical=yes written=2 lost=0');
    assert.equal(summaryExitCode(s), 0);
  });

  it('an acknowledged row missing from one pod is lost once, named with its pod; exit 1', () => {
    const s = summarize([1, 2, 3], [{ pod: 'p-0', rows: [row(1), row(2), row(3)] }, { pod: 'p-1', rows: [row(1), row(3)] }, { pod: 'p-2', rows: [row(1), row(3)] }]);
    assert.equal(summaryLine(s), 'demo: pods=3 rows=3,2,2 identical=no written=3 lost=1');
    assert.deepEqual(s.missing, [{ pod: 'p-1', ids: [2] }, { pod: 'p-2', ids: [2] }]);
    assert.equal(summaryExitCode(s), 1);
  });

  it('the same ids with a different value are not identical, though nothing is lost', () => {
    const s = summarize([1, 2], [{ pod: 'p-0', rows: [row(1), row(2)] }, { pod: 'p-1', rows: [row(1), row(2, 'changed')] }]);
    assert.equal(summaryLine(s), 'demo: pods=2 rows=2,2 identical=no written=2 lost=0');
    assert.equal(summaryExitCode(s), 1);
  });

  it('a row missing from every pod is lost even though the pods agree', () => {
    const s = summarize([1, 2], [{ pod: 'p-0', rows: [row(1)] }, { pod: 'p-1', rows: [row(1)] }]);
    assert.equal(summaryLine(s), 'demo: pods=2 rows=1,1 identical=yes written=2 lost=1');
    assert.equal(summaryExitCode(s), 1);
  });

  it('no pod to compare is not identical', () => {
    const s = summarize([], []);
    assert.equal(summaryLine(s), 'demo: pods=0 rows= identical=no written=0 lost=0');
    assert.equal(summaryExitCode(s), 1);
  });
});

describe('demo: the writer', () => {
  it('its Pod takes the image, the security context and the password file from the chart, and no password value', async function () {
    this.timeout(60_000);
    const objects = await render({ release: 'demo', valuesFiles: ['ci/local-cluster-values.yaml'], set: { 'auth.sysPassword': 'Writer-Secret-91' } });
    const sts = find(objects, 'StatefulSet');
    const pod = writerPod(sts, { name: 'demo-writer', host: 'demo-aku-altibase', port: 20300, table: 'SYS.T1', pauseSeconds: 0.2 });
    const container = pod.spec.containers[0];
    assert.equal(container.image, sts.spec.template.spec.containers[0].image);
    assert.equal(container.imagePullPolicy, 'Never');
    assert.equal(pod.spec.securityContext.fsGroup, 10001);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    assert.equal(env.HOST, 'demo-aku-altibase');
    assert.equal(env.STOP_FILE, WRITER_STOP_FILE);
    const passwordFile = env.AKU_SYS_PASSWORD_FILE as string;
    const mount = container.volumeMounts.find((m: any) => passwordFile.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `no volume mounted where ${passwordFile} is`);
    assert.ok(pod.spec.volumes.some((v: any) => v.name === mount.name && v.projected), 'the password volume is not the projected Secret');
    assert.ok(container.volumeMounts.some((m: any) => m.mountPath === '/tmp'), 'no writable /tmp for the SQL client');
    assert.ok(!JSON.stringify(pod).includes('Writer-Secret-91'), 'the password is in the writer Pod');
    assert.equal(pod.metadata.labels['demo-aku-altibase-client'], 'true');
  });

  it('a StatefulSet without the altibase container or a password source is refused by name', () => {
    assert.throws(() => writerPod({ metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'other' }] } } } }, { name: 'w', host: 'h', port: 1, table: 't', pauseSeconds: 0 }), /statefulset\/x: no container named altibase/);
    assert.throws(() => writerPod({ metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'altibase', env: [] }] } } } }, { name: 'w', host: 'h', port: 1, table: 't', pauseSeconds: 0 }), /neither AKU_SYS_PASSWORD_FILE nor AKU_SYS_PASSWORD/);
  });

  it('its script acknowledges exactly the writes the client reported done, never reuses an id, and stops on the stop file', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'aku-demo-writer-'));
    try {
      mkdirSync(join(dir, 'bin'));
      // A stand-in aku-sql: the 3rd call fails with a server error, the 4th without one; every statement is
      // recorded; the 6th asks the writer to stop.
      writeFileSync(join(dir, 'bin', 'aku-sql'), `#!/bin/bash
n=$(( $(wc -l < "${dir}/calls" 2>/dev/null || echo 0) + 1 ))
printf '%s|%s|%s\\n' "$2" "$4" "$5" >> "${dir}/calls"
[[ $n == 6 ]] && touch "${dir}/stop"
if [[ $n == 3 ]]; then echo 'Connect success.'; echo '[ERR-4102E : connection refused]'; echo '[aku-sql] SQL client exited with status 1'; exit 1; fi
if [[ $n == 4 ]]; then echo 'timeout: sending signal'; exit 124; fi
exit 0
`);
      chmodSync(join(dir, 'bin', 'aku-sql'), 0o755);
      const r = await execa('bash', ['-c', WRITER_SCRIPT], {
        env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOST: 'svc', PORT: '20300', TABLE: 'SYS.T1', PAUSE: '0', STOP_FILE: join(dir, 'stop') },
        timeout: 20_000,
      });
      const lines = r.stdout.split('\n');
      assert.equal(lines[0], 'writer: inserting into SYS.T1 through svc:20300');
      assert.deepEqual(lines.slice(1), ['ack 1', 'ack 2', 'fail 3 [ERR-4102E : connection refused]', 'fail 4 timeout: sending signal', 'ack 5', 'ack 6', 'writer: stopped after 6 attempts']);
      assert.deepEqual(parseWriterLog(r.stdout), { acknowledged: [1, 2, 5, 6], failed: [3, 4] });
      const calls = (await execa('cat', [join(dir, 'calls')])).stdout.split('\n');
      assert.equal(calls.length, 6);
      assert.equal(calls[4], "svc|20300|INSERT INTO SYS.T1 (ID, V) VALUES (5, 'row 5')");
      assert.ok(existsSync(join(dir, 'stop')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('its log is read for ack and fail lines only', () => {
    assert.deepEqual(parseWriterLog('writer: inserting\nack 1\nack 2\nfail 3 [ERR-1 : x]\nack 10\nacknowledged 11\n'), { acknowledged: [1, 2, 10], failed: [3] });
  });
});

describe('demo: the replication table', () => {
  it('merges the meta table and the two views per replication; NULL XSN is -1; no sender row is "-"', () => {
    const rows = replicationRows(
      'p-0',
      [{ REPLICATION_NAME: 'AKU_REP_02', IS_STARTED: 0, XSN: null }, { REPLICATION_NAME: 'AKU_REP_01', IS_STARTED: 1, XSN: 412 }],
      [{ REP_NAME: 'AKU_REP_01', STATUS: 1 }],
      [{ REP_NAME: 'AKU_REP_01', REP_LAST_SN: 420, REP_SN: '415' }],
    );
    assert.deepEqual(rows, [
      { pod: 'p-0', replication: 'AKU_REP_01', started: true, xsn: '412', sender: 'RUN', gap: '5' },
      { pod: 'p-0', replication: 'AKU_REP_02', started: false, xsn: '-1', sender: '-', gap: '-' },
    ]);
    assert.deepEqual(replicationTable(rows), [
      'POD  REPLICATION  STARTED  XSN  SENDER  GAP',
      'p-0  AKU_REP_01   yes      412  RUN     5',
      'p-0  AKU_REP_02   no       -1   -       -',
    ]);
  });

  it('aligns columns to the widest cell', () => {
    assert.deepEqual(formatTable(['A', 'B'], [['long-pod-name', '1'], ['x', '22']]), ['A              B', 'long-pod-name  1', 'x              22']);
  });
});

describe('demo: log timestamps', () => {
  it('splits the timestamp kubectl adds and orders timestamps whose trailing zeros were trimmed', () => {
    assert.deepEqual(splitTimestamp('2026-12-02T11:00:00.5Z [AKU][x] started'), ['2026-12-02T11:00:00.5Z', '[AKU][x] started']);
    assert.deepEqual(splitTimestamp('no timestamp'), [undefined, 'no timestamp']);
    assert.ok(timestampKey('2026-12-02T11:00:00.5Z') > timestampKey('2026-12-02T11:00:00.123456789Z'));
    assert.ok(timestampKey('2026-12-02T11:00:01Z') > timestampKey('2026-12-02T11:00:00.999Z'));
    assert.equal(timestampKey('2026-12-02T11:00:00.1Z'), timestampKey('2026-12-02T11:00:00.100Z'));
  });
});

describe('demo and suite: is the cluster up', () => {
  it('up only when every component runs; some running is partial (a crashed run), none is down', () => {
    const line = (ok: boolean, name: string) => `  ${ok ? '✓' : '✗'} ${name.padEnd(24)} ${ok ? 'pid 12' : 'not running'}`;
    const names = ['etcd', 'kube-apiserver', 'kubelet'];
    assert.equal(clusterState(`${names.map((n) => line(true, n)).join('\n')}\n\n  NAME STATUS\n  aku-node Ready\n`), 'up');
    assert.equal(clusterState(names.map((n, i) => line(i !== 1, n)).join('\n')), 'partial');
    assert.equal(clusterState(`${names.map((n) => line(false, n)).join('\n')}\n  the cluster is down\n`), 'down');
  });
});

describe('demo: the cluster lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'aku-demo-lock-')), 'lock');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('is taken when free, released only by its holder', async () => {
    await takeLock({ dir, timeoutMs: 1000 });
    assert.equal(lockHolder(dir), process.pid);
    releaseLock(dir);
    assert.equal(existsSync(dir), false);
  });

  it("a dead holder's lock is taken over; a live holder's is waited for, bounded", async function () {
    this.timeout(20_000);
    const dead = execa('true');
    await dead;
    mkdirSync(dir);
    writeFileSync(join(dir, 'pid'), String(dead.pid));
    await takeLock({ dir, timeoutMs: 8000 });
    assert.equal(lockHolder(dir), process.pid);
    writeFileSync(join(dir, 'pid'), String(process.ppid));
    await assert.rejects(takeLock({ dir, timeoutMs: 100 }), /timed out after 0.1 s waiting for the cluster lock/);
    releaseLock(dir); // not ours: stays
    assert.equal(lockHolder(dir), process.ppid);
  });
});
