import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConnectOptions } from '../../src/db/driver.js';
import {
  ConnectionStringError,
  DEFAULT_ODBC_DRIVER,
  altibasePairs,
  altibaseTimeouts,
  buildConnectionString,
  connectionStringFor,
  expandTemplate,
  odbcStringSettingsFromEnv,
  quoteValue,
  templateValues,
} from '../../src/db/drivers/odbc-connection-string.js';
import { parseLikeAltibase, parseLikeUnixOdbc } from './connection-string-parsers.js';

const options: ConnectOptions = {
  host: 'altibase-sts-0.altibase-svc',
  port: 20300,
  user: 'SYS',
  password: 'manager',
  sysdba: true,
  connectTimeoutSec: 10,
  queryTimeoutSec: 3600,
  nlsUse: 'UTF8',
};

const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ';', '{', '}', '"', ' ', '=', '(', '[', '@'), maxLength: 14 });

describe('connection string', () => {
  it('is the documented Altibase DSN-less form, DRIVER first, DSN and Server both set', () => {
    assert.equal(
      connectionStringFor(options, { driver: DEFAULT_ODBC_DRIVER, quoting: 'odbc' }),
      'DRIVER=ALTIBASE_HDB_ODBC_64bit;DSN=altibase-sts-0.altibase-svc;Server=altibase-sts-0.altibase-svc;PORT=20300;UID=SYS;PWD=manager;' +
        'PRIVILEGE=SYSDBA;NLS_USE=UTF8;LOGIN_TIMEOUT=10;CONNECTION_TIMEOUT=3610;QUERY_TIMEOUT=3600',
    );
  });

  it('leaves out PRIVILEGE and NLS_USE when not asked for', () => {
    const keys = altibasePairs({ ...options, sysdba: false, nlsUse: undefined }, 'X').map(([k]) => k);
    assert.ok(!keys.includes('PRIVILEGE') && !keys.includes('NLS_USE'));
  });

  it('derives whole-second timeouts; the network wait outlasts the statement limit', () => {
    assert.deepEqual(altibaseTimeouts({ connectTimeoutSec: 2.5, queryTimeoutSec: 0.2 }), {
      loginTimeoutSec: 3,
      queryTimeoutSec: 1,
      connectionTimeoutSec: 4,
    });
    assert.deepEqual(altibaseTimeouts({ connectTimeoutSec: 0, queryTimeoutSec: 0 }), {
      loginTimeoutSec: 1,
      queryTimeoutSec: 0,
      connectionTimeoutSec: 0,
    });
  });

  describe('quoting', () => {
    it('quotes only values that need it', () => {
      assert.equal(quoteValue('manager', 'odbc'), 'manager');
      assert.equal(quoteValue('p}d', 'odbc'), 'p}d');
      assert.equal(quoteValue('p;w}d', 'odbc'), '{p;w}}d}');
      assert.equal(quoteValue('{x', 'odbc'), '{{x}');
      assert.equal(quoteValue(' x', 'odbc'), '{ x}');
      assert.equal(quoteValue('p;w}d', 'altibase'), '"p;w}d"');
      assert.equal(quoteValue('(x', 'altibase'), '"(x"');
      assert.equal(quoteValue('a"b', 'altibase'), 'a"b');
    });

    it('refuses, without echoing it, a value the Altibase style cannot carry', () => {
      assert.throws(
        () => buildConnectionString([['PWD', 'se;cr"et']], 'altibase'),
        (e: unknown) => e instanceof ConnectionStringError && /PWD/.test(e.message) && !e.message.includes('se;cr"et'),
      );
    });

    it('rejects a keyword that is not an identifier', () => {
      assert.throws(() => buildConnectionString([['P;WD', 'x']], 'odbc'), ConnectionStringError);
    });

    it('odbc style: the driver manager reads back every value exactly, and no value can inject a pair', () => {
      fc.assert(
        fc.property(tricky, tricky, (password, nls) => {
          const text = buildConnectionString(
            [
              ['DRIVER', 'ALTIBASE_HDB_ODBC_64bit'],
              ['PWD', password],
              ['NLS_USE', nls],
              ['PORT', '20300'],
            ],
            'odbc',
          );
          assert.deepEqual(parseLikeUnixOdbc(text), [
            ['DRIVER', 'ALTIBASE_HDB_ODBC_64bit'],
            ['PWD', password],
            ['NLS_USE', nls],
            ['PORT', '20300'],
          ]);
        }),
      );
    });

    it('altibase style: the Altibase parser sees each value whole (quoted or not), and the driver manager still finds DRIVER first', () => {
      fc.assert(
        fc.property(tricky, (password) => {
          let text: string;
          try {
            text = buildConnectionString(
              [
                ['DRIVER', 'ALTIBASE_HDB_ODBC_64bit'],
                ['PWD', password],
                ['PORT', '20300'],
              ],
              'altibase',
            );
          } catch (e) {
            assert.ok(e instanceof ConnectionStringError);
            assert.ok(password.includes('"'));
            return;
          }
          const pairs = parseLikeAltibase(text);
          assert.equal(pairs.length, 3);
          assert.ok(pairs[1]![1] === password || pairs[1]![1] === `"${password}"`, text);
          assert.deepEqual(pairs[2], ['PORT', '20300']);
          assert.deepEqual(parseLikeUnixOdbc(text)[0], ['DRIVER', 'ALTIBASE_HDB_ODBC_64bit']);
        }),
      );
    });

    it('always braces DRIVER the ODBC way, whatever the style (the driver manager reads it)', () => {
      assert.equal(buildConnectionString([['DRIVER', '/opt/a;b/lib.so']], 'altibase'), 'DRIVER={/opt/a;b/lib.so}');
    });
  });

  describe('template (AKU_ODBC_CONNECTION_STRING)', () => {
    it('fills placeholders with quoted values', () => {
      const values = templateValues({ ...options, password: 'p;w}d' }, 'SQLite3');
      assert.equal(
        expandTemplate('Driver=${DRIVER};Database=/tmp/${HOST}.db;UID=${USER};PWD=${PASSWORD};T=${QUERY_TIMEOUT}', values, 'odbc'),
        'Driver=SQLite3;Database=/tmp/altibase-sts-0.altibase-svc.db;UID=SYS;PWD={p;w}}d};T=3600',
      );
    });

    it('names the known placeholders when one is unknown', () => {
      assert.throws(() => expandTemplate('PWD=${PASS}', templateValues(options, 'X'), 'odbc'), /unknown placeholder \$\{PASS\}; known: .*\$\{PASSWORD\}/);
    });
  });

  describe('settings from the environment', () => {
    it('defaults to the Altibase 64-bit driver section and ODBC quoting', () => {
      assert.deepEqual(odbcStringSettingsFromEnv({}), { driver: 'ALTIBASE_HDB_ODBC_64bit', quoting: 'odbc' });
    });

    it('reads AKU_ODBC_DRIVER (a name or a library path), AKU_ODBC_QUOTING and AKU_ODBC_CONNECTION_STRING', () => {
      assert.deepEqual(
        odbcStringSettingsFromEnv({
          AKU_ODBC_DRIVER: '/opt/altibase/lib/libaltibase_odbc-64bit-ul64.so',
          AKU_ODBC_QUOTING: 'Altibase',
          AKU_ODBC_CONNECTION_STRING: 'Driver=${DRIVER};Server=${HOST}',
        }),
        { driver: '/opt/altibase/lib/libaltibase_odbc-64bit-ul64.so', quoting: 'altibase', template: 'Driver=${DRIVER};Server=${HOST}' },
      );
    });

    it('rejects an unknown quoting style', () => {
      assert.throws(() => odbcStringSettingsFromEnv({ AKU_ODBC_QUOTING: 'shell' }), /AKU_ODBC_QUOTING must be one of odbc, altibase/);
    });
  });
});
