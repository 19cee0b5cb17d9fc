import assert from 'node:assert/strict';
import { AltibaseCode as C, DbError, ERROR_RULES, altibaseCode, classify, hintFor, passwordForms, redact } from '../../src/db/errors.js';
import { diag } from './fake-driver.js';

describe('errors', () => {
  it('renders native codes in Altibase ERR- form', () => {
    assert.equal(altibaseCode(0x6100d), 'ERR-6100D');
    assert.equal(altibaseCode(397325), 'ERR-6100D');
    assert.equal(altibaseCode(0x01044), 'ERR-01044');
    assert.equal(altibaseCode(0x5108a), 'ERR-5108A');
  });

  describe('classification', () => {
    const cases: Array<[string, ReturnType<typeof diag>, 'permanent' | 'transient' | 'transient-reconnect']> = [
      ['refused TCP connect', diag(C.CLIENT_CANNOT_CONNECT, '08001'), 'transient-reconnect'],
      ['communication link failure', diag(C.COMMUNICATION_LINK_FAILURE, '08S01'), 'transient-reconnect'],
      ['connection does not exist', diag(C.CONNECTION_DOES_NOT_EXIST, '08003'), 'transient-reconnect'],
      ['connection timeout', diag(C.CONNECTION_TIMEOUT, 'HYT01'), 'transient-reconnect'],
      ['session closed by the server', diag(0x41000, '08004'), 'transient-reconnect'],
      ['another SYSDBA session (server)', diag(C.ANOTHER_SYSDBA_SESSION, '08001'), 'transient'],
      ['another SYSDBA session (client)', diag(C.CLIENT_ANOTHER_SYSDBA_SESSION, '08001'), 'transient'],
      ['lock timeout', diag(0x11165, 'HYT00'), 'transient'],
      ['replication denied', diag(C.REPLICATION_DENIED), 'transient'],
      ['handshake failed', diag(C.HANDSHAKE_FAILED), 'transient'],
      ['sender cannot reach the peer', diag(C.SENDER_CANNOT_CONNECT_PEER), 'transient'],
      ['query timeout', diag(C.QUERY_TIMEOUT, 'HYT00'), 'permanent'],
      ['syntax error by SQLSTATE', diag(0, '42000'), 'permanent'],
      ['syntax error by code', diag(C.SYNTAX_ERROR), 'permanent'],
      ['invalid password', diag(C.WRONG_PASSWORD, '28000'), 'permanent'],
      ['no privilege', diag(C.NO_PRIVILEGE), 'permanent'],
      ['remote SYSDBA refused, even with a connection SQLSTATE', diag(C.REMOTE_SYSDBA_NOT_ALLOWED, '08001'), 'permanent'],
      ['already started', diag(C.SENDER_ALREADY_STARTED), 'permanent'],
      ['replication already started', diag(C.REPLICATION_ALREADY_STARTED), 'permanent'],
      ['not started', diag(C.REPLICATION_NOT_STARTED), 'permanent'],
      ['no such replication', diag(C.NO_SUCH_REPLICATION), 'permanent'],
      ['duplicate replication', diag(C.DUPLICATE_REPLICATION), 'permanent'],
      ['replication hosts exist', diag(C.REPLICATION_HOSTS_EXIST), 'permanent'],
      ['too many replications', diag(C.MAX_REPLICATION_COUNT), 'permanent'],
      ['replication DDL disabled', diag(C.REPLICATION_DDL_DISABLED), 'permanent'],
      ["driver library missing", diag(0, '01000', "[unixODBC][Driver Manager]Can't open lib 'X' : file not found"), 'permanent'],
      ['unknown DSN', diag(0, 'IM002'), 'permanent'],
      ['unknown error', diag(0x31999), 'permanent'],
    ];
    for (const [what, diagnostic, verdict] of cases) {
      it(`${what} → ${verdict}`, () => assert.equal(classify([diagnostic]).verdict, verdict));
    }

    it('lets a "never retry" record win over a transient one in the same failure', () => {
      assert.equal(classify([diag(C.HANDSHAKE_FAILED), diag(C.QUERY_TIMEOUT, 'HYT00')]).verdict, 'permanent');
    });

    it('does not let an unrelated warning record make a connection failure permanent', () => {
      assert.equal(classify([diag(0, '01000', 'some general warning'), diag(C.CLIENT_CANNOT_CONNECT, '08001')]).verdict, 'transient-reconnect');
    });

    it('documents every rule', () => {
      for (const rule of ERROR_RULES) {
        assert.ok(rule.matches.length > 0 && rule.why.length > 20, JSON.stringify(rule));
      }
    });
  });

  describe('DbError', () => {
    const handshake = () =>
      new DbError({
        server: 'altibase-sts-1.altibase-svc:20300',
        sql: 'ALTER REPLICATION AKU_REP_01 START',
        phase: 'statement',
        diagnostics: [diag(C.HANDSHAKE_FAILED, 'HY000', '[Sender] Failed to handshake with the peer server (Handshake Process Error)')],
        verdict: 'transient',
        attempts: 1,
      });

    it('reads like the original aku: code, message, statement, server', () => {
      assert.equal(
        handshake().message,
        'ERR-6100D : [Sender] Failed to handshake with the peer server (Handshake Process Error) [SQL: ALTER REPLICATION AKU_REP_01 START] [server: altibase-sts-1.altibase-svc:20300]',
      );
    });

    it('names errors without a native code by SQLSTATE, and adds a hint when the fix is outside aku', () => {
      const error = new DbError({
        server: 'h:20300',
        phase: 'connect',
        diagnostics: [diag(0, '01000', "[unixODBC][Driver Manager]Can't open lib 'ALTIBASE_HDB_ODBC_64bit' : file not found")],
        verdict: 'permanent',
        attempts: 1,
      });
      assert.match(error.message, /^\[01000\] \[unixODBC\]\[Driver Manager\]Can't open lib 'ALTIBASE_HDB_ODBC_64bit' : file not found \[connecting\] \[server: h:20300\] — .*AKU_ODBC_DRIVER/);
      assert.equal(error.hint, hintFor(error.diagnostics));
    });

    it('exposes the code, SQLSTATE and a code test for callers that tolerate an answer', () => {
      const error = handshake();
      assert.equal(error.code, 0x6100d);
      assert.equal(error.altibaseCode, 'ERR-6100D');
      assert.equal(error.state, 'HY000');
      assert.ok(error.isCode(C.SENDER_ALREADY_STARTED, C.HANDSHAKE_FAILED));
      assert.ok(!error.isCode(C.SENDER_ALREADY_STARTED));
      assert.equal(error.transient, true);
    });

    it('prints the diagnostic block of the original aku', () => {
      assert.equal(
        handshake().describeDiagnostics(),
        [
          '  Diagnostic Record 1',
          '    SQLSTATE     : HY000',
          '    Message text : [Sender] Failed to handshake with the peer server (Handshake Process Error)',
          '    Native error : 0x6100D',
        ].join('\n'),
      );
    });
  });

  it('redacts every form of the password, longest first', () => {
    const forms = passwordForms('p;w}d');
    assert.equal(redact('a p;w}d b {p;w}}d} c "p;w}d" d', forms), 'a *** b *** c *** d');
    assert.deepEqual(passwordForms(''), []);
    assert.equal(redact('nothing here', forms), 'nothing here');
  });
});
