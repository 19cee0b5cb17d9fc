import type { AkuConfig } from './model.js';

/**
 * Every scalar property aku.conf may set: its default (absent = required), its range or length
 * limit, and the field of the typed model it fills. Validation, `aku -i --json`, the printer used
 * by the tests and the chart documentation all read this one table.
 */

const UINT32_MAX = 2 ** 32 - 1;

interface Common {
  name: string;
  /** Why a DBA would set it; shown in docs and in suggestions. */
  summary: string;
  /** True for properties aku adds to the original's set. */
  extension?: boolean;
}

export interface IntegerProperty extends Common {
  kind: 'integer';
  field: NumberFieldOf<AkuConfig>;
  default?: number;
  min: number;
  max: number;
}

export interface FlagProperty extends Common {
  kind: 'flag';
  field: BooleanFieldOf<AkuConfig>;
  default: boolean;
}

export interface TextProperty extends Common {
  kind: 'text';
  field: 'stsName' | 'svcName' | 'sysPassword';
  /** Byte-length limit; undefined = none. */
  maxBytes?: number;
  /** Which syntax the value must follow. */
  syntax: 'dns-label' | 'dns-name' | 'secret';
}

export type PropertyDefinition = IntegerProperty | FlagProperty | TextProperty;

type NumberFieldOf<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];
type BooleanFieldOf<T> = { [K in keyof T]: T[K] extends boolean ? K : never }[keyof T];

export const SCALAR_PROPERTIES: readonly PropertyDefinition[] = [
  {
    name: 'AKU_STS_NAME', kind: 'text', field: 'stsName', maxBytes: 63, syntax: 'dns-label',
    summary: 'StatefulSet name (metadata.name of the StatefulSet)',
  },
  {
    name: 'AKU_SVC_NAME', kind: 'text', field: 'svcName', maxBytes: 63, syntax: 'dns-name',
    summary: 'headless Service that gives the pods their DNS names',
  },
  {
    name: 'AKU_SERVER_COUNT', kind: 'integer', field: 'serverCount', default: 4, min: 1, max: 6,
    summary: 'maximum number of pods aku keeps replicated (the most replicas you may scale to)',
  },
  {
    name: 'AKU_SYS_PASSWORD', kind: 'text', field: 'sysPassword', syntax: 'secret',
    summary: 'password of the database user SYS',
  },
  {
    name: 'AKU_PORT_NO', kind: 'integer', field: 'portNo', default: 20300, min: 1024, max: 65535,
    summary: 'Altibase service port of every pod',
  },
  {
    name: 'AKU_REPLICATION_PORT_NO', kind: 'integer', field: 'replicationPortNo', default: 20301, min: 1024, max: 65535,
    summary: 'Altibase replication port (REPLICATION_PORT_NO) of every pod',
  },
  {
    name: 'AKU_QUERY_TIMEOUT', kind: 'integer', field: 'queryTimeoutSec', default: 3600, min: 0, max: UINT32_MAX,
    summary: 'QUERY_TIMEOUT for aku statements, seconds (0 = no limit)',
  },
  {
    name: 'AKU_QUERY_RETRY_COUNT', kind: 'integer', field: 'queryRetryCount', default: 5, min: 0, max: UINT32_MAX,
    summary: 'retries of a statement that failed for a transient reason',
  },
  {
    name: 'AKU_QUERY_RETRY_DELAY_MSEC', kind: 'integer', field: 'queryRetryDelayMsec', default: 1000, min: 0, max: UINT32_MAX,
    summary: 'wait before each retry, milliseconds',
  },
  {
    name: 'AKU_ADDRESS_CHECK_COUNT', kind: 'integer', field: 'addressCheckCount', default: 30, min: 1, max: UINT32_MAX,
    summary: 'tries (one a second) for the pod\'s own DNS name to resolve at start',
  },
  {
    name: 'AKU_FLUSH_AT_START', kind: 'flag', field: 'flushAtStart', default: true,
    summary: 'flush replication gaps when a pod restarts with its replication information intact',
  },
  {
    name: 'AKU_FLUSH_TIMEOUT_AT_START', kind: 'integer', field: 'flushTimeoutAtStartSec', default: 300, min: 0, max: UINT32_MAX,
    summary: 'wait_time of FLUSH WAIT at start, seconds (0 = FLUSH ALL)',
  },
  {
    name: 'AKU_DELAY_START_COMPLETE_TIME', kind: 'integer', field: 'delayStartCompleteTimeSec', default: 0, min: 0, max: UINT32_MAX,
    summary: 'seconds a slave waits after synchronising, before ADMIN_MODE goes to 0',
  },
  {
    name: 'AKU_FLUSH_AT_END', kind: 'flag', field: 'flushAtEnd', default: true,
    summary: 'flush replication gaps at `-p end`',
  },
  {
    name: 'AKU_REPLICATION_RESET_AT_END', kind: 'flag', field: 'replicationResetAtEnd', default: true,
    summary: 'reset a slave\'s replication information at `-p end`',
  },
  {
    name: 'AKU_CONNECT_TIMEOUT', kind: 'integer', field: 'connectTimeoutSec', default: 5, min: 1, max: 3600, extension: true,
    summary: 'bound on opening a session to one server, seconds',
  },
  {
    name: 'AKU_END_TIME_BUDGET', kind: 'integer', field: 'endTimeBudgetSec', default: 50, min: 1, max: UINT32_MAX, extension: true,
    summary: '`-p end` finishes within this many seconds, whatever the peers do (keep it under the pod\'s grace period)',
  },
];

export const PROPERTY_BY_NAME: ReadonlyMap<string, PropertyDefinition> = new Map(
  SCALAR_PROPERTIES.map((p) => [p.name, p]),
);

/** Keys of a REPLICATIONS group. */
export const GROUP_PREFIX_KEY = 'REPLICATION_NAME_PREFIX';
export const GROUP_PARALLEL_KEY = 'SYNC_PARALLEL_COUNT';
export const SYNC_PARALLEL_RANGE = { min: 1, max: 100, default: 1 } as const;
/** prefix + `_` + two ordinals = the 40-byte replication name limit. */
export const MAX_PREFIX_BYTES = 37;

/** Misspellings seen in the wild, answered with the right name. */
export const KNOWN_MISSPELLINGS: ReadonlyMap<string, string> = new Map([
  ['AKU_SYS_PASWWORD', 'AKU_SYS_PASSWORD'],
]);
