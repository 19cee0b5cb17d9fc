/**
 * docs/base-image-contract.md, checked: the entrypoint runs against a minimal stand-in base that
 * offers exactly what the contract lists — `server create|start|stop`, a process named `altibase`,
 * `isql -s … -port … -silent /NOLOG -f FILE` taking the password from FILE's CONNECT line — and a
 * PATH holding only the tools the contract names. A new dependency of the entrypoint fails here
 * until the contract lists it.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { freePort } from '../helpers/free-port.js';
import { REPO_ROOT } from './tools.js';

/** The tools section of docs/base-image-contract.md, as commands. */
const CONTRACT_TOOLS = ['bash', 'timeout', 'mktemp', 'sha256sum', 'basename', 'dirname', 'date', 'cat', 'rm', 'mkdir', 'touch', 'sleep', 'chmod', 'id', 'awk', 'sed', 'grep', 'find', 'pgrep', 'flock'];

function script(path: string, lines: string[]): void {
  writeFileSync(path, `#!/bin/bash\n${lines.join('\n')}\n`);
  chmodSync(path, 0o755);
}

describe('base-image contract: the entrypoint against a minimal stand-in base', function () {
  this.timeout(60_000);
  let dir: string;
  let home: string;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aku-contract-'));
    home = join(dir, 'altibase_home');
    port = await freePort();
    const bin = join(home, 'bin');
    const tools = join(dir, 'tools');
    mkdirSync(bin, { recursive: true });
    mkdirSync(join(home, 'conf'));
    mkdirSync(join(home, 'dbs'));
    mkdirSync(tools);
    for (const tool of CONTRACT_TOOLS) symlinkSync(execaSync('bash', ['-c', `command -v ${tool}`]).stdout, join(tools, tool));
    const events = join(dir, 'events');
    // the server binary: a process named `altibase` listening on ALTIBASE_PORT_NO
    symlinkSync(process.execPath, join(bin, 'altibase'));
    script(join(bin, 'server'), [
      `echo "server $*" >> "${events}"`,
      'case $1 in',
      '  create) [[ $# == 3 ]] || exit 3; touch "$ALTIBASE_HOME/dbs/system001.dbf" ;;',
      `  start) "$ALTIBASE_HOME/bin/altibase" -e "require('fs').writeFileSync(process.env.ALTIBASE_HOME + '/server.pid', String(process.pid)); require('net').createServer((s) => s.end()).listen(+process.env.ALTIBASE_PORT_NO, '127.0.0.1')" </dev/null >/dev/null 2>&1 & ;;`,
      '  stop) kill "$(cat "$ALTIBASE_HOME/server.pid")" ;;',
      '  *) exit 3 ;;',
      'esac',
    ]);
    script(join(bin, 'isql'), [
      '[[ $# == 8 && $1 == -s && $2 == 127.0.0.1 && $3 == -port && $5 == -silent && $6 == /NOLOG && $7 == -f ]] || { echo "isql: unexpected arguments: $*"; exit 9; }',
      `read -r line < "$8"`,
      `pw=$(cat "${dir}/pw" 2>/dev/null || echo manager)`,
      '[[ $line == "CONNECT SYS/$pw AS SYSDBA;" ]] || { echo "[ERR-51015 : Invalid password]"; exit 0; }',
      `while read -r l; do [[ $l == "ALTER USER SYS IDENTIFIED BY "* ]] && { p=\${l#ALTER USER SYS IDENTIFIED BY }; echo "\${p%;}" > "${dir}/pw"; }; [[ -n $l && $l != CONNECT* ]] && echo "isql $l" >> "${events}"; done < "$8"`,
      'echo "Execute success."',
    ]);
    script(join(bin, 'aku'), [`echo "aku $*" >> "${events}"`, 'exit 0']);
    writeFileSync(join(dir, 'sys-password'), 'Contract1\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The entrypoint with only what the contract gives it: the stand-in tools, the Secret's file. */
  const entrypoint = (runDir: string, extra: Record<string, string> = {}) =>
    execa(join(REPO_ROOT, 'docker', 'entrypoint.sh'), [], {
      extendEnv: false,
      env: {
        PATH: join(dir, 'tools'),
        ALTIBASE_HOME: home,
        ALTIBASE_PORT_NO: String(port),
        AKU_POD_NAME: 'db-0',
        AKU_SYS_PASSWORD_FILE: join(dir, 'sys-password'),
        AKU_INIT_SCRIPTS_DIR: join(dir, 'no-initdb'),
        AKU_RUN_DIR: runDir,
        ...extra,
      },
      reject: false,
      all: true,
    });

  it('creates, starts, sets the password, runs aku -p start, and on SIGTERM aku -p end and server stop', async () => {
    const child = entrypoint(dir);
    const deadline = Date.now() + 30_000;
    while (!(child.all && readEvents().includes('aku -p start')) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 0, result.all);
    assert.deepEqual(readEvents().trim().split('\n'), [
      'server create UTF8 UTF8',
      'server start',
      'isql ALTER USER SYS IDENTIFIED BY Contract1;',
      'isql EXIT;',
      'aku -p start',
      'aku -p end',
      'server stop',
    ]);
    assert.doesNotMatch(result.all ?? '', /command not found|No such file/);
    assert.ok(existsSync(join(home, 'dbs', '.aku', 'sys-password-set')));
  });

  it('a second container on the same data volume waits until the first one has stopped its server (forced deletion)', async () => {
    rmSync(join(dir, 'events'), { force: true });
    const start = (runDir: string) => {
      mkdirSync(runDir, { recursive: true });
      return entrypoint(runDir, { AKU_VOLUME_LOCK_WAIT: '30' });
    };
    const until = async (what: string, check: () => boolean, ms = 20_000) => {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; events:\n${readEvents()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const starts = () => readEvents().split('\n').filter((l) => l === 'server start').length;
    const old = start(join(dir, 'run-old'));
    await until('the first container\'s aku -p start', () => readEvents().includes('aku -p start'));
    const successor = start(join(dir, 'run-new'));
    let successorLog = '';
    successor.all?.on('data', (d: Buffer) => (successorLog += d.toString()));
    await until('the second container to wait for the volume', () => /another container still runs on this data volume/.test(successorLog));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(starts(), 1, `a second server started on the volume while the first ran:\n${readEvents()}`);
    old.kill('SIGTERM');
    assert.equal((await old).exitCode, 0);
    await until('the second container\'s server start', () => starts() === 2);
    assert.match(successorLog, /the data volume is free: going on/);
    const events = readEvents().trim().split('\n');
    assert.ok(events.indexOf('server stop') < events.lastIndexOf('server start'), events.join('\n'));
    successor.kill('SIGTERM');
    assert.equal((await successor).exitCode, 0, successorLog);
  });

  function readEvents(): string {
    const file = join(dir, 'events');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }
});
