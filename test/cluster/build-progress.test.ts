/**
 * The cold-build estimates scripts/cluster/build-tools.sh prints (lib/build.sh): what is left, scaled
 * by the pace of this run, and the progress lines around a build. Run in bash, no Go needed.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers.js';

async function bash(snippet: string): Promise<string> {
  const lib = join(REPO_ROOT, 'scripts/cluster/lib');
  const r = await execa('bash', ['-c', `set -Eeuo pipefail; LOG_TAG=build-tools; source ${lib}/common.sh; source ${lib}/build.sh; ${snippet}`], { reject: false });
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('scripts/cluster/lib/build.sh: estimates while building', () => {
  it('what is left is the estimates of the tools still to build, the current one counted from its elapsed time', async () => {
    const base = 'BUILD_PENDING=(kube-apiserver kube-controller-manager kubectl)';
    assert.equal(await bash(`${base}; remaining_build_seconds kube-apiserver 0`), String(480 + 130 + 25));
    assert.equal(await bash(`${base}; remaining_build_seconds kube-apiserver 100`), String(380 + 130 + 25));
  });

  it('a run slower than the estimates scales what is left: by the finished builds, or by the current one once it overran', async () => {
    // The current build overran its 480 s estimate twice: at least 15 s for it, the rest at pace 2.
    assert.equal(await bash('BUILD_PENDING=(kube-apiserver kubectl); remaining_build_seconds kube-apiserver 960'), String(15 + 25 * 2));
    // Finished builds took 3x their estimates.
    assert.equal(await bash('BUILD_PENDING=(kubectl etcd); BUILD_SPENT=900; BUILD_EXPECTED=300; remaining_build_seconds kubectl 0'), String(25 * 3 + 30 * 3));
  });

  it('a build is announced with its estimate, leaves BUILD_PENDING and adds to the pace; a failed one returns its status', async () => {
    const out = await bash(`BUILD_PENDING=(crictl etcd); build_with_progress 9/10 crictl true; echo "todo=\${BUILD_PENDING[*]} expected=$BUILD_EXPECTED"
      rc=0; build_with_progress 7/10 etcd bash -c 'exit 3' || rc=$?; echo "rc=$rc todo=\${BUILD_PENDING[*]}"`);
    const lines = out.trim().split('\n');
    assert.equal(lines[0], '[build-tools] [9/10] crictl: cold ~1 min on 2 idle cores; about 2 min left for the cluster tools');
    assert.equal(lines[1], 'todo=etcd expected=60');
    assert.equal(lines[3], 'rc=3 todo=etcd');
  });

  it('durations read as people say them', async () => {
    assert.equal(await bash('human_seconds 45; echo; human_seconds 61; echo; human_seconds 3700'), '45 s\n2 min\n1 h 2 min');
  });
});
