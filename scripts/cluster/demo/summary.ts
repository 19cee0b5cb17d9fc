/**
 * The demo's verdict, computed from what the pods hold after quiescing (writer stopped, FLUSH):
 *   identical  every pod holds the same rows (full rows, compared sorted)
 *   lost       acknowledged writes whose row is missing from at least one pod
 * and the one line the demo ends with.
 */

export interface PodRows {
  pod: string;
  /** The table's rows as the pod's SQL client returned them (one object per row). */
  rows: Record<string, unknown>[];
}

export interface Summary {
  pods: number;
  rowsPerPod: { pod: string; count: number }[];
  identical: boolean;
  written: number;
  lost: number;
  /** Per pod, the acknowledged ids it lacks (for the explanation printed before the line). */
  missing: { pod: string; ids: number[] }[];
}

/** A row as a string that does not depend on the order of its columns. */
export function canonicalRow(row: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(row).sort().map((key) => [key, row[key]]));
}

function idOf(row: Record<string, unknown>, idColumn: string): string {
  return String(row[idColumn] ?? row[idColumn.toLowerCase()]);
}

export function summarize(acknowledged: readonly number[], pods: readonly PodRows[], idColumn = 'ID'): Summary {
  const sorted = pods.map((p) => p.rows.map(canonicalRow).sort().join('\n'));
  const identical = pods.length > 0 && sorted.every((s) => s === sorted[0]);
  const acked = [...new Set(acknowledged)];
  const missing = pods.map((p) => {
    const ids = new Set(p.rows.map((row) => idOf(row, idColumn)));
    return { pod: p.pod, ids: acked.filter((id) => !ids.has(String(id))).sort((a, b) => a - b) };
  });
  const lostIds = new Set(missing.flatMap((m) => m.ids));
  return {
    pods: pods.length,
    rowsPerPod: pods.map((p) => ({ pod: p.pod, count: p.rows.length })),
    identical,
    written: acked.length,
    lost: lostIds.size,
    missing: missing.filter((m) => m.ids.length > 0),
  };
}

export function summaryLine(s: Summary): string {
  return `demo: pods=${s.pods} rows=${s.rowsPerPod.map((p) => p.count).join(',')} identical=${s.identical ? 'yes' : 'no'} written=${s.written} lost=${s.lost}`;
}

/** 0 when every pod holds the same rows and no acknowledged write is missing, else 1. */
export function summaryExitCode(s: Summary): number {
  return s.identical && s.lost === 0 ? 0 : 1;
}
