import { strict as assert } from 'node:assert';
import { buildTopology, PodIdentityError, podNameMismatch, replicationHostProblem, replicationNamesOf, resolvePodIdentity } from '../../src/topology/index.js';
import { fixtureText, parse } from '../helpers/conf.js';

const config = (serverCount = 4) => ({ ...parse(fixtureText('sample-one-group.conf')).config, serverCount });

describe('topology', () => {
  it('names every pair as the manual\'s table does (smaller ordinal first)', () => {
    const table = [0, 1, 2, 3].map((i) => replicationNamesOf(config(), i)[0]?.names);
    assert.deepEqual(table, [
      ['AKU_REP_01', 'AKU_REP_02', 'AKU_REP_03'],
      ['AKU_REP_01', 'AKU_REP_12', 'AKU_REP_13'],
      ['AKU_REP_02', 'AKU_REP_12', 'AKU_REP_23'],
      ['AKU_REP_03', 'AKU_REP_13', 'AKU_REP_23'],
    ]);
  });

  it('with six pods, runs _01 … _45', () => {
    const all = new Set([0, 1, 2, 3, 4, 5].flatMap((i) => replicationNamesOf(config(6), i)[0]?.names ?? []));
    assert.deepEqual([...all].sort(), ['01', '02', '03', '04', '05', '12', '13', '14', '15', '23', '24', '25', '34', '35', '45'].map((s) => `AKU_REP_${s}`));
  });

  it('knows this pod, its role, its peers\' DNS names and its links', () => {
    const t = buildTopology(config(), resolvePodIdentity({ AKU_POD_NAME: 'altibase-sts-2' }));
    assert.deepEqual(t.self, { ordinal: 2, host: 'altibase-sts-2.altibase-svc', podName: 'altibase-sts-2', role: 'SLAVE' });
    assert.deepEqual(t.peers.map((p) => p.host), ['altibase-sts-0.altibase-svc', 'altibase-sts-1.altibase-svc', 'altibase-sts-3.altibase-svc']);
    assert.equal(t.master.host, 'altibase-sts-0.altibase-svc');
    assert.deepEqual(t.links.map((l) => `${l.name}->${l.peer.ordinal}`), ['AKU_REP_02->0', 'AKU_REP_12->1', 'AKU_REP_23->3']);
    assert.equal(buildTopology(config(), resolvePodIdentity({ AKU_POD_NAME: 'altibase-sts-0' })).self.role, 'MASTER');
  });

  it('takes the pod name from AKU_POD_NAME, then HOSTNAME, then the host name', () => {
    assert.deepEqual(resolvePodIdentity({ AKU_POD_NAME: 'a-1', HOSTNAME: 'b-2' }, () => 'c-3'), { name: 'a-1', ordinal: 1, source: 'AKU_POD_NAME' });
    assert.deepEqual(resolvePodIdentity({ HOSTNAME: 'b-2' }, () => 'c-3'), { name: 'b-2', ordinal: 2, source: 'HOSTNAME' });
    assert.deepEqual(resolvePodIdentity({}, () => 'c-3'), { name: 'c-3', ordinal: 3, source: 'system host name' });
  });

  it('refuses a name without an ordinal, suggesting AKU_POD_NAME', () => {
    assert.throws(() => resolvePodIdentity({ HOSTNAME: 'laptop' }), (e: Error) =>
      e instanceof PodIdentityError && /"laptop" \(from HOSTNAME\) does not end in -<number>.*set AKU_POD_NAME/.test(e.message));
  });

  it('refuses an ordinal beyond AKU_SERVER_COUNT', () => {
    assert.throws(() => buildTopology(config(2), resolvePodIdentity({ AKU_POD_NAME: 'altibase-sts-2' })), /ordinal 2, but AKU_SERVER_COUNT = 2 covers ordinals 0 to 1/);
  });

  it('notices a pod whose name does not match AKU_STS_NAME', () => {
    assert.equal(podNameMismatch(config(), resolvePodIdentity({ AKU_POD_NAME: 'altibase-sts-1' })), undefined);
    assert.match(podNameMismatch(config(), resolvePodIdentity({ AKU_POD_NAME: 'other-1' })) ?? '', /expected altibase-sts-1/);
  });

  it('refuses host names longer than the 64 bytes Altibase keeps for a replication host', () => {
    const fits = { stsName: 's'.repeat(30), svcName: 'v'.repeat(31), serverCount: 4 }; // 30 + "-3." + 31 = 64
    assert.equal(replicationHostProblem(fits), undefined);
    assert.match(replicationHostProblem({ ...fits, svcName: 'v'.repeat(32) }) ?? '', /s{30}-3\.v{32} are 65 bytes long, but Altibase stores at most 64 bytes/);
  });
});
