/**
 * Pod host names `<statefulset>-<ordinal>.<headless>` must fit Altibase's 64-byte replication host
 * column for any release name Helm accepts (1..53 characters); names the user sets and that cannot
 * fit stop `helm template`, naming the limit and the values to change.
 */
import assert from 'node:assert/strict';
import { MAX_REPLICATION_HOST_BYTES, replicationHostProblem } from '../../src/topology/topology.js';
import { find, HelmError, render, type RenderOptions } from './tools.js';

async function names(options: RenderOptions) {
  const objects = await render(options);


  const sts = find(objects, 'StatefulSet');
  return { sts: sts.metadata.name as string, svc: sts.spec.serviceName as string, objects };
}

const RELEASES = [
  'a',
  'altibase-stage', // the 14-character name that broke the old defaults
  'aku-altibase-prod', // contains the chart name: the release name alone
  'x'.repeat(22),
  'orders-db-production-eu-west',
  'a-release-name-of-fifty-three-characters-exactly-here'.slice(0, 53),
];

describe('chart: names fit the replication host column', function () {
  this.timeout(60_000);

  for (const release of RELEASES) {
    it(`release "${release}" (${release.length} characters): every host fits, aku agrees, DNS-valid names`, async () => {
      const { sts, svc } = await names({ release, set: { 'aku.serverCount': 6, replicaCount: 6 } });
      const problem = replicationHostProblem({ stsName: sts, svcName: svc, serverCount: 6 });
      assert.equal(problem, undefined, problem);
      assert.ok(Buffer.byteLength(`${sts}-5.${svc}`) <= MAX_REPLICATION_HOST_BYTES);
      assert.ok(sts.length <= 52, sts);
      assert.match(sts, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      assert.match(svc, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      assert.ok(svc.length <= 63, svc);
    });
  }

  it('two long release names sharing their first characters get different names', async () => {
    const a = await names({ release: `${'y'.repeat(30)}-a` });
    const b = await names({ release: `${'y'.repeat(30)}-b` });
    assert.notEqual(a.sts, b.sts);
    assert.notEqual(a.svc, b.svc);
  });

  it('a short release keeps the readable `<release>-<chart>` name and a `-hl` headless Service', async () => {
    const { sts, svc } = await names({ release: 'altibase-stage' });
    assert.equal(sts, 'altibase-stage-aku-altibase');
    assert.equal(svc, 'altibase-stage-aku-altibase-hl');
  });

  for (const [what, set] of [
    ['fullnameOverride', { fullnameOverride: 'a-very-long-release-name-that-goes-on' }],
    ['aku.stsName', { 'aku.stsName': 'orders-database-statefulset-name' }],
    ['aku.svcName', { 'aku.svcName': `svc-${'s'.repeat(50)}` }],
  ] as const) {
    it(`a ${what} that cannot fit fails at template time naming the limit and the values`, async () => {
      const error = await render({ set }).then(
        () => assert.fail('rendered'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HelmError);
      assert.match(error.output, /aku\.stsName \/ aku\.svcName: the pod host ".*-3\..*" is \d+ bytes, but Altibase keeps at most 64 bytes of a replication host \(SYS_REPL_HOSTS_\.HOST_IP\): shorten aku\.stsName, aku\.svcName or fullnameOverride/);
    });
  }
});
