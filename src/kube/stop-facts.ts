import { stopReasonFrom, type ApiAnswer, type PodObject, type StatefulSetObject, type StopReason } from '../lifecycle/stop-reason.js';
import { connectToApi, getJson, paths } from './api.js';

export { SERVICE_ACCOUNT_DIR } from './api.js';

/**
 * Reads this pod's StatefulSet and the Pod itself from the Kubernetes API for `-p end`: two GETs
 * under one abort signal (api.ts gives the connection). What the objects mean is stop-reason.ts's
 * job.
 */

export interface StopFactsOptions {
  env: NodeJS.ProcessEnv;
  /** AKU_STS_NAME. */
  stsName: string;
  podName: string;
  /** The longest the API may take to answer, both requests together. */
  boundMs: number;
  /** A directory the service-account path is read under instead of / (tests). */
  root?: string;
}

export async function readStopReason(options: StopFactsOptions & { ordinal: number }): Promise<StopReason> {
  return stopReasonFrom(await readStopFacts(options), { stsName: options.stsName, ordinal: options.ordinal });
}

export async function readStopFacts(options: StopFactsOptions): Promise<ApiAnswer> {
  const { stsName, podName, boundMs } = options;
  const connected = await connectToApi(options);
  if (connected.kind === 'unavailable') return connected;
  const { api } = connected;
  // The bound is the API's: loading the client is CPU work (about a second, more on a busy node),
  // which the lifecycle's own guard covers.
  const signal = AbortSignal.timeout(boundMs);
  const stsPath = paths.statefulSet(api.namespace, stsName);
  const podPath = paths.pod(api.namespace, podName);
  const [sts, pod] = await Promise.all([getJson(api, stsPath, signal), getJson(api, podPath, signal)]);
  if (sts.kind === 'failed') {
    const why = signal.aborted || sts.timedOut
      ? `the Kubernetes API at ${api.base} did not answer within ${boundMs / 1000} s`
      : `GET ${stsPath} at ${api.base}: ${sts.why}`;
    return { kind: 'unavailable', why };
  }
  return {
    kind: 'read',
    statefulSet: sts.kind === 'ok' ? (sts.body as StatefulSetObject) : null,
    pod: pod.kind === 'ok' ? (pod.body as PodObject) : null,
    ...(pod.kind === 'failed' ? { podUnreadable: `GET ${podPath}: ${pod.why}` } : {}),
  };
}
