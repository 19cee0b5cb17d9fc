/**
 * altisim — a simulator of Altibase replication for aku's tests.
 * In-process: SimCluster + createInProcessDriver. Process mode: bin/altisim (see cli.ts).
 */
export { AltibaseError, ERROR_CATALOGUE, HANDSHAKE_REASONS, simError, isSimError, formatAltibaseText } from './errors.js';
export type { ErrorKey, ErrorSpec } from './errors.js';
export { parseStatement } from './sql/parser.js';
export type { Statement } from './sql/ast.js';
export { SimCluster, DEFAULT_REPLICATION_PORT, DEFAULT_SERVICE_PORT, DEFAULT_SYS_PASSWORD } from './inprocess/cluster.js';
export type { ClusterServerSpec, SimClusterOptions } from './inprocess/cluster.js';
export type { LinkPath } from './inprocess/network.js';
export { createInProcessDriver, EXTERNAL_CLIENT_ADDRESS } from './inprocess/driver.js';
export type { InProcessDriverOptions } from './inprocess/driver.js';
export { SimServer } from './engine/server.js';
export type { SimServerConfig } from './engine/server.js';
export { DatabaseInstance, ServerDownError } from './engine/instance.js';
export { MemoryDisk, DirectoryDisk } from './engine/persistence.js';
export type { Disk } from './engine/persistence.js';
export type { StatementFaultSpec, InjectedError } from './engine/faults.js';
export { SENDER_STATUS, START_FLAG } from './engine/replication/sender.js';
export { NULL_SN } from './engine/replication/meta.js';
