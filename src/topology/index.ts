export { PodIdentityError, podInSet, resolvePodIdentity, type PodIdentity } from './pod-identity.js';
export {
  MASTER_ORDINAL,
  buildTopology,
  parseReplicationName,
  podNameMismatch,
  replicationHostProblem,
  replicationName,
  replicationNamesOf,
  serverHost,
  type ReplicationLink,
  type Role,
  type ServerNode,
  type Topology,
} from './topology.js';
