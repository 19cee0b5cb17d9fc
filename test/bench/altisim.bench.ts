/**
 * altisim throughput, each figure against raw loopback TCP round trips measured in the same run:
 *   - altisim-insert, altisim-select: statements per second through one session of an altisim process,
 *   - altisim-replication-backlog: rows per second between two altisim processes (a sender shipping its backlog),
 *   - altisim-sync: SYNC rows per second between two altisim processes.
 * The ratios are what to compare across machines and runs.
 */
import { createServer, connect as netConnect, type Socket } from 'node:net';
import type { Connection } from '../../src/db/driver.js';
import { altisimDriver } from '../../src/db/drivers/altisim.js';
import { AltisimProcesses } from '../contract/process-target.js';
import { result as benchResult, type BenchResult } from './types.js';

const MEASURE_MS = 2500;
const BACKLOG_ROWS = 20000;
const ROWS_PER_INSERT = 100;

/** Sequential request/reply round trips over one loopback TCP connection, per second. */
async function rawRoundTripsPerSecond(): Promise<number> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const socket: Socket = await new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
  });
  socket.setNoDelay(true);
  const message = `${JSON.stringify({ id: 1, op: 'query', sql: 'SELECT 1 FROM DUAL', timeoutSec: 0 })}\n`;
  const roundTrip = (): Promise<void> =>
    new Promise((resolve) => {
      socket.once('data', () => resolve());
      socket.write(message);
    });
  const rate = await perSecond(roundTrip);
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return rate;
}

async function perSecond(operation: (n: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 200; i++) await operation(i); // warm up
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < MEASURE_MS) await operation(1000 + count++);
  return count / ((performance.now() - start) / 1000);
}

function connect(processes: AltisimProcesses, index: number): Promise<Connection> {
  const spec = processes.specs[index]!;
  return altisimDriver.connect({
    host: spec.address,
    port: spec.port,
    user: 'SYS',
    password: 'manager',
    sysdba: false,
    connectTimeoutSec: 10,
    queryTimeoutSec: 0,
  });
}

async function insertBacklog(connection: Connection, rows: number, offset = 0): Promise<void> {
  for (let first = 0; first < rows; first += ROWS_PER_INSERT) {
    const values = Array.from({ length: ROWS_PER_INSERT }, (_, i) => `(${offset + first + i}, 'row ${offset + first + i}')`);
    await connection.query(`INSERT INTO SYS.B VALUES ${values.join(', ')}`, 0);
  }
}

/** The row count of SYS.B once it reaches `rows`, or the last count after 30 s. */
async function waitForRows(connection: Connection, rows: number): Promise<number> {
  const deadline = performance.now() + 30000;
  for (;;) {
    const count = Number((await connection.query('SELECT COUNT(*) AS N FROM SYS.B', 0))[0]?.N);
    if (count === rows || performance.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function result(name: string, value: number, unit: string, raw: number): BenchResult {
  return benchResult(name, value, unit, { name: 'raw-loopback-round-trips', value: raw, unit: 'round trips/s' });
}

export async function run(): Promise<BenchResult[]> {
  const raw = await rawRoundTripsPerSecond();
  const processes = new AltisimProcesses(2, { ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 50 }) // test-only retry pace; Altibase's apply lag kept;
  try {
    await processes.startAll();
    const a = await connect(processes, 0);
    const b = await connect(processes, 1);
    for (const [connection, peer] of [[a, processes.hostName(1)], [b, processes.hostName(0)]] as const) {
      await connection.query('CREATE TABLE SYS.B (ID INTEGER PRIMARY KEY, V VARCHAR(20))', 0);
      await connection.query(`CREATE REPLICATION BENCH WITH '${peer}', ${processes.specs[0]!.replicationPort} FROM SYS.B TO SYS.B`, 0);
    }
    await a.query('CREATE TABLE SYS.S (ID INTEGER PRIMARY KEY, V VARCHAR(20))', 0);

    const inserts = await perSecond((n) => a.query(`INSERT INTO SYS.S VALUES (${n}, 'x')`, 0).then(() => undefined));
    const selects = await perSecond(() => a.query('SELECT COUNT(*) FROM SYS.S WHERE ID = 1', 0).then(() => undefined));

    // Replication: give the sender a backlog (started, stopped, rows written), then time START … FLUSH.
    await a.query('ALTER REPLICATION BENCH START', 0);
    await a.query('ALTER REPLICATION BENCH STOP', 0);
    await insertBacklog(a, BACKLOG_ROWS);
    let start = performance.now();
    await a.query('ALTER REPLICATION BENCH START', 0);
    await a.query('ALTER REPLICATION BENCH FLUSH ALL', 0);
    // FLUSH returns once the rows are sent (§4.6): time until the peer holds them all.
    const shipped = await waitForRows(b, BACKLOG_ROWS);
    const replicated = BACKLOG_ROWS / ((performance.now() - start) / 1000);
    if (shipped !== BACKLOG_ROWS) throw new Error(`replication bench: ${shipped} of ${BACKLOG_ROWS} rows arrived`);

    // SYNC: the same amount again, copied by SYNC into an emptied peer.
    await a.query('ALTER REPLICATION BENCH STOP', 0);
    await a.query('ALTER REPLICATION BENCH RESET', 0);
    await b.query('ALTER SYSTEM SET REPLICATION_DDL_ENABLE = 1', 0);
    await b.query('TRUNCATE TABLE SYS.B', 0);
    start = performance.now();
    await a.query('ALTER REPLICATION BENCH SYNC PARALLEL 2', 0);
    const synced = BACKLOG_ROWS / ((performance.now() - start) / 1000);

    await a.close();
    await b.close();
    return [
      result('altisim-insert', inserts, 'statements/s', raw),
      result('altisim-select', selects, 'statements/s', raw),
      result('altisim-replication-backlog', replicated, 'rows/s', raw),
      result('altisim-sync', synced, 'rows/s', raw),
    ];
  } finally {
    await processes.dispose();
  }
}
