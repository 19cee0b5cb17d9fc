/**
 * The typed form of aku.conf. Everything downstream (topology, SQL plan, lifecycle, `aku -i`)
 * reads this model, never the file, so a config that parsed is a config that can be trusted.
 */

/** One replicated table, or one partition of a partitioned table. Names are stored as Altibase stores them (unquoted names upper-cased). */
export interface ReplicationItem {
  user: string;
  table: string;
  partition?: string;
}

/** One `REPLICATIONS` group: one replication object per pair of pods, named `<prefix>_<i><j>`. */
export interface ReplicationGroup {
  prefix: string;
  syncParallelCount: number;
  items: ReplicationItem[];
}

export interface AkuConfig {
  /** AKU_STS_NAME */
  stsName: string;
  /** AKU_SVC_NAME */
  svcName: string;
  /** AKU_SERVER_COUNT */
  serverCount: number;
  /** AKU_SYS_PASSWORD — never logged; `aku -i` masks it unless asked. */
  sysPassword: string;
  /** AKU_PORT_NO */
  portNo: number;
  /** AKU_REPLICATION_PORT_NO */
  replicationPortNo: number;
  /** AKU_QUERY_TIMEOUT, seconds */
  queryTimeoutSec: number;
  /** AKU_QUERY_RETRY_COUNT */
  queryRetryCount: number;
  /** AKU_QUERY_RETRY_DELAY_MSEC */
  queryRetryDelayMsec: number;
  /** AKU_ADDRESS_CHECK_COUNT */
  addressCheckCount: number;
  /** AKU_FLUSH_AT_START */
  flushAtStart: boolean;
  /** AKU_FLUSH_TIMEOUT_AT_START, seconds; 0 means FLUSH ALL without WAIT */
  flushTimeoutAtStartSec: number;
  /** AKU_DELAY_START_COMPLETE_TIME, seconds */
  delayStartCompleteTimeSec: number;
  /** AKU_FLUSH_AT_END */
  flushAtEnd: boolean;
  /** AKU_REPLICATION_RESET_AT_END */
  replicationResetAtEnd: boolean;
  /** AKU_CONNECT_TIMEOUT, seconds (aku extension): bound on opening a session to one server. */
  connectTimeoutSec: number;
  /** AKU_END_TIME_BUDGET, seconds (aku extension): `-p end` finishes inside this, whatever the peers do. */
  endTimeBudgetSec: number;
  replications: ReplicationGroup[];
}

/** Where a config came from: the file, and which properties the environment supplied or overrode. */
export interface ConfigSource {
  file: string;
  fromEnvironment: string[];
}

export interface LoadedConfig {
  config: AkuConfig;
  source: ConfigSource;
}
