/**
 * What a database failure means to aku: which errors are worth another attempt, which ones mean the
 * connection is gone, and the `DbError` every caller above the session layer sees.
 *
 * The classification is a table, read top to bottom; the first rule that matches any diagnostic
 * record of the failure decides. Specific "never retry" codes come first so that they win over the
 * broad SQLSTATE rules below them (the query timeout and a lock timeout share SQLSTATE HYT00; a
 * refused login may arrive with an 08xxx state). Anything no rule names is permanent: retrying an
 * error we do not understand only delays the report of it.
 */
import type { Diagnostic } from './driver.js';

/** Native Altibase error codes aku refers to by name (the number after `ERR-`). */
export const AltibaseCode = {
  QUERY_TIMEOUT: 0x01044,
  SYNTAX_ERROR: 0x31001,
  /** `Duplicate object name.` (CREATE TABLE of a table that exists). */
  DUPLICATE_OBJECT: 0x31004,
  /** `Table not found.` */
  TABLE_NOT_FOUND: 0x31031,
  NO_PRIVILEGE: 0x31084,
  REPLICATION_DDL_DISABLED: 0x312c4,
  NO_SUCH_USER: 0x4102d,
  WRONG_PASSWORD: 0x4102e,
  ANOTHER_SYSDBA_SESSION: 0x41041,
  INVALID_ACCESS_PRIVILEGES: 0x41043,
  ADMIN_MODE_REFUSED: 0x4106e,
  REMOTE_SYSDBA_NOT_ALLOWED: 0x410c9,
  CLIENT_CANNOT_CONNECT: 0x50032,
  INVALID_ATTRIBUTE_VALUE: 0x51015,
  CONNECTION_DOES_NOT_EXIST: 0x51036,
  COMMUNICATION_LINK_FAILURE: 0x51043,
  CONNECTION_TIMEOUT: 0x5104d,
  PORT_NOT_SET: 0x51067,
  CLIENT_ANOTHER_SYSDBA_SESSION: 0x5108a,
  SENDER_ALREADY_STARTED: 0x6100a,
  HANDSHAKE_FAILED: 0x6100d,
  SENDER_CANNOT_CONNECT_PEER: 0x61012,
  REPLICATION_DENIED: 0x61025,
  REPLICATION_NOT_STARTED: 0x61027,
  /** `Timeout exceed.`: FLUSH … WAIT n ran out. */
  FLUSH_WAIT_EXPIRED: 0x61075,
  REPLICATION_ALREADY_STARTED: 0x610fe,
  DUPLICATE_REPLICATION: 0x61100,
  MAX_REPLICATION_COUNT: 0x61102,
  REPLICATION_HOSTS_EXIST: 0x6110c,
  NO_SUCH_REPLICATION: 0x6111b,
} as const;

const C = AltibaseCode;

/** `0x6100D` → `ERR-6100D`, the form iSQL and Altibase's manuals print. */
export function altibaseCode(code: number): string {
  return `ERR-${code.toString(16).toUpperCase().padStart(5, '0')}`;
}

/**
 * One diagnostic in one line: `ERR-6100D : [Sender] Failed to handshake …` for Altibase errors; a
 * record without a native code (unixODBC's own errors) is named by its SQLSTATE instead.
 */
export function describeDiagnostic(d: Diagnostic): string {
  return d.code > 0 ? `${altibaseCode(d.code)} : ${d.message}` : `[${d.state}] ${d.message}`;
}

export type Verdict =
  /** Will not get better by trying again. */
  | 'permanent'
  /** May succeed on another attempt on the same connection. */
  | 'transient'
  /** May succeed on another attempt, but this connection is gone: open a new one first. */
  | 'transient-reconnect';

export interface ErrorRule {
  /** What the rule matches, in words (the table doubles as documentation; docs/database-layer.md prints it). */
  matches: string;
  verdict: Verdict;
  why: string;
  test: (d: Diagnostic) => boolean;
}

const codeIn =
  (...codes: number[]) =>
  (d: Diagnostic) =>
    codes.includes(d.code);
const stateIs =
  (...states: string[]) =>
  (d: Diagnostic) =>
    states.includes(d.state.toUpperCase());
/** unixODBC reports a driver library it cannot load as a bare 01000 ("general warning") record. */
const cannotOpenLib = (d: Diagnostic) => d.state === '01000' && /can't open lib/i.test(d.message);

interface RuleSpec {
  /** SQLSTATEs that match exactly. */
  states?: string[];
  /** Native codes that match. */
  codes?: number[];
  /** Anything else that matches, with its description for the table. */
  also?: { words: string; test: (d: Diagnostic) => boolean };
  verdict: Verdict;
  why: string;
}

/** One rule from one list of states and codes, so what it matches and what it says it matches cannot drift apart. */
function rule(spec: RuleSpec): ErrorRule {
  const states = spec.states ?? [];
  const codes = spec.codes ?? [];
  const matches = [
    states.length > 0 ? `SQLSTATE ${states.join(', ')}` : '',
    spec.also?.words ?? '',
    codes.map(altibaseCode).join(', '),
  ].filter(Boolean).join(', ');
  return {
    matches,
    verdict: spec.verdict,
    why: spec.why,
    test: (d) => stateIs(...states)(d) || codeIn(...codes)(d) || (spec.also?.test(d) ?? false),
  };
}

export const ERROR_RULES: readonly ErrorRule[] = [
  // ---- never retried (first, so they win over the broad SQLSTATE rules further down) ----
  rule({
    codes: [C.QUERY_TIMEOUT],
    verdict: 'permanent',
    why: 'the query timeout: the statement used its whole time limit; another attempt would double the wait',
  }),
  rule({
    states: ['42000'],
    codes: [C.SYNTAX_ERROR],
    verdict: 'permanent',
    why: 'syntax error: the same text fails the same way',
  }),
  rule({
    states: ['28000'],
    codes: [C.NO_PRIVILEGE, C.NO_SUCH_USER, C.WRONG_PASSWORD, C.INVALID_ACCESS_PRIVILEGES, C.ADMIN_MODE_REFUSED, C.REMOTE_SYSDBA_NOT_ALLOWED],
    verdict: 'permanent',
    why: 'user, password or privilege refused (SYS only, SYSDBA rules, REMOTE_SYSDBA_ENABLE): a configuration problem',
  }),
  rule({
    codes: [
      C.SENDER_ALREADY_STARTED,
      C.REPLICATION_NOT_STARTED,
      C.REPLICATION_ALREADY_STARTED,
      C.DUPLICATE_REPLICATION,
      C.MAX_REPLICATION_COUNT,
      C.REPLICATION_HOSTS_EXIST,
      C.NO_SUCH_REPLICATION,
      C.REPLICATION_DDL_DISABLED,
    ],
    verdict: 'permanent',
    why: 'precondition: the object is not in the state the statement needs; the caller decides (e.g. START answering ERR-6100A)',
  }),
  rule({
    states: ['IM002', 'IM003'],
    also: { words: '01000 "Can\'t open lib"', test: cannotOpenLib },
    codes: [C.INVALID_ATTRIBUTE_VALUE, C.PORT_NOT_SET],
    verdict: 'permanent',
    why: 'driver or connection string problem (the driver manager cannot find or load the driver, a keyword is rejected)',
  }),
  // ---- retried ----
  rule({
    codes: [C.ANOTHER_SYSDBA_SESSION, C.CLIENT_ANOTHER_SYSDBA_SESSION],
    verdict: 'transient',
    why: 'another SYSDBA session lingers on the server (an abandoned one of ours, a finishing aku, an operator): it ends',
  }),
  rule({
    states: ['HYT01'],
    also: { words: 'SQLSTATE 08xxx', test: (d) => d.state.toUpperCase().startsWith('08') },
    codes: [C.CLIENT_CANNOT_CONNECT, C.COMMUNICATION_LINK_FAILURE, C.CONNECTION_DOES_NOT_EXIST, C.CONNECTION_TIMEOUT],
    verdict: 'transient-reconnect',
    why: 'connection failure or lost session: the server may be restarting or not yet in DNS; reconnect, then retry',
  }),
  rule({
    states: ['HYT00'],
    verdict: 'transient',
    why: 'lock timeout (any HYT00 other than the query timeout above): another transaction held a lock; it is released',
  }),
  rule({
    codes: [C.REPLICATION_DENIED, C.HANDSHAKE_FAILED, C.SENDER_CANNOT_CONNECT_PEER],
    verdict: 'transient',
    why: 'the peer refused or did not answer replication: it may still be starting',
  }),
];

export interface Classification {
  verdict: Verdict;
  /** The rule that decided, undefined when none matched (→ permanent). */
  rule?: ErrorRule;
}

export function classify(diagnostics: readonly Diagnostic[]): Classification {
  for (const rule of ERROR_RULES) {
    if (diagnostics.some(rule.test)) return { verdict: rule.verdict, rule };
  }
  return { verdict: 'permanent' };
}

export function isRetryable(verdict: Verdict): boolean {
  return verdict !== 'permanent';
}

/** What to do about an error, for the handful of errors whose fix is outside aku. */
const HINTS: ReadonlyArray<{ test: (d: Diagnostic) => boolean; hint: string }> = [
  {
    test: cannotOpenLib,
    hint: 'the ODBC driver could not be loaded: set AKU_ODBC_DRIVER to the odbcinst.ini section name or the library path of the Altibase ODBC driver (libaltibase_odbc-64bit-ul64.so), and make sure $ALTIBASE_HOME/lib is on LD_LIBRARY_PATH',
  },
  {
    test: stateIs('IM002'),
    hint: 'unixODBC found no such driver or data source: check AKU_ODBC_DRIVER and odbcinst.ini (odbcinst -q -d lists the registered drivers)',
  },
  {
    test: codeIn(C.ANOTHER_SYSDBA_SESSION, C.CLIENT_ANOTHER_SYSDBA_SESSION),
    hint: 'Altibase admits one SYSDBA session per server: close any open `isql -sysdba` session on that server',
  },
  {
    test: codeIn(C.REMOTE_SYSDBA_NOT_ALLOWED),
    hint: 'start the server with REMOTE_SYSDBA_ENABLE = 1 (aku connects over TCP as SYSDBA)',
  },
  {
    test: (d) => d.state === '28000' || codeIn(C.NO_SUCH_USER, C.WRONG_PASSWORD)(d),
    hint: 'check AKU_SYS_PASSWORD (aku logs in as SYS with SYSDBA privilege)',
  },
];

export function hintFor(diagnostics: readonly Diagnostic[]): string | undefined {
  return HINTS.find((h) => diagnostics.some(h.test))?.hint;
}

/** Replace every secret in `text` by `***`. Longest first, so a secret that contains another is masked whole. */
export function redact(text: string, secrets: readonly string[]): string {
  const present = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of present) out = out.split(secret).join('***');
  return out;
}

/**
 * The password as it may appear in a message: itself, and escaped the ways a connection string
 * escapes it (a driver that echoes a connection-string pair echoes the escaped form).
 */
export function passwordForms(password: string): string[] {
  if (password.length === 0) return [];
  return [password, `{${password.replaceAll('}', '}}')}}`, password.replaceAll('}', '}}'), `"${password}"`];
}

export type DbPhase = 'connect' | 'statement';

export interface DbErrorDetails {
  /** `host:port` */
  server: string;
  /** The statement, when the failure belongs to one (also for a connect made on its behalf). */
  sql?: string;
  phase: DbPhase;
  diagnostics: Diagnostic[];
  verdict: Verdict;
  attempts: number;
  /** The session gave up because its own clock ran out, not because the driver said so. */
  timedOutByAku?: boolean;
  cause?: unknown;
}

/**
 * A failed database operation, with everything needed to report it: where (server), what (statement),
 * the driver's diagnostics, whether it was worth retrying and how many attempts were made.
 * Messages never contain the password: the session redacts diagnostics before building one.
 */
export class DbError extends Error {
  readonly server: string;
  readonly sql: string | undefined;
  readonly phase: DbPhase;
  readonly diagnostics: Diagnostic[];
  readonly verdict: Verdict;
  readonly attempts: number;
  readonly timedOutByAku: boolean;
  readonly hint: string | undefined;

  constructor(details: DbErrorDetails) {
    const diagnostics = details.diagnostics.length > 0 ? details.diagnostics : [{ state: 'HY000', code: 0, message: 'unknown error' }];
    const hint = hintFor(diagnostics);
    super(renderMessage({ ...details, diagnostics }, hint), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DbError';
    this.server = details.server;
    this.sql = details.sql;
    this.phase = details.phase;
    this.diagnostics = diagnostics;
    this.verdict = details.verdict;
    this.attempts = details.attempts;
    this.timedOutByAku = details.timedOutByAku ?? false;
    this.hint = hint;
  }

  get primary(): Diagnostic {
    return this.diagnostics[0]!;
  }
  /** The native error of the first record (the Altibase error code). */
  get code(): number {
    return this.primary.code;
  }
  get state(): string {
    return this.primary.state;
  }
  get transient(): boolean {
    return isRetryable(this.verdict);
  }
  /** `ERR-6100D` for Altibase errors. */
  get altibaseCode(): string {
    return altibaseCode(this.code);
  }
  /** True when any diagnostic record carries one of these native codes (`err.isCode(AltibaseCode.SENDER_ALREADY_STARTED)`). */
  isCode(...codes: number[]): boolean {
    return this.diagnostics.some((d) => codes.includes(d.code));
  }
  isState(...states: string[]): boolean {
    return this.diagnostics.some((d) => states.includes(d.state));
  }

  /** The multi-line block the original aku printed under a failure: one entry per diagnostic record. */
  describeDiagnostics(): string {
    return this.diagnostics
      .map((d, i) =>
        [
          `  Diagnostic Record ${i + 1}`,
          `    SQLSTATE     : ${d.state}`,
          `    Message text : ${d.message}`,
          `    Native error : 0x${d.code.toString(16).toUpperCase().padStart(5, '0')}`,
        ].join('\n'),
      )
      .join('\n');
  }
}

function renderMessage(details: DbErrorDetails, hint: string | undefined): string {
  const parts = [describeDiagnostic(details.diagnostics[0]!)];
  if (details.phase === 'connect') parts.push(details.sql === undefined ? '[connecting]' : `[connecting for SQL: ${details.sql}]`);
  else if (details.sql !== undefined) parts.push(`[SQL: ${details.sql}]`);
  parts.push(`[server: ${details.server}]`);
  if (details.attempts > 1) parts.push(`[attempts: ${details.attempts}]`);
  let message = parts.join(' ');
  if (hint) message += ` — ${hint}`;
  return message;
}
