/**
 * Recursive-descent parser for the Altibase statements altisim executes.
 *
 * It is deliberately strict: it doubles as a grammar check of the SQL aku generates, so it accepts
 * the manual's syntax and nothing looser (no comma between `WITH` host groups, `FROM` needs `TO`,
 * `FLUSH WAIT` needs a number …). Anything else is ERR-31001 (SQLSTATE 42000) naming the token.
 */
import { simError } from '../errors.js';
import type {
  AggregateFn,
  BinaryOp,
  ColumnDefAst,
  Expr,
  Literal,
  OrderItem,
  PartitionDefAst,
  PartitioningAst,
  QualifiedName,
  ReplicationAction,
  ReplicationHostAst,
  ReplicationItemAst,
  SelectItem,
  Statement,
  TableRef,
} from './ast.js';
import { syntaxErrorAt, tokenize, type Token } from './lexer.js';

/** Words that cannot be used as unquoted identifiers: they would make the grammar ambiguous. */
const RESERVED = new Set([
  'ADD', 'ALL', 'ALTER', 'AND', 'AS', 'BETWEEN', 'BY', 'CONSTRAINT', 'CREATE', 'DEFAULT', 'DELETE', 'DROP',
  'FROM', 'GRANT', 'IN', 'INSERT', 'INTO', 'IS', 'NOT', 'NULL', 'ON', 'OR', 'ORDER', 'PARTITION', 'PRIMARY',
  'SELECT', 'SET', 'TABLE', 'TO', 'UPDATE', 'VALUES', 'WHERE', 'WITH',
]);

const COLUMN_TYPES = new Set([
  'INTEGER', 'INT', 'BIGINT', 'SMALLINT', 'NUMERIC', 'NUMBER', 'DECIMAL', 'FLOAT', 'DOUBLE', 'REAL',
  'CHAR', 'VARCHAR', 'NCHAR', 'NVARCHAR', 'VARCHAR2', 'DATE', 'TIMESTAMP',
]);

/** Longest names Altibase stores (altibase-replication.md §2). */
export const MAX_REPLICATION_NAME_BYTES = 40;
export const MAX_OBJECT_NAME_BYTES = 128;

export function parseStatement(sql: string): Statement {
  return new Parser(sql).parseSingleStatement();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly sql: string) {
    this.tokens = tokenize(sql);
  }

  parseSingleStatement(): Statement {
    const statement = this.parseStatementBody();
    this.acceptSymbol(';');
    if (this.peek().kind !== 'eof') this.fail('end of statement');
    return statement;
  }

  // ---------------------------------------------------------------- token helpers

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private fail(expected: string, token: Token = this.peek()): never {
    const near = token.kind === 'eof' ? 'end of statement' : `"${token.raw}"`;
    throw syntaxErrorAt(this.sql, token.offset, `near ${near}, expected ${expected}`);
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'ident' && !token.quoted && token.value === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.pos++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(word);
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.value === symbol;
  }

  private acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.pos++;
    return true;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.fail(`"${symbol}"`);
  }

  private identifier(what = 'an identifier', maxBytes = MAX_OBJECT_NAME_BYTES): string {
    const token = this.peek();
    if (token.kind !== 'ident' || (!token.quoted && RESERVED.has(token.value))) this.fail(what);
    this.pos++;
    if (Buffer.byteLength(token.value) > maxBytes) throw simError('QP_NAME_TOO_LONG', token.value);
    return token.value;
  }

  private stringLiteral(what = 'a string literal'): string {
    const token = this.peek();
    if (token.kind !== 'string') this.fail(what);
    this.pos++;
    return token.value;
  }

  /** A non-negative integer written as digits. */
  private integer(what = 'an integer'): number {
    const token = this.peek();
    if (token.kind !== 'number' || !/^\d+$/.test(token.value)) this.fail(what);
    this.pos++;
    const value = Number(token.value);
    if (!Number.isSafeInteger(value)) this.fail(what, token);
    return value;
  }

  private qualifiedName(): QualifiedName {
    const first = this.identifier('a name');
    if (this.acceptSymbol('.')) return { user: first, name: this.identifier('a name after "."') };
    return { name: first };
  }

  /** `user.table` — replication items always name the owner. */
  private ownerQualifiedName(): QualifiedName {
    const user = this.identifier('user_name.table_name');
    if (!this.isSymbol('.')) this.fail('"." (user_name.table_name)');
    this.advance();
    return { user, name: this.identifier('a table name') };
  }

  private tableRef(): TableRef {
    const table = this.ownerQualifiedName();
    if (this.acceptKeyword('PARTITION')) return { table, partition: this.identifier('a partition name') };
    return { table };
  }

  // ---------------------------------------------------------------- statements

  private parseStatementBody(): Statement {
    const token = this.peek();
    if (token.kind !== 'ident' || token.quoted) this.fail('a statement');
    switch (token.value) {
      case 'CREATE':
        return this.parseCreate();
      case 'ALTER':
        return this.parseAlter();
      case 'DROP':
        return this.parseDrop();
      case 'TRUNCATE':
        this.advance();
        this.expectKeyword('TABLE');
        return { kind: 'truncateTable', table: this.qualifiedName() };
      case 'INSERT':
        return this.parseInsert();
      case 'UPDATE':
        return this.parseUpdate();
      case 'DELETE':
        return this.parseDelete();
      case 'SELECT':
        return this.parseSelect();
      case 'GRANT':
        return this.parseGrant();
      case 'COMMIT':
        this.advance();
        this.acceptKeyword('WORK');
        return { kind: 'commit' };
      case 'ROLLBACK':
        this.advance();
        this.acceptKeyword('WORK');
        return { kind: 'rollback' };
      default:
        return this.fail('a statement');
    }
  }

  private parseCreate(): Statement {
    this.expectKeyword('CREATE');
    if (this.isKeyword('USER')) {
      this.advance();
      const name = this.identifier('a user name');
      return { kind: 'createUser', name, password: this.identifiedBy() };
    }
    if (this.isKeyword('TABLE')) return this.parseCreateTable();
    let eager = false;
    if (this.acceptKeyword('LAZY')) eager = false;
    else if (this.acceptKeyword('EAGER')) eager = true;
    if (this.isKeyword('REPLICATION')) return this.parseCreateReplication(eager);
    return this.fail('USER, TABLE or REPLICATION');
  }

  private parseCreateReplication(eager: boolean): Statement {
    this.expectKeyword('REPLICATION');
    const name = this.identifier('a replication name', MAX_REPLICATION_NAME_BYTES);
    if (this.isKeyword('FOR')) throw simError('SIM_UNSUPPORTED', 'CREATE REPLICATION … FOR (replication roles)');
    let conflictResolution: 0 | 1 | 2 = 0;
    if (this.acceptKeyword('AS')) {
      if (this.acceptKeyword('MASTER')) conflictResolution = 1;
      else if (this.acceptKeyword('SLAVE')) conflictResolution = 2;
      else this.fail('MASTER or SLAVE');
    }
    if (this.isKeyword('OPTIONS')) throw simError('SIM_UNSUPPORTED', 'CREATE REPLICATION … OPTIONS');
    this.expectKeyword('WITH');
    const hosts: ReplicationHostAst[] = [this.replicationHost()];
    // Further host groups follow without a separator (R1 §3.1): `'h1', p1 'h2', p2`.
    while (this.peek().kind === 'string') hosts.push(this.replicationHost());
    if (this.isSymbol(',')) this.fail("FROM or another 'host', port group (host groups are not comma-separated)");
    const items: ReplicationItemAst[] = [this.replicationItem()];
    while (this.acceptSymbol(',')) items.push(this.replicationItem());
    return { kind: 'createReplication', name, eager, conflictResolution, hosts, items };
  }

  private replicationHost(): ReplicationHostAst {
    const host = this.stringLiteral("'host'");
    this.expectSymbol(',');
    const port = this.integer('a port number');
    let connType: 'TCP' | 'IB' = 'TCP';
    if (this.acceptKeyword('USING')) {
      if (this.acceptKeyword('TCP')) connType = 'TCP';
      else if (this.acceptKeyword('IB')) {
        connType = 'IB';
        if (this.peek().kind === 'number') this.integer();
      } else this.fail('TCP or IB');
    }
    return { host, port, connType };
  }

  private replicationItem(): ReplicationItemAst {
    this.expectKeyword('FROM');
    const from = this.tableRef();
    this.expectKeyword('TO');
    const to = this.tableRef();
    return { from, to };
  }

  private parseCreateTable(): Statement {
    this.expectKeyword('TABLE');
    const table = this.qualifiedName();
    this.expectSymbol('(');
    const columns: ColumnDefAst[] = [];
    let primaryKey: string[] | undefined;
    do {
      if (this.isKeyword('CONSTRAINT') || this.isKeyword('PRIMARY')) {
        if (this.acceptKeyword('CONSTRAINT')) this.identifier('a constraint name');
        this.expectKeyword('PRIMARY');
        this.expectKeyword('KEY');
        if (primaryKey) this.fail('a single PRIMARY KEY');
        primaryKey = this.parenthesisedNames();
      } else {
        columns.push(this.columnDef());
      }
    } while (this.acceptSymbol(','));
    this.expectSymbol(')');
    const inline = columns.filter((c) => c.primaryKey).map((c) => c.name);
    if (inline.length > 0 && primaryKey) this.fail('one PRIMARY KEY definition');
    const partitioning = this.isKeyword('PARTITION') ? this.partitioning() : undefined;
    if (this.acceptKeyword('TABLESPACE')) this.identifier('a tablespace name');
    return {
      kind: 'createTable',
      table,
      columns,
      primaryKey: primaryKey ?? inline,
      ...(partitioning ? { partitioning } : {}),
    };
  }

  private parenthesisedNames(): string[] {
    this.expectSymbol('(');
    const names = [this.identifier('a column name')];
    while (this.acceptSymbol(',')) names.push(this.identifier('a column name'));
    this.expectSymbol(')');
    return names;
  }

  private columnDef(): ColumnDefAst {
    const name = this.identifier('a column name');
    const typeToken = this.peek();
    if (typeToken.kind !== 'ident' || typeToken.quoted || !COLUMN_TYPES.has(typeToken.value)) this.fail('a data type');
    this.advance();
    const column: ColumnDefAst = { name, type: typeToken.value, notNull: false, primaryKey: false };
    if (this.acceptSymbol('(')) {
      column.length = this.integer('a length');
      if (this.acceptSymbol(',')) column.scale = this.integer('a scale');
      this.expectSymbol(')');
    }
    for (;;) {
      if (this.acceptKeyword('NOT')) {
        this.expectKeyword('NULL');
        column.notNull = true;
      } else if (this.acceptKeyword('NULL')) {
        column.notNull = false;
      } else if (this.acceptKeyword('PRIMARY')) {
        this.expectKeyword('KEY');
        column.primaryKey = true;
        column.notNull = true;
      } else if (this.acceptKeyword('DEFAULT')) {
        column.defaultValue = this.literal();
      } else {
        return column;
      }
    }
  }

  private partitioning(): PartitioningAst {
    this.expectKeyword('PARTITION');
    this.expectKeyword('BY');
    let method: 'RANGE' | 'LIST';
    if (this.acceptKeyword('RANGE')) method = 'RANGE';
    else if (this.acceptKeyword('LIST')) method = 'LIST';
    else if (this.isKeyword('HASH')) throw simError('SIM_UNSUPPORTED', 'PARTITION BY HASH');
    else return this.fail('RANGE or LIST');
    const keyColumns = this.parenthesisedNames();
    if (keyColumns.length !== 1) throw simError('SIM_UNSUPPORTED', 'multi-column partition keys');
    this.expectSymbol('(');
    const partitions: PartitionDefAst[] = [];
    do {
      this.expectKeyword('PARTITION');
      const name = this.identifier('a partition name');
      this.expectKeyword('VALUES');
      if (this.acceptKeyword('DEFAULT')) {
        partitions.push({ name, bound: { kind: 'default' } });
      } else if (method === 'RANGE') {
        this.expectKeyword('LESS');
        this.expectKeyword('THAN');
        partitions.push({ name, bound: { kind: 'lessThan', values: this.literalList() } });
      } else {
        partitions.push({ name, bound: { kind: 'values', values: this.literalList() } });
      }
      if (this.acceptKeyword('TABLESPACE')) this.identifier('a tablespace name');
    } while (this.acceptSymbol(','));
    this.expectSymbol(')');
    return { method, column: keyColumns[0] as string, partitions };
  }

  private literalList(): Literal[] {
    this.expectSymbol('(');
    const values = [this.literal()];
    while (this.acceptSymbol(',')) values.push(this.literal());
    this.expectSymbol(')');
    return values;
  }

  private literal(): Literal {
    const negative = this.acceptSymbol('-');
    const token = this.peek();
    if (token.kind === 'number') {
      this.advance();
      return numericLiteral(negative ? `-${token.value}` : token.value);
    }
    if (negative) this.fail('a number');
    if (token.kind === 'string') {
      this.advance();
      return token.value;
    }
    if (this.acceptKeyword('NULL')) return null;
    return this.fail('a literal');
  }

  /** `IDENTIFIED BY password` of CREATE USER and ALTER USER. */
  private identifiedBy(): string {
    this.expectKeyword('IDENTIFIED');
    this.expectKeyword('BY');
    const token = this.peek();
    if (token.kind !== 'ident' && token.kind !== 'string') this.fail('a password');
    this.advance();
    // Passwords are case-sensitive: an unquoted one keeps its spelling (altisim choice, docs/altisim.md).
    return token.kind === 'ident' && !token.quoted ? token.raw : token.value;
  }

  private parseAlter(): Statement {
    this.expectKeyword('ALTER');
    if (this.acceptKeyword('USER')) {
      const name = this.identifier('a user name');
      return { kind: 'alterUserPassword', name, password: this.identifiedBy() };
    }
    if (this.acceptKeyword('REPLICATION')) {
      const name = this.identifier('a replication name', MAX_REPLICATION_NAME_BYTES);
      return { kind: 'alterReplication', name, action: this.replicationAction() };
    }
    if (this.acceptKeyword('SYSTEM')) {
      this.expectKeyword('SET');
      const { property, value } = this.propertyAssignment();
      return { kind: 'alterSystemSet', property, value };
    }
    if (this.acceptKeyword('SESSION')) {
      this.expectKeyword('SET');
      const { property, value } = this.propertyAssignment();
      return { kind: 'alterSessionSet', property, value };
    }
    if (this.acceptKeyword('TABLE')) {
      const table = this.qualifiedName();
      this.expectKeyword('TRUNCATE');
      this.expectKeyword('PARTITION');
      return { kind: 'truncatePartition', table, partition: this.identifier('a partition name') };
    }
    return this.fail('REPLICATION, SYSTEM, SESSION, TABLE or USER');
  }

  private propertyAssignment(): { property: string; value: Literal } {
    const property = this.identifier('a property name');
    this.expectSymbol('=');
    const token = this.peek();
    // Session properties such as REPLICATION take bare words (DEFAULT, NONE …).
    if (token.kind === 'ident' && !token.quoted) {
      this.advance();
      return { property, value: token.value };
    }
    return { property, value: this.literal() };
  }

  private replicationAction(): ReplicationAction {
    if (this.acceptKeyword('START')) return { kind: 'start', quick: false, retry: this.acceptKeyword('RETRY') };
    if (this.acceptKeyword('QUICKSTART')) return { kind: 'start', quick: true, retry: this.acceptKeyword('RETRY') };
    if (this.acceptKeyword('STOP')) return { kind: 'stop' };
    if (this.acceptKeyword('RESET')) return { kind: 'reset' };
    if (this.acceptKeyword('SYNC')) {
      const only = this.acceptKeyword('ONLY');
      const action: ReplicationAction = { kind: 'sync', only };
      if (this.acceptKeyword('PARALLEL')) {
        const parallelToken = this.peek();
        const parallel = this.integer('a parallel factor');
        if (parallel < 1) this.fail('a parallel factor of at least 1', parallelToken);
        action.parallel = parallel;
      }
      if (this.acceptKeyword('TABLE')) {
        const tables = [this.tableRef()];
        while (this.acceptSymbol(',')) tables.push(this.tableRef());
        action.tables = tables;
      }
      return action;
    }
    if (this.acceptKeyword('FLUSH')) {
      const all = this.acceptKeyword('ALL');
      if (this.acceptKeyword('WAIT')) return { kind: 'flush', all, waitSec: this.integer('a number of seconds after WAIT') };
      return { kind: 'flush', all };
    }
    if (this.acceptKeyword('ADD')) {
      if (this.isKeyword('HOST')) throw simError('SIM_UNSUPPORTED', 'ALTER REPLICATION … ADD HOST');
      this.expectKeyword('TABLE');
      return { kind: 'addTable', item: this.replicationItem() };
    }
    if (this.acceptKeyword('DROP')) {
      if (this.isKeyword('HOST')) throw simError('SIM_UNSUPPORTED', 'ALTER REPLICATION … DROP HOST');
      this.expectKeyword('TABLE');
      return { kind: 'dropTable', item: this.replicationItem() };
    }
    if (this.isKeyword('SET')) throw simError('SIM_UNSUPPORTED', 'ALTER REPLICATION … SET');
    return this.fail('START, QUICKSTART, STOP, RESET, SYNC, FLUSH, ADD TABLE or DROP TABLE');
  }

  private parseDrop(): Statement {
    this.expectKeyword('DROP');
    if (this.acceptKeyword('REPLICATION')) {
      return { kind: 'dropReplication', name: this.identifier('a replication name', MAX_REPLICATION_NAME_BYTES) };
    }
    if (this.acceptKeyword('TABLE')) return { kind: 'dropTable', table: this.qualifiedName() };
    if (this.acceptKeyword('USER')) {
      const name = this.identifier('a user name');
      return { kind: 'dropUser', name, cascade: this.acceptKeyword('CASCADE') };
    }
    return this.fail('REPLICATION, TABLE or USER');
  }

  private parseGrant(): Statement {
    this.expectKeyword('GRANT');
    // Privileges are words (`CREATE SESSION`, `ALTER SYSTEM`, `SELECT` …); altisim does not model them.
    do {
      if (this.peek().kind !== 'ident') this.fail('a privilege');
      while (this.peek().kind === 'ident' && !this.isKeyword('ON') && !this.isKeyword('TO')) this.advance();
    } while (this.acceptSymbol(','));
    if (this.acceptKeyword('ON')) this.qualifiedName();
    this.expectKeyword('TO');
    this.identifier('a user name');
    return { kind: 'grant' };
  }

  private parseInsert(): Statement {
    this.expectKeyword('INSERT');
    this.expectKeyword('INTO');
    const table = this.qualifiedName();
    const columns = this.isSymbol('(') ? this.parenthesisedNames() : undefined;
    this.expectKeyword('VALUES');
    const rows = [this.valueRow()];
    while (this.acceptSymbol(',')) rows.push(this.valueRow());
    return { kind: 'insert', table, ...(columns ? { columns } : {}), rows };
  }

  private valueRow(): Expr[] {
    this.expectSymbol('(');
    const values = [this.expression()];
    while (this.acceptSymbol(',')) values.push(this.expression());
    this.expectSymbol(')');
    return values;
  }

  private parseUpdate(): Statement {
    this.expectKeyword('UPDATE');
    const table = this.qualifiedName();
    this.expectKeyword('SET');
    const assignments: { column: string; value: Expr }[] = [];
    do {
      const column = this.identifier('a column name');
      this.expectSymbol('=');
      assignments.push({ column, value: this.expression() });
    } while (this.acceptSymbol(','));
    const where = this.acceptKeyword('WHERE') ? this.expression() : undefined;
    return { kind: 'update', table, assignments, ...(where ? { where } : {}) };
  }

  private parseDelete(): Statement {
    this.expectKeyword('DELETE');
    this.expectKeyword('FROM');
    const table = this.qualifiedName();
    const where = this.acceptKeyword('WHERE') ? this.expression() : undefined;
    return { kind: 'delete', table, ...(where ? { where } : {}) };
  }

  private parseSelect(): Statement {
    this.expectKeyword('SELECT');
    const items: SelectItem[] = [];
    do {
      if (this.acceptSymbol('*')) {
        items.push({ expr: '*' });
        continue;
      }
      const expr = this.expression();
      let alias: string | undefined;
      if (this.acceptKeyword('AS')) alias = this.identifier('an alias');
      else if (this.peek().kind === 'ident' && !this.isKeyword('FROM') && !RESERVED.has(this.peek().value)) {
        alias = this.identifier('an alias');
      }
      items.push({ expr, ...(alias ? { alias } : {}) });
    } while (this.acceptSymbol(','));
    this.expectKeyword('FROM');
    const from = this.qualifiedName();
    let partition: string | undefined;
    if (this.acceptKeyword('PARTITION')) {
      this.expectSymbol('(');
      partition = this.identifier('a partition name');
      this.expectSymbol(')');
    }
    const where = this.acceptKeyword('WHERE') ? this.expression() : undefined;
    const orderBy: OrderItem[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do {
        const expr = this.expression();
        let descending = false;
        if (this.acceptKeyword('DESC')) descending = true;
        else this.acceptKeyword('ASC');
        orderBy.push({ expr, descending });
      } while (this.acceptSymbol(','));
    }
    return { kind: 'select', items, from, ...(partition ? { partition } : {}), ...(where ? { where } : {}), orderBy };
  }

  // ---------------------------------------------------------------- expressions

  private expression(): Expr {
    return this.orExpression();
  }

  private orExpression(): Expr {
    let left = this.andExpression();
    while (this.acceptKeyword('OR')) left = { kind: 'binary', op: 'OR', left, right: this.andExpression() };
    return left;
  }

  private andExpression(): Expr {
    let left = this.notExpression();
    while (this.acceptKeyword('AND')) left = { kind: 'binary', op: 'AND', left, right: this.notExpression() };
    return left;
  }

  private notExpression(): Expr {
    if (this.acceptKeyword('NOT')) return { kind: 'unary', op: 'NOT', operand: this.notExpression() };
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.additive();
    const token = this.peek();
    if (token.kind === 'symbol' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(token.value)) {
      this.advance();
      const op = (token.value === '!=' ? '<>' : token.value) as BinaryOp;
      return { kind: 'binary', op, left, right: this.additive() };
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      this.expectKeyword('NULL');
      return { kind: 'isNull', operand: left, negated };
    }
    const negated = this.isKeyword('NOT') && (this.isKeyword('IN', 1) || this.isKeyword('BETWEEN', 1));
    if (negated) this.advance();
    if (this.acceptKeyword('IN')) {
      this.expectSymbol('(');
      const list = [this.additive()];
      while (this.acceptSymbol(',')) list.push(this.additive());
      this.expectSymbol(')');
      return { kind: 'in', operand: left, list, negated };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.additive();
      this.expectKeyword('AND');
      return { kind: 'between', operand: left, low, high: this.additive(), negated };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'symbol' && (token.value === '+' || token.value === '-' || token.value === '||')) {
        this.advance();
        left = { kind: 'binary', op: token.value as BinaryOp, left, right: this.multiplicative() };
      } else {
        return left;
      }
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'symbol' && (token.value === '*' || token.value === '/')) {
        this.advance();
        left = { kind: 'binary', op: token.value as BinaryOp, left, right: this.unary() };
      } else {
        return left;
      }
    }
  }

  private unary(): Expr {
    if (this.acceptSymbol('-')) {
      const operand = this.unary();
      if (operand.kind === 'literal' && typeof operand.value === 'number') {
        return { kind: 'literal', value: -operand.value };
      }
      if (operand.kind === 'literal' && typeof operand.value === 'string' && operand.text !== undefined) {
        return { kind: 'literal', value: `-${operand.value}`, text: `-${operand.text}` };
      }
      return { kind: 'unary', op: '-', operand };
    }
    this.acceptSymbol('+');
    return this.primary();
  }

  private primary(): Expr {
    const token = this.peek();
    if (token.kind === 'number') {
      this.advance();
      const value = numericLiteral(token.value);
      return typeof value === 'string' ? { kind: 'literal', value, text: token.value } : { kind: 'literal', value };
    }
    if (token.kind === 'string') {
      this.advance();
      return { kind: 'literal', value: token.value };
    }
    if (this.acceptSymbol('(')) {
      const inner = this.expression();
      this.expectSymbol(')');
      return inner;
    }
    if (this.acceptKeyword('NULL')) return { kind: 'literal', value: null };
    if (token.kind === 'ident' && !token.quoted && ['COUNT', 'SUM', 'MIN', 'MAX'].includes(token.value) && this.peek(1).value === '(') {
      this.advance();
      this.expectSymbol('(');
      const fn = token.value as AggregateFn;
      let arg: Expr | '*';
      if (fn === 'COUNT' && this.acceptSymbol('*')) arg = '*';
      else arg = this.expression();
      this.expectSymbol(')');
      return { kind: 'aggregate', fn, arg };
    }
    if (token.kind === 'ident') {
      let name = this.identifier('an expression');
      // `alias.column` or `user.table.column`: only the column part matters for a single-table query.
      while (this.acceptSymbol('.')) name = this.identifier('a column name');
      return { kind: 'column', name };
    }
    return this.fail('an expression');
  }
}

/**
 * A number literal as a value: a JS number when exact, else the decimal text (integers beyond
 * 2^53 keep their digits, as ODBC would hand them over as text).
 */
export function numericLiteral(text: string): number | string {
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text.replace(/^(-?)0+(?=\d)/, '$1');
  }
  return Number(text);
}
