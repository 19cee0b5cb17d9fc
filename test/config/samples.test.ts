import { strict as assert } from 'node:assert';
import { fixtureText, parse, parseError } from '../helpers/conf.js';

describe('aku.conf samples from the manual', () => {
  it('reads the current one-group sample with every documented default', () => {
    const { config, source } = parse(fixtureText('sample-one-group.conf'));
    assert.deepEqual(config, {
      stsName: 'altibase-sts',
      svcName: 'altibase-svc',
      serverCount: 4,
      sysPassword: 'manager',
      portNo: 20300,
      replicationPortNo: 20301,
      queryTimeoutSec: 3600,
      queryRetryCount: 5,
      queryRetryDelayMsec: 1000,
      addressCheckCount: 30,
      flushAtStart: true,
      flushTimeoutAtStartSec: 300,
      delayStartCompleteTimeSec: 0,
      flushAtEnd: true,
      replicationResetAtEnd: true,
      connectTimeoutSec: 5,
      endTimeBudgetSec: 50,
      replications: [
        {
          prefix: 'AKU_REP',
          syncParallelCount: 1,
          items: [
            { user: 'SYS', table: 'T1' },
            { user: 'SYS', table: 'T2', partition: 'P1' },
            { user: 'SYS', table: 'T3' },
          ],
        },
      ],
    });
    assert.deepEqual(source, { file: 'aku.conf', fromEnvironment: [] });
  });

  it('reads the three-group sample', () => {
    const { config } = parse(fixtureText('sample-three-groups.conf'));
    assert.deepEqual(config.replications.map((g) => g.prefix), ['AKU_REP1', 'AKU_REP2', 'AKU_REP3']);
    assert.deepEqual(config.replications[1]?.items.map((i) => i.table), ['T4', 'T5', 'T6']);
    assert.deepEqual(config.replications[2]?.items.map((i) => i.table), ['T7', 'T8', 'T9']);
  });

  it('accepts the Korean 7.3 sample\'s trailing comma before ")"', () => {
    const { config } = parse(fixtureText('sample-one-group.conf').replace('SYS.T3\n', '\n'));
    assert.deepEqual(config.replications[0]?.items, [{ user: 'SYS', table: 'T1' }, { user: 'SYS', table: 'T2', partition: 'P1' }]);
  });

  it('answers the old sample\'s misspelt AKU_SYS_PASWWORD with the right name', () => {
    const message = parseError(fixtureText('sample-old-syntax.conf'));
    assert.match(message, /^aku\.conf:3:1: unknown property AKU_SYS_PASWWORD; did you mean AKU_SYS_PASSWORD\?/);
  });

  it('reads the old syntax (quoted values, USER_NAME/TABLE_NAME blocks) once the key is right', () => {
    const { config } = parse(fixtureText('sample-old-syntax.conf').replace('PASWWORD', 'PASSWORD'));
    assert.equal(config.sysPassword, 'manager');
    assert.equal(config.stsName, 'altibase-sts');
    assert.deepEqual(config.replications, [
      { prefix: 'AKU_REP', syncParallelCount: 1, items: [1, 2, 3].map((n) => ({ user: 'SYS', table: `T${n}` })) },
    ]);
  });

  it('reads tabs for indentation (the English manual\'s sample) and CRLF line ends', () => {
    const text = fixtureText('sample-one-group.conf').replace(/^ {4}/gm, '\t').replace(/\n/g, '\r\n');
    assert.equal(parse(text).config.replications[0]?.items.length, 3);
  });
});
