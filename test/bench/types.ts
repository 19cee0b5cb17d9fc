/**
 * One figure of `npm run bench`, measured against a baseline taken in the same run: the ratio is
 * what to compare across machines and runs (docs/benchmarks.md).
 */
export interface BenchResult {
  /** One word, e.g. `cold-start`: the line's key. */
  name: string;
  value: number;
  unit: string;
  baseline: { name: string; value: number; unit: string };
  ratio: number;
}

/** A figure that could not be measured here, and why (e.g. no cluster reachable). */
export interface BenchSkipped {
  name: string;
  skipped: string;
}

export type BenchLine = BenchResult | BenchSkipped;

export function result(name: string, value: number, unit: string, baseline: BenchResult['baseline']): BenchResult {
  return { name, value, unit, baseline, ratio: value / baseline.value };
}

export function skipped(name: string, why: string): BenchSkipped {
  return { name, skipped: why };
}

export function isSkipped(line: BenchLine): line is BenchSkipped {
  return 'skipped' in line;
}

/** Median of a list of samples (the upper one of an even count). */
export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('median of no samples');
  return middle;
}
