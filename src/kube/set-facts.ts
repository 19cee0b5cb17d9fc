import type { PodObject, StatefulSetObject } from '../lifecycle/stop-reason.js';
import { connectToApi, getJson, paths, type ConnectOptions } from './api.js';

/**
 * Reads the StatefulSet and some of its pods by ordinal for `aku reconcile`: how many replicas
 * the set has, and which pods exist, are ready or are being deleted. GETs by name only (the
 * chart's Role grants `get` on the set and on each pod name aku.serverCount allows). Each look is
 * bounded by its own abort signal; what the facts mean is src/reconcile's job.
 */

export interface SetFactsOptions extends ConnectOptions {
  /** AKU_STS_NAME. */
  stsName: string;
}

export interface StatefulSetFacts {
  /** spec.replicas (Kubernetes defaults it to 1). */
  replicas: number;
  updateRevision: string | null;
  /** updateStrategy OnDelete: pods are not replaced by a rollout, so their revision says nothing about one. */
  onDelete: boolean;
}

export type PodLook =
  | { kind: 'absent' }
  | { kind: 'present'; ready: boolean; deleting: boolean; revision: string | null }
  | { kind: 'unknown'; why: string };

export type SetLook =
  | { kind: 'read'; statefulSet: StatefulSetFacts | null; pods: Map<number, PodLook> }
  | { kind: 'failed'; why: string };

export interface SetReader {
  /** Where the facts come from, for log lines (`namespace ns at https://…`). */
  where: string;
  look(ordinals: readonly number[], boundMs: number): Promise<SetLook>;
}

export type SetReaderAnswer = { kind: 'connected'; reader: SetReader } | { kind: 'unavailable'; why: string };

export async function connectSetReader(options: SetFactsOptions): Promise<SetReaderAnswer> {
  const connected = await connectToApi(options);
  if (connected.kind === 'unavailable') return connected;
  const { api } = connected;
  const podName = (ordinal: number) => `${options.stsName}-${ordinal}`;
  const look = async (ordinals: readonly number[], boundMs: number): Promise<SetLook> => {
    const signal = AbortSignal.timeout(boundMs);
    const stsPath = paths.statefulSet(api.namespace, options.stsName);
    const [sts, ...pods] = await Promise.all([
      getJson(api, stsPath, signal),
      ...ordinals.map((ordinal) => getJson(api, paths.pod(api.namespace, podName(ordinal)), signal)),
    ]);
    if (sts === undefined || sts.kind === 'failed') {
      const why = signal.aborted || sts?.timedOut ? `the Kubernetes API at ${api.base} did not answer within ${boundMs / 1000} s` : `GET ${stsPath} at ${api.base}: ${sts?.why}`;
      return { kind: 'failed', why };
    }
    const statefulSet = sts.kind === 'ok' ? statefulSetFacts(sts.body as StatefulSetObject) : null;
    const looks = new Map<number, PodLook>();
    ordinals.forEach((ordinal, i) => {
      const got = pods[i];
      if (got === undefined || got.kind === 'not-found') looks.set(ordinal, { kind: 'absent' });
      else if (got.kind === 'failed') looks.set(ordinal, { kind: 'unknown', why: `GET ${paths.pod(api.namespace, podName(ordinal))}: ${got.why}` });
      else looks.set(ordinal, podLook(got.body as PodObject));
    });
    return { kind: 'read', statefulSet, pods: looks };
  };
  return { kind: 'connected', reader: { where: `namespace ${api.namespace} at ${api.base}`, look } };
}

function statefulSetFacts(sts: StatefulSetObject): StatefulSetFacts {
  const replicas = sts.spec?.replicas;
  return {
    replicas: typeof replicas === 'number' ? replicas : 1,
    updateRevision: sts.status?.updateRevision ?? null,
    onDelete: sts.spec?.updateStrategy?.type === 'OnDelete',
  };
}

function podLook(pod: PodObject): PodLook {
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    kind: 'present',
    ready,
    deleting: Boolean(pod.metadata?.deletionTimestamp),
    revision: pod.metadata?.labels?.['controller-revision-hash'] ?? null,
  };
}
