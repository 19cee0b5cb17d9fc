/** Evaluation of scalar expressions and conditions against one row (SQL three-valued logic). */
import { simError } from '../errors.js';
import type { Expr } from '../sql/ast.js';
import { arithmetic, compareValues, valuesEqual, type Row, type SqlValue } from './values.js';

/** true / false / null (unknown). */
export type Truth = boolean | null;

export function evaluate(expr: Expr, row: Row): SqlValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'column': {
      if (!(expr.name in row)) throw simError('QP_COLUMN_NOT_FOUND', expr.name);
      return row[expr.name] ?? null;
    }
    case 'unary':
      if (expr.op === '-') return arithmetic('-', 0, evaluate(expr.operand, row));
      return truthToValue(negate(test(expr.operand, row)));
    case 'binary':
      switch (expr.op) {
        case '+':
        case '-':
        case '*':
        case '/':
          return arithmetic(expr.op, evaluate(expr.left, row), evaluate(expr.right, row));
        case '||': {
          const left = evaluate(expr.left, row);
          const right = evaluate(expr.right, row);
          return `${left ?? ''}${right ?? ''}`;
        }
        default:
          return truthToValue(test(expr, row));
      }
    case 'in':
    case 'isNull':
    case 'between':
      return truthToValue(test(expr, row));
    case 'aggregate':
      throw simError('QP_SYNTAX', 1, `aggregate ${expr.fn} is only allowed in a SELECT list`);
  }
}

function truthToValue(truth: Truth): SqlValue {
  return truth === null ? null : truth ? 1 : 0;
}

function negate(truth: Truth): Truth {
  return truth === null ? null : !truth;
}

function compare(op: string, left: SqlValue, right: SqlValue): Truth {
  if (left === null || right === null) return null;
  const order = compareValues(left, right);
  switch (op) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

/** A condition's truth value. */
export function test(expr: Expr, row: Row): Truth {
  switch (expr.kind) {
    case 'binary':
      if (expr.op === 'AND') {
        const left = test(expr.left, row);
        if (left === false) return false;
        const right = test(expr.right, row);
        if (right === false) return false;
        return left === null || right === null ? null : true;
      }
      if (expr.op === 'OR') {
        const left = test(expr.left, row);
        if (left === true) return true;
        const right = test(expr.right, row);
        if (right === true) return true;
        return left === null || right === null ? null : false;
      }
      if (['=', '<>', '<', '<=', '>', '>='].includes(expr.op)) {
        return compare(expr.op, evaluate(expr.left, row), evaluate(expr.right, row));
      }
      return valueTruth(evaluate(expr, row));
    case 'unary':
      if (expr.op === 'NOT') return negate(test(expr.operand, row));
      return valueTruth(evaluate(expr, row));
    case 'in': {
      const value = evaluate(expr.operand, row);
      if (value === null) return null;
      let sawNull = false;
      for (const candidate of expr.list) {
        const other = evaluate(candidate, row);
        if (other === null) sawNull = true;
        else if (valuesEqual(value, other)) return !expr.negated;
      }
      return sawNull ? null : expr.negated;
    }
    case 'isNull': {
      const isNull = evaluate(expr.operand, row) === null;
      return expr.negated ? !isNull : isNull;
    }
    case 'between': {
      const value = evaluate(expr.operand, row);
      const low = compare('>=', value, evaluate(expr.low, row));
      const high = compare('<=', value, evaluate(expr.high, row));
      const inside = low === null || high === null ? (low === false || high === false ? false : null) : low && high;
      return expr.negated ? negate(inside) : inside;
    }
    default:
      return valueTruth(evaluate(expr, row));
  }
}

function valueTruth(value: SqlValue): Truth {
  if (value === null) return null;
  return typeof value === 'number' ? value !== 0 : value.length > 0;
}

/** Columns an expression reads (to check them against a table before touching rows). */
export function referencedColumns(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'column':
      into.add(expr.name);
      break;
    case 'binary':
      referencedColumns(expr.left, into);
      referencedColumns(expr.right, into);
      break;
    case 'unary':
      referencedColumns(expr.operand, into);
      break;
    case 'in':
      referencedColumns(expr.operand, into);
      for (const item of expr.list) referencedColumns(item, into);
      break;
    case 'isNull':
      referencedColumns(expr.operand, into);
      break;
    case 'between':
      referencedColumns(expr.operand, into);
      referencedColumns(expr.low, into);
      referencedColumns(expr.high, into);
      break;
    case 'aggregate':
      if (expr.arg !== '*') referencedColumns(expr.arg, into);
      break;
    case 'literal':
      break;
  }
  return into;
}
