/**
 * The check after quiescing: every in-service pod's full sorted rows of SYS.T1 against each other
 * (diverged: a key on which two pods differ — a row present on one and not the other, or another
 * value) and against the model of acknowledged writes (lost: a certain key whose row on some pod
 * is not the last acknowledged write's — a missing row, an old value, a deleted row back).
 * Keys found wrong once are reported once, and left out of later rounds' checks.
 */
import type { WriteModel } from './model.js';

export interface Row {
  id: number;
  v: string;
}

export interface Finding {
  key: number;
  kind: 'lost' | 'diverged';
  detail: string;
}

export function compareRows(rowsByPod: Map<string, Row[]>, model: WriteModel, ignore: ReadonlySet<number> = new Set()): Finding[] {
  const byPod = new Map<string, Map<number, string>>();
  const ids = new Set<number>();
  for (const [pod, rows] of rowsByPod) {
    const m = new Map<number, string>();
    for (const r of rows) {
      m.set(r.id, r.v);
      ids.add(r.id);
    }
    byPod.set(pod, m);
  }
  for (const [key, state] of model.keys) if (state.value !== null) ids.add(key);
  const findings: Finding[] = [];
  const show = (v: string | null | undefined) => (v == null ? 'no row' : `'${v}'`);
  for (const key of [...ids].sort((a, b) => a - b)) {
    if (ignore.has(key)) continue;
    const seen = [...byPod.entries()].map(([pod, m]) => [pod, m.get(key)] as const);
    const distinct = new Set(seen.map(([, v]) => v ?? null));
    const onPods = seen.map(([pod, v]) => `${pod} ${show(v)}`).join(', ');
    if (distinct.size > 1) findings.push({ key, kind: 'diverged', detail: `ID ${key}: ${onPods}` });
    const state = model.keys.get(key);
    if (state?.uncertain) continue;
    const want = state?.value ?? null;
    const wrong = seen.filter(([, v]) => (v ?? null) !== want);
    if (wrong.length > 0) {
      const why = state === undefined ? 'never written by the writer' : `last acknowledged write (on pod ${state.owner}) left ${show(want)}`;
      findings.push({ key, kind: 'lost', detail: `ID ${key}: ${why}; ${onPods}` });
    }
  }
  return findings;
}
