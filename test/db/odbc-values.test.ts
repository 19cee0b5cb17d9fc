import assert from 'node:assert/strict';
import { normaliseRow, normaliseValue, toDriverError } from '../../src/db/drivers/odbc.js';
import { DriverError } from '../../src/db/driver.js';

describe('odbc driver: values and errors (no driver needed)', () => {
  it('normalises values to what aku compares: numbers, text, null', () => {
    assert.equal(normaliseValue(-1n), -1);
    assert.equal(normaliseValue(BigInt(Number.MAX_SAFE_INTEGER) + 1n), '9007199254740992');
    assert.equal(normaliseValue(BigInt(Number.MIN_SAFE_INTEGER) - 1n), '-9007199254740992');
    assert.equal(normaliseValue(undefined), null);
    assert.equal(normaliseValue(true), 1);
    assert.equal(normaliseValue(Buffer.from([0xab, 0x01])), 'ab01');
    assert.equal(normaliseValue(new Date(Date.UTC(2024, 3, 19, 10, 21, 31))), '2024-04-19T10:21:31.000Z');
    assert.equal(normaliseValue('-1'), '-1');
  });

  it('upper-cases column names', () => {
    assert.deepEqual(normaliseRow({ replication_name: 'AKU_REP_01', Xsn: 5n }), { REPLICATION_NAME: 'AKU_REP_01', XSN: 5 });
  });

  it("maps node-odbc's odbcErrors to diagnostics, masking secrets", () => {
    const raw = Object.assign(new Error('[odbc] Error connecting to the database'), {
      odbcErrors: [
        { state: '08001', code: 327730, message: 'Client unable to establish connection. PWD=hunter2' },
        { state: '01S00', code: 0x52063, message: 'Connection string pair [PWDX = {hunter2};] ignored.' },
      ],
    });
    const error = toDriverError(raw, ['hunter2']);
    assert.ok(error instanceof DriverError);
    assert.deepEqual(error.diagnostics, [
      { state: '08001', code: 0x50032, message: 'Client unable to establish connection. PWD=***' },
      { state: '01S00', code: 0x52063, message: 'Connection string pair [PWDX = {***};] ignored.' },
    ]);
    assert.ok(!error.message.includes('hunter2'));
  });

  it("treats node-odbc's own 'connection closed' error as a lost connection (08003)", () => {
    const error = toDriverError(new Error('Connection has already been closed!'), []);
    assert.equal(error.primary.state, '08003');
    assert.equal(toDriverError(new Error('something else'), []).primary.state, 'HY000');
  });
});
