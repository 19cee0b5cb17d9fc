import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOp, createInitialState, type DurableOp, type DurableState } from '../../src/altisim/engine/durable-state.js';
import { DirectoryDisk, MemoryDisk, type Disk } from '../../src/altisim/engine/persistence.js';
import { createFixture, eventually } from './helpers.js';

const TABLE: DurableOp = {
  t: 'createTable',
  def: {
    oid: 1000,
    user: 'SYS',
    name: 'T',
    columns: [{ name: 'ID', type: 'INTEGER', kind: 'number', integer: true, notNull: true }],
    primaryKey: ['ID'],
  },
};

const insert = (sn: number, id: number): DurableOp => ({
  t: 'txn',
  sn,
  replicated: false,
  changes: [{ op: 'insert', user: 'SYS', table: 'T', row: { ID: id } }],
});

function rowsOf(disk: DirectoryDisk): number[] {
  const state = disk.load();
  assert.ok(state, 'the disk should hold a state');
  return [...(state.tables.get('SYS.T')?.rows.values() ?? [])].map((row) => Number(row.ID)).sort((a, b) => a - b);
}

describe('altisim persistence', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'altisim-disk-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Open a disk, apply ops the way an instance does (apply, then journal), and leave it as a crash would. */
  function commitAll(ops: DurableOp[], compactAfterOps?: number): DirectoryDisk {
    const disk = new DirectoryDisk(dir, compactAfterOps ? { compactAfterOps } : {});
    const state = disk.load() ?? createInitialState('server-1', 'manager');
    disk.attach(state);
    for (const op of ops) applyAndAppend(disk, state, op);
    return disk;
  }

  it('replays the journal over the snapshot after a crash (no checkpoint)', () => {
    commitAll([TABLE, insert(1, 1), insert(2, 2)]);
    assert.deepEqual(rowsOf(new DirectoryDisk(dir)), [1, 2]);
  });

  it('ignores a torn last journal line and keeps appending after it', () => {
    commitAll([TABLE, insert(1, 1)]);
    appendFileSync(join(dir, 'journal.jsonl'), '{"seq":99,"op":{"t":"txn","sn":2,"repl');
    const disk = new DirectoryDisk(dir);
    const state = disk.load();
    assert.ok(state);
    assert.deepEqual([...(state.tables.get('SYS.T')?.rows.keys() ?? [])].length, 1);
    disk.attach(state);
    applyAndAppend(disk, state, insert(2, 2));
    assert.deepEqual(rowsOf(new DirectoryDisk(dir)), [1, 2]);
  });

  it('refuses a journal corrupted in the middle rather than losing data silently', () => {
    commitAll([TABLE, insert(1, 1), insert(2, 2)]);
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n');
    lines[1] = '{garbage';
    writeFileSync(join(dir, 'journal.jsonl'), lines.join('\n'));
    assert.throws(() => new DirectoryDisk(dir).load(), /corrupt journal line/);
  });

  it('compacts into a snapshot and skips journal lines the snapshot already holds', () => {
    commitAll([TABLE, insert(1, 1), insert(2, 2), insert(3, 3)], 2);
    // A crash between the snapshot rename and the journal cut leaves old lines behind: replay must skip them.
    const journal = join(dir, 'journal.jsonl');
    appendFileSync(journal, `${JSON.stringify({ seq: 1, op: insert(9, 9) })}\n`);
    assert.deepEqual(rowsOf(new DirectoryDisk(dir)), [1, 2, 3]);
  });

  it('MemoryDisk hands the next incarnation a copy, not the live objects', () => {
    const disk = new MemoryDisk();
    const state = createInitialState('server-1', 'manager');
    disk.attach(state);
    applyAndAppend(disk, state, TABLE);
    applyAndAppend(disk, state, insert(1, 1));
    disk.detach();
    const loaded = disk.load();
    assert.ok(loaded);
    assert.notEqual(loaded.tables.get('SYS.T'), state.tables.get('SYS.T'));
    assert.equal(loaded.tables.get('SYS.T')?.rows.size, 1);
  });

  it('a server on a data directory comes back after a crash with rows, replication metadata and XSN', async () => {
    const f = createFixture([{ name: 'a', disk: new DirectoryDisk(join(dir, 'a')) }, { name: 'b' }]);
    try {
      for (const server of ['a', 'b']) {
        await f.sql(server, 'CREATE TABLE SYS.T1 (ID INTEGER PRIMARY KEY, VAL VARCHAR(20))');
        await f.sql(server, `CREATE REPLICATION R WITH '${server === 'a' ? 'b' : 'a'}', 20301 FROM SYS.T1 TO SYS.T1`);
      }
      await f.sql('a', 'ALTER REPLICATION R START', "INSERT INTO SYS.T1 VALUES (1, 'x')", 'ALTER REPLICATION R FLUSH');
      const before = await f.sql('a', 'SELECT XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
      f.cluster.kill('a');
      f.forget('a');
      f.cluster.server('a').start();
      assert.deepEqual(await f.sql('a', 'SELECT XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_'), before);
      assert.deepEqual(await f.sql('a', 'SELECT * FROM SYS.T1'), [{ ID: 1, VAL: 'x' }]);
      // Started before the crash: the sender is back and reconnects to b.
      await eventually(() => f.sql('a', 'SELECT STATUS FROM V$REPSENDER'), (rows) => rows[0]?.STATUS === 1);
    } finally {
      await f.close();
    }
  });
});

/** What an instance does for each commit: apply, then journal. */
function applyAndAppend(disk: Disk, state: DurableState, op: DurableOp): void {
  applyOp(state, op);
  disk.append(op);
}
