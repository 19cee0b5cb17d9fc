/** The statements altisim executes, as the parser produces them. Names are already normalised (see lexer). */

export type Literal = string | number | null;

/** `user.name`, or `name` alone (user then defaults to the session's user). */
export interface QualifiedName {
  user?: string;
  name: string;
}

export interface TableRef {
  table: QualifiedName;
  partition?: string;
}

export interface ReplicationItemAst {
  from: TableRef;
  to: TableRef;
}

export interface ReplicationHostAst {
  host: string;
  port: number;
  connType: 'TCP' | 'IB';
}

export type Expr =
  | { kind: 'literal'; value: Literal; text?: string }
  | { kind: 'column'; name: string }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'unary'; op: '-' | 'NOT'; operand: Expr }
  | { kind: 'in'; operand: Expr; list: Expr[]; negated: boolean }
  | { kind: 'isNull'; operand: Expr; negated: boolean }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: 'aggregate'; fn: AggregateFn; arg: Expr | '*' };

export type BinaryOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '||' | 'AND' | 'OR';
export type AggregateFn = 'COUNT' | 'SUM' | 'MIN' | 'MAX';

export interface ColumnDefAst {
  name: string;
  type: string;
  length?: number;
  scale?: number;
  notNull: boolean;
  primaryKey: boolean;
  defaultValue?: Literal;
}

export interface PartitionDefAst {
  name: string;
  /** RANGE: upper bound (exclusive); LIST: values; DEFAULT: catches the rest. */
  bound: { kind: 'lessThan'; values: Literal[] } | { kind: 'values'; values: Literal[] } | { kind: 'default' };
}

export interface PartitioningAst {
  method: 'RANGE' | 'LIST';
  column: string;
  partitions: PartitionDefAst[];
}

export interface SelectItem {
  expr: Expr | '*';
  alias?: string;
}

export interface OrderItem {
  expr: Expr;
  descending: boolean;
}

export type ReplicationAction =
  | { kind: 'start'; quick: boolean; retry: boolean }
  | { kind: 'stop' }
  | { kind: 'reset' }
  | { kind: 'sync'; only: boolean; parallel?: number; tables?: TableRef[] }
  | { kind: 'flush'; all: boolean; waitSec?: number }
  | { kind: 'addTable'; item: ReplicationItemAst }
  | { kind: 'dropTable'; item: ReplicationItemAst };

export type Statement =
  | {
      kind: 'createReplication';
      name: string;
      eager: boolean;
      conflictResolution: 0 | 1 | 2;
      hosts: ReplicationHostAst[];
      items: ReplicationItemAst[];
    }
  | { kind: 'alterReplication'; name: string; action: ReplicationAction }
  | { kind: 'dropReplication'; name: string }
  | { kind: 'truncateTable'; table: QualifiedName }
  | { kind: 'truncatePartition'; table: QualifiedName; partition: string }
  | { kind: 'alterSystemSet'; property: string; value: Literal }
  | { kind: 'alterSessionSet'; property: string; value: Literal }
  | { kind: 'createUser'; name: string; password: string }
  | { kind: 'alterUserPassword'; name: string; password: string }
  | { kind: 'dropUser'; name: string; cascade: boolean }
  | { kind: 'grant' }
  | {
      kind: 'createTable';
      table: QualifiedName;
      columns: ColumnDefAst[];
      primaryKey: string[];
      partitioning?: PartitioningAst;
    }
  | { kind: 'dropTable'; table: QualifiedName }
  | { kind: 'insert'; table: QualifiedName; columns?: string[]; rows: Expr[][] }
  | { kind: 'update'; table: QualifiedName; assignments: { column: string; value: Expr }[]; where?: Expr }
  | { kind: 'delete'; table: QualifiedName; where?: Expr }
  /** `partition`: `FROM t PARTITION (p)`, the rows of one partition only. */
  | { kind: 'select'; items: SelectItem[]; from?: QualifiedName; partition?: string; where?: Expr; orderBy: OrderItem[] }
  | { kind: 'commit' }
  | { kind: 'rollback' };

/** Statements that only SYS may run (replication DDL). */
export function isReplicationDdl(statement: Statement): boolean {
  return (
    statement.kind === 'createReplication' ||
    statement.kind === 'alterReplication' ||
    statement.kind === 'dropReplication'
  );
}
