import type { SetReader, SetReaderAnswer } from '../kube/set-facts.js';
import type { Logger } from '../log/logger.js';
import { W } from './context.js';
import type { KnownReplicas } from './model.js';

/**
 * How many pods the StatefulSet has: `--replicas N`, else its spec.replicas from the Kubernetes
 * API. Never from which pods answer: a pod that is only down would be taken for departed, and
 * the restart points kept for it thrown away. The API, when it can be read, is also what the
 * wait for departing pods uses (settle.ts), whichever source gave the count.
 */

export type CountAnswer =
  | { kind: 'known'; replicas: KnownReplicas; kube?: SetReader }
  | { kind: 'unknown'; why: string };

export interface CountOptions {
  /** `--replicas`. */
  option?: number;
  stsName: string;
  /** Connects to the API (loads the client); `unavailable` when there is none. */
  connect(): Promise<SetReaderAnswer>;
  /** Bound on reading the StatefulSet, ms. */
  boundMs: number;
  logger: Logger;
}

export async function resolveReplicas(options: CountOptions): Promise<CountAnswer> {
  const { option, logger, stsName } = options;
  const connected = await options.connect().catch((error: unknown): SetReaderAnswer => ({ kind: 'unavailable', why: error instanceof Error ? error.message : String(error) }));
  if (connected.kind === 'unavailable') {
    if (option === undefined) return { kind: 'unknown', why: connected.why };
    logger.info(W.count, `${option} pod(s) in ${stsName} (--replicas). The Kubernetes API cannot be read (${connected.why}): departing pods are not waited for; an object toward a pod whose server still answers is skipped.`);
    return { kind: 'known', replicas: { count: option, source: 'option' } };
  }
  const { reader } = connected;
  const look = await reader.look([], options.boundMs);
  if (look.kind === 'failed' || look.statefulSet === null) {
    const why = look.kind === 'failed' ? look.why : `StatefulSet ${stsName} not found (${reader.where})`;
    if (option === undefined) return { kind: 'unknown', why };
    logger.warn(W.count, `${option} pod(s) in ${stsName} (--replicas). The StatefulSet could not be read (${why}): departing pods are not waited for; an object toward a pod whose server still answers is skipped.`);
    return { kind: 'known', replicas: { count: option, source: 'option' } };
  }
  const spec = look.statefulSet.replicas;
  if (option === undefined) {
    logger.info(W.count, `${spec} pod(s) in ${stsName} (its spec.replicas, ${reader.where}).`);
    return { kind: 'known', replicas: { count: spec, source: 'kubernetes' }, kube: reader };
  }
  if (option !== spec) logger.warn(W.count, `--replicas ${option}, but the StatefulSet's spec.replicas is ${spec} (${reader.where}); going by --replicas.`);
  else logger.info(W.count, `${option} pod(s) in ${stsName} (--replicas; the StatefulSet agrees).`);
  return { kind: 'known', replicas: { count: option, source: 'option' }, kube: reader };
}

/** The message of exit 2 when neither gives the count. */
export function unknownCountMessage(stsName: string, why: string): string {
  return `the replica count of ${stsName} is unknown: pass --replicas N (the StatefulSet's spec.replicas). It is never guessed from the pods that answer, ` +
    `as a pod that is only down would be taken for departed. The Kubernetes API could not give it: ${why}`;
}

