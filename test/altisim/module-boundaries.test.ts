/**
 * Module boundaries the build relies on (issue 12 item 6):
 *   - the simulator engine has no import cycle (instance ↔ executor ↔ replication/commands was one);
 *   - aku's altisim client driver (src/db/drivers/altisim*.ts), which the product image ships, never
 *     reaches the simulator (src/altisim: engine, servers), which the image does not ship.
 * Imports are read from the sources, type-only ones included (a cycle of types is still a cycle of
 * modules that cannot be understood apart), dynamic `import('…')` too.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** The relative imports of one source file, resolved to .ts paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (existsSync(target)) found.push(target);
    else if (existsSync(join(target, 'index.ts'))) found.push(join(target, 'index.ts'));
    else throw new Error(`${relative(ROOT, file)} imports ${spec}, which does not resolve`);
  }
  return found;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every cycle reachable in the graph restricted to `files`, each as a list of relative paths. */
function cyclesAmong(files: string[]): string[][] {
  const inside = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => inside.has(target))]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(SRC, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

function closureOf(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file));
  }
  return seen;
}

describe('module boundaries', () => {
  it('the import scanner sees type-only, re-export and dynamic imports (so the checks below can fail)', () => {
    const instance = importsOf(join(SRC, 'altisim/engine/instance.ts')).map((f) => relative(SRC, f));
    assert.ok(instance.includes('altisim/engine/executor.ts'), instance.join(', '));
    assert.ok(instance.includes('altisim/engine/database.ts'), 'export … from is an import');
    const targets = importsOf(join(ROOT, 'test/contract/targets.ts')).map((f) => relative(ROOT, f));
    assert.ok(targets.includes('src/db/drivers/odbc.ts'), `dynamic import('…') missed: ${targets.join(', ')}`);
    const cycle = cyclesAmong([join(SRC, 'altisim/engine/instance.ts'), join(SRC, 'altisim/engine/database.ts'), join(SRC, 'altisim/engine/executor.ts')]);
    assert.deepEqual(cycle, []);
  });

  it('src/altisim has no import cycle', () => {
    assert.deepEqual(cyclesAmong(sourcesUnder(join(SRC, 'altisim'))), []);
  });

  it('aku (src outside src/altisim) has no import cycle', () => {
    const files = sourcesUnder(SRC).filter((file) => !file.startsWith(join(SRC, 'altisim') + '/'));
    assert.deepEqual(cyclesAmong(files), []);
  });

  it('the altisim client driver that the product image ships never imports the simulator', () => {
    const drivers = readdirSync(join(SRC, 'db/drivers')).filter((name) => name.startsWith('altisim')).map((name) => join(SRC, 'db/drivers', name));
    assert.ok(drivers.length >= 2, `expected altisim.ts and altisim-wire.ts, found ${drivers.join(', ')}`);
    const reached = [...closureOf([...drivers, join(SRC, 'db/drivers/index.ts')])].map((f) => relative(SRC, f));
    assert.deepEqual(reached.filter((file) => file.startsWith('altisim/')), [], `reached: ${reached.join(', ')}`);
  });

  it('nothing aku ships imports the simulator: only src/altisim itself does', () => {
    const shipped = sourcesUnder(SRC).filter((file) => !file.startsWith(join(SRC, 'altisim') + '/'));
    const offenders = shipped.filter((file) => importsOf(file).some((target) => target.startsWith(join(SRC, 'altisim') + '/')));
    assert.deepEqual(offenders.map((f) => relative(SRC, f)), []);
  });
});
