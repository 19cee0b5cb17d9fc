/**
 * Which rows of a table a WHERE clause can touch: when it pins every primary-key column to
 * literals (`ID = 5`, `ID IN (1, 2)`, ANDed with anything else), only those keys are looked up;
 * otherwise every row is scanned. The caller still evaluates the full condition on each candidate.
 */
import type { Expr } from '../sql/ast.js';
import { primaryKeyOf, type TableData } from './catalog.js';
import { coerceToKind, type Row, type SqlValue } from './values.js';

/** Literal values a conjunction allows for each column it pins (`col = v` or `col IN (v, …)`). */
function pinnedColumns(where: Expr, into: Map<string, SqlValue[]> = new Map()): Map<string, SqlValue[]> {
  if (where.kind === 'binary' && where.op === 'AND') {
    pinnedColumns(where.left, into);
    pinnedColumns(where.right, into);
  } else if (where.kind === 'binary' && where.op === '=') {
    const [column, literal] =
      where.left.kind === 'column' && where.right.kind === 'literal'
        ? [where.left.name, where.right.value]
        : where.right.kind === 'column' && where.left.kind === 'literal'
          ? [where.right.name, where.left.value]
          : [undefined, undefined];
    if (column !== undefined && !into.has(column)) into.set(column, [literal ?? null]);
  } else if (where.kind === 'in' && !where.negated && where.operand.kind === 'column' && where.list.every((item) => item.kind === 'literal')) {
    if (!into.has(where.operand.name)) into.set(where.operand.name, where.list.map((item) => (item as { value: SqlValue }).value));
  }
  return into;
}

const MAX_KEY_COMBINATIONS = 1000;

export function candidateRows(data: TableData, where: Expr | undefined): Iterable<Row> {
  const primaryKey = data.def.primaryKey;
  if (!where || primaryKey.length === 0) return data.rows.values();
  const pinned = pinnedColumns(where);
  if (!primaryKey.every((column) => pinned.has(column))) return data.rows.values();
  let keys: Row[] = [{}];
  for (const column of primaryKey) {
    const def = data.def.columns.find((c) => c.name === column);
    const values = pinned.get(column) as SqlValue[];
    const next: Row[] = [];
    for (const partial of keys) {
      for (const value of values) {
        // Text keys compared with a number literal use numeric comparison: leave that to the scan.
        if (def && def.kind !== 'number' && typeof value !== 'string' && value !== null) return data.rows.values();
        let stored: SqlValue;
        try {
          stored = def ? coerceToKind(value, def.kind) : value;
        } catch {
          continue; // a literal the column cannot hold matches nothing
        }
        next.push({ ...partial, [column]: stored });
      }
    }
    keys = next;
    if (keys.length > MAX_KEY_COMBINATIONS) return data.rows.values();
  }
  const rows: Row[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const encoded = primaryKeyOf(data.def, key);
    if (seen.has(encoded)) continue;
    seen.add(encoded);
    const row = data.rows.get(encoded);
    if (row) rows.push(row);
  }
  return rows;
}
