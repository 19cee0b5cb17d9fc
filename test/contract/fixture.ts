/**
 * Helpers the contract tests share: one SYSDBA connection per server (Altibase allows only one),
 * the objects the tests create (all prefixed AKUCT so cleanup on a real server touches nothing
 * else), and assertions on driver errors.
 */
import assert from 'node:assert/strict';
import { DriverError, type Connection, type Row } from '../../src/db/driver.js';
import type { ContractTarget } from './targets.js';

export const PREFIX = 'AKUCT';
export const T1 = `SYS.${PREFIX}_T1`;
export const T2 = `SYS.${PREFIX}_T2`;
export const TP = `SYS.${PREFIX}_TP`;
export const TEST_USER = `${PREFIX}_USER`;
export const TEST_USER_PASSWORD = 'akuct_pw';

const TABLES = [T1, T2, TP];

export const CREATE_T1 = `CREATE TABLE ${T1} (ID INTEGER PRIMARY KEY, VAL VARCHAR(40))`;
export const CREATE_T2 = `CREATE TABLE ${T2} (ID INTEGER PRIMARY KEY, VAL VARCHAR(40))`;
export const CREATE_TP =
  `CREATE TABLE ${TP} (ID INTEGER PRIMARY KEY, VAL VARCHAR(40)) ` +
  'PARTITION BY RANGE (ID) (PARTITION P1 VALUES LESS THAN (100), PARTITION P2 VALUES DEFAULT)';

/** Native codes the tests expect (altibase-replication.md §11). */
export const ERR = {
  ALREADY_STARTED: 0x6100a,
  HANDSHAKE: 0x6100d,
  NOT_STARTED: 0x61027,
  TIMEOUT_EXCEED: 0x61075,
  ALREADY_STARTED_DDL: 0x610fe,
  DUPLICATE_NAME: 0x61100,
  HOSTS_EXIST: 0x6110c,
  NO_USER: 0x6110f,
  NO_TABLE: 0x61111,
  NO_PRIMARY_KEY: 0x61113,
  UNDEFINED_NAME: 0x6111b,
  NOT_FOUND_FOR_SYNC: 0x61126,
  NO_PARTITION: 0x6114f,
  SYNC_FAILED: 0x61153,
  NO_GRANT: 0x31084,
  DDL_DISABLED: 0x312c4,
  QUERY_TIMEOUT: 0x01044,
  SYSDBA_RUNNING: 0x41041,
  ADMIN_MODE: 0x4106e,
} as const;

export class ContractContext {
  private readonly sysConnections = new Map<number, Connection>();
  private readonly extraConnections: Connection[] = [];

  constructor(readonly target: ContractTarget) {}

  get faults() {
    return this.target.faults;
  }

  /** Replication object name for this suite. */
  name(suffix: string): string {
    return `${PREFIX}_${suffix}`;
  }

  connect(index: number, user: string, password: string, sysdba: boolean): Promise<Connection> {
    const server = this.target.servers[index];
    if (!server) throw new Error(`no server ${index}`);
    return this.target.driver
      .connect({ host: server.host, port: server.port, user, password, sysdba, connectTimeoutSec: 5, queryTimeoutSec: 0 })
      .then((connection) => {
        this.extraConnections.push(connection);
        return connection;
      });
  }

  private async sys(index: number): Promise<Connection> {
    let connection = this.sysConnections.get(index);
    if (!connection) {
      connection = await this.connect(index, 'SYS', this.target.sysPassword, true);
      this.sysConnections.set(index, connection);
    }
    return connection;
  }

  /** Drop the SYSDBA connection of a server (e.g. to let a test open its own). */
  async release(index: number): Promise<void> {
    const connection = this.sysConnections.get(index);
    this.sysConnections.delete(index);
    await connection?.close().catch(() => undefined);
  }

  /** Run statements as SYS (SYSDBA) on server `index`; returns the last result. Reconnects once after a restart. */
  async sql(index: number, ...statements: string[]): Promise<Row[]> {
    let rows: Row[] = [];
    for (const statement of statements) rows = await this.query(index, statement, 0);
    return rows;
  }

  async query(index: number, statement: string, timeoutSec: number): Promise<Row[]> {
    try {
      return await (await this.sys(index)).query(statement, timeoutSec);
    } catch (error) {
      if (!(error instanceof DriverError) || !['08S01', '08003'].includes(error.primary.state)) throw error;
      await this.release(index);
      return (await this.sys(index)).query(statement, timeoutSec);
    }
  }

  /** Run a statement and ignore any error (cleanup). */
  async tryRun(index: number, statement: string): Promise<void> {
    await this.sql(index, statement).catch(() => undefined);
  }

  host(index: number): string {
    return (this.target.servers[index] as { replicationHost: string }).replicationHost;
  }

  replicationPort(index: number): number {
    return (this.target.servers[index] as { replicationPort: number }).replicationPort;
  }

  /** `CREATE REPLICATION name WITH '<peer>', port FROM … TO …` on server `on`, pointing at server `peer`. */
  createReplicationSql(name: string, peer: number, items = [`${T1} TO ${T1}`]): string {
    return `CREATE REPLICATION ${name} WITH '${this.host(peer)}', ${this.replicationPort(peer)} ${items.map((item) => `FROM ${item}`).join(', ')}`;
  }

  /** The same object on both servers of a pair. */
  async createPair(name: string, a: number, b: number, items?: string[]): Promise<void> {
    await this.sql(a, this.createReplicationSql(name, b, items));
    await this.sql(b, this.createReplicationSql(name, a, items));
  }

  async createTables(servers: number[], ...ddl: string[]): Promise<void> {
    for (const index of servers) await this.sql(index, ...(ddl.length > 0 ? ddl : [CREATE_T1]));
  }

  async replicationRow(index: number, name: string): Promise<Row | undefined> {
    const rows = await this.sql(index, 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
    return rows.find((row) => row.REPLICATION_NAME === name);
  }

  async xsn(index: number, name: string): Promise<number> {
    return Number((await this.replicationRow(index, name))?.XSN);
  }

  async senders(index: number): Promise<Row[]> {
    return this.sql(index, 'SELECT REP_NAME, STATUS, NET_ERROR_FLAG FROM V$REPSENDER');
  }

  async count(index: number, table = T1): Promise<number> {
    return Number((await this.sql(index, `SELECT COUNT(*) AS N FROM ${table}`))[0]?.N);
  }

  async ids(index: number, table = T1): Promise<number[]> {
    return (await this.sql(index, `SELECT ID FROM ${table} ORDER BY ID`)).map((row) => Number(row.ID));
  }

  async insertRows(index: number, ids: number[], table = T1): Promise<void> {
    for (const id of ids) await this.sql(index, `INSERT INTO ${table} VALUES (${id}, 'row ${id}')`);
  }

  /** Generic cleanup by SQL: for servers that persist between tests (processes, a real Altibase). */
  async cleanBySql(): Promise<void> {
    const count = this.target.servers.length;
    const names: string[][] = [];
    for (let i = 0; i < count; i++) {
      const rows = await this.sql(i, 'SELECT REPLICATION_NAME FROM SYSTEM_.SYS_REPLICATIONS_');
      names[i] = rows.map((row) => String(row.REPLICATION_NAME)).filter((name) => name.startsWith(PREFIX));
    }
    for (let i = 0; i < count; i++) for (const name of names[i] ?? []) await this.tryRun(i, `ALTER REPLICATION ${name} STOP`);
    for (let i = 0; i < count; i++) for (const name of names[i] ?? []) await this.tryRun(i, `DROP REPLICATION ${name}`);
    for (let i = 0; i < count; i++) {
      for (const table of TABLES) await this.tryRun(i, `DROP TABLE ${table}`);
      await this.tryRun(i, `DROP USER ${TEST_USER} CASCADE`);
      for (const [property, value] of [
        ['ADMIN_MODE', 0],
        ['REPLICATION_DDL_ENABLE', 0],
        ['REPLICATION_ALLOW_DUPLICATE_HOSTS', 0],
        ['REPLICATION_INSERT_REPLACE', 0],
        ['REPLICATION_UPDATE_REPLACE', 0],
      ] as const) {
        await this.tryRun(i, `ALTER SYSTEM SET ${property} = ${value}`);
      }
    }
  }

  async dispose(): Promise<void> {
    for (const connection of [...this.sysConnections.values(), ...this.extraConnections]) {
      await connection.close().catch(() => undefined);
    }
    this.sysConnections.clear();
    this.extraConnections.length = 0;
  }
}

export async function expectError(
  promise: Promise<unknown>,
  code: number,
  options: { state?: string; message?: string | RegExp } = {},
): Promise<DriverError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (error) {
    outcome = error;
  }
  assert.ok(outcome instanceof DriverError, `expected ERR-${code.toString(16).toUpperCase()}, got ${outcome === undefined ? 'success' : String(outcome)}`);
  const primary = outcome.primary;
  assert.equal(
    `0x${primary.code.toString(16)}`,
    `0x${code.toString(16)}`,
    `expected native 0x${code.toString(16)}, got 0x${primary.code.toString(16)} (${primary.state}) ${primary.message}`,
  );
  if (options.state !== undefined) assert.equal(primary.state, options.state);
  if (options.message instanceof RegExp) assert.match(primary.message, options.message);
  else if (options.message !== undefined) assert.equal(primary.message, options.message);
  return outcome;
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function elapsedSince(start: number): number {
  return Date.now() - start;
}
