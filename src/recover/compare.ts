import { createHash } from 'node:crypto';
import type { ReplicationItem } from '../config/model.js';
import type { Row } from '../db/driver.js';
import { selectItemRows } from '../sql/index.js';
import { W, type RecoverContext } from './context.js';
import type { PodReading } from './read.js';

/**
 * Which rows each pod holds that another lacks, over the replicated items of every group (a
 * partition item compares that partition only). Rows are compared whole: a row is the same row
 * when every column is equal, so a key whose value differs between two pods counts on both
 * sides (each holds a version the other lacks).
 *
 * One table at a time, one pod after another: each row is reduced to a digest of its columns,
 * and a table's digests (with which pods hold each, and a short text for the samples) are all
 * that is kept. The driver still returns a table's rows at once, so a table must fit in aku's
 * memory; docs/recover.md says so.
 */

/** Rows shown per direction: enough to recognise them, few enough to read. */
export const SAMPLES = 3;
const SAMPLE_CHARS = 100;

export interface Direction {
  count: number;
  samples: string[];
}

/** One compared slave against the source. */
export interface Versus {
  ordinal: number;
  pod: string;
  /** Rows this pod holds that the source lacks: lost if the MASTER is restored from the source. */
  onlyThere: Direction;
  /** Rows the source holds that this pod lacks. */
  onlyOnSource: Direction;
}

export interface Comparison {
  /** The compared items, as `u.t` or `u.t PARTITION p`. */
  items: string[];
  /** Rows per compared pod (the MASTER included). */
  rows: { ordinal: number; pod: string; count: number }[];
  versus: Versus[];
  /** Rows the failed MASTER still holds that the source lacks: its tables are truncated. */
  masterOnly: Direction;
  /**
   * For each compared slave as the source: how many rows some other compared slave holds that it
   * lacks (what `--from` that slave would lose). The MASTER's rows do not count.
   */
  lossIf: { ordinal: number; pod: string; rows: number }[];
}

export async function compareRows(ctx: RecoverContext, source: PodReading, others: PodReading[], master: PodReading): Promise<Comparison> {
  const slaves = [source, ...others];
  const pods = [...slaves, master];
  const bit = (k: number) => 2 ** k;
  const slavesMask = slaves.reduce((mask, _s, k) => mask + bit(k), 0);
  const masterBit = bit(slaves.length);
  const items = ctx.config.replications.flatMap((g) => g.items);
  const totals = pods.map(() => 0);
  const versus: Versus[] = others.map((o) => ({ ordinal: o.ordinal, pod: o.pod, onlyThere: blank(), onlyOnSource: blank() }));
  const masterOnly = blank();
  const lossIf = slaves.map(() => 0);

  for (const [table, tableItems] of byTable(items)) {
    const holders = new Map<string, { mask: number; text: string }>();
    for (const [k, pod] of pods.entries()) {
      for (const item of tableItems) {
        const rows = await pod.server.read(selectItemRows(item), { timeoutSec: ctx.config.queryTimeoutSec });
        totals[k] = (totals[k] ?? 0) + rows.length;
        for (const row of rows) {
          const key = digest(row);
          const entry = holders.get(key);
          if (entry) entry.mask |= bit(k);
          else holders.set(key, { mask: bit(k), text: render(table, row) });
        }
      }
    }
    for (const { mask, text } of holders.values()) {
      const has = (k: number) => (mask & bit(k)) !== 0;
      versus.forEach((v, index) => {
        const k = index + 1;
        if (has(k) && !has(0)) add(v.onlyThere, text);
        if (has(0) && !has(k)) add(v.onlyOnSource, text);
      });
      if ((mask & masterBit) !== 0 && !has(0)) add(masterOnly, text);
      slaves.forEach((_s, k) => {
        if (!has(k) && (mask & slavesMask) !== 0) lossIf[k] = (lossIf[k] ?? 0) + 1;
      });
    }
  }

  const comparison: Comparison = {
    items: items.map((i) => (i.partition === undefined ? `${i.user}.${i.table}` : `${i.user}.${i.table} PARTITION ${i.partition}`)),
    rows: pods.map((p, k) => ({ ordinal: p.ordinal, pod: p.pod, count: totals[k] ?? 0 })),
    versus,
    masterOnly,
    lossIf: slaves.map((s, k) => ({ ordinal: s.ordinal, pod: s.pod, rows: lossIf[k] ?? 0 })),
  };
  ctx.logger.info(
    W.compare,
    `Compared the rows of ${comparison.items.join(', ')}: ${comparison.rows.map((r) => `${r.pod} ${r.count}`).join(', ')}.`,
  );
  return comparison;
}

/** Items by table (`u.t`), each table once: a whole-table item covers its partitions. */
function byTable(items: ReplicationItem[]): Map<string, ReplicationItem[]> {
  const tables = new Map<string, ReplicationItem[]>();
  for (const item of items) {
    const table = `${item.user}.${item.table}`;
    const listed = tables.get(table) ?? [];
    if (listed.some((i) => i.partition === undefined) || listed.some((i) => i.partition === item.partition)) continue;
    tables.set(table, item.partition === undefined ? [item] : [...listed, item]);
  }
  return tables;
}

function blank(): Direction {
  return { count: 0, samples: [] };
}

function add(direction: Direction, text: string): void {
  direction.count += 1;
  if (direction.samples.length < SAMPLES) direction.samples.push(text);
}

/** The same row on two servers gives the same digest: columns by name, values in one canonical form. */
function digest(row: Row): string {
  const canonical = Object.keys(row)
    .sort()
    .map((column) => [column, canonicalValue(row[column])]);
  return createHash('sha1').update(JSON.stringify(canonical)).digest('base64');
}

function canonicalValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `x${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return `d${value.toISOString()}`;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** `SYS.T1 (ID=7, V='on pod 2')`, cut at SAMPLE_CHARS. */
function render(table: string, row: Row): string {
  const columns = Object.entries(row).map(([column, value]) => `${column}=${typeof value === 'string' ? `'${value}'` : canonicalValue(value)}`);
  const text = `${table} (${columns.join(', ')})`;
  return text.length <= SAMPLE_CHARS ? text : `${text.slice(0, SAMPLE_CHARS - 1)}…`;
}
