/**
 * Users, tables and rows: the database catalogue and the data it describes.
 * Pure data plus lookups; all changes go through the durable store (durable-state.ts).
 */
import type { PartitioningAst } from '../sql/ast.js';
import { compareValues, valuesEqual, type ColumnKind, type Row, type SqlValue } from './values.js';

export interface UserRecord {
  name: string;
  password: string;
}

export interface ColumnDef {
  name: string;
  type: string;
  kind: ColumnKind;
  /** Integer types drop fractions. */
  integer: boolean;
  length?: number;
  scale?: number;
  notNull: boolean;
  defaultValue?: SqlValue;
}

export type PartitionBound =
  | { kind: 'lessThan'; values: SqlValue[] }
  | { kind: 'values'; values: SqlValue[] }
  | { kind: 'default' };

export interface PartitionDef {
  name: string;
  bound: PartitionBound;
}

export interface Partitioning {
  method: PartitioningAst['method'];
  column: string;
  partitions: PartitionDef[];
}

export interface TableDef {
  oid: number;
  user: string;
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  partitioning?: Partitioning;
}

export interface TableData {
  def: TableDef;
  /** Rows keyed by their primary key (see `primaryKeyOf`). Tables without a PK key by insertion number. */
  rows: Map<string, Row>;
  /** Next surrogate key for tables without a primary key. */
  nextRowId: number;
}

export function tableKey(user: string, name: string): string {
  return `${user}.${name}`;
}

export function columnOf(def: TableDef, name: string): ColumnDef | undefined {
  return def.columns.find((column) => column.name === name);
}

/** The key a row is stored under: its primary-key values, JSON-encoded. */
export function primaryKeyOf(def: TableDef, row: Row): string {
  return JSON.stringify(def.primaryKey.map((column) => normaliseKeyPart(row[column] ?? null)));
}

function normaliseKeyPart(value: SqlValue): SqlValue {
  // 1 and '1' must not become two keys when a numeric column received text.
  return typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
}

export function primaryKeyValues(def: TableDef, row: Row): Row {
  const key: Row = {};
  for (const column of def.primaryKey) key[column] = row[column] ?? null;
  return key;
}

/**
 * The partition a row belongs to, or undefined for a non-partitioned table.
 * Returns null when no partition accepts the value (no DEFAULT partition).
 */
export function partitionOf(def: TableDef, row: Row): string | null | undefined {
  const partitioning = def.partitioning;
  if (!partitioning) return undefined;
  const value = row[partitioning.column] ?? null;
  let fallback: string | null = null;
  for (const partition of partitioning.partitions) {
    const bound = partition.bound;
    if (bound.kind === 'default') {
      fallback = partition.name;
    } else if (bound.kind === 'lessThan') {
      const limit = bound.values[0] ?? null;
      if (value !== null && limit !== null && compareValues(value, limit) < 0) return partition.name;
    } else if (bound.values.some((candidate) => valuesEqual(candidate, value))) {
      return partition.name;
    }
  }
  return fallback;
}

export function hasPartition(def: TableDef, name: string): boolean {
  return def.partitioning?.partitions.some((partition) => partition.name === name) ?? false;
}
