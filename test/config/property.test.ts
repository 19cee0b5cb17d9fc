import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ConfigError, ConfigErrors, formatAkuConf, parseAkuConf, type AkuConfig } from '../../src/config/index.js';
import { RESERVED_WORDS } from '../../src/config/identifiers.js';
import { SCALAR_PROPERTIES } from '../../src/config/properties.js';
import { fixtureText } from '../helpers/conf.js';

const identifier = (maxLength: number) =>
  fc.stringMatching(new RegExp(`^[A-Z_][A-Z0-9_$]{0,${maxLength - 1}}$`)).filter((s) => !RESERVED_WORDS.has(s));
const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);

const item = fc.record(
  { user: identifier(12), table: identifier(12), partition: identifier(8) },
  { requiredKeys: ['user', 'table'] },
).map((i) => ({ ...i })); // fast-check builds null-prototype objects; the parser builds plain ones

const group = fc.record({
  prefix: identifier(37),
  syncParallelCount: fc.integer({ min: 1, max: 100 }),
  items: fc.uniqueArray(item, { minLength: 1, maxLength: 5, selector: (i) => `${i.user}.${i.table}` }),
}).map((g) => ({ ...g }));

function scalar(definition: (typeof SCALAR_PROPERTIES)[number]): fc.Arbitrary<unknown> {
  switch (definition.kind) {
    case 'integer':
      return fc.integer({ min: definition.min, max: definition.max });
    case 'flag':
      return fc.boolean();
    case 'text':
      return definition.syntax === 'secret'
        ? fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('"') && !/[\n\r]/.test(s) && s.trim() === s && s.length > 0)
        : dnsLabel;
  }
}

const config: fc.Arbitrary<AkuConfig> = fc
  .record({
    ...Object.fromEntries(SCALAR_PROPERTIES.map((p) => [p.field, scalar(p)])),
    replications: fc.uniqueArray(group, { minLength: 1, maxLength: 3, selector: (g) => g.prefix }),
  })
  .map((c) => ({ ...c }) as unknown as AkuConfig)
  .filter((c) => c.portNo !== c.replicationPortNo)
  // A table may belong to one group only.
  .filter((c) => {
    const tables = c.replications.flatMap((g) => g.items.map((i) => `${i.user}.${i.table}`));
    return new Set(tables).size === tables.length;
  });

describe('aku.conf property-based checks', () => {
  it('prints any valid config to text that parses back to the same model', () => {
    fc.assert(
      fc.property(config, (original) => {
        const text = formatAkuConf(original);
        assert.deepEqual(parseAkuConf(text, 'aku.conf', {}).config, original);
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on a mutated file: it parses, or fails with a located configuration error', () => {
    const base = fixtureText('sample-three-groups.conf');
    const alphabet = ['(', ')', ',', '=', '#', '"', '.', ' ', '\n', 'A', '1', '-', '\t', 'PARTITION', 'é'];
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...alphabet) }),
      fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        let text = base;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
          else if (m.kind === 'insert') text = text.slice(0, at) + m.text + text.slice(at);
          else {
            const lines = text.split('\n');
            const i = m.at % lines.length;
            lines.splice(i, 0, lines[i] as string);
            text = lines.join('\n');
          }
        }
        try {
          parseAkuConf(text, 'aku.conf', {});
        } catch (error) {
          const errors = error instanceof ConfigErrors ? error.errors : [error];
          for (const e of errors) {
            assert.ok(e instanceof ConfigError, `unexpected ${String(e)}`);
            assert.ok(e.position !== undefined || /should be specified by configuration/.test(e.problem), e.message);
            if (e.position) assert.ok(e.position.line >= 1 && e.position.line <= text.split('\n').length, e.message);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
