/** Bad values stop `helm template` (so also install/upgrade) with a message naming each bad value. */
import assert from 'node:assert/strict';
import { helmTemplateText, renderFailure, type RenderOptions } from './tools.js';


/** values with aku.replications replaced (a list must be given whole). */
const withGroups = (...replications: object[]) => ({ aku: { replications } });
const T1 = { user: 'SYS', table: 'T1' };

describe('chart: values validation at template time', function () {
  this.timeout(30_000);

  const cases: { name: string; options: RenderOptions; expect: RegExp }[] = [
    {
      name: 'replicas 7 (more than 6 and than serverCount)',
      options: { set: { replicaCount: 7 } },
      expect: /replicaCount: 7 is out of range/,
    },
    {
      name: 'replicas above serverCount',
      options: { set: { replicaCount: 5, 'aku.serverCount': 4 } },
      expect: /replicaCount: 5 is more than aku\.serverCount \(4\)/,
    },
    { name: 'serverCount 0', options: { set: { 'aku.serverCount': 0, replicaCount: 0 } }, expect: /aku\.serverCount: 0 is out of range; AKU_SERVER_COUNT must be 1\.\.6/ },
    { name: 'serverCount 7', options: { set: { 'aku.serverCount': 7 } }, expect: /aku\.serverCount: 7 is out of range/ },
    {
      name: 'a prefix of 38 bytes',
      options: { values: withGroups({ prefix: 'P'.repeat(38), items: [T1] }) },
      expect: new RegExp(`aku\\.replications\\[0\\]\\.prefix: "${'P'.repeat(38)}" is 38 bytes; Altibase replication names are at most 40 bytes, so the prefix may have at most 37`),
    },
    {
      name: 'a prefix that is not an identifier',
      options: { values: withGroups({ prefix: 'AKU-REP', items: [T1] }) },
      expect: /aku\.replications\[0\]\.prefix: "AKU-REP" is not an Altibase identifier/,
    },
    {
      name: 'an item without a user',
      options: { values: withGroups({ prefix: 'AKU_REP', items: [{ table: 'T1' }] }) },
      expect: /aku\.replications\[0\]\.items\[0\]\.user: is missing/,
    },
    {
      name: 'an item without a table',
      options: { values: withGroups({ prefix: 'AKU_REP', items: [T1, { user: 'SYS' }] }) },
      expect: /aku\.replications\[0\]\.items\[1\]\.table: is missing/,
    },
    {
      name: 'a table name over 128 bytes',
      options: { values: withGroups({ prefix: 'AKU_REP', items: [{ user: 'SYS', table: 'T'.repeat(129) }] }) },
      expect: /aku\.replications\[0\]\.items\[0\]\.table: "T{129}" is 129 bytes; Altibase user, table and partition names are at most 128 bytes/,
    },
    {
      name: 'a reserved word as a table name',
      options: { values: withGroups({ prefix: 'AKU_REP', items: [{ user: 'SYS', table: 'select' }] }) },
      expect: /items\[0\]\.table: "select" is an Altibase reserved word/,
    },
    {
      name: 'duplicate prefixes (compared in upper case)',
      options: { values: withGroups({ prefix: 'AKU_REP', items: [T1] }, { prefix: 'aku_rep', items: [{ user: 'SYS', table: 'T2' }] }) },
      expect: /aku\.replications\[1\]\.prefix: "aku_rep" is already the prefix of aku\.replications\[0\]/,
    },
    { name: 'a service port out of range', options: { set: { 'altibase.containerPorts.service': 80 } }, expect: /altibase\.containerPorts\.service: 80 is out of range/ },
    { name: 'a replication port above 65535', options: { set: { 'altibase.containerPorts.replication': 70000 } }, expect: /altibase\.containerPorts\.replication: 70000 is out of range/ },
    { name: 'equal ports', options: { set: { 'altibase.containerPorts.replication': 20300 } }, expect: /altibase\.containerPorts\.replication: 20300 is also the service port/ },
    { name: 'SYNC_PARALLEL_COUNT 0', options: { values: withGroups({ prefix: 'AKU_REP', syncParallelCount: 0, items: [T1] }) }, expect: /aku\.replications\[0\]\.syncParallelCount: 0 is out of range; SYNC_PARALLEL_COUNT is 1\.\.100/ },
    { name: 'no groups', options: { values: withGroups() }, expect: /aku\.replications: is empty/ },
    { name: 'a group without items', options: { values: withGroups({ prefix: 'AKU_REP', items: [] }) }, expect: /aku\.replications\[0\]\.items: needs at least one table/ },
    { name: 'a grace period too short for aku -p end', options: { set: { terminationGracePeriodSeconds: 20 } }, expect: /terminationGracePeriodSeconds: 20 minus aku\.endTimeMarginSeconds \(15\) leaves AKU_END_TIME_BUDGET = 5 s/ },
    { name: 'a StatefulSet name over 52 characters', options: { set: { 'aku.stsName': 'a'.repeat(53) } }, expect: /aku\.stsName: "a{53}" is 53 characters/ },
    { name: 'a property the chart owns', options: { set: { 'altibase.properties.ADMIN_MODE': 0 } }, expect: /altibase\.properties\.ADMIN_MODE: is set by the chart/ },
    {
      name: 'more replication objects than REPLICATION_MAX_COUNT',
      options: {
        set: { 'aku.serverCount': 6 },
        values: withGroups(...Array.from({ length: 7 }, (_, g) => ({ prefix: `R${g}`, items: [{ user: 'SYS', table: `T${g}` }] }))),
      },
      expect: /aku\.replications: 7 groups x \(aku\.serverCount 6 - 1\) = 35 replication objects per pod, more than the server's REPLICATION_MAX_COUNT \(32\)/,
    },
    { name: 'minAvailable with maxUnavailable', options: { set: { 'pdb.minAvailable': 1, 'pdb.maxUnavailable': 1 } }, expect: /pdb\.minAvailable: is set together with pdb\.maxUnavailable/ },
    {
      name: 'persistence.existingClaim (one claim cannot serve every pod)',
      options: { set: { 'persistence.existingClaim': 'mydata' } },
      expect: /persistence\.existingClaim: "mydata" cannot be used: each pod of the StatefulSet needs a volume of its own\. To reuse volumes, create claims named data-t-aku-altibase-<ordinal>/,
    },
    { name: 'an unknown key (schema)', options: { set: { 'aku.severCount': 3 } }, expect: /additional properties 'severCount' not allowed/ },
    { name: 'a wrong type (schema)', options: { setString: { replicaCount: 'three' } }, expect: /\/replicaCount': got string, want integer/ },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      assert.match(await renderFailure(c.options), c.expect);
    });
  }

  it('reports every bad value in one message', async () => {
    const output = await renderFailure({
      set: { replicaCount: 7, 'aku.serverCount': 0, 'altibase.containerPorts.service': 1 },
      values: withGroups({ prefix: 'P'.repeat(38), items: [T1] }),
    });
    assert.match(output, /invalid values \(4\)/);
    for (const path of ['replicaCount:', 'aku.serverCount:', 'aku.replications[0].prefix:', 'altibase.containerPorts.service:']) {
      assert.ok(output.includes(path), `${path} missing from:\n${output}`);
    }
  });

  it('accepts the limits themselves: 6 of 6 pods, a 37-byte prefix, 128-byte names', async () => {
    await helmTemplateText({
      set: { replicaCount: 6, 'aku.serverCount': 6 },
      values: withGroups({ prefix: 'P'.repeat(37), items: [{ user: 'U'.repeat(128), table: 'T'.repeat(128), partition: 'P'.repeat(128) }] }),
    });
  });
});
