import type { SourcePosition } from './errors.js';

/**
 * Character-level reading of aku.conf with line/column tracking. aku.conf mixes a line-based
 * part (`KEY = value  # comment`) with free-form nested blocks (REPLICATIONS), so the parser
 * drives the scanner and asks for what it expects next rather than consuming a token stream.
 */

export interface ScannerMark {
  readonly index: number;
  readonly line: number;
  readonly column: number;
}

/** Characters that end a bare word inside a REPLICATIONS block. */
const STRUCTURE_DELIMITERS = new Set(['(', ')', ',', '=', '"', '#']);

export class Scanner {
  private readonly text: string;
  private index = 0;
  private line = 1;
  private column = 1;

  constructor(text: string) {
    // A UTF-8 byte-order mark is invisible in editors; never let it become part of a key.
    this.text = text.startsWith('\uFEFF') ? text.slice(1) : text;
  }

  position(): SourcePosition {
    return { line: this.line, column: this.column };
  }

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.index];
  }

  advance(): string {
    const ch = this.text[this.index++] as string;
    if (ch === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return ch;
  }

  /** Spaces and tabs (and a stray CR) within the current line. */
  skipInlineSpace(): void {
    for (let ch = this.peek(); ch === ' ' || ch === '\t' || ch === '\r'; ch = this.peek()) this.advance();
  }

  /** From `#` to the end of the line. A bare `#` is an empty comment (fixed in BUG-50949). */
  skipComment(): boolean {
    if (this.peek() !== '#') return false;
    while (!this.atEnd() && this.peek() !== '\n') this.advance();
    return true;
  }

  /** Whitespace, newlines and comments: everything that separates tokens inside a block. */
  skipTrivia(): void {
    for (;;) {
      const ch = this.peek();
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') this.advance();
      else if (!this.skipComment()) return;
    }
  }

  /** True when only spaces and an optional comment remain on this line. Consumes them and the newline. */
  finishLine(): boolean {
    this.skipInlineSpace();
    this.skipComment();
    if (this.atEnd()) return true;
    if (this.peek() === '\n') {
      this.advance();
      return true;
    }
    return false;
  }

  /** A property name: upper-case letters, digits and underscores (lower case is read too, to report it). */
  readKey(): string {
    let key = '';
    for (let ch = this.peek(); ch !== undefined && /[A-Za-z0-9_]/.test(ch); ch = this.peek()) key += this.advance();
    return key;
  }

  /**
   * A scalar value: a double-quoted string (to its closing quote, on the same line) or a bare
   * run of characters up to whitespace or `#`. Returns undefined when the line has no value.
   */
  readScalarValue(): { text: string; quoted: boolean } | { error: 'unterminated' } | undefined {
    const ch = this.peek();
    if (ch === '"') return this.readQuoted();
    let text = '';
    for (let c = this.peek(); c !== undefined && !/[\s#]/.test(c); c = this.peek()) text += this.advance();
    return text.length > 0 ? { text, quoted: false } : undefined;
  }

  /** A word inside a block: up to whitespace or one of `( ) , = " #`. */
  readWord(): string {
    let word = '';
    for (let c = this.peek(); c !== undefined && !/\s/.test(c) && !STRUCTURE_DELIMITERS.has(c); c = this.peek()) {
      word += this.advance();
    }
    return word;
  }

  /** The word readWord would return, without consuming it. */
  peekWord(): string {
    const saved = this.mark();
    const word = this.readWord();
    this.reset(saved);
    return word;
  }

  mark(): ScannerMark {
    return { index: this.index, line: this.line, column: this.column };
  }

  reset(mark: ScannerMark): void {
    this.index = mark.index;
    this.line = mark.line;
    this.column = mark.column;
  }

  readQuoted(): { text: string; quoted: true } | { error: 'unterminated' } {
    this.advance(); // opening quote
    let text = '';
    for (let c = this.peek(); c !== '"'; c = this.peek()) {
      if (c === undefined || c === '\n') return { error: 'unterminated' };
      text += this.advance();
    }
    this.advance(); // closing quote
    return { text, quoted: true };
  }

  /** What is at the cursor, for error messages: the rest of the word or a description. */
  describeHere(): string {
    const ch = this.peek();
    if (ch === undefined) return 'end of file';
    if (ch === '\n' || ch === '\r') return 'end of line';
    const rest = /^[^\s]{1,20}/.exec(this.text.slice(this.index));
    return `"${rest ? rest[0] : ch}"`;
  }
}
