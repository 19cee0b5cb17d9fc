/**
 * bin/altisim end to end: a built server process, the sql and admin subcommands, SIGTERM and
 * kill -9 against the data directory.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { altisimDriver } from '../../src/db/drivers/altisim.js';
import type { Connection } from '../../src/db/driver.js';
import { AltisimProcesses } from '../contract/process-target.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(REPO_ROOT, 'bin', 'altisim');
const run = promisify(execFile);

/** Compile the simulator's entry point (and only what it imports) into dist/, as `npm run build` would. */
function buildAltisim(): void {
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      'src/altisim/cli.ts',
      '--outDir', 'dist', '--rootDir', 'src', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--types', 'node', '--skipLibCheck', '--sourceMap', '--strict', '--ignoreConfig',
    ],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('bin/altisim (process mode)', function () {
  this.timeout(60000);
  let processes: AltisimProcesses;
  let address: string;
  let port: string;

  before(async () => {
    buildAltisim();
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'altisim', 'cli.js')));
    processes = new AltisimProcesses(1, {}, [BIN]);
    await processes.startAll();
    address = processes.specs[0]!.address;
    port = String(processes.specs[0]!.port);
  });

  after(async () => {
    await processes?.dispose();
  });

  it('sql prints result rows as JSON lines', async () => {
    const result = await cli(
      'sql', '--host', address, '--port', port, '--sysdba',
      'CREATE TABLE SYS.CLI_T (ID INTEGER PRIMARY KEY, V VARCHAR(10))',
      "INSERT INTO SYS.CLI_T VALUES (1, 'one'), (2, 'two')",
      'SELECT * FROM SYS.CLI_T ORDER BY ID',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line)), [
      { ID: 1, V: 'one' },
      { ID: 2, V: 'two' },
    ]);
  });

  it('sql exits 1 and prints ERR-xxxxx : text on failure; usage errors exit 2', async () => {
    const failed = await cli('sql', '--host', address, '--port', port, 'ALTER REPLICATION NOPE STOP');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^ERR-6111B : Undefined replication name\. The replication name was not found in the database\.\nSQLSTATE : HY000\n$/);
    const refused = await cli('sql', '--host', '127.0.0.1', '--port', '1', 'SELECT 1 FROM DUAL');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ERR-50032 : Client unable to establish connection\. \(Failed to invoke the connect\(\) system function, errno=111\)/);
    assert.equal((await cli('sql', '--host', address)).code, 2);
    assert.equal((await cli('frobnicate')).code, 2);
  });

  it('admin fail makes the next matching statement fail with the given error; status reports the server', async () => {
    const injected = await cli('admin', '--host', address, '--port', port, 'fail', '--code', '6100D', '--match', 'START', '--message', 'injected');
    assert.equal(injected.code, 0, injected.stderr);
    const status = await cli('admin', '--host', address, '--port', port, 'status');
    assert.deepEqual(JSON.parse(status.stdout), { name: 'pod0', host: address, port: Number(port), replicationPort: Number(port) + 1, up: true, pendingFaults: 1 });
    const failed = await cli('sql', '--host', address, '--port', port, 'ALTER REPLICATION ANY START');
    assert.match(failed.stderr, /^ERR-6100D : injected\n/);
  });

  it('SIGTERM persists a snapshot and exits 0; the data is back after a restart', async () => {
    await cli('sql', '--host', address, '--port', port, 'CREATE TABLE SYS.CLI_S (ID INTEGER PRIMARY KEY)', 'INSERT INTO SYS.CLI_S VALUES (7)');
    assert.equal(await processes.terminate(0), 0);
    assert.equal(readFileSync(join(processes.specs[0]!.dataDir, 'journal.jsonl'), 'utf8'), '');
    await processes.start(0);
    const result = await cli('sql', '--host', address, '--port', port, 'SELECT ID FROM SYS.CLI_S');
    assert.equal(result.stdout.trim(), '{"ID":7}');
  });

  it('kill -9 during a stream of inserts loses no acknowledged row and leaves a readable data directory', async () => {
    const connect = (): Promise<Connection> =>
      altisimDriver.connect({ host: address, port: Number(port), user: 'SYS', password: 'manager', sysdba: false, connectTimeoutSec: 5, queryTimeoutSec: 0 });
    const writer = await connect();
    await writer.query('CREATE TABLE SYS.CLI_K (ID INTEGER PRIMARY KEY)', 0);
    const acknowledged: number[] = [];
    const writing = (async () => {
      for (let id = 1; ; id++) {
        try {
          await writer.query(`INSERT INTO SYS.CLI_K VALUES (${id})`, 0);
          acknowledged.push(id);
        } catch {
          return;
        }
      }
    })();
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 5));
    await processes.kill(0);
    await writing;
    await processes.start(0);
    const reader = await connect();
    const ids = new Set((await reader.query('SELECT ID FROM SYS.CLI_K', 0)).map((row) => Number(row.ID)));
    await reader.close();
    const lost = acknowledged.filter((id) => !ids.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged rows lost`);
  });
});
