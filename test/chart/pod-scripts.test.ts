/**
 * The chart's pod scripts executed, not only linted: probe.sh (startup, readiness, liveness) and
 * pre-stop.sh (aku -p end within its budget, bounded by timeout, leaving the marker the
 * entrypoint reads), and check-replication.sh's data check.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { containerIdentity } from '../../src/lifecycle/completion-file.js';
import { REPO_ROOT } from './tools.js';

const FILES = join(REPO_ROOT, 'chart', 'files');

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.end());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('chart pod scripts, executed', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aku-pod-scripts-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('probe.sh', () => {
    const probe = (mode: string, env: Record<string, string>) => execa('bash', [join(FILES, 'probe.sh'), mode], { reject: false, all: true, env, extendEnv: true });

    it('computes the container identity exactly as aku does (the completion file\'s content)', async () => {
      const result = await probe('identity', {});
      assert.equal(result.exitCode, 0, result.all);
      assert.equal(result.stdout, containerIdentity({}));
      const other = await probe('identity', { AKU_CONTAINER_INIT_PID: String(process.pid) });
      assert.equal(other.stdout, containerIdentity({ AKU_CONTAINER_INIT_PID: String(process.pid) }));
    });

    it('started: only a completion file written in this container passes', async () => {
      const file = join(dir, 'aku_start_completed');
      const env = { AKU_START_COMPLETED_FILE: file };
      const absent = await probe('started', env);
      assert.equal(absent.exitCode, 1);
      assert.match(absent.all ?? '', /aku_start_completed is absent/);
      writeFileSync(file, `${containerIdentity({})}\n`);
      assert.equal((await probe('started', env)).exitCode, 0);
      // an earlier container's file: another init process's identity
      writeFileSync(file, `${containerIdentity({ AKU_CONTAINER_INIT_PID: String(process.pid) })}\n`);
      const stale = await probe('started', env);
      assert.equal(stale.exitCode, 1);
      assert.match(stale.all ?? '', /written by an earlier container/);
    });

    it('ready: started and the port accepts connections; live: the port alone', async () => {
      const server = await listen();
      const file = join(dir, 'aku_start_completed');
      writeFileSync(file, `${containerIdentity({})}\n`);
      const env = { AKU_START_COMPLETED_FILE: file, ALTIBASE_PORT_NO: String(portOf(server)) };
      assert.equal((await probe('ready', env)).exitCode, 0);
      assert.equal((await probe('live', env)).exitCode, 0);
      await new Promise((r) => server.close(r));
      const closed = await probe('ready', env);
      assert.equal(closed.exitCode, 1);
      assert.match(closed.all ?? '', /does not accept connections/);
      assert.equal((await probe('live', env)).exitCode, 1);
      rmSync(file);
      const notStarted = await probe('ready', env);
      assert.match(notStarted.all ?? '', /absent/);
      assert.equal((await probe('nonsense', env)).exitCode, 2);
    });
  });

  describe('pre-stop.sh', () => {
    function fakeAku(body: string): string {
      mkdirSync(join(dir, 'home', 'bin'), { recursive: true });
      const aku = join(dir, 'home', 'bin', 'aku');
      writeFileSync(aku, `#!/bin/bash\necho "aku $*" >> "${dir}/events"\n${body}\n`);
      chmodSync(aku, 0o755);
      return aku;
    }
    const preStop = (env: Record<string, string>) =>
      execa('bash', [join(FILES, 'pre-stop.sh')], {
        reject: false,
        env: { ALTIBASE_HOME: join(dir, 'home'), AKU_PRESTOP_MARKER: join(dir, 'marker'), AKU_PRESTOP_LOG: join(dir, 'log'), ...env },
        extendEnv: true,
      });

    it('runs aku -p end, leaves its exit status in the marker, logs to the container log', async () => {
      fakeAku('exit 3');
      writeFileSync(join(dir, 'log'), '');
      const result = await preStop({ AKU_END_TIME_BUDGET: '20' });
      assert.equal(result.exitCode, 3);
      assert.equal(readFileSync(join(dir, 'events'), 'utf8'), 'aku -p end\n');
      assert.equal(readFileSync(join(dir, 'marker'), 'utf8'), '3\n');
      assert.match(readFileSync(join(dir, 'log'), 'utf8'), /running aku -p end \(budget 20 s\)[\s\S]*aku -p end exited with status 3/);
    });

    it('a hung aku is stopped by timeout at budget + 5 s (+5 s to kill), and the marker says so', async () => {
      fakeAku('exec sleep 60');
      writeFileSync(join(dir, 'log'), '');
      const started = Date.now();
      const result = await preStop({ AKU_END_TIME_BUDGET: '1' });
      const elapsed = (Date.now() - started) / 1000;
      assert.equal(result.exitCode, 124);
      assert.equal(readFileSync(join(dir, 'marker'), 'utf8'), '124\n');
      assert.ok(elapsed >= 5.5 && elapsed < 15, `took ${elapsed} s`);
    });
  });

  describe('check-replication.sh: data, read-only', () => {
    /** A client stand-in answering from files (row counts per host and table), logging every statement; aku -s stands in as `true`. */
    async function runCheck(counts: Record<string, Record<string, number>>) {
      const client = join(dir, 'client');
      writeFileSync(
        client,
        [
          '#!/bin/bash',
          `echo "$HOST $SQL" >> "${dir}/statements"`,
          'case $SQL in',
          '  "ALTER REPLICATION "*" FLUSH") echo "Alter success." ;;',
          `  "SELECT COUNT(*) AS ROW_COUNT FROM "*) t=\${SQL##* }; cat "${dir}/count.$HOST.$t" ;;`,
          '  *) exit 5 ;;',
          'esac',
        ].join('\n'),
      );
      chmodSync(client, 0o755);
      for (const [host, tables] of Object.entries(counts)) {
        for (const [table, n] of Object.entries(tables)) writeFileSync(join(dir, `count.${host}.${table}`), `ROW_COUNT\n---------\n${n}\n1 row selected.\n`);
      }
      return execa('bash', [join(FILES, 'check-replication.sh')], {
        reject: false,
        all: true,
        env: { STS: 'db', SVC: 'db-h', PORT: '20300', REPLICAS: '2', PREFIXES: 'AKU_REP', TABLES: 'SYS.T1 SYS.T2', SQL_COMMAND: client, AKU_COMMAND: 'true', CHECK_TIMEOUT: '1' },
        extendEnv: true,
      });
    }

    it('passes when every table has the same row count on every pod after the FLUSH; changes nothing', async () => {
      const result = await runCheck({ 'db-0.db-h': { 'SYS.T1': 3, 'SYS.T2': 0 }, 'db-1.db-h': { 'SYS.T1': 3, 'SYS.T2': 0 } });
      assert.equal(result.exitCode, 0, result.all);
      assert.match(result.all ?? '', /PASS: .* every table has the same rows on each/);
      const statements = readFileSync(join(dir, 'statements'), 'utf8').trim().split('\n');
      assert.ok(statements.includes('db-0.db-h ALTER REPLICATION AKU_REP_01 FLUSH'), statements.join('\n'));
      // read-only: besides the FLUSH, only SELECTs
      for (const s of statements) assert.match(s, /^\S+ (SELECT |ALTER REPLICATION \w+ FLUSH$)/);
    });

    it('fails naming the pod and table whose count differs', async () => {
      const result = await runCheck({ 'db-0.db-h': { 'SYS.T1': 3, 'SYS.T2': 0 }, 'db-1.db-h': { 'SYS.T1': 2, 'SYS.T2': 0 } });
      assert.equal(result.exitCode, 1);
      assert.match(result.all ?? '', /FAIL db-1\.db-h: SYS\.T1 has 2 rows, pod 0 has 3/);
    });
  });
});
