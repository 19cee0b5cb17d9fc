import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { logMessages, ProcessPods } from '../helpers/process-pods.js';

/**
 * The built CLI's `-p end` when the Kubernetes API cannot be reached: it falls back to
 * AKU_REPLICATION_RESET_AT_END, says so by name, and records the reason in `--json`.
 */
describe('-p end without a reachable Kubernetes API falls back to AKU_REPLICATION_RESET_AT_END (bin/aku, altisim processes)', function () {
  this.timeout(60000);
  let pods: ProcessPods;
  afterEach(async () => pods?.close());

  it('a refused API: exit 0, the fallback named in the log, the reason in the outcome, both sides reset as configured', async () => {
    pods = new ProcessPods(2);
    await pods.startPods([0, 1]);
    const port = await freePort();
    const kubeconfig = join(pods.work, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      `clusters: [{name: k, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: not-a-real-token}}]',
      'contexts: [{name: c, context: {cluster: k, user: u, namespace: aku-test}}]', '',
    ].join('\n'));
    const end = await pods.aku(1, ['-p', 'end', '--json'], { KUBECONFIG: kubeconfig });
    assert.equal(end.code, 0, end.stderr);
    const said = logMessages(end.stderr);
    assert.ok(said.some((m) => m.startsWith(`Why this pod stops is not known (GET /apis/apps/v1/namespaces/aku-test/statefulsets/altibase-sts at https://127.0.0.1:${port}: connect ECONNREFUSED`) &&
      m.endsWith('falling back to AKU_REPLICATION_RESET_AT_END = 1: decommission (reset both sides).')), end.stderr);
    assert.match(end.stderr, /\[WARN\]\[akuRunEnd:reason\]/);
    const outcome = JSON.parse(end.stdout) as { stop?: { settle: string; source: string; reason: { kind: string; why?: string } } };
    assert.equal(outcome.stop?.settle, 'reset');
    assert.equal(outcome.stop?.source, 'AKU_REPLICATION_RESET_AT_END');
    assert.equal(outcome.stop?.reason.kind, 'unknown');
    assert.match(outcome.stop?.reason.why ?? '', /ECONNREFUSED/);
    for (const pod of [0, 1]) assert.equal((await pods.objects(pod)).AKU_REP_01?.xsn, -1, `AKU_REP_01 reset on pod ${pod}`);
  });

  it('outside a pod and without KUBECONFIG: the fallback says there is no API to ask', async () => {
    pods = new ProcessPods(2, { conf: ['AKU_REPLICATION_RESET_AT_END = 0'] });
    await pods.startPods([0, 1]);
    const end = await pods.aku(1, ['-p', 'end']);
    assert.equal(end.code, 0, end.stdout);
    assert.ok(logMessages(end.stdout).some((m) => /^Why this pod stops is not known \(no Kubernetes API to ask: KUBECONFIG is not set .*\); falling back to AKU_REPLICATION_RESET_AT_END = 0: keep the restart points on both sides\.$/.test(m)), end.stdout);
    for (const pod of [0, 1]) assert.notEqual((await pods.objects(pod)).AKU_REP_01?.xsn, -1, `AKU_REP_01 kept on pod ${pod}`);
  });
});
