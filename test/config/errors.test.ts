import { strict as assert } from 'node:assert';
import { ConfigErrors } from '../../src/config/index.js';
import { minimal, parse, parseError } from '../helpers/conf.js';

const group = (body: string) => minimal('', `REPLICATIONS = ${body}`);

describe('aku.conf errors', () => {
  it('names a missing required property with the original\'s exact sentence', () => {
    for (const name of ['AKU_STS_NAME', 'AKU_SVC_NAME', 'AKU_SYS_PASSWORD']) {
      const text = minimal().replace(new RegExp(`^${name} = .*$`, 'm'), '');
      assert.equal(parseError(text), `aku.conf: Property [${name}] should be specified by configuration.`);
    }
    assert.equal(parseError(minimal('', '')), 'aku.conf: Property [REPLICATIONS] should be specified by configuration.');
    assert.equal(
      parseError(group('( SYNC_PARALLEL_COUNT = 1 ( SYS.T1 ) )')),
      'aku.conf:5:16: Property [REPLICATION_NAME_PREFIX] should be specified by configuration.',
    );
  });

  it('lets the environment satisfy or override any scalar property, and says which it used', () => {
    const text = minimal().replace(/^AKU_SYS_PASSWORD = .*$/m, '');
    const loaded = parse(text, { AKU_SYS_PASSWORD: 's3cret', AKU_PORT_NO: '21300' });
    assert.equal(loaded.config.sysPassword, 's3cret');
    assert.equal(loaded.config.portNo, 21300);
    assert.deepEqual(loaded.source.fromEnvironment.sort(), ['AKU_PORT_NO', 'AKU_SYS_PASSWORD']);
    assert.equal(parse(minimal(), { AKU_STS_NAME: '' }).config.stsName, 'altibase-sts', 'an empty variable is unset');
  });

  it('names the environment variable when its value is bad', () => {
    assert.equal(
      parseError(minimal(), { AKU_SERVER_COUNT: '9' }),
      'environment variable AKU_SERVER_COUNT: AKU_SERVER_COUNT = 9 is out of range; expected an integer from 1 to 6',
    );
  });

  it('refuses unknown properties and suggests the nearest name', () => {
    assert.equal(parseError(minimal('AKU_SVC_NMAE = x')), 'aku.conf:4:1: unknown property AKU_SVC_NMAE; did you mean AKU_SVC_NAME?');
    assert.match(parseError(minimal('FOO = 1')), /^aku\.conf:4:1: unknown property FOO; see `aku\.conf\.sample`/);
    assert.match(parseError(minimal('aku_port_no = 1')), /property names are upper case: write AKU_PORT_NO, not aku_port_no/);
    assert.match(parseError(minimal('REPLICATION_NAME_PREFIX = X')), /REPLICATION_NAME_PREFIX belongs inside a REPLICATIONS group/);
  });

  it('refuses a property set twice, pointing at both lines', () => {
    assert.equal(parseError(minimal('AKU_STS_NAME = other')), 'aku.conf:4:1: AKU_STS_NAME is set twice (first on line 1)');
  });

  it('refuses two groups with one prefix, and a table listed twice', () => {
    assert.match(
      parseError(group('( REPLICATION_NAME_PREFIX = R ( SYS.T1 ) ),\n( REPLICATION_NAME_PREFIX = r ( SYS.T2 ) )')),
      /^aku\.conf:6:1: replication prefix R is used by two groups \(first on line 5\)/,
    );
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = R ( SYS.T1, sys.t1 ) )')), /SYS\.T1 is already replicated in this group/);
    assert.match(
      parseError(group('( REPLICATION_NAME_PREFIX = R ( SYS.T1 ) ), ( REPLICATION_NAME_PREFIX = Q ( SYS.T1 PARTITION P1 ) )')),
      /SYS\.T1 PARTITION P1 is already replicated in group R/,
    );
    assert.equal(parse(group('( REPLICATION_NAME_PREFIX = R ( SYS.T1 PARTITION P1, SYS.T1 PARTITION P2 ) )')).config.replications[0]?.items.length, 2);
  });

  it('upper-cases names as Altibase stores them and refuses what is not an identifier', () => {
    assert.deepEqual(parse(group('( REPLICATION_NAME_PREFIX = aku_rep ( sys.orders ) )')).config.replications[0], {
      prefix: 'AKU_REP', syncParallelCount: 1, items: [{ user: 'SYS', table: 'ORDERS' }],
    });
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = R ( SYS.T-1 ) )')), /table name T-1 is not a valid Altibase identifier/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = R ( SYS.TABLE ) )')), /table name TABLE is an Altibase reserved word/);
    assert.match(parseError(group("( REPLICATION_NAME_PREFIX = R ( SYS.T1';DROP ) )")), /is not a valid Altibase identifier/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = 1R ( SYS.T1 ) )')), /REPLICATION_NAME_PREFIX 1R is not a valid Altibase identifier/);
  });

  it('reports syntax errors with line, column and what was expected', () => {
    assert.equal(parseError(minimal('AKU_PORT_NO 20300')), 'aku.conf:4:13: expected "=" after AKU_PORT_NO, found "20300"');
    assert.equal(parseError(minimal('AKU_PORT_NO =')), 'aku.conf:4:14: AKU_PORT_NO has no value; expected AKU_PORT_NO = <value>');
    assert.equal(parseError(minimal('AKU_PORT_NO = 1 2')), 'aku.conf:4:17: unexpected "2" after the value; expected a comment or the end of the line');
    assert.equal(parseError(minimal('AKU_SYS_PASSWORD = "abc')).replace(/:\d+:\d+:/, ':L:C:'), 'aku.conf:L:C: the quoted value of AKU_SYS_PASSWORD has no closing double quote on this line');
    const twoItems = 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = R ( SYS.T1 SYS.T2 ) )';
    assert.equal(parseError(minimal('', twoItems)), `aku.conf:5:${twoItems.indexOf('SYS.T2') + 1}: unexpected "SYS.T2" after SYS.T1; expected PARTITION, "," or ")"`);
    const noTable = 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = R ( SYS ) )';
    assert.equal(parseError(minimal('', noTable)), `aku.conf:5:${noTable.indexOf('SYS') + 1}: "SYS" is not a replication item; expected USER.TABLE or USER.TABLE PARTITION NAME`);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = R ( SYS.T1 )')), /^aku\.conf:6:1: unexpected end of file; expected the "\)" that closes the REPLICATIONS group$/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = R ( ) )')), /this REPLICATIONS group has no items/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFX = R ( SYS.T1 ) )')), /unknown REPLICATIONS setting REPLICATION_NAME_PREFX.*did you mean REPLICATION_NAME_PREFIX\?/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = R ( ( USER_NAME = "SYS" ) ) )')), /this item has no TABLE_NAME/);
  });

  it('reads comments as the newest aku does: trailing, whole-line and a bare "#"', () => {
    const text = minimal('#\nAKU_PORT_NO = 20400 #\n#   \nAKU_SERVER_COUNT = 2# two pods');
    const { config } = parse(text);
    assert.equal(config.portNo, 20400);
    assert.equal(config.serverCount, 2);
    assert.equal(parse(minimal('AKU_SYS_PASSWORD = "pa ss#word"').replace(/^AKU_SYS_PASSWORD = manager\n/m, '')).config.sysPassword, 'pa ss#word');
  });

  it('collects every problem of a file into one report', () => {
    try {
      parse(minimal('AKU_SERVER_COUNT = 0\nAKU_FLUSH_AT_END = 5\nAKU_NOPE = 1'));
      assert.fail('expected errors');
    } catch (error) {
      assert.ok(error instanceof ConfigErrors);
      assert.equal(error.errors.length, 3);
      assert.deepEqual(error.errors.map((e) => e.position?.line).sort(), [4, 5, 6]);
      assert.match(error.message, /AKU_SERVER_COUNT = 0 is out of range/);
      assert.match(error.message, /AKU_FLUSH_AT_END = 5 is not allowed/);
      assert.match(error.message, /unknown property AKU_NOPE/);
    }
  });

  it('refuses equal service and replication ports', () => {
    assert.match(parseError(minimal('AKU_REPLICATION_PORT_NO = 20300')), /AKU_REPLICATION_PORT_NO = 20300 is the same as AKU_PORT_NO/);
  });

  it('never repeats a password in an error', () => {
    const message = parseError(minimal('AKU_SYS_PASSWORD = other').replace('manager', 'topsecret'));
    assert.doesNotMatch(message, /topsecret|other/);
  });
});
