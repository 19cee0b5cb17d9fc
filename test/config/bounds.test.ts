import { strict as assert } from 'node:assert';
import { SCALAR_PROPERTIES } from '../../src/config/properties.js';
import { minimal, parse, parseError } from '../helpers/conf.js';

const withProperty = (name: string, value: string) =>
  minimal().replace(new RegExp(`^${name} = .*$`, 'm'), '') + `${name} = ${value}\n`;

/**
 * The ranges and defaults as the manual states them (aku-spec.md §4, from the Utilities Manual),
 * written out here on purpose: the checks below must not read their expectations from the same
 * table the code uses, or changing a documented range there would go unnoticed. Where the manual
 * gives no range, the entry is aku's documented choice (docs/configuration.md).
 */
const UINT32_MAX = 4294967295;
const MANUAL: Record<string, { default: number; min: number; max: number }> = {
  AKU_SERVER_COUNT: { default: 4, min: 1, max: 6 },
  AKU_PORT_NO: { default: 20300, min: 1024, max: 65535 },
  AKU_REPLICATION_PORT_NO: { default: 20301, min: 1024, max: 65535 },
  AKU_QUERY_TIMEOUT: { default: 3600, min: 0, max: UINT32_MAX },
  AKU_QUERY_RETRY_COUNT: { default: 5, min: 0, max: UINT32_MAX },
  AKU_QUERY_RETRY_DELAY_MSEC: { default: 1000, min: 0, max: UINT32_MAX },
  AKU_ADDRESS_CHECK_COUNT: { default: 30, min: 1, max: UINT32_MAX },
  AKU_FLUSH_TIMEOUT_AT_START: { default: 300, min: 0, max: UINT32_MAX },
  AKU_DELAY_START_COMPLETE_TIME: { default: 0, min: 0, max: UINT32_MAX },
  AKU_CONNECT_TIMEOUT: { default: 5, min: 1, max: 3600 },
  AKU_END_TIME_BUDGET: { default: 50, min: 1, max: UINT32_MAX },
};
const MANUAL_FLAGS: Record<string, boolean> = {
  AKU_FLUSH_AT_START: true,
  AKU_FLUSH_AT_END: true,
  AKU_REPLICATION_RESET_AT_END: true,
};

describe('aku.conf property bounds against the manual\'s table', () => {
  it('every integer and flag property of aku.conf is in the literal table, and nothing else', () => {
    assert.deepEqual(SCALAR_PROPERTIES.filter((p) => p.kind === 'integer').map((p) => p.name).sort(), Object.keys(MANUAL).sort());
    assert.deepEqual(SCALAR_PROPERTIES.filter((p) => p.kind === 'flag').map((p) => p.name).sort(), Object.keys(MANUAL_FLAGS).sort());
  });

  for (const [name, range] of Object.entries(MANUAL)) {
    const field = SCALAR_PROPERTIES.find((p) => p.name === name)?.field as keyof ReturnType<typeof parse>['config'];
    it(`${name}: ${range.min} to ${range.max}, default ${range.default}`, () => {
      assert.equal(parse(withProperty(name, String(range.min))).config[field], range.min);
      assert.equal(parse(withProperty(name, String(range.max))).config[field], range.max);
      assert.match(parseError(withProperty(name, String(range.min - 1))), new RegExp(`${name} = ${range.min - 1} is (out of range|not an integer); expected an integer from ${range.min} to ${range.max}`));
      assert.match(parseError(withProperty(name, String(range.max + 1))), new RegExp(`${name} = ${range.max + 1} is out of range; expected an integer from ${range.min} to ${range.max}`));
      assert.equal(parse(minimal()).config[field], range.default);
    });
  }

  for (const [name, value] of Object.entries(MANUAL_FLAGS)) {
    it(`${name} defaults to ${value ? 1 : 0}`, () => {
      const field = SCALAR_PROPERTIES.find((p) => p.name === name)?.field as keyof ReturnType<typeof parse>['config'];
      assert.equal(parse(minimal()).config[field], value);
    });
  }
});

describe('aku.conf property bounds', () => {
  for (const property of SCALAR_PROPERTIES) {
    if (property.kind === 'integer') {
      describe(`${property.name} (${property.min} to ${property.max})`, () => {
        it('accepts the lowest and the highest value', () => {
          assert.equal(parse(withProperty(property.name, String(property.min))).config[property.field], property.min);
          assert.equal(parse(withProperty(property.name, String(property.max))).config[property.field], property.max);
        });
        it('refuses one below the lowest and one above the highest, naming line, property and range', () => {
          const range = `expected an integer from ${property.min} to ${property.max}`;
          const below = parseError(withProperty(property.name, String(property.min - 1)));
          assert.match(below, new RegExp(`^aku\\.conf:\\d+:\\d+: ${property.name} = ${property.min - 1} is (out of range|not an integer); ${range}$`));
          const above = parseError(withProperty(property.name, String(property.max + 1)));
          assert.match(above, new RegExp(`^aku\\.conf:\\d+:\\d+: ${property.name} = ${property.max + 1} is out of range; ${range}$`));
        });
        it('uses the documented default when absent', () => {
          if (property.default === undefined) return assert.fail('integer properties all have defaults');
          assert.equal(parse(minimal()).config[property.field], property.default);
        });
      });
    } else if (property.kind === 'flag') {
      it(`${property.name} takes 0 or 1 only`, () => {
        assert.equal(parse(withProperty(property.name, '0')).config[property.field], false);
        assert.equal(parse(withProperty(property.name, '1')).config[property.field], true);
        assert.match(parseError(withProperty(property.name, '2')), new RegExp(`${property.name} = 2 is not allowed; expected 0 or 1`));
      });
    }
  }

  for (const name of ['AKU_STS_NAME', 'AKU_SVC_NAME']) {
    it(`${name} may be 63 bytes, not 64`, () => {
      const ok = 'a'.repeat(63);
      assert.equal(parse(withProperty(name, ok)).config[name === 'AKU_STS_NAME' ? 'stsName' : 'svcName'], ok);
      assert.match(parseError(withProperty(name, 'a'.repeat(64))), new RegExp(`${name} = a{64} is 64 bytes long; the maximum is 63`));
    });
  }

  it('REPLICATION_NAME_PREFIX may be 37 bytes (a 40-byte replication name), not 38', () => {
    const prefix37 = `P${'X'.repeat(36)}`;
    assert.equal(parse(minimal('', `REPLICATIONS = ( REPLICATION_NAME_PREFIX = ${prefix37} ( SYS.T1 ) )`)).config.replications[0]?.prefix, prefix37);
    const message = parseError(minimal('', `REPLICATIONS = ( REPLICATION_NAME_PREFIX = ${prefix37}Y ( SYS.T1 ) )`));
    assert.match(message, /REPLICATION_NAME_PREFIX PX+Y is 38 bytes long; the maximum is 37; replication names are at most 40 bytes/);
  });

  it('SYNC_PARALLEL_COUNT goes from 1 to 100', () => {
    const group = (n: number) => minimal('', `REPLICATIONS = ( REPLICATION_NAME_PREFIX = R SYNC_PARALLEL_COUNT = ${n} ( SYS.T1 ) )`);
    assert.equal(parse(group(1)).config.replications[0]?.syncParallelCount, 1);
    assert.equal(parse(group(100)).config.replications[0]?.syncParallelCount, 100);
    assert.match(parseError(group(0)), /SYNC_PARALLEL_COUNT = 0 is out of range; expected an integer from 1 to 100/);
    assert.match(parseError(group(101)), /SYNC_PARALLEL_COUNT = 101 is out of range; expected an integer from 1 to 100/);
  });

  it('user, table and partition names may be 128 bytes, not 129', () => {
    const n128 = `N${'A'.repeat(127)}`;
    const item = (user: string, table: string, partition: string) =>
      minimal('', `REPLICATIONS = ( REPLICATION_NAME_PREFIX = R ( ${user}.${table} PARTITION ${partition} ) )`);
    assert.deepEqual(parse(item(n128, n128, n128)).config.replications[0]?.items, [{ user: n128, table: n128, partition: n128 }]);
    assert.match(parseError(item(`${n128}B`, 'T', 'P')), /user name NA+B is 129 bytes long; the maximum is 128/);
    assert.match(parseError(item('U', `${n128}B`, 'P')), /table name NA+B is 129 bytes long; the maximum is 128/);
    assert.match(parseError(item('U', 'T', `${n128}B`)), /partition name NA+B is 129 bytes long; the maximum is 128/);
  });
});
