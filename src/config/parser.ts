import { ConfigError, type SourcePosition } from './errors.js';
import { GROUP_PARALLEL_KEY, GROUP_PREFIX_KEY } from './properties.js';
import { Scanner } from './scanner.js';
import type { Assignment, ConfigDocument, GroupNode, GroupSetting, ItemNode, Located } from './syntax.js';

/**
 * Reads aku.conf into a syntax tree. Grammar (whitespace is free inside REPLICATIONS; a scalar
 * assignment occupies one line):
 *
 *   file        = { [assignment] [comment] NEWLINE }
 *   assignment  = KEY "=" value | "REPLICATIONS" "=" group { "," group }
 *   group       = "(" { setting } "(" item { "," item } [","] ")" ")"
 *   setting     = ("REPLICATION_NAME_PREFIX" | "SYNC_PARALLEL_COUNT") "=" value
 *   item        = USER "." TABLE [ "PARTITION" NAME ]
 *               | "(" "USER_NAME" "=" value "TABLE_NAME" "=" value ")"      (old syntax)
 *
 * Meaning (ranges, names, duplicates) is checked afterwards, in validate.ts.
 */
export function parseDocument(text: string, file: string): ConfigDocument {
  return new Parser(text, file).document();
}

const REPLICATIONS_KEY = 'REPLICATIONS';

class Parser {
  private readonly scanner: Scanner;

  constructor(text: string, private readonly file: string) {
    this.scanner = new Scanner(text);
  }

  document(): ConfigDocument {
    const assignments: Assignment[] = [];
    const s = this.scanner;
    while (!s.atEnd()) {
      s.skipInlineSpace();
      if (s.finishLine()) continue;
      assignments.push(this.assignment());
      if (!s.finishLine()) {
        this.fail(s.position(), `unexpected ${s.describeHere()} after the value; expected a comment or the end of the line`);
      }
    }
    return { assignments };
  }

  private assignment(): Assignment {
    const key = this.key('a property name such as AKU_STS_NAME');
    this.expectEquals(key);
    if (key.value === REPLICATIONS_KEY) return { kind: 'replications', key, groups: this.groups() };

    const s = this.scanner;
    s.skipInlineSpace();
    const position = s.position();
    const value = s.readScalarValue();
    if (value === undefined) this.fail(position, `${key.value} has no value; expected ${key.value} = <value>`);
    if ('error' in value) this.fail(position, `the quoted value of ${key.value} has no closing double quote on this line`);
    return { kind: 'scalar', key, value: { value: value.text, position }, quoted: value.quoted };
  }

  private key(expected: string): Located<string> {
    const s = this.scanner;
    const position = s.position();
    const key = s.readKey();
    if (key.length === 0) this.fail(position, `unexpected ${s.describeHere()}; expected ${expected}`);
    return { value: key, position };
  }

  private expectEquals(key: Located<string>): void {
    const s = this.scanner;
    s.skipInlineSpace();
    if (s.peek() !== '=') this.fail(s.position(), `expected "=" after ${key.value}, found ${s.describeHere()}`);
    s.advance();
  }

  private groups(): GroupNode[] {
    const groups = [this.group()];
    for (;;) {
      // A comma after a group's closing parenthesis announces another group, possibly on a later line.
      const s = this.scanner;
      const afterGroup = s.mark();
      s.skipTrivia();
      if (s.peek() !== ',') {
        s.reset(afterGroup); // the rest of the line still has to be checked by the caller
        return groups;
      }
      s.advance();
      groups.push(this.group());
    }
  }

  private group(): GroupNode {
    const position = this.expectPunctuation('(', 'a REPLICATIONS group opening with "("');
    const settings: GroupSetting[] = [];
    const s = this.scanner;
    for (;;) {
      s.skipTrivia();
      if (s.peek() === '(') break;
      const key = this.blockKey(`${GROUP_PREFIX_KEY}, ${GROUP_PARALLEL_KEY} or the item list "("`);
      this.expectBlockEquals(key);
      settings.push({ key, value: this.blockValue(key.value) });
    }
    const itemsPosition = this.expectPunctuation('(', 'the item list "("');
    const items = this.items();
    this.expectPunctuation(')', 'the ")" that closes the REPLICATIONS group');
    return { position, settings, itemsPosition, items };
  }

  private items(): ItemNode[] {
    const items: ItemNode[] = [];
    const s = this.scanner;
    for (;;) {
      s.skipTrivia();
      if (s.peek() === ')') {
        s.advance();
        return items;
      }
      items.push(s.peek() === '(' ? this.blockItem() : this.dottedItem());
      s.skipTrivia();
      if (s.peek() === ',') {
        s.advance(); // a trailing comma before ")" is accepted (seen in the Korean 7.3 sample)
      } else if (s.peek() !== ')') {
        this.fail(s.position(), `unexpected ${s.describeHere()} after a replication item; expected "," or ")"`);
      }
    }
  }

  private dottedItem(): ItemNode {
    const s = this.scanner;
    const position = s.position();
    const word = s.readWord();
    if (word.length === 0) this.fail(position, `unexpected ${s.describeHere()}; expected a replication item USER.TABLE`);
    const parts = word.split('.');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      this.fail(position, `"${word}" is not a replication item; expected USER.TABLE or USER.TABLE PARTITION NAME`);
    }
    const [user, table] = parts as [string, string];
    const item: ItemNode = {
      position,
      style: 'dotted',
      user: { value: user, position },
      table: { value: table, position: { line: position.line, column: position.column + user.length + 1 } },
    };
    s.skipTrivia();
    const keywordPosition = s.position();
    if (/^PARTITION$/i.test(s.peekWord())) {
      s.readWord();
      s.skipTrivia();
      const partitionPosition = s.position();
      const partition = s.readWord();
      if (partition.length === 0) {
        this.fail(partitionPosition, `expected a partition name after PARTITION, found ${s.describeHere()}`);
      }
      item.partition = { value: partition, position: partitionPosition };
    } else if (s.peekWord().length > 0) {
      this.fail(keywordPosition, `unexpected "${s.peekWord()}" after ${word}; expected PARTITION, "," or ")"`);
    }
    return item;
  }

  /** The old item syntax: `( USER_NAME = "SYS"  TABLE_NAME = "T1" )`. */
  private blockItem(): ItemNode {
    const position = this.expectPunctuation('(', 'an item');
    const fields = new Map<string, Located<string>>();
    const s = this.scanner;
    for (;;) {
      s.skipTrivia();
      if (s.peek() === ')') {
        s.advance();
        break;
      }
      const key = this.blockKey('USER_NAME, TABLE_NAME or ")"');
      if (key.value !== 'USER_NAME' && key.value !== 'TABLE_NAME') {
        this.fail(key.position, `unknown item setting ${key.value}; an old-style item has USER_NAME and TABLE_NAME`);
      }
      if (fields.has(key.value)) this.fail(key.position, `${key.value} is given twice in this item`);
      this.expectBlockEquals(key);
      fields.set(key.value, this.blockValue(key.value));
    }
    const user = fields.get('USER_NAME');
    const table = fields.get('TABLE_NAME');
    if (!user) this.fail(position, 'this item has no USER_NAME');
    if (!table) this.fail(position, 'this item has no TABLE_NAME');
    return { position, style: 'block', user, table };
  }

  private blockKey(expected: string): Located<string> {
    const s = this.scanner;
    const position = s.position();
    const word = s.readWord();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) {
      this.fail(position, `unexpected ${word ? `"${word}"` : s.describeHere()}; expected ${expected}`);
    }
    return { value: word, position };
  }

  private expectBlockEquals(key: Located<string>): void {
    const s = this.scanner;
    s.skipTrivia();
    if (s.peek() !== '=') this.fail(s.position(), `expected "=" after ${key.value}, found ${s.describeHere()}`);
    s.advance();
  }

  private blockValue(key: string): Located<string> {
    const s = this.scanner;
    s.skipTrivia();
    const position = s.position();
    if (s.peek() === '"') {
      const quoted = s.readQuoted();
      if ('error' in quoted) this.fail(position, `the quoted value of ${key} has no closing double quote on this line`);
      return { value: quoted.text, position };
    }
    const word = s.readWord();
    if (word.length === 0) this.fail(position, `${key} has no value; found ${s.describeHere()}`);
    return { value: word, position };
  }

  private expectPunctuation(ch: '(' | ')', expected: string): SourcePosition {
    const s = this.scanner;
    s.skipTrivia();
    const position = s.position();
    if (s.peek() !== ch) this.fail(position, `unexpected ${s.describeHere()}; expected ${expected}`);
    s.advance();
    return position;
  }

  private fail(position: SourcePosition, problem: string): never {
    throw new ConfigError({ file: this.file, position, problem });
  }
}
