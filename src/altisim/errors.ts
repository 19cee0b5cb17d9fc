/**
 * Every error altisim can raise, in one catalogue: native code, SQLSTATE and text.
 *
 * Texts use Altibase's own placeholder syntax (`<0%s>`, `<1%d>` …) exactly as the server's
 * message files do, so a catalogue entry can be compared with the reference by eye; `format`
 * substitutes the arguments. Server errors reach ODBC as SQLSTATE HY000 unless the reference
 * (altibase-odbc.md §6) maps them otherwise.
 *
 * Entries marked "altisim choice" are not in the reference; their codes/texts are what we
 * believe Altibase uses, or clearly simulator-specific. docs/altisim.md lists them.
 */

export interface ErrorSpec {
  readonly code: number;
  readonly state: string;
  readonly text: string;
}

export const ERROR_CATALOGUE = {
  // --- RP (replication), altibase-replication.md §11 -------------------------------------
  RP_ALREADY_STARTED: { code: 0x6100a, state: 'HY000', text: 'The sender has already been started.' },
  RP_SENDER_HANDSHAKE: {
    code: 0x6100d,
    state: 'HY000',
    text: '[Sender] Failed to handshake with the peer server (<0%s>)',
  },
  RP_REPLICATION_DISABLED: { code: 0x61023, state: 'HY000', text: 'Replication is disabled' },
  RP_NOT_STARTED: { code: 0x61027, state: 'HY000', text: 'Replication did not start.' },
  RP_TIMEOUT_EXCEED: { code: 0x61075, state: 'HY000', text: 'Timeout exceed.' },
  RP_NOT_DROP_ONE_TABLE: { code: 0x6106f, state: 'HY000', text: 'You cannot drop only one replicated table.' },
  RP_NOT_EXIST_REPL_ITEM: { code: 0x610c4, state: 'HY000', text: 'Replication items not found.' },
  RP_ALREADY_STARTED_DDL: { code: 0x610fe, state: 'HY000', text: 'Replication has already started.' },
  RP_DUPLICATE_REPLICATION: {
    code: 0x61100,
    state: 'HY000',
    text: 'Duplicate replication names. The replication name already exists in the database.',
  },
  RP_MAX_REPLICATION_COUNT: {
    code: 0x61102,
    state: 'HY000',
    text: 'No more replications may be created. A database cannot have more than the maximum number of replications.',
  },
  RP_INVALID_HOST_IP_PORT: {
    code: 0x6110b,
    state: 'HY000',
    text: 'The host IP address or port number is invalid.',
  },
  RP_ALREADY_EXIST_REPL_HOST: { code: 0x6110c, state: 'HY000', text: 'Replication hosts already exist.' },
  RP_NOT_EXISTS_USER: { code: 0x6110f, state: 'HY000', text: 'User not found : <0%s>' },
  RP_NOT_EXISTS_TABLE: { code: 0x61111, state: 'HY000', text: 'Table not found : <0%s>' },
  RP_NOT_EXISTS_PRIMARY_KEY: {
    code: 0x61113,
    state: 'HY000',
    text: 'A replicated table must have a primary key. (<0%s>.<1%s>)',
  },
  RP_NOT_EXIST_REPLICATION: {
    code: 0x6111b,
    state: 'HY000',
    text: 'Undefined replication name. The replication name was not found in the database.',
  },
  RP_REPLICATION_NOT_FOUND: { code: 0x61126, state: 'HY000', text: 'Replication not found' },
  RP_NOT_EXISTS_PARTITION: { code: 0x6114f, state: 'HY000', text: 'Partition not found : <0%s>' },
  RP_SYNC_FAILED: { code: 0x61153, state: 'HY000', text: 'Replication synchronization failed.' },

  // --- QP (query processor) ------------------------------------------------------------
  QP_SYNTAX: { code: 0x31001, state: '42000', text: 'SQL syntax error\n\nline <0%d>: parse error <1%s>' },
  QP_NO_GRANT: {
    code: 0x31084,
    state: 'HY000',
    text: 'The user has no permission to execute the SQL statement.',
  },
  QP_DDL_WITH_REPLICATED_TABLE: {
    code: 0x31020,
    state: 'HY000',
    text: 'You cannot execute DDL on a replicated table.',
  },
  QP_REPLICATION_DDL_DISABLED: {
    code: 0x312c4,
    state: 'HY000',
    text: 'Cannot execute this DDL on a replicated table when the system property REPLICATION_DDL_ENABLE is 0.',
  },
  QP_CANNOT_WRITE_REPL_INFO: {
    code: 0x312c6,
    state: 'HY000',
    text: 'Cannot execute this DDL on a replicated table when the session property REPLICATION is NONE.',
  },
  // altisim choice: object-level QP errors the reference does not list.
  QP_TABLE_NOT_FOUND: { code: 0x31031, state: '42S02', text: 'Table or view was not found' },
  QP_COLUMN_NOT_FOUND: { code: 0x31003, state: '42S22', text: 'Column not found : <0%s>' },
  QP_DUPLICATE_OBJECT: { code: 0x31004, state: '42S01', text: 'Duplicate object name : <0%s>' },
  QP_USER_NOT_FOUND: { code: 0x3102b, state: 'HY000', text: 'User not found' },
  QP_PARTITION_NOT_FOUND: { code: 0x3130a, state: 'HY000', text: 'Partition not found : <0%s>' },
  QP_VALUE_COUNT_MISMATCH: { code: 0x3101a, state: '21S01', text: 'Mismatched number of values' },
  QP_INVALID_LITERAL: { code: 0x21011, state: '22018', text: 'Invalid literal : <0%s>' },
  QP_NOT_NULL_VIOLATION: {
    code: 0x3101c,
    state: '23000',
    text: 'Unable to insert (or update) NULL into NOT NULL column.',
  },
  QP_NO_PARTITION_FOR_VALUE: {
    code: 0x3130b,
    state: 'HY000',
    text: 'No partition exists for the partition key value.',
  },
  QP_USER_HAS_OBJECTS: { code: 0x3106b, state: 'HY000', text: 'Cannot drop the user: the user owns objects (use CASCADE).' },
  QP_NAME_TOO_LONG: { code: 0x31008, state: '42000', text: 'Object name is too long : <0%s>' },

  // --- SM (storage) --------------------------------------------------------------------
  SM_UNIQUE_VIOLATION: {
    code: 0x11058,
    state: '23000',
    text: 'The row already exists in a unique index.',
  },

  // --- ID (properties, timeouts) -----------------------------------------------------------
  ID_QUERY_TIMEOUT: {
    code: 0x01044,
    state: 'HYT00',
    text: "Client's query exceeded the execution time limit.",
  },
  // altisim choice: property errors.
  ID_PROPERTY_NOT_FOUND: { code: 0x01019, state: 'HY000', text: 'Property [<0%s>] was not found.' },
  ID_PROPERTY_READ_ONLY: { code: 0x0101a, state: 'HY000', text: 'Property [<0%s>] is read-only.' },
  ID_PROPERTY_OUT_OF_RANGE: {
    code: 0x0101b,
    state: 'HY000',
    text: 'The value [<1%s>] is out of range for property [<0%s>].',
  },

  // --- MM (sessions and logins), altibase-odbc.md §4 ------------------------------------
  MM_ADMIN_ALREADY_RUNNING: { code: 0x41041, state: '08001', text: 'Another SYSDBA session is already running.' },
  MM_ACCESS_MODE: { code: 0x41043, state: '28000', text: 'Invalid access privileges' },
  MM_ADMIN_MODE: {
    code: 0x4106e,
    state: 'HY000',
    text:
      'If ADMIN_MODE is activated, only the users SYS and SYSTEM_ can connect to the database with SYSDBA privileges. ' +
      'Verify that you have SYSDBA privileges.',
  },
  MM_REMOTE_SYSDBA_NOT_ALLOWED: { code: 0x410c9, state: 'HY000', text: 'Remote access as SYSDBA not allowed' },
  MM_NO_USER: { code: 0x4102d, state: '28000', text: 'Invalid user' },
  MM_INVALID_PASSWORD: { code: 0x4102e, state: '28000', text: 'Invalid password' },

  // --- altisim's own (no Altibase counterpart) ----------------------------------------------
  SIM_UNSUPPORTED: { code: 0x31fff, state: 'HYC00', text: 'Not supported by altisim: <0%s>' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorKey = keyof typeof ERROR_CATALOGUE;

/** Fill Altibase placeholders (`<0%s>`, `<1%d>`, `<2%u>`) with the arguments, by index. */
export function formatAltibaseText(template: string, args: readonly (string | number)[]): string {
  return template.replace(/<(\d+)%[a-z]+>/g, (_whole, index: string) => String(args[Number(index)] ?? ''));
}

/** An error as the server reports it: what a client turns into an ODBC diagnostic record. */
export class AltibaseError extends Error {
  readonly code: number;
  readonly state: string;

  constructor(code: number, state: string, message: string) {
    super(message);
    this.name = 'AltibaseError';
    this.code = code;
    this.state = state;
  }

  /** `ERR-6100D`, the way iSQL and the manuals name an error. */
  get errName(): string {
    return `ERR-${this.code.toString(16).toUpperCase().padStart(5, '0')}`;
  }

  toDiagnostic(): { state: string; code: number; message: string } {
    return { state: this.state, code: this.code, message: this.message };
  }
}

export function simError(key: ErrorKey, ...args: (string | number)[]): AltibaseError {
  const spec: ErrorSpec = ERROR_CATALOGUE[key];
  return new AltibaseError(spec.code, spec.state, formatAltibaseText(spec.text, args));
}

/** True when `error` is the catalogue error `key` (same native code). */
export function isSimError(error: unknown, key: ErrorKey): error is AltibaseError {
  return error instanceof AltibaseError && error.code === ERROR_CATALOGUE[key].code;
}

/** Reasons carried inside ERR-6100D (altibase-replication.md §0.2). */
export const HANDSHAKE_REASONS = {
  unreachable: 'Handshake Process Error',
  noPeerObject: 'Network error during receiving metadata ACK',
  noLocalItems: 'Replication Item does not exist',
  selfReplication: (address: string, port: number) =>
    `The self replication case has been detected. (Peer=${address}:${port})`,
} as const;
