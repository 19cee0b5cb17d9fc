/**
 * Tokenizer for the Altibase SQL subset altisim understands.
 *
 * Identifiers follow Altibase: unquoted ones are upper-cased (and may contain `$` and `#`, as in
 * `V$REPSENDER`), double-quoted ones keep their spelling. Keywords are not reserved at this level:
 * the parser decides what a word means, and a quoted identifier can never be a keyword.
 */
import { simError } from '../errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'symbol' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier (upper-cased unless quoted), string contents, number text or symbol. */
  value: string;
  /** True for a double-quoted identifier. */
  quoted: boolean;
  /** Offset of the first character in the statement. */
  offset: number;
  line: number;
  column: number;
  /** The token as written, for error messages. */
  raw: string;
}

const TWO_CHAR_SYMBOLS = new Set(['<=', '>=', '<>', '!=', '||']);
const ONE_CHAR_SYMBOLS = new Set(['(', ')', ',', '.', ';', '=', '<', '>', '*', '+', '-', '/']);

function isIdentStart(ch: string): boolean {
  return /[A-Za-z_]/.test(ch);
}

function isIdentPart(ch: string): boolean {
  return /[A-Za-z0-9_$#]/.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** Line and column (both 1-based) of an offset. */
export function positionOf(sql: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < sql.length; i++) {
    if (sql[i] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

export function syntaxErrorAt(sql: string, offset: number, detail: string): Error {
  const { line, column } = positionOf(sql, offset);
  return simError('QP_SYNTAX', line, `at column ${column}: ${detail}`);
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, value: string, start: number, quoted = false): void => {
    const { line, column } = positionOf(sql, start);
    tokens.push({ kind, value, quoted, offset: start, line, column, raw: sql.slice(start, i) });
  };

  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];

    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw syntaxErrorAt(sql, i, 'unterminated comment');
      i = end + 2;
      continue;
    }

    const start = i;
    if (isIdentStart(ch)) {
      while (i < sql.length && isIdentPart(sql[i] as string)) i++;
      push('ident', sql.slice(start, i).toUpperCase(), start);
      continue;
    }
    if (ch === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) throw syntaxErrorAt(sql, i, 'unterminated quoted identifier');
      const name = sql.slice(i + 1, end);
      if (name.length === 0) throw syntaxErrorAt(sql, i, 'empty quoted identifier');
      i = end + 1;
      push('ident', name, start, true);
      continue;
    }
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw syntaxErrorAt(sql, start, 'unterminated string literal');
        const c = sql[i] as string;
        if (c === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      push('string', value, start);
      continue;
    }
    if (isDigit(ch) || (ch === '.' && isDigit(next))) {
      while (isDigit(sql[i])) i++;
      if (sql[i] === '.' && isDigit(sql[i + 1])) {
        i++;
        while (isDigit(sql[i])) i++;
      }
      if ((sql[i] === 'e' || sql[i] === 'E') && (isDigit(sql[i + 1]) || /[+-]/.test(sql[i + 1] ?? ''))) {
        i += 2;
        while (isDigit(sql[i])) i++;
      }
      if (i < sql.length && isIdentStart(sql[i] as string)) {
        throw syntaxErrorAt(sql, start, `malformed number "${sql.slice(start, i + 1)}"`);
      }
      push('number', sql.slice(start, i), start);
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (TWO_CHAR_SYMBOLS.has(two)) {
      i += 2;
      push('symbol', two, start);
      continue;
    }
    if (ONE_CHAR_SYMBOLS.has(ch)) {
      i++;
      push('symbol', ch, start);
      continue;
    }
    throw syntaxErrorAt(sql, i, `unexpected character "${ch}"`);
  }
  const { line, column } = positionOf(sql, sql.length);
  tokens.push({ kind: 'eof', value: '', quoted: false, offset: sql.length, line, column, raw: '' });
  return tokens;
}
