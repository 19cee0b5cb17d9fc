import type { AkuConfig, ReplicationGroup } from '../config/model.js';
import { PodIdentityError, type PodIdentity } from './pod-identity.js';

/**
 * Who is who in the StatefulSet: this pod, every other server that may exist (ordinals
 * 0 … AKU_SERVER_COUNT-1), their DNS names through the headless Service, and the name of the
 * replication object for every pair and group.
 */

export const MASTER_ORDINAL = 0;

export type Role = 'MASTER' | 'SLAVE';

export interface ServerNode {
  ordinal: number;
  /** DNS name through the headless Service: `<sts>-<ordinal>.<svc>`. */
  host: string;
}

/** One replication object on this pod: shared with one peer, for one group. */
export interface ReplicationLink {
  name: string;
  group: ReplicationGroup;
  peer: ServerNode;
}

export interface Topology {
  self: ServerNode & { podName: string; role: Role };
  /** Every server 0 … AKU_SERVER_COUNT-1, this one included, ascending. */
  servers: ServerNode[];
  /** Every server but this one, ascending. */
  peers: ServerNode[];
  master: ServerNode;
  /** This pod's replication objects: per group, per peer (ascending). */
  links: ReplicationLink[];
}

/** `<prefix>_<i><j>` with the smaller ordinal first; the same name exists on both pods. */
export function replicationName(group: Pick<ReplicationGroup, 'prefix'>, a: number, b: number): string {
  return `${group.prefix}_${Math.min(a, b)}${Math.max(a, b)}`;
}

/**
 * The group prefix and the two ordinals (smaller first) of an aku replication name, or undefined
 * for a name no group of aku.conf makes. Ordinals are single digits (at most 6 pods).
 */
export function parseReplicationName(groups: readonly Pick<ReplicationGroup, 'prefix'>[], name: string): { group: string; ordinals: [number, number] } | undefined {
  for (const group of groups) {
    if (!name.startsWith(`${group.prefix}_`)) continue;
    const match = /^(\d)(\d)$/.exec(name.slice(group.prefix.length + 1));
    if (match && Number(match[1]) < Number(match[2])) return { group: group.prefix, ordinals: [Number(match[1]), Number(match[2])] };
  }
  return undefined;
}

export function serverHost(config: Pick<AkuConfig, 'stsName' | 'svcName'>, ordinal: number): string {
  return `${config.stsName}-${ordinal}.${config.svcName}`;
}

/** Replication names of one server, group by group, in ascending partner order. */
export function replicationNamesOf(config: AkuConfig, ordinal: number): { group: ReplicationGroup; names: string[] }[] {
  return config.replications.map((group) => ({
    group,
    names: range(config.serverCount).filter((j) => j !== ordinal).map((j) => replicationName(group, ordinal, j)),
  }));
}

export function buildTopology(config: AkuConfig, pod: PodIdentity): Topology {
  if (pod.ordinal >= config.serverCount) {
    throw new PodIdentityError(
      `pod ${pod.name} has ordinal ${pod.ordinal}, but AKU_SERVER_COUNT = ${config.serverCount} covers ordinals 0 to ${config.serverCount - 1}; ` +
        'raise AKU_SERVER_COUNT (at most 6) or scale the StatefulSet down.',
    );
  }
  const servers = range(config.serverCount).map((ordinal) => ({ ordinal, host: serverHost(config, ordinal) }));
  const peers = servers.filter((s) => s.ordinal !== pod.ordinal);
  const self = {
    ordinal: pod.ordinal,
    // The pod's own name, which is what its DNS record is made of, even if it disagrees with AKU_STS_NAME.
    host: `${pod.name}.${config.svcName}`,
    podName: pod.name,
    role: pod.ordinal === MASTER_ORDINAL ? 'MASTER' : 'SLAVE',
  } as const;
  const links = config.replications.flatMap((group) =>
    peers.map((peer) => ({ name: replicationName(group, pod.ordinal, peer.ordinal), group, peer })));
  return { self, servers, peers, master: servers[MASTER_ORDINAL] as ServerNode, links };
}

/**
 * Peers compute this pod's host from AKU_STS_NAME; if the pod's real name differs, they would
 * replicate toward a name that does not exist. Returns the problem, or undefined.
 */
export function podNameMismatch(config: Pick<AkuConfig, 'stsName'>, pod: PodIdentity): string | undefined {
  const expected = `${config.stsName}-${pod.ordinal}`;
  return pod.name === expected
    ? undefined
    : `pod name ${pod.name} does not match AKU_STS_NAME = ${config.stsName} (expected ${expected}); the other pods would look for this one as ${expected}`;
}

/** SYS_REPL_HOSTS_.HOST_IP is VARCHAR(64): the longest host aku writes into CREATE REPLICATION must fit. */
export const MAX_REPLICATION_HOST_BYTES = 64;

/** Returns the problem when the pods' host names are too long for Altibase to store, or undefined. */
export function replicationHostProblem(config: Pick<AkuConfig, 'stsName' | 'svcName' | 'serverCount'>): string | undefined {
  const longest = serverHost(config, config.serverCount - 1);
  const bytes = Buffer.byteLength(longest, 'utf8');
  return bytes <= MAX_REPLICATION_HOST_BYTES
    ? undefined
    : `the pod host names such as ${longest} are ${bytes} bytes long, but Altibase stores at most ${MAX_REPLICATION_HOST_BYTES} bytes of a replication host (SYS_REPL_HOSTS_.HOST_IP); shorten AKU_STS_NAME or AKU_SVC_NAME`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
