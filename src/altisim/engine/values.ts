/**
 * SQL values as altisim stores them, and the few operations on them the engine needs.
 *
 * A value is a JS number, a string or null. Integers beyond 2^53 are kept as their decimal text so
 * nothing is rounded; they compare numerically all the same. That is also how results leave the
 * server: numbers when they fit in 2^53, else strings (what node-odbc does with BIGINT).
 */
import { simError } from '../errors.js';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export type ColumnKind = 'number' | 'text' | 'date';

const NUMERIC_TEXT = /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

export function kindOfType(type: string): ColumnKind {
  switch (type) {
    case 'CHAR':
    case 'VARCHAR':
    case 'VARCHAR2':
    case 'NCHAR':
    case 'NVARCHAR':
      return 'text';
    case 'DATE':
    case 'TIMESTAMP':
      return 'date';
    default:
      return 'number';
  }
}

function isIntegerText(value: string): boolean {
  return /^-?\d+$/.test(value);
}

/** Numeric value of a string of digits, or undefined when it is not a number. */
function numericText(value: string): number | string | undefined {
  if (!NUMERIC_TEXT.test(value)) return undefined;
  const trimmed = value.trim();
  if (isIntegerText(trimmed)) {
    const asNumber = Number(trimmed);
    return Number.isSafeInteger(asNumber) ? asNumber : trimmed.replace(/^(-?)0+(?=\d)/, '$1');
  }
  return Number(trimmed);
}

/** Convert a value to what a column of `kind` stores; rejects text that is not a number for numeric columns. */
export function coerceToKind(value: SqlValue, kind: ColumnKind, integerOnly = false): SqlValue {
  if (value === null) return null;
  if (kind === 'number') {
    let numeric: number | string | undefined;
    if (typeof value === 'number') numeric = value;
    else numeric = numericText(value);
    if (numeric === undefined || (typeof numeric === 'number' && !Number.isFinite(numeric))) {
      throw simError('QP_INVALID_LITERAL', String(value));
    }
    if (integerOnly && typeof numeric === 'number' && !Number.isInteger(numeric)) numeric = Math.trunc(numeric);
    return numeric;
  }
  return typeof value === 'number' ? String(value) : value;
}

function isNumericLike(value: SqlValue): value is number | string {
  return typeof value === 'number' || (typeof value === 'string' && NUMERIC_TEXT.test(value));
}

/** Total order for non-null values: numbers numerically (exact for big integers), else as text. */
export function compareValues(a: SqlValue, b: SqlValue): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return a === null ? 1 : -1; // NULLs sort last
  }
  if (isNumericLike(a) && isNumericLike(b) && (typeof a === 'number' || typeof b === 'number' || bothNumericText(a, b))) {
    const sa = String(a).trim();
    const sb = String(b).trim();
    if (isIntegerText(sa) && isIntegerText(sb)) {
      const ba = BigInt(sa);
      const bb = BigInt(sb);
      return ba < bb ? -1 : ba > bb ? 1 : 0;
    }
    const na = Number(a);
    const nb = Number(b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function bothNumericText(a: string | number, b: string | number): boolean {
  // Two strings compare as text unless both are (big) integers stored by a numeric column.
  return typeof a === 'string' && typeof b === 'string' && isIntegerText(a) && isIntegerText(b) && (a.length > 15 || b.length > 15);
}

export function valuesEqual(a: SqlValue, b: SqlValue): boolean {
  if (a === null || b === null) return a === b;
  return compareValues(a, b) === 0;
}

/** Value as a result column carries it: numbers when exact, strings otherwise. */
export function toResultValue(value: SqlValue): SqlValue {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return BigInt(value).toString();
  return value;
}

/** Arithmetic on SQL values (NULL-propagating). Big integers use BigInt. */
export function arithmetic(op: '+' | '-' | '*' | '/', a: SqlValue, b: SqlValue): SqlValue {
  if (a === null || b === null) return null;
  const na = coerceToKind(a, 'number');
  const nb = coerceToKind(b, 'number');
  if (typeof na === 'string' || typeof nb === 'string') {
    if (op === '/') return Number(na) / Number(nb);
    const ba = BigInt(String(na));
    const bb = BigInt(String(nb));
    const result = op === '+' ? ba + bb : op === '-' ? ba - bb : ba * bb;
    const asNumber = Number(result);
    return Number.isSafeInteger(asNumber) ? asNumber : result.toString();
  }
  const x = na as number;
  const y = nb as number;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw simError('QP_INVALID_LITERAL', 'division by zero');
      return x / y;
  }
}
