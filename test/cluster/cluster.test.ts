/**
 * The chart installed on a real Kubernetes cluster as a user would (issue 13): the project's local
 * single-node cluster (scripts/cluster; needs root, which CI has), or a cluster of the user's
 * (AKU_KUBECONFIG + AKU_IMAGE). Scenarios run in this order, one file each in scenarios/:
 * install → scale up to 3 → aku -i → delete a slave pod → scale down to 1 → helm test → uninstall →
 * the end-to-end scenarios of e2e/ (each in a namespace of its own; `--grep e2e:` runs only those)
 * → teardown; on the local cluster every process of the node is watched for the password from
 * scale-up to scale-down.
 * On a failure the cluster's pods, events and every pod's log are printed.
 */
import assert from 'node:assert/strict';
import { CLUSTER_SCRIPT, Cluster, clusterState, describeResult, dumpState, resolveTarget, run } from './helpers.js';
import { captureHostState, type HostState } from './host-state.js';
import { suite } from './context.js';
import { releaseLock, takeLock } from './lock.js';
import { install } from './scenarios/install.js';
import { scaleUp } from './scenarios/scale-up.js';
import { akuInfo } from './scenarios/aku-info.js';
import { restartPod } from './scenarios/restart-pod.js';
import { scaleDown } from './scenarios/scale-down.js';
import { helmTest } from './scenarios/helm-test.js';
import { uninstall } from './scenarios/uninstall.js';
import { teardown } from './scenarios/teardown.js';
import { checkPasswordWatch, startPasswordWatch } from './scenarios/password-in-processes.js';
import { E2E_SCENARIOS } from './e2e/index.js';

// AKU_SUITE_NAMESPACE: a namespace of one's own on a shared cluster (external mode).
const NAMESPACE = process.env.AKU_SUITE_NAMESPACE || 'aku-suite';
const RELEASE = 'aku';

describe('the chart on a real Kubernetes cluster', function () {
  this.timeout(40 * 60_000);
  const target = resolveTarget();
  if ('reason' in target) {
    it('reports why it cannot run here', () => {
      console.warn(`      NOT RUN: the cluster suite (install, scale 1→3→1, aku -i, helm test, uninstall, the e2e scenarios, teardown): ${target.reason}`);
      assert.match(target.reason, /AKU_KUBECONFIG|cluster-tools/);
    });
    return;
  }

  let hostBefore: HostState | undefined;
  let broughtUp = false;
  let failed = false;

  before(async function () {
    if (target.local) {
      await takeLock();
      const status = await run('bash', [CLUSTER_SCRIPT, 'status']);
      const state = clusterState(String(status.all));
      if (state === 'down') hostBefore = await captureHostState();
      const images = await run('bash', [CLUSTER_SCRIPT, 'images'], { timeoutMs: 30 * 60_000 });
      assert.equal(images.exitCode, 0, describeResult(images));
      // A cluster that is up is used as it is (`up` would restart it, and with it everyone's pods).
      if (state !== 'up') {
        const up = await run('bash', [CLUSTER_SCRIPT, 'up'], { timeoutMs: 30 * 60_000 });
        assert.equal(up.exitCode, 0, describeResult(up));
      }
      broughtUp = state !== 'up';
      const volumes = await run('bash', [CLUSTER_SCRIPT, 'volumes']);
      assert.equal(volumes.exitCode, 0, describeResult(volumes));
    }
  });

  after(async function () {
    if (suite.ctx && !failed) {
      await suite.ctx.cluster.kubectl(['delete', 'namespace', NAMESPACE, '--wait=true'], 180_000);
    }
    // The teardown test normally took the cluster down; a failure before it must not leave it up.
    if (target.local && broughtUp) {
      const status = await run('bash', [CLUSTER_SCRIPT, 'status']);
      if (/✓/.test(String(status.all))) await run('bash', [CLUSTER_SCRIPT, 'down'], { timeoutMs: 300_000 });
    }
    if (target.local) releaseLock();
  });

  describe(`the release ${RELEASE} in ${NAMESPACE}`, () => {
    // Here rather than in the outer before hook: a run of the e2e scenarios alone (--grep e2e:)
    // leaves this namespace alone.
    before(async function () {
      const cluster = new Cluster(target, NAMESPACE);
      await cluster.kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], 180_000);
      const ns = await run(target.kubectl, ['--kubeconfig', target.kubeconfig, 'create', 'namespace', NAMESPACE]);
      assert.equal(ns.exitCode, 0, describeResult(ns));
      suite.ctx = { cluster, release: RELEASE };
    });
    afterEach(async function () {
      if (this.currentTest?.state !== 'failed' || !suite.ctx) return;
      failed = true;
      console.log(await dumpState(suite.ctx.cluster, RELEASE));
    });
    describe('helm install (default values)', install);
    // The node's processes are this host's only on the local cluster.
    if (target.local) describe('the password in no process (watch starts)', startPasswordWatch);
    else console.warn('      NOT RUN: the watch of the node\'s processes for the password (a cluster of yours: its processes are not this host\'s)');
    describe('helm upgrade --set replicaCount=3', scaleUp);
    describe('kubectl exec … aku -i', akuInfo);
    describe('kubectl delete pod <slave>', restartPod);
    describe('helm upgrade --set replicaCount=1', scaleDown);
    if (target.local) describe('the password in no process (verdict)', checkPasswordWatch);
    describe('helm test', helmTest);
    describe('helm uninstall', uninstall);
  });
  for (const [title, scenario] of E2E_SCENARIOS) describe(title, () => scenario(target));
  if (target.local) describe('teardown', () => teardown(() => (broughtUp ? hostBefore : undefined)));
});
