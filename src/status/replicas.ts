import type { ReplicaSource } from './model.js';
import type { ServerObservation } from './observe.js';

/**
 * How many pods the set has, which decides which pairs must be replicating and which objects
 * point at pods that are gone. The seam for other sources: a caller that knows the count (the
 * `--replicas` option today; the StatefulSet's spec.replicas read from the Kubernetes API, later)
 * passes a `KnownReplicas`; without one, status probes every ordinal aku.conf allows and counts
 * up to the highest pod that answered.
 */
export interface KnownReplicas {
  count: number;
  source: Exclude<ReplicaSource, 'answering'>;
}

/**
 * Without a known count: one past the highest pod that answered (read or busy). Pod 0 always
 * counts, so a set where nothing answers is reported as a master that does not answer rather
 * than as an empty set. A pod above the highest that answers is indistinguishable from one that
 * does not exist; `--replicas` (or the Kubernetes reading) tells them apart.
 */
export function replicasFromAnswers(observations: Iterable<ServerObservation>): { count: number; source: 'answering' } {
  let highest = 0;
  for (const o of observations) if (o.state !== 'unreachable') highest = Math.max(highest, o.node.ordinal);
  return { count: highest + 1, source: 'answering' };
}
