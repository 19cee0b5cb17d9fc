/**
 * aku under the identity a pod really gets: a UID the image's /etc/passwd does not list (OpenShift's
 * restricted policy picks random ones; the chart's runAsUser need not match the image's user) and
 * an environment without SHELL or HOME. Node's os.userInfo()/os.homedir() throw then, and
 * @oclif/core calls them while loading; bin/aku must work all the same.
 *
 * Switching UID needs root (CI has it); without root the no-passwd part cannot run and the test
 * says so loudly, still checking the unset SHELL/HOME under the current user.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { AKU_BIN, altibaseHome } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;

/** The first UID from 54321 up that /etc/passwd (through NSS) does not know. */
async function uidWithoutPasswdEntry(): Promise<number> {
  for (let uid = 54321; uid < 54421; uid++) {
    const lookup = await execa('getent', ['passwd', String(uid)], { reject: false });
    if (lookup.exitCode === 2) return uid;
  }
  throw new Error('no UID between 54321 and 54420 is free of a passwd entry');
}

/** Runs argv with an empty environment (PATH and what is given only), as `uid` when given. */
function runAs(uid: number | undefined, argv: string[], env: Record<string, string> = {}) {
  const prefix = uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  const [file, ...args] = [...prefix, ...argv];
  return execa(file!, args, { reject: false, extendEnv: false, env: { PATH: process.env.PATH!, ...env }, all: true });
}

describe('aku under a UID without a passwd entry, SHELL and HOME unset', function () {
  this.timeout(30_000);
  let home: string;
  let uid: number | undefined;

  before(async () => {
    if (!isRoot) {
      console.warn('      NOT RUN without root: aku under a UID with no passwd entry (setpriv needs root); only SHELL/HOME unset is checked');
    } else {
      uid = await uidWithoutPasswdEntry();
    }
    home = altibaseHome({ fixture: 'sample-one-group.conf' });
    // mkdtemp makes the directory 0700: the other UID must read aku.conf
    chmodSync(home, 0o755);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('the conditions hold: no passwd entry, no SHELL, no HOME', async () => {
    const env = await runAs(uid, ['env']);
    assert.equal(env.exitCode, 0, env.all);
    assert.doesNotMatch(env.all ?? '', /^(SHELL|HOME)=/m);
    if (uid !== undefined) {
      const id = await runAs(uid, ['id', '-u']);
      assert.equal(id.all?.trim(), String(uid));
      assert.notEqual((await runAs(uid, ['id', '-un'])).exitCode, 0, 'the UID must have no name');
      // and Node itself cannot read the passwd entry, which is what broke oclif
      const node = await runAs(uid, [process.execPath, '-e', 'require("os").userInfo()']);
      assert.match(node.all ?? '', /uv_os_get_passwd returned ENOENT/);
    }
  });

  it('aku --help prints the help screen, exit 0', async () => {
    const result = await runAs(uid, [process.execPath, AKU_BIN, '--help']);
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all ?? '', /Altibase Kubernetes Utility Help Screen/);
  });

  it('aku -i reads aku.conf and reports it, exit 0', async () => {
    const result = await runAs(uid, [process.execPath, AKU_BIN, '-i'], { ALTIBASE_HOME: home, AKU_POD_NAME: 'altibase-sts-1' });
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all ?? '', /Host\s+: altibase-sts-1\.altibase-svc/);
    assert.doesNotMatch(result.all ?? '', /uv_os_get_passwd|uv_os_homedir|SystemError/);
  });

  it('the repository is readable by that UID (else the checks above prove nothing)', async () => {
    const result = await runAs(uid, ['test', '-r', AKU_BIN, '-a', '-x', dirname(AKU_BIN)]);
    assert.equal(result.exitCode, 0);
  });
});
