/**
 * The local cluster's scripts and pins, checked without root: shellcheck on every script, and the
 * Go modules requiring exactly the versions scripts/cluster/versions.env pins.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers.js';

const CLUSTER = join(REPO_ROOT, 'scripts/cluster');
const SCRIPTS = [
  'scripts/setup.sh',
  ...readdirSync(CLUSTER).filter((f) => f.endsWith('.sh')).map((f) => `scripts/cluster/${f}`),
  ...readdirSync(join(CLUSTER, 'lib')).filter((f) => f.endsWith('.sh')).map((f) => `scripts/cluster/lib/${f}`),
  'scripts/cluster/images/altibase-standin/bin/server',
  'scripts/cluster/images/altibase-standin/bin/isql',
];

function pin(name: string): string {
  const match = new RegExp(`^${name}=(\\S+)$`, 'm').exec(readFileSync(join(CLUSTER, 'versions.env'), 'utf8'));
  assert.ok(match, `${name} is not in scripts/cluster/versions.env`);
  return match[1] as string;
}

describe('scripts/cluster: scripts and pins', () => {
  it('shellcheck passes on the cluster scripts and the stand-in image commands', async () => {
    const found = await execa('shellcheck', ['--version'], { reject: false }).catch(() => undefined);
    assert.ok(found && found.exitCode === 0, 'shellcheck is not installed: run npm run setup (as root it apt-get installs shellcheck)');
    const r = await execa('shellcheck', ['-x', '-s', 'bash', ...SCRIPTS], { cwd: REPO_ROOT, reject: false });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  });

  it('the Kubernetes module requires the pinned release and every staging module at the matching v0 version', () => {
    const version = pin('KUBERNETES_VERSION');
    const goMod = readFileSync(join(CLUSTER, 'go/kubernetes/go.mod'), 'utf8');
    assert.match(goMod, new RegExp(`^\\s*k8s\\.io/kubernetes ${version.replace(/\./g, '\\.')}$`, 'm'));
    const staging = `v0${version.slice(version.indexOf('.'))}`;
    const replaces = [...goMod.matchAll(/^\s*(k8s\.io\/\S+) => (\S+) (\S+)$/gm)];
    assert.ok(replaces.length >= 30, `only ${replaces.length} replace lines`);
    for (const [, from, to, at] of replaces) {
      assert.equal(to, from, `${from} is replaced by another module`);
      assert.equal(at, staging, `${from} is replaced at ${at}, not ${staging}`);
    }
  });

  it('the suite, the demo and the scripts use the same session lock', () => {
    const config = readFileSync(join(CLUSTER, 'lib/config.sh'), 'utf8');
    const suite = readFileSync(join(REPO_ROOT, 'test/cluster/lock.ts'), 'utf8');
    const fromScripts = /^SESSION_LOCK_DIR=(\S+)$/m.exec(config)?.[1];
    const fromSuite = /const LOCK_DIR = '([^']+)'/.exec(suite)?.[1];
    assert.ok(fromScripts && fromSuite);
    assert.equal(fromSuite, fromScripts);
  });

  it('the etcd module requires the pinned etcd', () => {
    const goMod = readFileSync(join(CLUSTER, 'go/etcd/go.mod'), 'utf8');
    assert.match(goMod, new RegExp(`^require go\\.etcd\\.io/etcd/server/v3 ${pin('ETCD_VERSION').replace(/\./g, '\\.')}$`, 'm'));
  });
});
