/**
 * The production driver: Altibase through unixODBC, via the `odbc` npm package (node-odbc 2.x).
 *
 * `odbc` is an optional native addon. It is imported the first time a connection is made, never at
 * start-up, so a machine without unixODBC still installs aku and runs `aku -i`; using this driver
 * there fails with an error that says what to install.
 */
import { DriverError, type Connection, type ConnectOptions, type Diagnostic, type Driver, type Row } from '../driver.js';
import { passwordForms, redact } from '../errors.js';
import { connectionStringFor, altibaseTimeouts, odbcStringSettingsFromEnv, type OdbcStringSettings } from './odbc-connection-string.js';

// The slice of node-odbc's API this driver uses, typed here so that type-checking does not depend
// on the optional package being installed.
interface OdbcError {
  state: string;
  code: number;
  message: string;
}
interface OdbcResult extends Array<Record<string, unknown>> {
  columns?: Array<{ name: string }>;
}
interface OdbcConnection {
  query(sql: string, parameters: Array<number | string>, options: { timeout?: number }): Promise<OdbcResult>;
  cancel(): Promise<void>;
  close(): Promise<void>;
}
export interface OdbcModule {
  connect(options: { connectionString: string; connectionTimeout?: number; loginTimeout?: number }): Promise<OdbcConnection>;
}

export const ODBC_UNAVAILABLE_ADVICE =
  'the odbc driver needs unixODBC and the odbc package: apt-get install unixodbc unixodbc-dev && npm install odbc ' +
  '(or set AKU_DRIVER=altisim to use the simulator)';

export class OdbcUnavailableError extends Error {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`${ODBC_UNAVAILABLE_ADVICE}; loading it failed: ${reason}`, { cause });
    this.name = 'OdbcUnavailableError';
  }
}

async function importOdbc(): Promise<OdbcModule> {
  // A variable specifier keeps TypeScript from resolving the optional package at compile time.
  const specifier = 'odbc';
  const loaded = (await import(specifier)) as { default?: OdbcModule } & Partial<OdbcModule>;
  const module = loaded.default ?? (loaded as OdbcModule);
  if (typeof module.connect !== 'function') throw new Error("the 'odbc' module has no connect()");
  return module;
}

export interface OdbcDriverOptions {
  /** Where the connection string's parts come from; default the environment (AKU_ODBC_DRIVER, AKU_ODBC_QUOTING, AKU_ODBC_CONNECTION_STRING). */
  strings?: OdbcStringSettings | (() => OdbcStringSettings);
  /** Replaces the import of the `odbc` package (tests). */
  loadModule?: () => Promise<OdbcModule>;
}

export function createOdbcDriver(options: OdbcDriverOptions = {}): Driver {
  let module: Promise<OdbcModule> | undefined;
  const load = () => {
    module ??= (options.loadModule ?? importOdbc)().catch((error: unknown) => {
      throw error instanceof OdbcUnavailableError ? error : new OdbcUnavailableError(error);
    });
    return module;
  };
  const settings = (): OdbcStringSettings => {
    const s = options.strings;
    if (s === undefined) return odbcStringSettingsFromEnv();
    return typeof s === 'function' ? s() : s;
  };

  return {
    name: 'odbc',
    async connect(connect: ConnectOptions): Promise<Connection> {
      const odbc = await load();
      const connectionString = connectionStringFor(connect, settings());
      const timeouts = altibaseTimeouts(connect);
      const secrets = passwordForms(connect.password);
      try {
        const raw = await odbc.connect({
          connectionString,
          loginTimeout: timeouts.loginTimeoutSec,
          ...(timeouts.connectionTimeoutSec > 0 ? { connectionTimeout: timeouts.connectionTimeoutSec } : {}),
        });
        return new OdbcSession(raw, secrets);
      } catch (error) {
        throw toDriverError(error, secrets);
      }
    },
  };
}

/** The default instance, configured from the environment at each connect. */
export const odbcDriver: Driver = createOdbcDriver();

class OdbcSession implements Connection {
  readonly #raw: OdbcConnection;
  readonly #secrets: string[];

  constructor(raw: OdbcConnection, secrets: string[]) {
    this.#raw = raw;
    this.#secrets = secrets;
  }

  async query(sql: string, timeoutSec: number): Promise<Row[]> {
    // node-odbc takes whole seconds ≥ 1 (SQL_ATTR_QUERY_TIMEOUT); 0 means "no limit", i.e. leave the
    // session's QUERY_TIMEOUT from the connection string in force.
    const timeout = timeoutSec > 0 ? Math.max(1, Math.ceil(timeoutSec)) : undefined;
    try {
      // Never parameters: aku's SQL is built from validated identifiers, and node-odbc silently
      // mangles BigInt parameters.
      const result = await this.#raw.query(sql, [], timeout === undefined ? {} : { timeout });
      return result.map(normaliseRow);
    } catch (error) {
      throw toDriverError(error, this.#secrets);
    }
  }

  /** SQLCancel on the running statement; the session uses it when its own clock runs out. */
  async cancel(): Promise<void> {
    try {
      await this.#raw.cancel();
    } catch (error) {
      throw toDriverError(error, this.#secrets);
    }
  }

  async close(): Promise<void> {
    try {
      await this.#raw.close();
    } catch (error) {
      throw toDriverError(error, this.#secrets);
    }
  }
}

/** Upper-case column names (Altibase reports them so; other drivers may not) and values aku can compare. */
export function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) out[name.toUpperCase()] = normaliseValue(value);
  return out;
}

export function normaliseValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  // BIGINT (an XSN, say) arrives as a BigInt: a number when exact, else its decimal text.
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

const CONNECTION_CLOSED = /connection has already been closed|no longer valid/i;

/** node-odbc's error (a generic message plus `odbcErrors`) → DriverError, with every secret masked. */
export function toDriverError(error: unknown, secrets: readonly string[]): DriverError {
  if (error instanceof DriverError) return error;
  const mask = (text: string) => redact(text, secrets);
  const records = (error as { odbcErrors?: unknown })?.odbcErrors;
  const generic = mask(error instanceof Error ? error.message : String(error));
  if (Array.isArray(records) && records.length > 0) {
    const diagnostics: Diagnostic[] = records.map((r: Partial<OdbcError>) => ({
      state: typeof r.state === 'string' && r.state.length > 0 ? r.state : 'HY000',
      code: typeof r.code === 'number' ? r.code : 0,
      message: mask(typeof r.message === 'string' ? r.message : generic),
    }));
    return new DriverError(diagnostics, `${generic}: ${diagnostics[0]!.message}`);
  }
  // Errors node-odbc raises itself, without a diagnostic record.
  if (CONNECTION_CLOSED.test(generic)) return new DriverError([{ state: '08003', code: 0, message: generic }]);
  return new DriverError([{ state: 'HY000', code: 0, message: generic }]);
}
