/**
 * The CLI bundle (scripts/bundle-cli.mjs, dist/bundle/): what bin/aku runs. Its speed is measured
 * by `npm run bench` (cold-start); these tests hold what makes a start cheap and safe: a start loads
 * the bundle alone (no lazily bundled dependency, no odbc, no module of dist/ outside the bundle),
 * and the bundle carries no simulator code.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { AKU_BIN, altibaseHome } from '../helpers/cli.js';

const BUNDLE_DIR = fileURLToPath(new URL('../../dist/bundle/', import.meta.url));

interface Meta {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

describe('the CLI bundle (dist/bundle)', () => {
  const home = altibaseHome({ fixture: 'sample-one-group.conf' });
  const probeDir = mkdtempSync(join(tmpdir(), 'aku-bundle-probe-'));
  after(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(probeDir, { recursive: true, force: true });
  });

  /** The files require() loaded during a run of bin/aku, as seen at exit. */
  async function filesLoaded(args: string[]): Promise<string[]> {
    const probe = join(probeDir, 'probe.cjs');
    const out = join(probeDir, 'loaded.json');
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const result = await execa(process.execPath, ['--require', probe, AKU_BIN, ...args], {
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ALTIBASE_HOME: home, AKU_POD_NAME: 'altibase-sts-1' },
    });
    assert.equal(result.exitCode, 0, String(result.stderr));
    return (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter((f) => f !== probe);
  }

  for (const args of [['-i'], ['-v'], ['-h']]) {
    it(`aku ${args.join(' ')} loads the bundle and nothing else`, async () => {
      assert.deepEqual(await filesLoaded(args), [join(BUNDLE_DIR, 'aku.cjs')]);
    });
  }

  it('aku -i reads no stdin: a word piped in is not taken for a command', async () => {
    // oclif reads stdin for a missing argument unless told not to; `status` on stdin would then
    // turn `aku -i` into `aku -i status` (exit 2).
    const result = await execa(process.execPath, [AKU_BIN, '-i'], {
      reject: false,
      extendEnv: false,
      input: 'status\n',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ALTIBASE_HOME: home, AKU_POD_NAME: 'altibase-sts-1' },
    });
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.match(String(result.stdout), /\[ Server \]/);
  });

  it('calls no import(): bin/aku compiles it as a vm.Script, which has no ES module loader (odbc is required)', () => {
    const bundle = readFileSync(join(BUNDLE_DIR, 'aku.cjs'), 'utf8');
    // "import()" alone is text inside an oclif error message, not a call
    assert.deepEqual(bundle.match(/\bimport\((?!\))[^)]{0,40}/g) ?? [], []);
    assert.match(bundle, /require\(\w+\)/);
  });

  it('holds aku\'s client drivers but none of the simulator\'s code (src/altisim)', () => {
    const meta = JSON.parse(readFileSync(join(BUNDLE_DIR, 'meta.json'), 'utf8')) as Meta;
    const inputs = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    assert.ok(inputs.includes('src/db/drivers/altisim.ts') && inputs.includes('src/lifecycle/start.ts'), inputs.join('\n'));
    assert.deepEqual(inputs.filter((i) => i.startsWith('src/altisim/')), []);
  });
});
