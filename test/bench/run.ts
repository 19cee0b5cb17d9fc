import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isSkipped, type BenchLine } from './types.js';

/**
 * `npm run bench [-- <file filter>…]`: runs every `*.bench.ts` in this folder (each exports
 * `run()`), one after the other so they do not compete for the machine's two cores, and prints
 * one line per figure as each file finishes:
 *
 *   bench: <name> <value> <unit> ratio=<x> vs <baseline> <baseline value> <baseline unit>
 *   bench: <name> skipped (<why>)
 *
 * Absolute numbers vary between machines; ratios are what to compare across runs
 * (docs/benchmarks.md). A filter keeps the files whose name contains it (`-- cold-start`).
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
  .sort();
if (files.length === 0) throw new Error(`no *.bench.ts in ${dir} matches ${filters.join(' ')}`);

const format = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3));
function formatLine(line: BenchLine): string {
  if (isSkipped(line)) return `bench: ${line.name} skipped (${line.skipped})`;
  const { baseline } = line;
  return `bench: ${line.name} ${format(line.value)} ${line.unit} ratio=${format(line.ratio)} vs ${baseline.name} ${format(baseline.value)} ${baseline.unit}`;
}

let failed = false;
for (const file of files) {
  process.stderr.write(`bench: running ${file}\n`);
  const started = performance.now();
  try {
    const module = (await import(pathToFileURL(`${dir}${file}`).href)) as { run: () => Promise<BenchLine[]> };
    for (const line of await module.run()) console.log(formatLine(line));
  } catch (error) {
    failed = true;
    console.log(`bench: ${file.replace(/\.bench\.ts$/, '')} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.stderr.write(`bench: ${file} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
if (failed) process.exitCode = 1;
