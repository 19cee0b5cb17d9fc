/**
 * What the product image ships: aku without the simulator. The Dockerfile deletes dist/altisim and
 * bin/altisim after the build; this test builds the same tree from the repository's dist/ and
 * runs it: the CLI loads, and aku's altisim client driver talks to a running altisim server
 * (started from the full tree, as the stand-in base image would) without the simulator's code.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../helpers/free-port.js';
import { REPO_ROOT } from './tools.js';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('product image contents: aku without the simulator', function () {
  this.timeout(60_000);
  let shipped: string;

  before(() => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'cli', 'aku-command.js')), 'dist/ is built by `npm test`');
    shipped = mkdtempSync(join(tmpdir(), 'aku-shipped-'));
    // what docker/Dockerfile copies to /opt/aku, minus what it deletes
    cpSync(join(REPO_ROOT, 'package.json'), join(shipped, 'package.json'));
    cpSync(join(REPO_ROOT, 'bin'), join(shipped, 'bin'), { recursive: true });
    cpSync(join(REPO_ROOT, 'dist'), join(shipped, 'dist'), { recursive: true });
    rmSync(join(shipped, 'dist', 'altisim'), { recursive: true });
    rmSync(join(shipped, 'bin', 'altisim'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(shipped, 'node_modules'));
  });
  after(() => rmSync(shipped, { recursive: true, force: true }));

  it('the Dockerfile deletes the simulator from the build and checks it is absent', () => {
    assert.match(DOCKERFILE, /^ && rm -rf dist\/altisim bin\/altisim \\$/m);
    assert.match(DOCKERFILE, /test ! -e \/opt\/aku\/dist\/altisim && test ! -e \/opt\/aku\/bin\/altisim/);
  });

  it('no shipped module refers to the simulator\'s code', () => {
    const offenders = filesUnder(join(shipped, 'dist'))
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /from\s+['"][^'"]*\/altisim\/|import\(['"][^'"]*\/altisim\//.test(readFileSync(f, 'utf8')))
      .map((f) => relative(shipped, f));
    assert.deepEqual(offenders, []);
  });

  it('the shipped CLI runs', async () => {
    const result = await execa(process.execPath, [join(shipped, 'bin', 'aku'), '--help'], { reject: false, all: true });
    assert.equal(result.exitCode, 0, result.all);
  });

  describe('the altisim client driver against a running altisim server', () => {
    let server: ResultPromise | undefined;
    let port: number;
    let data: string;

    before(async () => {
      port = await freePort();
      const replicationPort = await freePort();
      data = mkdtempSync(join(tmpdir(), 'aku-shipped-data-'));
      server = execa(process.execPath, [join(REPO_ROOT, 'bin', 'altisim'), 'serve', '--host', '127.0.0.1', '--port', String(port), '--replication-port', String(replicationPort), '--data-dir', data, '--sys-password', 'Secret1'], { reject: false, all: true });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const open = await new Promise<boolean>((resolve) => {
          const socket = new Socket();
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
          socket.connect(port, '127.0.0.1');
        });
        if (open) break;
        if (Date.now() > deadline || server.exitCode !== null) assert.fail(`altisim did not listen on ${port}: ${(await server).all}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    after(async () => {
      server?.kill('SIGTERM');
      await server;
      rmSync(data, { recursive: true, force: true });
    });

    it('connects and queries with the shipped tree alone', async () => {
      const probe = join(shipped, 'probe.mjs');
      writeFileSync(
        probe,
        `import { loadDriver } from './dist/db/drivers/index.js';
const driver = await loadDriver('altisim');
const c = await driver.connect({ host: '127.0.0.1', port: ${port}, user: 'SYS', password: 'Secret1', sysdba: true, connectTimeoutSec: 5, queryTimeoutSec: 5 });
console.log(JSON.stringify(await c.query('SELECT 1 AS ONE FROM DUAL', 5)));
await c.close();
`,
      );
      const result = await execa(process.execPath, [probe], { reject: false, all: true, cwd: shipped });
      assert.equal(result.exitCode, 0, result.all);
      assert.match(result.all ?? '', /"ONE":1/);
    });
  });
});
