import { strict as assert } from 'node:assert';
import { SCALAR_PROPERTIES } from '../../src/config/properties.js';
import { minimal, parse, parseError } from '../helpers/conf.js';

const withProperty = (name: string, value: string) =>
  minimal().replace(new RegExp(`^${name} = .*$`, 'm'), '') + `${name} = ${value}\n`;

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
