/**
 * DSN-less ODBC connection strings for the Altibase ODBC driver, and the quoting that keeps a value
 * containing `;` in one piece.
 *
 * Two parsers read the string. unixODBC's driver manager reads it first (it needs DRIVER, and reads
 * `{...}` with `}}` for a literal `}`), then hands the string unchanged to the driver, which parses
 * it again by its own rules. Two quoting styles are therefore offered:
 *   - `odbc` (default): the ODBC rule, `{p;w}}d}` for `p;w}d`;
 *   - `altibase`: `"p;w}d"`, the form the Altibase client's own parser recognises in its open-source
 *     7.1-era code (which does not know braces); a value that needs quoting and contains `"` cannot
 *     be written in this style.
 * Values are quoted only when they must be (a `;`, a leading quote character, surrounding spaces),
 * so ordinary values look the same in both styles.
 */
import type { ConnectOptions } from '../driver.js';

export type Quoting = 'odbc' | 'altibase';
export const QUOTINGS: readonly Quoting[] = ['odbc', 'altibase'];

export type ConnectionPair = readonly [keyword: string, value: string];

/** The odbcinst.ini section name the Altibase manual registers the 64-bit (SQLLEN 64) driver under. */
export const DEFAULT_ODBC_DRIVER = 'ALTIBASE_HDB_ODBC_64bit';

export class ConnectionStringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionStringError';
  }
}

const KEYWORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quote `value` when the connection-string parsers would otherwise split or alter it. */
export function quoteValue(value: string, quoting: Quoting, keyword = 'value'): string {
  const surroundingSpace = /^\s|\s$/.test(value);
  if (quoting === 'odbc') {
    const needsBraces = value.includes(';') || value.startsWith('{') || surroundingSpace;
    return needsBraces ? `{${value.replaceAll('}', '}}')}}` : value;
  }
  const needsQuotes = value.includes(';') || /^["([{]/.test(value) || surroundingSpace;
  if (!needsQuotes) return value;
  if (value.includes('"')) {
    // Never echo the value: it may be the password.
    throw new ConnectionStringError(
      `${keyword} contains both a character that needs quoting (';', a leading quote or bracket, or surrounding spaces) and '"', which the Altibase connection string cannot carry; change it, or set AKU_ODBC_QUOTING=odbc`,
    );
  }
  return `"${value}"`;
}

export function buildConnectionString(pairs: readonly ConnectionPair[], quoting: Quoting): string {
  return pairs
    .map(([keyword, value]) => {
      if (!KEYWORD.test(keyword)) throw new ConnectionStringError(`invalid connection-string keyword '${keyword}'`);
      // The driver manager, not the driver, reads DRIVER: it always takes ODBC braces.
      const q = keyword.toUpperCase() === 'DRIVER' ? 'odbc' : quoting;
      return `${keyword}=${quoteValue(value, q, keyword)}`;
    })
    .join(';');
}

/** Seconds as the driver wants them: whole, and at least `min`. */
function wholeSeconds(sec: number, min: number): number {
  return Math.max(min, Math.ceil(sec));
}

export interface AltibaseTimeouts {
  /** LOGIN_TIMEOUT: bound on the login. */
  loginTimeoutSec: number;
  /** QUERY_TIMEOUT: the session's statement limit (0 = none). */
  queryTimeoutSec: number;
  /**
   * CONNECTION_TIMEOUT: how long the client waits on the network for any answer. It must outlast the
   * longest statement, or a long FLUSH would end in "Connection timeout" instead of finishing; so it
   * is the query timeout plus the connect timeout as a network allowance, 0 (wait) when statements
   * are unbounded.
   */
  connectionTimeoutSec: number;
}

export function altibaseTimeouts(options: Pick<ConnectOptions, 'connectTimeoutSec' | 'queryTimeoutSec'>): AltibaseTimeouts {
  const loginTimeoutSec = wholeSeconds(options.connectTimeoutSec, 1);
  const queryTimeoutSec = wholeSeconds(options.queryTimeoutSec, 0);
  return {
    loginTimeoutSec,
    queryTimeoutSec,
    connectionTimeoutSec: queryTimeoutSec === 0 ? 0 : queryTimeoutSec + loginTimeoutSec,
  };
}

/**
 * The pairs of an Altibase DSN-less connection string. DRIVER comes first: unixODBC takes the first
 * of DRIVER and DSN and ignores the other, and `DSN=<host>` is there for the driver, not the driver
 * manager (Altibase drivers before BUG-50905 refuse a string without DSN; the driver uses the DSN as
 * the host when no Server is given, and we give both).
 */
export function altibasePairs(options: ConnectOptions, driver: string): ConnectionPair[] {
  const t = altibaseTimeouts(options);
  const pairs: ConnectionPair[] = [
    ['DRIVER', driver],
    ['DSN', options.host],
    ['Server', options.host],
    ['PORT', String(options.port)],
    ['UID', options.user],
    ['PWD', options.password],
  ];
  if (options.sysdba) pairs.push(['PRIVILEGE', 'SYSDBA']);
  if (options.nlsUse) pairs.push(['NLS_USE', options.nlsUse]);
  pairs.push(['LOGIN_TIMEOUT', String(t.loginTimeoutSec)]);
  pairs.push(['CONNECTION_TIMEOUT', String(t.connectionTimeoutSec)]);
  pairs.push(['QUERY_TIMEOUT', String(t.queryTimeoutSec)]);
  return pairs;
}

/** Placeholders a template (AKU_ODBC_CONNECTION_STRING) may use, each replaced by the quoted value. */
export const TEMPLATE_PLACEHOLDERS = [
  'DRIVER',
  'HOST',
  'PORT',
  'USER',
  'PASSWORD',
  'PRIVILEGE',
  'NLS_USE',
  'LOGIN_TIMEOUT',
  'CONNECTION_TIMEOUT',
  'QUERY_TIMEOUT',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export function templateValues(options: ConnectOptions, driver: string): Record<TemplatePlaceholder, string> {
  const t = altibaseTimeouts(options);
  return {
    DRIVER: driver,
    HOST: options.host,
    PORT: String(options.port),
    USER: options.user,
    PASSWORD: options.password,
    PRIVILEGE: options.sysdba ? 'SYSDBA' : '',
    NLS_USE: options.nlsUse ?? '',
    LOGIN_TIMEOUT: String(t.loginTimeoutSec),
    CONNECTION_TIMEOUT: String(t.connectionTimeoutSec),
    QUERY_TIMEOUT: String(t.queryTimeoutSec),
  };
}

/**
 * Fill `${NAME}` placeholders of a whole connection string written by the user (for drivers other
 * than Altibase's, or keywords aku does not set). Values are quoted as needed: write `PWD=${PASSWORD}`,
 * not `PWD={${PASSWORD}}`.
 */
export function expandTemplate(template: string, values: Record<string, string>, quoting: Quoting): string {
  return template.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new ConnectionStringError(
        `AKU_ODBC_CONNECTION_STRING uses an unknown placeholder \${${name}}; known: ${Object.keys(values)
          .map((k) => `\${${k}}`)
          .join(', ')}`,
      );
    }
    return quoteValue(value, name === 'DRIVER' ? 'odbc' : quoting, name);
  });
}

/** How the odbc driver builds its strings, from the environment. */
export interface OdbcStringSettings {
  /** odbcinst.ini section name or driver library path (AKU_ODBC_DRIVER). */
  driver: string;
  /** AKU_ODBC_QUOTING */
  quoting: Quoting;
  /** AKU_ODBC_CONNECTION_STRING: a whole template that replaces the built-in string. */
  template?: string;
}

export function odbcStringSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OdbcStringSettings {
  const driver = env.AKU_ODBC_DRIVER?.trim() || DEFAULT_ODBC_DRIVER;
  const quotingText = env.AKU_ODBC_QUOTING?.trim().toLowerCase() || 'odbc';
  if (!(QUOTINGS as readonly string[]).includes(quotingText)) {
    throw new ConnectionStringError(`AKU_ODBC_QUOTING must be one of ${QUOTINGS.join(', ')} (got '${env.AKU_ODBC_QUOTING}')`);
  }
  const template = env.AKU_ODBC_CONNECTION_STRING?.trim();
  return { driver, quoting: quotingText as Quoting, ...(template ? { template } : {}) };
}

/** The connection string for one connect. */
export function connectionStringFor(options: ConnectOptions, settings: OdbcStringSettings): string {
  if (settings.template !== undefined) return expandTemplate(settings.template, templateValues(options, settings.driver), settings.quoting);
  return buildConnectionString(altibasePairs(options, settings.driver), settings.quoting);
}
