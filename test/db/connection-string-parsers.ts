/**
 * Models of the two parsers that read aku's connection string, written from their documented and
 * observed behaviour, for property tests of the quoting:
 *   - unixODBC's driver manager: `KEY=value;`, a value starting with `{` runs to the next `}` not
 *     followed by another `}` (`}}` is a literal `}`);
 *   - the Altibase client (open-source 7.1-era `ulnConnStrParse`): keys are identifiers, spaces around
 *     `=` and a value's trailing spaces are dropped, a value starting with `"` runs to the next `"`
 *     (the quotes stay part of the raw value), braces are ordinary characters.
 * Real-driver checks of the driver manager side are in test/odbc.
 */

export type Pairs = Array<[string, string]>;

export function parseLikeUnixOdbc(text: string): Pairs {
  const pairs: Pairs = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ';' || /\s/.test(text[i]!))) i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq);
    i = eq + 1;
    let value = '';
    if (text[i] === '{') {
      i++;
      while (i < text.length && !(text[i] === '}' && text[i + 1] !== '}')) {
        if (text[i] === '}') i++; // `}}`
        value += text[i];
        i++;
      }
      i++; // closing brace
    } else {
      const end = text.indexOf(';', i);
      value = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    pairs.push([key, value]);
  }
  return pairs;
}

export class AltibaseParseError extends Error {}

export function parseLikeAltibase(text: string): Pairs {
  const pairs: Pairs = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (i >= text.length) break;
    if (text[i] === ';') {
      i++;
      continue;
    }
    const keyMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!keyMatch) throw new AltibaseParseError(`bad key at ${i}`);
    const key = keyMatch[0];
    i += key.length;
    skipSpace();
    if (text[i] !== '=') throw new AltibaseParseError(`expected = at ${i}`);
    i++;
    skipSpace();
    if (i >= text.length || text[i] === ';') {
      pairs.push([key, '']);
      continue;
    }
    let value: string;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new AltibaseParseError('unterminated quote');
      value = text.slice(i, close + 1);
      i = close + 1;
      if (i < text.length && text[i] !== ';') throw new AltibaseParseError(`expected ; at ${i}`);
    } else if (text[i] === '(' || text[i] === '[') {
      throw new AltibaseParseError('bracketed values are not produced by aku');
    } else {
      const end = text.indexOf(';', i);
      value = text.slice(i, end < 0 ? text.length : end).replace(/\s+$/, '');
      i = end < 0 ? text.length : end;
    }
    pairs.push([key, value]);
  }
  return pairs;
}
