/**
 * The guards and refusals of aku.conf that mutation testing (npm run mutate) found untested: each
 * test names the refusal, feeds the input that must trip it (and a neighbour that must not), and
 * checks the words of the message an operator reads.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigErrors } from '../../src/config/index.js';
import { byteLength, isSafeIdentifier, normaliseIdentifier } from '../../src/config/identifiers.js';
import { minimal, parse, parseError } from '../helpers/conf.js';

const group = (body: string) => minimal('', `REPLICATIONS = ${body}`);
const items = (list: string) => group(`( REPLICATION_NAME_PREFIX = AKU_REP ( ${list} ) )`);

/** Altibase's reserved words (SQL Reference, "Reserved Words"), written out here on purpose: the test must not read aku's own list. */
const ALTIBASE_RESERVED_WORDS = `
  _PROWID ACCESS ADD AFTER AGER ALL ALTER AND ANY APPLY ARCHIVE ARCHIVELOG AS ASC AT BACKUP BEFORE BEGIN
  BETWEEN BODY BULK BY CASCADE CASE CAST CHECK CHECKPOINT CLOSE COALESCE COLUMN COMMENT COMMIT COMPILE
  COMPRESS COMPRESSED CONJOIN CONNECT CONSTANT CONSTRAINT CONSTRAINTS CONTINUE CREATE CROSS CUBE CURSOR
  CYCLE DATABASE DECLARE DECRYPT DEFAULT DELAUDIT DELETE DEQUEUE DESC DETERMINISTIC DIRECTORY DISABLE
  DISASTER DISCONNECT DISJOIN DISTINCT DROP EACH ELSE ELSEIF ELSIF ENABLE END ENQUEUE ESCAPE EXCEPTION
  EXEC EXECUTE EXISTS EXIT EXTENT EXTENTSIZE FALSE FETCH FIFO FIXED FLASHBACK FLUSH FLUSHER FOLLOWING FOR
  FOREIGN FROM FULL FUNCTION GOTO GRANT GROUP HAVING IF IN INITRANS INNER INSERT INSTEAD INTERSECT INTO
  IS ISOLATION JOIN KEY LEFT LESS LEVEL LIFO LIKE LIMIT LOCAL LOCK LOGANCHOR LOOP MAXROWS MAXTRANS MERGE
  MINUS MODE MOVE MOVEMENT NEW NOARCHIVELOG NOCOPY NOCYCLE NOLOGGING NOT NULL NULLS OF OFF OFFLINE OLD ON
  ONLINE OPEN OR ORDER OTHERS OUT OUTER OVER PACKAGE PARALLEL PARTITION PIVOT PRECEDING PRIMARY PRIOR
  PRIVILEGES PROCEDURE PURGE QUEUE RAISE READ REBUILD RECOVER REFERENCES REFERENCING REMOVE RENAME REPLACE
  RETURN RETURNING REVOKE RIGHT ROLLBACK ROLLUP ROW ROWCOUNT ROWNUM ROWTYPE SAVEPOINT SEGMENT SELECT
  SEQUENCE SESSION SET SHARD SOME SPLIT SQLCODE SQLERRM START STEP STORAGE STORE SYNONYM TABLE THAN THEN
  TO TOP TRIGGER TRUE TYPE TYPESET UNION UNIQUE UNLOCK UNPIVOT UNTIL UPDATE USING VALUES VARIABLE
  VARIABLES VIEW VOLATILE WAIT WHEN WHENEVER WHERE WHILE WITH WITHIN WORK WRITE
`.trim().split(/\s+/);

describe('aku.conf guards and refusals', () => {
  it('refuses every Altibase reserved word as a table name, in any case, and accepts a word that merely contains one', () => {
    assert.equal(ALTIBASE_RESERVED_WORDS.length, 220);
    for (const word of ALTIBASE_RESERVED_WORDS) {
      const message = parseError(items(`SYS.${word.toLowerCase()}`));
      assert.match(message, /is an Altibase reserved word; rename the object or choose another name/, `${word}: ${message}`);
      assert.equal(normaliseIdentifier(word, 128).ok, false, word);
    }
    assert.deepEqual(parse(items('SYS.SELECTS, SYS.TABLE_1')).config.replications[0]?.items.map((i) => i.table), ['SELECTS', 'TABLE_1']);
  });

  it('identifier rules: empty, bad characters, byte length, and what counts as safe to place in SQL', () => {
    assert.deepEqual(normaliseIdentifier('', 40), { ok: false, problem: 'is empty' });
    assert.equal(normaliseIdentifier('1abc', 40).ok, false);
    assert.deepEqual(normaliseIdentifier('abc$_9', 40), { ok: true, name: 'ABC$_9' });
    assert.deepEqual(normaliseIdentifier('A'.repeat(41), 40), { ok: false, problem: 'is 41 bytes long; the maximum is 40' });
    assert.equal(normaliseIdentifier('A'.repeat(40), 40).ok, true);
    assert.equal(byteLength('é'), 2);
    assert.equal(isSafeIdentifier('T1'), true);
    assert.equal(isSafeIdentifier('t1'), false, 'not as Altibase stores it');
    assert.equal(isSafeIdentifier('SELECT'), false);
    assert.equal(isSafeIdentifier('A'.repeat(129)), false);
    assert.equal(isSafeIdentifier('A'.repeat(41), 40), false);
  });

  it('refuses REPLICATIONS given twice, naming the first line', () => {
    const text = `${minimal()}REPLICATIONS = ( REPLICATION_NAME_PREFIX = AKU_RE2 ( SYS.T2 ) )\n`;
    assert.match(parseError(text), /REPLICATIONS is given twice \(first on line 5\); list every group in one REPLICATIONS = \(…\), \(…\) assignment/);
  });

  it('a single problem is a ConfigError, several are ConfigErrors', () => {
    const one = (() => { try { parse(minimal('AKU_PORT_NO = x')); } catch (e) { return e; } })();
    assert.ok(one instanceof ConfigError && !(one instanceof ConfigErrors), String(one));
    const two = (() => { try { parse(minimal('AKU_PORT_NO = x\nAKU_QUERY_TIMEOUT = y')); } catch (e) { return e; } })();
    assert.ok(two instanceof ConfigErrors, String(two));
  });

  it('names unknown properties helpfully: case, known misspellings, group settings at the top, nearest name', () => {
    assert.match(parseError(minimal('aku_port_no = 20300')), /property names are upper case: write AKU_PORT_NO, not aku_port_no/);
    assert.match(parseError(minimal('AKU_SYS_PASWWORD = x')), /unknown property AKU_SYS_PASWWORD; did you mean AKU_SYS_PASSWORD\? \(old aku.conf samples misspell it\)/);
    assert.match(parseError(minimal('REPLICATION_NAME_PREFIX = X')), /REPLICATION_NAME_PREFIX belongs inside a REPLICATIONS group/);
    assert.match(parseError(minimal('SYNC_PARALLEL_COUNT = 2')), /SYNC_PARALLEL_COUNT belongs inside a REPLICATIONS group/);
    assert.match(parseError(minimal('AKU_PORT = 1')), /unknown property AKU_PORT; did you mean AKU_PORT_NO\?/);
    assert.match(parseError(minimal('ZZZZZZZZZZZZ = 1')), /unknown property ZZZZZZZZZZZZ; see `aku.conf.sample` for the properties aku reads/);
  });

  it('Kubernetes names: a DNS label for the StatefulSet, a DNS name for the Service, both at most 63 bytes', () => {
    assert.equal(parse(minimal().replace('altibase-svc', 'svc.ns')).config.svcName, 'svc.ns');
    for (const bad of ['svc..ns', 'svc.-ns', 'Svc']) {
      assert.match(parseError(minimal().replace('altibase-svc', bad)), new RegExp(`AKU_SVC_NAME = ${bad.replace(/\./g, '\\.')} is not a DNS name \\(lower-case letters, digits and "-"`), bad);
    }
    for (const bad of ['a.b', '-sts', 'sts-', 'x_y']) {
      assert.match(parseError(minimal().replace('altibase-sts', bad)), new RegExp(`AKU_STS_NAME = ${bad.replace(/\./g, '\\.')} is not a DNS label`), bad);
    }
    assert.equal(parse(minimal().replace('altibase-sts', 'a'.repeat(63))).config.stsName, 'a'.repeat(63));
    assert.match(parseError(minimal().replace('altibase-sts', 'a'.repeat(64))), /AKU_STS_NAME = a+ is 64 bytes long; the maximum is 63/);
  });

  it('integers: digits only, leading zeros allowed, an absurdly long number is out of range, not wrapped', () => {
    assert.equal(parse(minimal('AKU_PORT_NO = 0020300')).config.portNo, 20300);
    assert.equal(parse(minimal('AKU_PORT_NO = 000000000000000000020300')).config.portNo, 20300);
    for (const bad of ['12a', 'a12', '-1', '1.5']) {
      assert.match(parseError(minimal(`AKU_PORT_NO = ${bad}`)), new RegExp(`AKU_PORT_NO = ${bad.replace('.', '\\.')} is not an integer; expected an integer from`), bad);
    }
    assert.match(parseError(minimal('AKU_QUERY_TIMEOUT = 99999999999999999999')), /AKU_QUERY_TIMEOUT = 99999999999999999999 is out of range|99999999999999999999.*(range|maximum|from)/);
    assert.doesNotThrow(() => parse(minimal('AKU_QUERY_TIMEOUT = 0000000000000000000000001')));
  });

  it('group settings: unknown (with a suggestion), set twice, and a group without items', () => {
    assert.match(parseError(group('( REPLICATION_NAME_PREFX = AKU_REP ( SYS.T1 ) )')), /unknown REPLICATIONS setting REPLICATION_NAME_PREFX; expected REPLICATION_NAME_PREFIX or SYNC_PARALLEL_COUNT \(did you mean REPLICATION_NAME_PREFIX\?\)/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = A SYNC_PARALLEL_COUNT = 1 SYNC_PARALLEL_COUNT = 2 ( SYS.T1 ) )')), /SYNC_PARALLEL_COUNT is set twice in this group \(first on line 5\)/);
    assert.match(parseError(group('( REPLICATION_NAME_PREFIX = A ( ) )')), /this REPLICATIONS group has no items; list at least one USER.TABLE|no items/);
  });

  it('each table or partition is listed once: whole table twice, a partition and its table, the same partition twice; two partitions are fine', () => {
    assert.match(parseError(items('SYS.T1, SYS.T1')), /SYS.T1 is already replicated in this group \(line 5\); each table or partition may be listed once/);
    assert.match(parseError(items('SYS.T2 PARTITION P1, SYS.T2')), /SYS.T2 is already replicated in this group/);
    assert.match(parseError(items('SYS.T2, SYS.T2 PARTITION P1')), /SYS.T2 PARTITION P1 is already replicated in this group/);
    assert.match(parseError(items('SYS.T2 PARTITION P1, SYS.T2 PARTITION P1')), /SYS.T2 PARTITION P1 is already replicated in this group/);
    const two = parse(items('SYS.T2 PARTITION P1, SYS.T2 PARTITION P2')).config.replications[0]?.items.map((i) => i.partition);
    assert.deepEqual(two, ['P1', 'P2']);
    const groups = `REPLICATIONS = ( REPLICATION_NAME_PREFIX = A ( SYS.T1 ) ), ( REPLICATION_NAME_PREFIX = B ( SYS.T1 ) )`;
    assert.match(parseError(minimal('AKU_PORT_NO = 20300', groups)), /SYS.T1 is already replicated in group A/);
  });

  it('the service and replication ports must differ, named on the replication port', () => {
    assert.match(parseError(minimal('AKU_PORT_NO = 20301\nAKU_REPLICATION_PORT_NO = 20301')), /AKU_REPLICATION_PORT_NO = 20301 is the same as AKU_PORT_NO; the service and replication ports must differ/);
    assert.match(parseError(minimal('AKU_PORT_NO = 20301'), { AKU_REPLICATION_PORT_NO: '20301' }), /the service and replication ports must differ/);
  });

  it('the password from a file (AKU_SYS_PASSWORD_FILE): one trailing newline dropped, unreadable named, empty ignored, other properties not read from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aku-guards-'));
    try {
      const text = minimal().replace(/^AKU_SYS_PASSWORD = .*$/m, '');
      const file = join(dir, 'pw');
      writeFileSync(file, 's3cret\r\n');
      assert.equal(parse(text, { AKU_SYS_PASSWORD_FILE: file }).config.sysPassword, 's3cret');
      writeFileSync(file, 'two\n\n');
      assert.equal(parse(text, { AKU_SYS_PASSWORD_FILE: file }).config.sysPassword, 'two\n');
      const missing = join(dir, 'nope');
      assert.match(parseError(text, { AKU_SYS_PASSWORD_FILE: missing }), new RegExp(`environment variable AKU_SYS_PASSWORD_FILE.*cannot read ${missing} \\(ENOENT\\); AKU_SYS_PASSWORD_FILE must name a readable file holding AKU_SYS_PASSWORD`));
      assert.match(parseError(text, { AKU_SYS_PASSWORD_FILE: '' }), /Property \[AKU_SYS_PASSWORD\] should be specified by configuration/);
      writeFileSync(join(dir, 'sts'), 'from-file');
      assert.equal(parse(minimal(), { AKU_STS_NAME_FILE: join(dir, 'sts') }).config.stsName, 'altibase-sts');
      assert.equal(parse(text, { AKU_SYS_PASSWORD: 'direct', AKU_SYS_PASSWORD_FILE: file }).config.sysPassword, 'direct');
      assert.match(parseError(minimal().replace(/^AKU_SYS_PASSWORD = .*$/m, 'AKU_SYS_PASSWORD = ')), /AKU_SYS_PASSWORD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
