/**
 * The shell that runs in the pods: lint, then behaviour with stand-ins for the server, the SQL
 * client and aku (the entrypoint's commands are overridable for exactly this, and for the simulator).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { freePort } from '../helpers/free-port.js';
import { REPO_ROOT } from './tools.js';

const SHELL_FILES = [
  ...readdirSync(join(REPO_ROOT, 'docker')).filter((f) => f.endsWith('.sh')).map((f) => `docker/${f}`),
  ...readdirSync(join(REPO_ROOT, 'docker', 'lib')).filter((f) => f.endsWith('.sh')).map((f) => `docker/lib/${f}`),
  ...readdirSync(join(REPO_ROOT, 'chart', 'files')).filter((f) => f.endsWith('.sh')).map((f) => `chart/files/${f}`),
  'scripts/install-tools.sh',
  ...readdirSync(join(REPO_ROOT, 'scripts', 'lib')).filter((f) => f.endsWith('.sh')).map((f) => `scripts/lib/${f}`),
];

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'aku-chart-sh-'));
}

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('container and chart shell scripts', function () {
  this.timeout(60_000);

  describe('lint', () => {
    it('covers the entrypoint, the chart scripts and the installer', () => {
      for (const f of ['docker/entrypoint.sh', 'chart/files/pre-stop.sh', 'chart/files/probe.sh', 'chart/files/check-replication.sh']) {
        assert.ok(SHELL_FILES.includes(f), f);
      }
    });

    for (const file of SHELL_FILES) {
      it(`bash -n ${file}`, async () => {
        await execa('bash', ['-n', join(REPO_ROOT, file)]);
      });
    }

    it('shellcheck passes on all of them', async () => {
      const found = await execa('shellcheck', ['--version'], { reject: false }).catch(() => undefined);
      if (!found || found.exitCode !== 0) {
        assert.fail('shellcheck is not installed: run `bash scripts/install-tools.sh` as root (it apt-get installs shellcheck)');
      }
      const result = await execa('shellcheck', ['-x', '-s', 'bash', ...SHELL_FILES], { cwd: REPO_ROOT, reject: false });
      assert.equal(result.exitCode, 0, result.stdout);
    });
  });

  describe('register-odbc-driver.sh (image build)', () => {
    const register = join(REPO_ROOT, 'docker', 'register-odbc-driver.sh');
    let dir: string;
    beforeEach(() => {
      dir = scratch();
      mkdirSync(join(dir, 'home', 'lib'), { recursive: true });
      writeFileSync(join(dir, 'home', 'lib', 'libaltibase_odbc-64bit-ul64.so'), '');
      // a PATH with the tools the script uses, and no odbcinst (Debian 12's unixodbc package alone)
      mkdirSync(join(dir, 'bin'));
      for (const tool of ['awk', 'grep', 'touch', 'cat']) {
        symlinkSync(execaSync('bash', ['-c', `command -v ${tool}`]).stdout, join(dir, 'bin', tool));
      }
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const run = (args: string[], env: Record<string, string> = {}) =>
      execa(process.env.BASH ?? '/bin/bash', [register, ...args], { reject: false, all: true, extendEnv: false, env: { PATH: join(dir, 'bin'), ...env } });

    it('fails loudly, naming the package, when odbcinst is missing', async () => {
      const result = await run([join(dir, 'home')]);
      assert.equal(result.exitCode, 1, result.all);
      assert.match(result.all ?? '', /odbcinst command is missing.*apt-get install odbcinst/);
    });

    it('registers the driver in the file odbcinst -j names, once', async () => {
      const ini = join(dir, 'odbcinst.ini');
      script(join(dir, 'bin', 'odbcinst'), `[[ $1 == -j ]] || exit 3\necho 'unixODBC 2.3.11'\necho 'DRIVERS............: ${ini}'`);
      const first = await run([join(dir, 'home')]);
      assert.equal(first.exitCode, 0, first.all);
      assert.match(readFileSync(ini, 'utf8'), /\[ALTIBASE_HDB_ODBC_64bit\]\nDescription = .*\nDriver      = .*libaltibase_odbc-64bit-ul64\.so\n/);
      const second = await run([join(dir, 'home')]);
      assert.equal(second.exitCode, 0, second.all);
      assert.equal((readFileSync(ini, 'utf8').match(/\[ALTIBASE_HDB_ODBC_64bit\]/g) ?? []).length, 1);
    });

    it('refuses a base image without the driver unless ODBC_DRIVER_REQUIRED=0', async () => {
      rmSync(join(dir, 'home', 'lib', 'libaltibase_odbc-64bit-ul64.so'));
      const ini = join(dir, 'given.ini');
      const refused = await run([join(dir, 'home'), ini]);
      assert.equal(refused.exitCode, 1);
      assert.match(refused.all ?? '', /libaltibase_odbc-64bit-ul64\.so is missing/);
      const allowed = await run([join(dir, 'home'), ini], { ODBC_DRIVER_REQUIRED: '0' });
      assert.equal(allowed.exitCode, 0, allowed.all);
      assert.match(readFileSync(ini, 'utf8'), /ALTIBASE_HDB_ODBC_64bit/);
    });
  });

  describe('check-replication.sh (the helm test)', () => {
    const check = join(REPO_ROOT, 'chart', 'files', 'check-replication.sh');

    /**
     * An `aku` stand-in: records its arguments and environment, prints a line, and exits with the
     * statuses given one per attempt (the last one repeats).
     */
    async function runCheck(statuses: number[], env: Record<string, string> = {}) {
      const dir = scratch();
      writeFileSync(join(dir, 'statuses'), statuses.join('\n') + '\n');
      const aku = script(
        join(dir, 'aku'),
        [
          `echo "$* FAIL_ON=$FAIL_ON" >> "${dir}/calls"`,
          `n=$(wc -l < "${dir}/calls")`,
          `status=$(sed -n "\${n}p" "${dir}/statuses"); [[ -n $status ]] || status=$(tail -1 "${dir}/statuses")`,
          'echo "aku -s table (attempt $n)"',
          'exit "$status"',
        ].join('\n'),
      );
      const result = await execa('bash', [check], {
        reject: false,
        all: true,
        env: { STS: 'db', SVC: 'db-h', PORT: '20300', REPLICAS: '3', PREFIXES: 'AKU_REP B', AKU_COMMAND: aku, SQL_COMMAND: 'exit 9', CHECK_TIMEOUT: '1', ...env },
        extendEnv: true,
      });
      const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
      rmSync(dir, { recursive: true, force: true });
      return { result, calls };
    }

    it('passes when aku -s exits 0, running it with the replica count and FAIL_ON; its table is the log', async () => {
      const { result, calls } = await runCheck([0], { FAIL_ON: 'warn' });
      assert.equal(result.exitCode, 0, result.all);
      assert.deepEqual(calls, ['-s --replicas 3 --fail-on warn FAIL_ON=warn']);
      assert.match(result.all ?? '', /aku -s table \(attempt 1\)\nPASS: aku -s found every pair of all 3 pod\(s\) replicating/);
    });

    it('retries a failing verdict until the timeout, then fails; FAIL_ON defaults to fail', async () => {
      const { result, calls } = await runCheck([1]);
      assert.equal(result.exitCode, 1);
      assert.deepEqual(calls, ['-s --replicas 3 --fail-on fail FAIL_ON=']);
      assert.match(result.all ?? '', /FAIL: replication is not complete after 1 s/);
      const later = await runCheck([1, 0], { CHECK_TIMEOUT: '12' });
      assert.equal(later.result.exitCode, 0, later.result.all);
      assert.equal(later.calls.length, 2);
    });

    it('does not retry a usage or configuration error of aku (exit 2)', async () => {
      const { result, calls } = await runCheck([2], { CHECK_TIMEOUT: '30' });
      assert.equal(result.exitCode, 1);
      assert.equal(calls.length, 1);
      assert.match(result.all ?? '', /FAIL: aku -s could not run/);
    });
  });

  describe('entrypoint.sh with stand-ins (foreground server, fake aku and SQL client)', () => {
    let dir: string;
    let port: number;

    beforeEach(async () => {
      dir = scratch();
      // A port the kernel just handed out and took back: a random pick could be an ephemeral port in use.
      port = await freePort();
      mkdirSync(join(dir, 'home', 'bin'), { recursive: true });
      mkdirSync(join(dir, 'home', 'dbs'), { recursive: true });
      mkdirSync(join(dir, 'initdb'));
      writeFileSync(join(dir, 'initdb', '01-schema.sql'), 'CREATE TABLE T1 (ID INTEGER PRIMARY KEY);\nCREATE TABLE T2 (ID INTEGER PRIMARY KEY);\n');
      writeFileSync(join(dir, 'initdb', '02-more.sh'), `echo "init-sh" >> "${dir}/events"\n`);
      // aku: start fails once (exit 1), then succeeds; end is logged
      script(
        join(dir, 'home', 'bin', 'aku'),
        `echo "aku $*" >> "${dir}/events"\nif [[ $2 == start ]]; then\n  n=$(cat "${dir}/starts" 2>/dev/null || echo 0); echo $((n+1)) > "${dir}/starts"\n  ((n >= 1)) || exit 1\nfi\nexit 0`,
      );
    });

    beforeEach(() => {
      // isql as docs/base-image-contract.md fixes it: `isql -s H -port P -silent /NOLOG -f FILE`,
      // FILE starting with CONNECT SYS/<password> [AS SYSDBA]; and ending with EXIT;
      script(
        join(dir, 'home', 'bin', 'isql'),
        [
          '[[ $# == 8 && $1 == -s && $3 == -port && $5 == -silent && $6 == /NOLOG && $7 == -f ]] || { echo "isql: unexpected arguments: $*"; exit 9; }',
          '[[ ${ISQL_CONNECTION:-} == TCP ]] || { echo "isql: ISQL_CONNECTION is not TCP"; exit 8; }',
          `current=$(cat "${dir}/pw" 2>/dev/null || echo manager)`,
          // every command line on the machine while the password is in use, for the test to grep
          `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done >> "${dir}/cmdlines"`,
          'file=$8',
          'line=$(head -1 "$file")',
          '[[ $line == "CONNECT SYS/"*";" ]] || { echo "[ERR-91020 : No Connection State]"; exit 0; }',
          'line=${line%;}; line=${line% AS SYSDBA}; pw=${line#CONNECT SYS/}',
          '[[ $(tail -1 "$file") == "EXIT;" ]] || { echo "isql: the script does not end with EXIT;"; exit 7; }',
          `body=$(sed '1d;$d' "$file" | grep -v '^$' | tr '\n' ' ')`,
          `echo "sql[$pw] $body" >> "${dir}/events"`,
          '[[ $pw == "$current" ]] || { echo "[ERR-51015 : Invalid password]"; exit 0; }',
          "re2='IDENTIFIED BY ([A-Za-z0-9]+)'",
          `if [[ $body =~ $re2 ]]; then echo "\${BASH_REMATCH[1]}" > "${dir}/pw"; fi`,
          'echo "Alter success."',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'sys-password'), 'Secret1\n');
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function env(extra: Record<string, string> = {}): Record<string, string> {
      return {
        ALTIBASE_HOME: join(dir, 'home'),
        ALTIBASE_PORT_NO: String(port),
        AKU_POD_NAME: 'db-1',
        AKU_SYS_PASSWORD_FILE: join(dir, 'sys-password'),
        AKU_SYS_INITIAL_PASSWORD: 'manager',
        AKU_INIT_SCRIPTS_DIR: join(dir, 'initdb'),
        AKU_RUN_DIR: dir,
        AKU_PRESTOP_MARKER: join(dir, 'prestop.done'),
        AKU_START_RETRY_INITIAL_DELAY: '1',
        AKU_END_TIME_BUDGET: '10',
        AKU_SERVER_MODE: 'foreground',
        AKU_SERVER_CREATE_CMD: `echo create >> "${dir}/events"; touch "$ALTIBASE_HOME/dbs/system001.dbf"`,
        AKU_SERVER_START_CMD: `echo server-start >> "${dir}/events"; exec node -e "require('net').createServer(s => s.end()).listen(+process.env.ALTIBASE_PORT_NO, '127.0.0.1'); process.on('SIGTERM', () => { require('fs').appendFileSync('${dir}/events', 'server-stopped\\n'); process.exit(0); })"`,
        ...extra,
      };
    }

    async function runUntilStarted(e: Record<string, string>, beforeTerm?: () => void) {
      const child = execa('bash', [join(REPO_ROOT, 'docker', 'entrypoint.sh')], { env: e, extendEnv: true, reject: false, all: true });
      const deadline = Date.now() + 20_000;
      while (!readEvents().includes('aku -p start') || readFileSync(join(dir, 'starts'), { flag: 'a+' }).toString().trim() !== '2') {
        if (Date.now() > deadline || child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 300));
      beforeTerm?.();
      child.kill('SIGTERM');
      return await child;
    }

    function readEvents(): string {
      return existsSync(join(dir, 'events')) ? readFileSync(join(dir, 'events'), 'utf8') : '';
    }

    it('first start: create, start, SYS password, init scripts once, aku -p start retried; SIGTERM: aku -p end, stop', async () => {
      const result = await runUntilStarted(env());
      assert.equal(result.exitCode, 0, result.all);
      const events = readEvents().trim().split('\n');
      assert.deepEqual(events, [
        'create',
        'server-start',
        'sql[Secret1] SELECT 1 FROM DUAL; ',
        'sql[manager] ALTER USER SYS IDENTIFIED BY Secret1; ',
        'sql[Secret1] CREATE TABLE T1 (ID INTEGER PRIMARY KEY); CREATE TABLE T2 (ID INTEGER PRIMARY KEY); ',
        'init-sh',
        'aku -p start',
        'aku -p start',
        'aku -p end',
        'server-stopped',
      ]);
      assert.match(result.all ?? '', /aku -p start failed \(exit 1\); retrying in 1 s/);
      // the password: on no command line while isql ran (isql's own line is there), in no log line
      const cmdlines = readFileSync(join(dir, 'cmdlines'), 'utf8');
      assert.match(cmdlines, /isql -s 127\.0\.0\.1 -port \d+ -silent \/NOLOG -f /);
      assert.doesNotMatch(cmdlines, /Secret1/);
      // the initial password is a common word (kube-controller-manager): look at our own processes only
      assert.deepEqual(cmdlines.split('\n').filter((l) => /isql|entrypoint\.sh|aku-sql/.test(l) && /\bmanager\b/.test(l)), []);
      assert.doesNotMatch(result.all ?? '', /Secret1/);
      assert.match(result.all ?? '', /no preStop ran: aku -p end/);
      for (const marker of ['db-created', 'sys-password-set', 'init-scripts/01-schema.sql', 'init-scripts/02-more.sh']) {
        assert.ok(existsSync(join(dir, 'home', 'dbs', '.aku', marker)), marker);
      }
    });

    it('init scripts: none yet records nothing; scripts added by a later upgrade run on the next start, once', async () => {
      const initdb = join(dir, 'initdb');
      rmSync(initdb, { recursive: true });
      mkdirSync(initdb);
      const first = await runUntilStarted(env());
      assert.match(first.all ?? '', /init scripts: 0 in .*, 0 run now/);
      assert.deepEqual(readdirSync(join(dir, 'home', 'dbs', '.aku', 'init-scripts')), []);
      writeFileSync(join(initdb, '05-added.sql'), 'CREATE TABLE T5 (ID INTEGER PRIMARY KEY);\n');
      rmSync(join(dir, 'events'));
      rmSync(join(dir, 'starts'));
      const second = await runUntilStarted(env());
      assert.equal(second.exitCode, 0, second.all);
      assert.match(readEvents(), /sql\[Secret1\] CREATE TABLE T5/);
      // changed afterwards: reported, not run again
      writeFileSync(join(initdb, '05-added.sql'), 'CREATE TABLE T6 (ID INTEGER PRIMARY KEY);\n');
      rmSync(join(dir, 'events'));
      rmSync(join(dir, 'starts'));
      const third = await runUntilStarted(env());
      assert.doesNotMatch(readEvents(), /CREATE TABLE/);
      assert.match(third.all ?? '', /init script 05-added\.sql changed since it ran on this pod; not run again/);
    });

    it('gives up after AKU_START_MAX_ATTEMPTS failed starts: server stopped, exit 1, reason in the termination log', async () => {
      script(join(dir, 'home', 'bin', 'aku'), `echo "aku $*" >> "${dir}/events"\n[[ $2 == start ]] && exit 3\nexit 0`);
      const termination = join(dir, 'termination-log');
      writeFileSync(termination, '');
      const child = await execa('bash', [join(REPO_ROOT, 'docker', 'entrypoint.sh')], {
        env: env({ AKU_START_MAX_ATTEMPTS: '3', AKU_START_RETRY_MAX_DELAY: '1', AKU_TERMINATION_LOG: termination }),
        extendEnv: true,
        reject: false,
        all: true,
        timeout: 30_000,
      });
      assert.equal(child.exitCode, 1, child.all);
      assert.equal((readEvents().match(/^aku -p start$/gm) ?? []).length, 3);
      assert.match(readEvents(), /server-stopped/);
      assert.match(readFileSync(termination, 'utf8'), /aku -p start failed 3 times \(last exit 3\)/);
      assert.match(child.all ?? '', /attempt 3 of 3/);
    });

    it('restart: nothing is created or run again, and aku -p end is left to preStop when it ran', async () => {
      await runUntilStarted(env());
      rmSync(join(dir, 'events'));
      rmSync(join(dir, 'starts'));
      const result = await runUntilStarted(env(), () => writeFileSync(join(dir, 'prestop.done'), '0\n'));
      assert.equal(result.exitCode, 0, result.all);
      assert.deepEqual(readEvents().trim().split('\n'), ['server-start', 'aku -p start', 'aku -p start', 'server-stopped']);
      assert.match(result.all ?? '', /aku -p end already ran in preStop \(exit status 0\)/);
    });

    it('splits statements for a one-statement client (AKU_SQL_SPLIT=1)', async () => {
      const result = await runUntilStarted(env({ AKU_SQL_SPLIT: '1' }));
      assert.equal(result.exitCode, 0, result.all);
      const sql = readEvents().split('\n').filter((l) => l.startsWith('sql[Secret1] CREATE'));
      assert.deepEqual(sql, ['sql[Secret1] CREATE TABLE T1 (ID INTEGER PRIMARY KEY); ', 'sql[Secret1] CREATE TABLE T2 (ID INTEGER PRIMARY KEY); ']);
    });

    it('a failing init script stops the server and exits non-zero, without running aku', async () => {
      writeFileSync(join(dir, 'initdb', '03-bad.sh'), 'exit 4\n');
      const child = await execa('bash', [join(REPO_ROOT, 'docker', 'entrypoint.sh')], { env: env(), extendEnv: true, reject: false, all: true, timeout: 20_000 });
      assert.equal(child.exitCode, 1, child.all);
      assert.match(child.all ?? '', /init script .*03-bad\.sh failed/);
      assert.doesNotMatch(readEvents(), /aku -p start/);
      assert.match(readEvents(), /server-stopped/);
      assert.equal(existsSync(join(dir, 'home', 'dbs', '.aku', 'init-scripts', '03-bad.sh')), false);
      assert.ok(existsSync(join(dir, 'home', 'dbs', '.aku', 'init-scripts', '01-schema.sql')), 'the scripts before it are recorded');
    });
  });
});
