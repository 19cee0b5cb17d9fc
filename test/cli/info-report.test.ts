import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { buildInfoReport, renderInfoText } from '../../src/cli/info-report.js';
import { buildTopology, resolvePodIdentity } from '../../src/topology/index.js';
import { FIXTURES, fixtureText, parse } from '../helpers/conf.js';

function info(conf: string, podName: string, showPassword: boolean): string[] {
  const loaded = parse(fixtureText(conf));
  const topology = buildTopology(loaded.config, resolvePodIdentity({ AKU_POD_NAME: podName }));
  return renderInfoText(buildInfoReport(loaded, topology, showPassword)).split('\n');
}

describe('aku -i layout', () => {
  it('matches the manual\'s example line for line (one group, with a partition item)', () => {
    const expected = readFileSync(`${FIXTURES}info/manual-one-group.txt`, 'utf8').replace(/\n$/, '').split('\n');
    const actual = info('sample-one-group.conf', 'AKUHOST-0', true);
    assert.equal(actual.length, expected.length);
    actual.forEach((line, i) => assert.equal(line, expected[i], `line ${i + 1}`));
  });

  it('masks the password unless asked', () => {
    const lines = info('sample-one-group.conf', 'altibase-sts-2', false);
    assert.equal(lines[5], '  Password         : ********');
    assert.equal(lines[2], '  Server ID        : 2');
    assert.equal(lines[3], '  Host             : altibase-sts-2.altibase-svc');
    assert.ok(!lines.join('\n').includes('manager'));
  });

  it('lists every group\'s names per server and one item block per group', () => {
    const lines = info('sample-three-groups.conf', 'altibase-sts-1', false);
    const start = lines.indexOf(' #### Serve[ID:1] Replication list ####');
    assert.deepEqual(lines.slice(start + 1, start + 10), [
      'AKU_REP1_01', 'AKU_REP1_12', 'AKU_REP1_13',
      'AKU_REP2_01', 'AKU_REP2_12', 'AKU_REP2_13',
      'AKU_REP3_01', 'AKU_REP3_12', 'AKU_REP3_13',
    ].map((n) => `  Replication Name : ${n}`));
    const headers = lines.filter((l) => l.startsWith('  #### Replication [Prefix:'));
    assert.deepEqual(headers, ['AKU_REP1', 'AKU_REP2', 'AKU_REP3'].map((p) => `  #### Replication [Prefix:${p}] item list ####`));
    const second = lines.indexOf('  #### Replication [Prefix:AKU_REP2] item list ####');
    assert.deepEqual(lines.slice(second - 1, second + 3), ['', '  #### Replication [Prefix:AKU_REP2] item list ####', '  User Name        : SYS', '  Table Name       : T4']);
  });
});
