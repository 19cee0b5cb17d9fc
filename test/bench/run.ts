import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './types.js';

/**
 * `npm run bench`: runs every `*.bench.ts` in this folder (each exports `run()`), one after the
 * other so they do not compete for the machine's two cores, and prints every result with its
 * ratio to the baseline measured in the same run. Absolute numbers vary between machines; ratios
 * are what to compare across runs.
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const results: BenchResult[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(`${dir}${file}`).href)) as { run: () => Promise<BenchResult[]> };
  process.stderr.write(`bench: ${file}\n`);
  results.push(...(await module.run()));
}
const format = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3));
for (const r of results) {
  const base = r.baseline ? `  vs ${r.baseline.name} ${format(r.baseline.value)} ${r.baseline.unit}` : '';
  const ratio = r.ratio === undefined ? '' : `  ratio ${format(r.ratio)}`;
  console.log(`${r.name}: ${format(r.value)} ${r.unit}${base}${ratio}`);
}
