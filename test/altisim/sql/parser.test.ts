import assert from 'node:assert/strict';
import { AltibaseError } from '../../../src/altisim/errors.js';
import { parseStatement } from '../../../src/altisim/sql/parser.js';

function syntaxError(sql: string): AltibaseError {
  try {
    parseStatement(sql);
  } catch (error) {
    assert.ok(error instanceof AltibaseError, `expected an AltibaseError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a syntax error for: ${sql}`);
}

function assertSyntaxError(sql: string, near?: string): void {
  const error = syntaxError(sql);
  assert.equal(error.code, 0x31001, error.message);
  assert.equal(error.state, '42000');
  assert.match(error.message, /parse error/);
  if (near !== undefined) assert.ok(error.message.includes(near), `"${error.message}" should mention ${near}`);
}

describe('altisim SQL parser', () => {
  describe('CREATE REPLICATION', () => {
    it('parses one host and one item', () => {
      assert.deepEqual(parseStatement("CREATE REPLICATION r WITH 'h', 1 FROM a.b TO a.b"), {
        kind: 'createReplication',
        name: 'R',
        eager: false,
        conflictResolution: 0,
        hosts: [{ host: 'h', port: 1, connType: 'TCP' }],
        items: [{ from: { table: { user: 'A', name: 'B' } }, to: { table: { user: 'A', name: 'B' } } }],
      });
    });

    it('parses several host groups without separators, partitions and a trailing semicolon', () => {
      const statement = parseStatement(
        "create lazy replication aku_rep_01 with 'altibase-sts-1.altibase-svc', 20301 '10.0.0.2', 20301 " +
          'from u1.t1 to u1.t1, from u2.t2 partition p1 to u2.t2 partition p1;',
      );
      assert.equal(statement.kind, 'createReplication');
      if (statement.kind !== 'createReplication') return;
      assert.equal(statement.name, 'AKU_REP_01');
      assert.deepEqual(
        statement.hosts.map((h) => `${h.host}:${h.port}`),
        ['altibase-sts-1.altibase-svc:20301', '10.0.0.2:20301'],
      );
      assert.deepEqual(statement.items[1], {
        from: { table: { user: 'U2', name: 'T2' }, partition: 'P1' },
        to: { table: { user: 'U2', name: 'T2' }, partition: 'P1' },
      });
    });

    it('keeps double-quoted identifiers verbatim', () => {
      const statement = parseStatement(`CREATE REPLICATION "Mixed" WITH 'h', 1 FROM "u"."t" TO a.b`);
      assert.ok(statement.kind === 'createReplication');
      assert.equal(statement.name, 'Mixed');
      assert.deepEqual(statement.items[0]?.from.table, { user: 'u', name: 't' });
    });

    it('rejects a comma between host groups', () => {
      assertSyntaxError("CREATE REPLICATION r WITH 'h', 1, 'h2', 2 FROM a.b TO a.b", 'not comma-separated');
    });

    it('rejects FROM without TO', () => {
      assertSyntaxError("CREATE REPLICATION r WITH 'h', 1 FROM a.b", 'expected TO');
      assertSyntaxError("CREATE REPLICATION r WITH 'h', 1 FROM a.b, FROM c.d TO c.d", 'expected TO');
    });

    it('rejects items without an owner, an unquoted host and a missing port', () => {
      assertSyntaxError("CREATE REPLICATION r WITH 'h', 1 FROM b TO a.b");
      assertSyntaxError('CREATE REPLICATION r WITH h, 1 FROM a.b TO a.b');
      assertSyntaxError("CREATE REPLICATION r WITH 'h' FROM a.b TO a.b");
      assertSyntaxError("CREATE REPLICATION r WITH 'h', 1 FROM a.b TO a.b,");
    });

    it('rejects a replication name longer than 40 bytes', () => {
      const error = syntaxError(`CREATE REPLICATION ${'R'.repeat(41)} WITH 'h', 1 FROM a.b TO a.b`);
      assert.equal(error.code, 0x31008);
      assert.doesNotThrow(() => parseStatement(`CREATE REPLICATION ${'R'.repeat(40)} WITH 'h', 1 FROM a.b TO a.b`));
    });
  });

  describe('ALTER REPLICATION', () => {
    const action = (sql: string): unknown => {
      const statement = parseStatement(sql);
      assert.ok(statement.kind === 'alterReplication');
      return statement.action;
    };

    it('parses every action aku uses', () => {
      assert.deepEqual(action('ALTER REPLICATION r START'), { kind: 'start', quick: false, retry: false });
      assert.deepEqual(action('ALTER REPLICATION r START RETRY'), { kind: 'start', quick: false, retry: true });
      assert.deepEqual(action('ALTER REPLICATION r QUICKSTART RETRY;'), { kind: 'start', quick: true, retry: true });
      assert.deepEqual(action('ALTER REPLICATION r STOP'), { kind: 'stop' });
      assert.deepEqual(action('ALTER REPLICATION r RESET'), { kind: 'reset' });
      assert.deepEqual(action('ALTER REPLICATION r SYNC'), { kind: 'sync', only: false });
      assert.deepEqual(action('ALTER REPLICATION r SYNC PARALLEL 4'), { kind: 'sync', only: false, parallel: 4 });
      assert.deepEqual(action('ALTER REPLICATION r SYNC ONLY PARALLEL 2'), { kind: 'sync', only: true, parallel: 2 });
      assert.deepEqual(action('ALTER REPLICATION r SYNC TABLE u.t PARTITION p, u.s'), {
        kind: 'sync',
        only: false,
        tables: [{ table: { user: 'U', name: 'T' }, partition: 'P' }, { table: { user: 'U', name: 'S' } }],
      });
      assert.deepEqual(action('ALTER REPLICATION r FLUSH'), { kind: 'flush', all: false });
      assert.deepEqual(action('ALTER REPLICATION r FLUSH ALL'), { kind: 'flush', all: true });
      assert.deepEqual(action('ALTER REPLICATION r FLUSH ALL WAIT 30'), { kind: 'flush', all: true, waitSec: 30 });
      assert.deepEqual(action('ALTER REPLICATION r FLUSH WAIT 5'), { kind: 'flush', all: false, waitSec: 5 });
    });

    it('rejects malformed actions', () => {
      assertSyntaxError('ALTER REPLICATION r FLUSH WAIT', 'after WAIT');
      assertSyntaxError('ALTER REPLICATION r FLUSH WAIT x');
      assertSyntaxError('ALTER REPLICATION r START NOW');
      assertSyntaxError('ALTER REPLICATION r SYNC PARALLEL');
      assertSyntaxError('ALTER REPLICATION r SYNC PARALLEL 0');
      assertSyntaxError('ALTER REPLICATION r');
      assertSyntaxError('ALTER REPLICATION START');
    });
  });

  it('parses DROP REPLICATION, TRUNCATE and partition truncation', () => {
    assert.deepEqual(parseStatement('DROP REPLICATION aku_rep_01;'), { kind: 'dropReplication', name: 'AKU_REP_01' });
    assert.deepEqual(parseStatement('TRUNCATE TABLE u1.t1'), { kind: 'truncateTable', table: { user: 'U1', name: 'T1' } });
    assert.deepEqual(parseStatement('ALTER TABLE u2.t2 TRUNCATE PARTITION p1'), {
      kind: 'truncatePartition',
      table: { user: 'U2', name: 'T2' },
      partition: 'P1',
    });
    assertSyntaxError('TRUNCATE u1.t1');
    assertSyntaxError('ALTER TABLE u2.t2 TRUNCATE PARTITION');
  });

  it('parses ALTER SYSTEM and ALTER SESSION', () => {
    assert.deepEqual(parseStatement('ALTER SYSTEM SET ADMIN_MODE = 0'), {
      kind: 'alterSystemSet',
      property: 'ADMIN_MODE',
      value: 0,
    });
    assert.deepEqual(parseStatement('alter session set query_timeout = 3600;'), {
      kind: 'alterSessionSet',
      property: 'QUERY_TIMEOUT',
      value: 3600,
    });
    assertSyntaxError('ALTER SYSTEM SET ADMIN_MODE 0');
  });

  it('parses CREATE TABLE with a range partitioning', () => {
    const statement = parseStatement(
      'CREATE TABLE u.t (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, amount NUMERIC(10, 2) DEFAULT 0) ' +
        'PARTITION BY RANGE (id) (PARTITION p1 VALUES LESS THAN (100), PARTITION p2 VALUES DEFAULT)',
    );
    assert.ok(statement.kind === 'createTable');
    assert.deepEqual(statement.primaryKey, ['ID']);
    assert.deepEqual(
      statement.columns.map((c) => [c.name, c.type, c.length ?? null, c.notNull]),
      [
        ['ID', 'INTEGER', null, true],
        ['NAME', 'VARCHAR', 20, true],
        ['AMOUNT', 'NUMERIC', 10, false],
      ],
    );
    assert.deepEqual(statement.partitioning, {
      method: 'RANGE',
      column: 'ID',
      partitions: [
        { name: 'P1', bound: { kind: 'lessThan', values: [100] } },
        { name: 'P2', bound: { kind: 'default' } },
      ],
    });
  });

  it('parses DML and SELECT with conditions', () => {
    const insert = parseStatement("INSERT INTO u.t (id, name) VALUES (1, 'it''s'), (-2, NULL)");
    assert.ok(insert.kind === 'insert');
    assert.deepEqual(insert.rows, [
      [
        { kind: 'literal', value: 1 },
        { kind: 'literal', value: "it's" },
      ],
      [
        { kind: 'literal', value: -2 },
        { kind: 'literal', value: null },
      ],
    ]);
    const select = parseStatement(
      "SELECT rep_name, status FROM V$REPSENDER WHERE rep_name = 'X' AND status IN (1, 2) ORDER BY rep_name DESC",
    );
    assert.ok(select.kind === 'select');
    assert.deepEqual(select.from, { name: 'V$REPSENDER' });
    assert.deepEqual(select.orderBy.map((o) => o.descending), [true]);
    const count = parseStatement('SELECT COUNT(*) FROM u.t');
    assert.ok(count.kind === 'select');
    assert.deepEqual(count.items, [{ expr: { kind: 'aggregate', fn: 'COUNT', arg: '*' } }]);
    assert.doesNotThrow(() => parseStatement('UPDATE u.t SET name = name || \'x\', amount = amount + 1 WHERE id BETWEEN 1 AND 5'));
    assert.doesNotThrow(() => parseStatement('DELETE FROM u.t WHERE id IS NOT NULL'));
  });

  it('reports the line and column of the offending token', () => {
    const error = syntaxError('SELECT *\nFROM u.t\nWHERE WHERE');
    assert.match(error.message, /line 3: parse error at column 7: near "WHERE"/);
  });

  it('rejects unknown statements and trailing garbage', () => {
    assertSyntaxError('EXPLODE');
    assertSyntaxError('COMMIT COMMIT');
    assertSyntaxError("SELECT 'unterminated FROM x");
    assertSyntaxError('SELECT * FROM u.t;;');
  });
});
