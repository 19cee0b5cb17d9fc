import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { akuConfPath, formatAkuConf, loadAkuConf } from '../../src/config/index.js';
import { closestName, editDistance } from '../../src/config/suggest.js';
import { minimal, parse, parseError } from '../helpers/conf.js';

/**
 * The exact words and positions of aku.conf's syntax errors (old and new item syntax), where
 * aku looks for aku.conf, and how a config is written back (the chart's aku.conf follows it).
 */

const withGroups = (body: string) => minimal('', `REPLICATIONS = ${body}`);
/** The error for a REPLICATIONS value on line 5, with the column of `marker` in it. */
const at = (body: string, marker: string, problem: string) => `aku.conf:5:${`REPLICATIONS = ${body}`.indexOf(marker) + 1}: ${problem}`;

describe('aku.conf syntax errors, word for word', () => {
  it('the old item syntax: unknown settings, a setting twice, a missing USER_NAME or TABLE_NAME, an unterminated quote', () => {
    const unknown = '( REPLICATION_NAME_PREFIX = R ( ( USER = "SYS" TABLE_NAME = "T1" ) ) )';
    assert.equal(parseError(withGroups(unknown)), at(unknown, 'USER =', 'unknown item setting USER; an old-style item has USER_NAME and TABLE_NAME'));
    const twice = '( REPLICATION_NAME_PREFIX = R ( ( USER_NAME = "SYS" USER_NAME = "SYS" ) ) )';
    assert.equal(parseError(withGroups(twice)), at(twice, 'USER_NAME = "SYS" )', 'USER_NAME is given twice in this item'));
    const noUser = '( REPLICATION_NAME_PREFIX = R ( ( TABLE_NAME = "T1" ) ) )';
    assert.equal(parseError(withGroups(noUser)), at(noUser, '( TABLE', 'this item has no USER_NAME'));
    const open = '( REPLICATION_NAME_PREFIX = R ( ( USER_NAME = "SYS ) ) )';
    assert.equal(parseError(withGroups(open)), at(open, '"SYS', 'the quoted value of USER_NAME has no closing double quote on this line'));
    const noValue = '( REPLICATION_NAME_PREFIX = R ( ( USER_NAME = ) ) )';
    assert.equal(parseError(withGroups(noValue)), at(noValue, ') ) )', 'USER_NAME has no value; found ")"'));
    const noEquals = '( REPLICATION_NAME_PREFIX = R ( ( USER_NAME "SYS" ) ) )';
    assert.equal(parseError(withGroups(noEquals)), at(noEquals, '"SYS"', 'expected "=" after USER_NAME, found ""SYS""'));
    const badKey = '( REPLICATION_NAME_PREFIX = R ( ( 9X = "SYS" ) ) )';
    assert.equal(parseError(withGroups(badKey)), at(badKey, '9X', 'unexpected "9X"; expected USER_NAME, TABLE_NAME or ")"'));
    assert.deepEqual(parse(withGroups('( REPLICATION_NAME_PREFIX = "R" ( ( USER_NAME = "SYS" TABLE_NAME = T1 ) ) )')).config.replications[0],
      { prefix: 'R', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] });
  });

  it('the new item syntax: a PARTITION without a name, an empty item, a group without its item list, a setting without "="', () => {
    const noPartition = '( REPLICATION_NAME_PREFIX = R ( SYS.T1 PARTITION ) )';
    assert.equal(parseError(withGroups(noPartition)), at(noPartition, ') )', 'expected a partition name after PARTITION, found ")"'));
    const empty = '( REPLICATION_NAME_PREFIX = R ( SYS.T1, , SYS.T2 ) )';
    assert.equal(parseError(withGroups(empty)), at(empty, ', SYS.T2', 'unexpected ","; expected a replication item USER.TABLE'));
    const dots = '( REPLICATION_NAME_PREFIX = R ( SYS.T1.X ) )';
    assert.equal(parseError(withGroups(dots)), at(dots, 'SYS.T1.X', '"SYS.T1.X" is not a replication item; expected USER.TABLE or USER.TABLE PARTITION NAME'));
    const noUser = '( REPLICATION_NAME_PREFIX = R ( .T1 ) )';
    assert.match(parseError(withGroups(noUser)), /"\.T1" is not a replication item/);
    const noTable = '( REPLICATION_NAME_PREFIX = R ( SYS. ) )';
    assert.match(parseError(withGroups(noTable)), /"SYS\." is not a replication item/);
    const afterItem = '( REPLICATION_NAME_PREFIX = R ( SYS.T1 = ) )';
    assert.equal(parseError(withGroups(afterItem)), at(afterItem, '= )', 'unexpected "=" after a replication item; expected "," or ")"'));
    const noList = '( REPLICATION_NAME_PREFIX = R )';
    assert.equal(parseError(withGroups(noList)), at(noList, ')', 'unexpected ")"; expected REPLICATION_NAME_PREFIX, SYNC_PARALLEL_COUNT or the item list "("'));
    const noEquals = '( REPLICATION_NAME_PREFIX R ( SYS.T1 ) )';
    assert.equal(parseError(withGroups(noEquals)), at(noEquals, 'R (', 'expected "=" after REPLICATION_NAME_PREFIX, found "R"'));
    const noOpen = 'REPLICATION_NAME_PREFIX = R ( SYS.T1 )';
    assert.equal(parseError(withGroups(noOpen)), at(noOpen, 'REPLICATION_NAME_PREFIX', 'unexpected "REPLICATION_NAME_PRE"; expected a REPLICATIONS group opening with "("'));
    assert.deepEqual(parse(withGroups('( REPLICATION_NAME_PREFIX = R ( SYS.T2 partition P1 ) )')).config.replications[0]?.items, [{ user: 'SYS', table: 'T2', partition: 'P1' }]);
  });

  it('groups may continue on later lines after a comma, with comments between; anything else after a group is an error on its line', () => {
    const text = minimal('', 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = A ( SYS.T1 ) ) # first\n  # between\n  , ( REPLICATION_NAME_PREFIX = B ( SYS.T2 ) )\nAKU_SERVER_COUNT = 2');
    const { config } = parse(text);
    assert.deepEqual(config.replications.map((g) => g.prefix), ['A', 'B']);
    assert.equal(config.serverCount, 2);
    const trailing = 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = A ( SYS.T1 ) ) x';
    assert.equal(parseError(minimal('', trailing)), `aku.conf:5:${trailing.indexOf('x') + 1}: unexpected "x" after the value; expected a comment or the end of the line`);
  });

  it('scalar lines: a key that is not a name, a value cut short at the line end, what is named at the end of a line and of the file', () => {
    assert.equal(parseError(minimal('= 5')), 'aku.conf:4:1: unexpected "="; expected a property name such as AKU_STS_NAME');
    assert.equal(parseError(minimal('AKU_PORT_NO')), 'aku.conf:4:12: expected "=" after AKU_PORT_NO, found end of line');
    assert.equal(parseError('AKU_PORT_NO'), 'aku.conf:1:12: expected "=" after AKU_PORT_NO, found end of file');
    assert.equal(parseError('AKU_PORT_NO\r\n= 1'), 'aku.conf:1:13: expected "=" after AKU_PORT_NO, found end of line');
    assert.equal(parseError(minimal('AKU_PORT_NO = 1 ' + 'x'.repeat(30))), `aku.conf:4:17: unexpected "${'x'.repeat(20)}" after the value; expected a comment or the end of the line`);
    assert.equal(parse(minimal('AKU_STS_NAME = "altibase-sts"').replace('AKU_STS_NAME = altibase-sts\n', '')).config.stsName, 'altibase-sts');
  });

  it('a UTF-8 byte-order mark at the start is not part of the first key; positions count from after it', () => {
    assert.equal(parse(`\uFEFF${minimal()}`).config.stsName, 'altibase-sts');
    assert.equal(parseError(`\uFEFFAKU_NOPE = 1\n${minimal()}`).split(':').slice(0, 3).join(':'), 'aku.conf:1:1');
  });

  it('"did you mean": the nearest name within three edits, the first of equals, none beyond', () => {
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('AKU_PORT_NO', 'AKU_PORT_NO'), 0);
    assert.equal(closestName('AKU_PORTNO', ['AKU_PORT_NO', 'AKU_SVC_NAME']), 'AKU_PORT_NO');
    assert.equal(closestName('ABCD', ['ABCE', 'ABCF']), 'ABCE');
    assert.equal(closestName('ABCDEFG', ['ABCDXYZ']), 'ABCDXYZ');
    assert.equal(closestName('ABCDEFGH', ['ABCDWXYZ']), undefined);
    assert.equal(closestName('AB', ['XY'], 1), undefined);
  });
});

describe('where aku reads aku.conf, and how it writes one', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aku-conf-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('$ALTIBASE_HOME/conf/aku.conf; without ALTIBASE_HOME, or without the file, the error says what to do', () => {
    assert.equal(akuConfPath({ ALTIBASE_HOME: '/opt/altibase' }), '/opt/altibase/conf/aku.conf');
    for (const env of [{}, { ALTIBASE_HOME: '' }]) {
      assert.throws(() => akuConfPath(env), { message: 'environment: ALTIBASE_HOME is not set; aku reads $ALTIBASE_HOME/conf/aku.conf. Set it to the Altibase home directory.' });
    }
    assert.throws(() => loadAkuConf({ ALTIBASE_HOME: dir }), {
      message: `${dir}/conf/aku.conf: cannot read the configuration (ENOENT); copy $ALTIBASE_HOME/conf/aku.conf.sample to aku.conf and edit it`,
    });
    mkdirSync(join(dir, 'conf', 'aku.conf'), { recursive: true });
    assert.throws(() => loadAkuConf({ ALTIBASE_HOME: dir }), { message: `${dir}/conf/aku.conf: cannot read the configuration (EISDIR)` });
    rmSync(join(dir, 'conf', 'aku.conf'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'aku.conf'), minimal('AKU_PORT_NO = 21000'));
    const loaded = loadAkuConf({ ALTIBASE_HOME: dir, AKU_SERVER_COUNT: '3' });
    assert.equal(loaded.config.portNo, 21000);
    assert.equal(loaded.config.serverCount, 3);
    assert.equal(loaded.source.file, join(dir, 'conf', 'aku.conf'));
    assert.deepEqual(loaded.source.fromEnvironment, ['AKU_SERVER_COUNT']);
  });

  it('writes aligned KEY = value lines, flags as 0/1, quotes a value with a space or #, can leave the password out, and refuses what it cannot write', () => {
    const { config } = parse(minimal('AKU_FLUSH_AT_END = 0', 'REPLICATIONS = ( REPLICATION_NAME_PREFIX = R SYNC_PARALLEL_COUNT = 4 ( SYS.T1, SYS.T2 PARTITION P1 ) )'));
    const text = formatAkuConf({ ...config, sysPassword: 'pa ss' });
    const lines = text.split('\n');
    assert.ok(lines.includes('AKU_STS_NAME                  = altibase-sts'), text);
    assert.ok(lines.includes('AKU_FLUSH_AT_END              = 0'));
    assert.ok(lines.includes('AKU_FLUSH_AT_START            = 1'));
    assert.ok(lines.includes('AKU_SYS_PASSWORD              = "pa ss"'));
    assert.ok(text.endsWith([
      'REPLICATIONS = (',
      '    REPLICATION_NAME_PREFIX = R',
      '    SYNC_PARALLEL_COUNT     = 4',
      '    (',
      '        SYS.T1,',
      '        SYS.T2 PARTITION P1',
      '    )',
      ')',
      '',
    ].join('\n')), text);
    assert.deepEqual(parse(text).config, { ...config, sysPassword: 'pa ss' });
    assert.ok(!formatAkuConf(config, { omitPassword: true }).includes('AKU_SYS_PASSWORD'));
    assert.ok(formatAkuConf({ ...config, sysPassword: 'a#b' }).includes('= "a#b"'));
    assert.throws(() => formatAkuConf({ ...config, sysPassword: '"q' }), /cannot be written to aku\.conf/, 'a leading quote would be read as quoting');
    assert.ok(formatAkuConf({ ...config, sysPassword: 'x"y' }).includes('= x"y'), 'a quote alone needs no quoting');
    assert.throws(() => formatAkuConf({ ...config, sysPassword: 'a "b' }), {
      message: 'AKU_SYS_PASSWORD cannot be written to aku.conf (it has both a double quote and a space or #); pass it as an environment variable',
    });
    const two = { ...config, replications: [config.replications[0]!, { prefix: 'S', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T3' }] }] };
    assert.match(formatAkuConf(two), /^\),\n\(\n {4}REPLICATION_NAME_PREFIX = S$/m);
    assert.deepEqual(parse(formatAkuConf(two)).config.replications, two.replications);
  });
});
