/**
 * Server properties (altibase-replication.md §9): defaults, ranges, and whether ALTER SYSTEM may
 * change them. Start-time values come from the server's configuration (as altibase.properties
 * would give them); ALTER SYSTEM changes last until the next restart.
 *
 * Properties named ALTISIM_* are the simulator's own switches (see docs/altisim.md); they are
 * set the same way, so tests and `altisim serve --property` use one mechanism.
 */
import { simError } from '../errors.js';

export type PropertyScope = 'system' | 'readonly';

export interface PropertyDef {
  name: string;
  defaultValue: number | string;
  scope: PropertyScope;
  min?: number;
  max?: number;
  /** Also a session property (ALTER SESSION). */
  session?: boolean;
}

const UINT32_MAX = 2 ** 32 - 1;

const DEFINITIONS: PropertyDef[] = [
  { name: 'ADMIN_MODE', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REMOTE_SYSDBA_ENABLE', defaultValue: 1, scope: 'system', min: 0, max: 1 },
  { name: 'PORT_NO', defaultValue: 20300, scope: 'readonly', min: 0, max: 65535 },
  { name: 'REPLICATION_PORT_NO', defaultValue: 0, scope: 'readonly', min: 0, max: 65535 },
  { name: 'QUERY_TIMEOUT', defaultValue: 600, scope: 'system', min: 0, max: UINT32_MAX, session: true },
  { name: 'DDL_TIMEOUT', defaultValue: 0, scope: 'system', min: 0, max: UINT32_MAX },
  { name: 'REPLICATION_DDL_ENABLE', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_DDL_ENABLE_LEVEL', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_DDL_SYNC', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_MAX_COUNT', defaultValue: 32, scope: 'readonly', min: 0, max: 10240 },
  { name: 'REPLICATION_ALLOW_DUPLICATE_HOSTS', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_CONNECT_TIMEOUT', defaultValue: 10, scope: 'system', min: 0, max: UINT32_MAX },
  { name: 'REPLICATION_CONNECT_RECEIVE_TIMEOUT', defaultValue: 60, scope: 'system', min: 0, max: UINT32_MAX },
  { name: 'REPLICATION_RECEIVE_TIMEOUT', defaultValue: 7200, scope: 'readonly', min: 0, max: UINT32_MAX },
  /** Seconds a sender in RETRY sleeps between rounds of connection attempts (General Reference: [0, 2592000]). */
  { name: 'REPLICATION_SENDER_SLEEP_TIMEOUT', defaultValue: 60, scope: 'system', min: 0, max: 2592000 },
  { name: 'REPLICATION_SYNC_LOCK_TIMEOUT', defaultValue: 30, scope: 'system', min: 0, max: UINT32_MAX },
  { name: 'REPLICATION_SYNC_TUPLE_COUNT', defaultValue: 50000, scope: 'system', min: 0, max: Number.MAX_SAFE_INTEGER },
  { name: 'REPLICATION_INSERT_REPLACE', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_UPDATE_REPLACE', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_TIMESTAMP_RESOLUTION', defaultValue: 1, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_SENDER_AUTO_START', defaultValue: 1, scope: 'readonly', min: 0, max: 1 },
  { name: 'REPLICATION_MAX_LOGFILE', defaultValue: 0, scope: 'system', min: 0, max: UINT32_MAX },
  { name: 'REPLICATION_SENDER_START_AFTER_GIVING_UP', defaultValue: 1, scope: 'system', min: 0, max: 1 },
  { name: 'REPLICATION_GAP_UNIT', defaultValue: 1048576, scope: 'system', min: 1, max: UINT32_MAX },
  { name: 'NLS_USE', defaultValue: 'US7ASCII', scope: 'readonly' },
  // --- altisim switches -------------------------------------------------------------------
  /**
   * Test-only: when > 0, a sender in RETRY waits this many milliseconds between attempts instead of
   * REPLICATION_SENDER_SLEEP_TIMEOUT seconds (0, the default, is Altibase's pace).
   */
  { name: 'ALTISIM_SENDER_RETRY_INTERVAL_MSEC', defaultValue: 0, scope: 'system', min: 0, max: UINT32_MAX },
  /**
   * How long after an XLog arrives the receiver applies it. A FLUSH returns once the changes are
   * sent (§4.6), so a peer may not hold them yet when it returns; the default makes that window
   * wider than one FLUSH poll, so code that reads the peer right after a FLUSH is caught. Test-only: 0.
   */
  { name: 'ALTISIM_RECEIVER_APPLY_LAG_MSEC', defaultValue: 50, scope: 'system', min: 0, max: UINT32_MAX },
  /** 0: a PK conflict at the peer fails SYNC (R2). 1: the peer resolves it with the conflict rules (R1). */
  { name: 'ALTISIM_SYNC_CONFLICT_RESOLVE', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  /** 1: CREATE REPLICATION accepts only literal IPs (7.1-era servers, ERR-6110B for names). */
  { name: 'ALTISIM_HOST_IP_ONLY', defaultValue: 0, scope: 'system', min: 0, max: 1 },
  /** Rows per SYNC message; SYNC yields to other sessions between chunks. */
  { name: 'ALTISIM_SYNC_CHUNK_ROWS', defaultValue: 500, scope: 'system', min: 1, max: UINT32_MAX },
  /** Log changes per XLog message a sender ships at once. */
  { name: 'ALTISIM_SENDER_BATCH_CHANGES', defaultValue: 2000, scope: 'system', min: 1, max: UINT32_MAX },
];

const BY_NAME = new Map(DEFINITIONS.map((def) => [def.name, def]));

export function propertyDefinition(name: string): PropertyDef | undefined {
  return BY_NAME.get(name);
}

export function allPropertyDefinitions(): readonly PropertyDef[] {
  return DEFINITIONS;
}

/** Check and normalise a value for a property (numbers for numeric properties). */
export function validatePropertyValue(def: PropertyDef, value: number | string | null): number | string {
  if (typeof def.defaultValue === 'string') {
    if (value === null) throw simError('ID_PROPERTY_OUT_OF_RANGE', def.name, 'NULL');
    return String(value);
  }
  const numeric = typeof value === 'number' ? value : value === null ? NaN : Number(value);
  if (!Number.isInteger(numeric) || (def.min !== undefined && numeric < def.min) || (def.max !== undefined && numeric > def.max)) {
    throw simError('ID_PROPERTY_OUT_OF_RANGE', def.name, String(value));
  }
  return numeric;
}

/** The property values of one running server. */
export class PropertySet {
  private readonly values = new Map<string, number | string>();

  /** `startValues` are the configured (altibase.properties) values; unknown names are refused. */
  constructor(startValues: Record<string, number | string>) {
    for (const def of DEFINITIONS) this.values.set(def.name, def.defaultValue);
    for (const [name, value] of Object.entries(startValues)) {
      const def = BY_NAME.get(name.toUpperCase());
      if (!def) throw simError('ID_PROPERTY_NOT_FOUND', name);
      this.values.set(def.name, validatePropertyValue(def, value));
    }
  }

  get(name: string): number | string {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`unknown property ${name}`);
    return value;
  }

  getNumber(name: string): number {
    const value = this.get(name);
    return typeof value === 'number' ? value : Number(value);
  }

  /** ALTER SYSTEM SET. */
  alter(name: string, value: number | string | null): void {
    const def = BY_NAME.get(name);
    if (!def) throw simError('ID_PROPERTY_NOT_FOUND', name);
    if (def.scope === 'readonly') throw simError('ID_PROPERTY_READ_ONLY', name);
    this.values.set(name, validatePropertyValue(def, value));
  }

  entries(): [string, number | string][] {
    return [...this.values.entries()];
  }
}
