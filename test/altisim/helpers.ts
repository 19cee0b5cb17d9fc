/** Shared fixture for altisim unit tests: an in-process cluster with SYSDBA connections per server. */
import assert from 'node:assert/strict';
import { DriverError, type Connection, type Row } from '../../src/db/driver.js';
import { createInProcessDriver, SimCluster, type ClusterServerSpec, type SimClusterOptions } from '../../src/altisim/index.js';

/**
 * The test-only pace these unit tests run at, set explicitly: a sender in RETRY tries again after
 * 20 ms (Altibase: REPLICATION_SENDER_SLEEP_TIMEOUT, 60 s) and a receiver applies an XLog as soon
 * as it arrives (altisim's faithful default waits ALTISIM_RECEIVER_APPLY_LAG_MSEC). Tests of the
 * faithful pace itself (pace.test.ts) pass `{ defaultProperties: {} }`-style overrides.
 */
export const TEST_PACE = { ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 20, ALTISIM_RECEIVER_APPLY_LAG_MSEC: 0 };

export interface Fixture {
  cluster: SimCluster;
  /** The one SYSDBA connection of each server (Altibase allows only one). */
  sys(name: string): Promise<Connection>;
  /** Run statements as SYSDBA on a server; returns the last result. */
  sql(name: string, ...statements: string[]): Promise<Row[]>;
  connectAs(name: string, user: string, password: string, sysdba?: boolean): Promise<Connection>;
  /** Drop the cached SYSDBA connection (the server restarted; the next call reconnects). */
  forget(name: string): void;
  close(): Promise<void>;
}

export function createFixture(servers: ClusterServerSpec[], options: SimClusterOptions = {}): Fixture {
  const cluster = new SimCluster({ ...options, defaultProperties: { ...TEST_PACE, ...(options.defaultProperties ?? {}) } });
  for (const spec of servers) cluster.addServer(spec);
  const driver = createInProcessDriver(cluster);
  const connections = new Map<string, Connection>();
  const connectAs = (name: string, user: string, password: string, sysdba = false): Promise<Connection> =>
    driver.connect({
      host: name,
      port: 20300,
      user,
      password,
      sysdba,
      connectTimeoutSec: 5,
      queryTimeoutSec: 0,
    });
  const sys = async (name: string): Promise<Connection> => {
    let connection = connections.get(name);
    if (!connection) {
      connection = await connectAs(name, 'SYS', 'manager', true);
      connections.set(name, connection);
    }
    return connection;
  };
  return {
    cluster,
    sys,
    connectAs,
    forget(name) {
      const connection = connections.get(name);
      connections.delete(name);
      void connection?.close().catch(() => undefined);
    },
    async sql(name, ...statements) {
      const connection = await sys(name);
      let rows: Row[] = [];
      for (const statement of statements) rows = await connection.query(statement, 0);
      return rows;
    },
    async close() {
      for (const connection of connections.values()) await connection.close().catch(() => undefined);
      connections.clear();
      cluster.close();
    },
  };
}

export async function expectDriverError(promise: Promise<unknown>, code: number, messagePart?: string | RegExp): Promise<DriverError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DriverError, `expected DriverError, got ${String(error)}`);
    assert.equal(
      error.primary.code.toString(16),
      code.toString(16),
      `expected native 0x${code.toString(16)}, got 0x${error.primary.code.toString(16)}: ${error.primary.message}`,
    );
    if (messagePart instanceof RegExp) assert.match(error.primary.message, messagePart);
    else if (messagePart !== undefined) assert.ok(error.primary.message.includes(messagePart), error.primary.message);
    return error;
  }
  assert.fail(`expected error 0x${code.toString(16)}`);
}

export async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const TABLE_DDL = 'CREATE TABLE SYS.T1 (ID INTEGER PRIMARY KEY, VAL VARCHAR(20))';
export const REPLICATION_DDL = (name: string, peer: string): string =>
  `CREATE REPLICATION ${name} WITH '${peer}', 20301 FROM SYS.T1 TO SYS.T1`;

export async function count(fixture: Fixture, server: string, table = 'SYS.T1'): Promise<number> {
  const rows = await fixture.sql(server, `SELECT COUNT(*) AS N FROM ${table}`);
  return Number(rows[0]?.N);
}
