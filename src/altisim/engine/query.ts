/** SELECT over one row source (a user table, a meta table or a V$ view). */
import { simError } from '../errors.js';
import type { Expr, SelectItem, Statement } from '../sql/ast.js';
import { evaluate, referencedColumns, test } from './expressions.js';
import { compareValues, toResultValue, type Row, type SqlValue } from './values.js';

export interface RowSource {
  /** Column names in the order `SELECT *` returns them. */
  columns: string[];
  rows: Iterable<Row>;
}

type SelectStatement = Extract<Statement, { kind: 'select' }>;

function itemName(item: SelectItem, index: number): string {
  if (item.alias) return item.alias;
  const expr = item.expr as Expr;
  if (expr.kind === 'column') return expr.name;
  if (expr.kind === 'aggregate') {
    const arg = expr.arg === '*' ? '*' : expr.arg.kind === 'column' ? expr.arg.name : 'EXPR';
    return `${expr.fn}(${arg})`;
  }
  return `EXPR${index + 1}`;
}

function checkColumns(source: RowSource, expr: Expr | undefined, aliases: Set<string> = new Set()): void {
  if (!expr) return;
  const known = new Set(source.columns);
  for (const column of referencedColumns(expr)) {
    if (!known.has(column) && !aliases.has(column)) throw simError('QP_COLUMN_NOT_FOUND', column);
  }
}

export function runSelect(source: RowSource, statement: SelectStatement): Row[] {
  const items = statement.items;
  for (const item of items) if (item.expr !== '*') checkColumns(source, item.expr);
  checkColumns(source, statement.where);
  const aliases = new Set(items.filter((item) => item.alias).map((item) => item.alias as string));
  for (const order of statement.orderBy) checkColumns(source, order.expr, aliases);

  const where = statement.where;
  const matching: Row[] = [];
  for (const row of source.rows) if (!where || test(where, row) === true) matching.push(row);

  const aggregates = items.filter((item) => item.expr !== '*' && item.expr.kind === 'aggregate');
  if (aggregates.length > 0) {
    if (aggregates.length !== items.length) {
      throw simError('QP_SYNTAX', 1, 'at column 1: non-aggregate expression in an aggregate query (GROUP BY is not supported)');
    }
    const result: Row = {};
    items.forEach((item, index) => {
      result[itemName(item, index)] = toResultValue(aggregate(item.expr as Extract<Expr, { kind: 'aggregate' }>, matching));
    });
    return [result];
  }

  const projected = matching.map((row) => ({ row, out: project(source, items, row) }));
  if (statement.orderBy.length > 0) {
    const keyOf = (entry: { row: Row; out: Row }, expr: Expr): SqlValue => {
      if (expr.kind === 'column' && !(expr.name in entry.row) && expr.name in entry.out) return entry.out[expr.name] ?? null;
      return evaluate(expr, entry.row);
    };
    projected.sort((a, b) => {
      for (const order of statement.orderBy) {
        const difference = compareValues(keyOf(a, order.expr), keyOf(b, order.expr));
        if (difference !== 0) return order.descending ? -difference : difference;
      }
      return 0;
    });
  }
  return projected.map((entry) => entry.out);
}

function project(source: RowSource, items: SelectItem[], row: Row): Row {
  const out: Row = {};
  items.forEach((item, index) => {
    if (item.expr === '*') {
      for (const column of source.columns) out[column] = toResultValue(row[column] ?? null);
    } else {
      out[itemName(item, index)] = toResultValue(evaluate(item.expr, row));
    }
  });
  return out;
}

function aggregate(expr: Extract<Expr, { kind: 'aggregate' }>, rows: Row[]): SqlValue {
  if (expr.arg === '*') return rows.length;
  const argument = expr.arg;
  const values = rows.map((row) => evaluate(argument, row)).filter((value): value is string | number => value !== null);
  switch (expr.fn) {
    case 'COUNT':
      return values.length;
    case 'SUM':
      return values.length === 0 ? null : values.reduce<number>((sum, value) => sum + Number(value), 0);
    case 'MIN':
      return values.length === 0 ? null : values.reduce((min, value) => (compareValues(value, min) < 0 ? value : min));
    case 'MAX':
      return values.length === 0 ? null : values.reduce((max, value) => (compareValues(value, max) > 0 ? value : max));
  }
}
