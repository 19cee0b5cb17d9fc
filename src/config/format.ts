import type { AkuConfig, ReplicationGroup } from './model.js';
import { GROUP_PARALLEL_KEY, GROUP_PREFIX_KEY, SCALAR_PROPERTIES } from './properties.js';

export interface FormatOptions {
  /** Leave AKU_SYS_PASSWORD out (it then has to come from the environment). */
  omitPassword?: boolean;
}

/**
 * Writes a config back as aku.conf text in the current syntax. Parsing the result gives the
 * same model (the property test relies on it), which also makes it the reference for what a
 * generated aku.conf (e.g. the chart's) should look like.
 */
export function formatAkuConf(config: AkuConfig, options: FormatOptions = {}): string {
  const width = Math.max(...SCALAR_PROPERTIES.map((p) => p.name.length));
  const lines: string[] = [];
  for (const property of SCALAR_PROPERTIES) {
    if (property.field === 'sysPassword' && options.omitPassword) continue;
    const value = config[property.field];
    const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    lines.push(`${property.name.padEnd(width)} = ${quoteIfNeeded(property.name, text)}`);
  }
  lines.push('', `REPLICATIONS = ${config.replications.map(formatGroup).join(',\n')}`, '');
  return lines.join('\n');
}

function formatGroup(group: ReplicationGroup): string {
  const items = group.items.map((item) =>
    `        ${item.user}.${item.table}${item.partition === undefined ? '' : ` PARTITION ${item.partition}`}`);
  return [
    '(',
    `    ${GROUP_PREFIX_KEY} = ${group.prefix}`,
    `    ${GROUP_PARALLEL_KEY}     = ${group.syncParallelCount}`,
    '    (',
    items.join(',\n'),
    '    )',
    ')',
  ].join('\n');
}

/** aku.conf has no escapes: a value is bare, or quoted when it has spaces or `#`. */
function quoteIfNeeded(name: string, value: string): string {
  const needsQuotes = value === '' || /[\s#]/.test(value) || value.startsWith('"');
  if (!needsQuotes) return value;
  if (value.includes('"')) {
    throw new Error(`${name} cannot be written to aku.conf (it has both a double quote and a space or #); pass it as an environment variable`);
  }
  return `"${value}"`;
}
