/**
 * The seam between aku and a database server. A driver opens raw connections; everything above
 * it (retries, serialisation, error context, logging) lives in `Session` and is driver-neutral,
 * so the lifecycle runs unchanged against real Altibase (odbc) and the simulator (altisim).
 */

/** One result row. Column names are upper case, as Altibase reports them. */
export type Row = Record<string, string | number | null>;

export interface ConnectOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Ask for a SYSDBA session (`PRIVILEGE=SYSDBA`): the only kind ADMIN_MODE=1 admits. */
  sysdba: boolean;
  /** Bound on establishing the connection, seconds. */
  connectTimeoutSec: number;
  /** Default statement time limit for the session (server property QUERY_TIMEOUT), seconds. */
  queryTimeoutSec: number;
  /** Client character set (ALTIBASE_NLS_USE); undefined lets the driver choose. */
  nlsUse?: string;
}

/** A diagnostic record as ODBC's SQLGetDiagRec gives it (and as node-odbc's `odbcErrors[n]` carries it). */
export interface Diagnostic {
  /** SQLSTATE, five characters. */
  state: string;
  /** Native error: the Altibase error code (ERR-6100D → 0x6100D). */
  code: number;
  message: string;
}

/** What a driver throws: the diagnostics, nothing else. `Session` adds the server and the statement. */
export class DriverError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[], message?: string) {
    super(message ?? diagnostics[0]?.message ?? 'driver error');
    this.name = 'DriverError';
    this.diagnostics = diagnostics;
  }

  get primary(): Diagnostic {
    return this.diagnostics[0] ?? { state: 'HY000', code: 0, message: this.message };
  }
}

export interface Connection {
  /** Run one statement; resolves with its rows (empty for DDL/ALTER). Rejects with DriverError. */
  query(sql: string, timeoutSec: number): Promise<Row[]>;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: string;
  /** Rejects with DriverError when the server cannot be reached or refuses the login. */
  connect(options: ConnectOptions): Promise<Connection>;
  /**
   * The addresses a host name resolves to, as this driver will dial it. Absent: the system
   * resolver. A driver that resolves names its own way (the simulator's hosts file) says so here,
   * so that aku's own-address check waits for the name the driver will use.
   */
  resolve?(host: string): Promise<string[]>;
}
