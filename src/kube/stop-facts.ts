import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';
import { stopReasonFrom, type ApiAnswer, type PodObject, type StatefulSetObject, type StopReason } from '../lifecycle/stop-reason.js';

/**
 * Reads this pod's StatefulSet and the Pod itself from the Kubernetes API for `-p end`: the only
 * module that loads @kubernetes/client-node, and only when called (an `import()` here, so `aku -i`
 * and `-p start` never load it). client-node gives the connection — in-cluster service account, or
 * KUBECONFIG where set — and its authentication; the two GETs are plain HTTPS under one abort
 * signal, so a silent API server costs at most `boundMs` and no socket is left behind. What the
 * objects mean is stop-reason.ts's job.
 */

/** Where Kubernetes mounts a service account's token, CA and namespace (the chart's projected volume too). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

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
  const { env, stsName, podName, boundMs } = options;
  const root = options.root ?? '';
  const saDir = root + SERVICE_ACCOUNT_DIR;
  const kubeconfig = env.KUBECONFIG?.split(delimiter).find((f) => f !== '');
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(join(saDir, 'token'));
  if (!kubeconfig && !inCluster) {
    return unavailable(`no Kubernetes API to ask: KUBECONFIG is not set and there is no in-cluster service account (KUBERNETES_SERVICE_HOST ${env.KUBERNETES_SERVICE_HOST ? 'is set' : 'is not set'}, ${join(saDir, 'token')} ${existsSync(join(saDir, 'token')) ? 'exists' : 'does not exist'}; the chart mounts the token when rbac.create is true)`);
  }
  // In a pod the namespace is known before the client loads; with KUBECONFIG its context may name it.
  let namespace = env.AKU_POD_NAMESPACE?.trim() || (kubeconfig ? undefined : readNamespaceFile(saDir));
  if (!kubeconfig && !namespace) return noNamespace(saDir);
  let server: string;
  const request: https.RequestOptions = {};
  try {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromCluster(root);
    server = kc.getCurrentCluster()?.server ?? '';
    if (!server) return unavailable(`${kubeconfig ? `KUBECONFIG ${kubeconfig}` : 'the in-cluster configuration'} names no cluster server`);
    namespace ||= kc.getContextObject(kc.getCurrentContext())?.namespace;
    await kc.applyToHTTPSOptions(request);
  } catch (error) {
    return unavailable(`cannot load the Kubernetes client configuration from ${kubeconfig ? `KUBECONFIG ${kubeconfig}` : saDir}: ${messageOf(error)}`);
  }
  if (!namespace) return noNamespace(saDir);
  // The bound is the API's: loading the client is CPU work (about a second, more on a busy node),
  // which the lifecycle's own guard covers.
  const signal = AbortSignal.timeout(boundMs);
  const base = server.replace(/\/+$/, '');
  const ns = encodeURIComponent(namespace);
  const stsPath = `/apis/apps/v1/namespaces/${ns}/statefulsets/${encodeURIComponent(stsName)}`;
  const podPath = `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(podName)}`;
  const [sts, pod] = await Promise.all([getJson(base + stsPath, request, signal), getJson(base + podPath, request, signal)]);
  if (sts.kind === 'failed') {
    const why = signal.aborted || sts.timedOut
      ? `the Kubernetes API at ${base} did not answer within ${boundMs / 1000} s`
      : `GET ${stsPath} at ${base}: ${sts.why}`;
    return unavailable(why);
  }
  return {
    kind: 'read',
    statefulSet: sts.kind === 'ok' ? (sts.body as StatefulSetObject) : null,
    pod: pod.kind === 'ok' ? (pod.body as PodObject) : null,
    ...(pod.kind === 'failed' ? { podUnreadable: `GET ${podPath}: ${pod.why}` } : {}),
  };
}

type Got = { kind: 'ok'; body: unknown } | { kind: 'not-found' } | { kind: 'failed'; why: string; timedOut?: boolean };

/** One GET; 404 is an answer (the object is gone), any other non-2xx status is a failure that names it. */
function getJson(url: string, base: https.RequestOptions, signal: AbortSignal): Promise<Got> {
  return new Promise((resolve) => {
    const lib = url.startsWith('http://') ? http : https;
    const req = lib.request(url, { ...base, method: 'GET', headers: { ...base.headers, Accept: 'application/json' }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => resolve({ kind: 'failed', why: messageOf(error), timedOut: signal.aborted }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 404) return resolve({ kind: 'not-found' });
        if (status < 200 || status >= 300) return resolve({ kind: 'failed', why: `HTTP ${status} ${apiMessage(text) ?? res.statusMessage ?? ''}`.trim() });
        try {
          resolve({ kind: 'ok', body: JSON.parse(text) });
        } catch (error) {
          resolve({ kind: 'failed', why: `the answer is not JSON (${messageOf(error)})` });
        }
      });
    });
    req.on('error', (error) => resolve({ kind: 'failed', why: messageOf(error), timedOut: signal.aborted }));
    req.end();
  });
}

/** The `message` of a Kubernetes Status object (e.g. why a request was forbidden). */
function apiMessage(text: string): string | undefined {
  try {
    const status = JSON.parse(text) as { message?: unknown };
    return typeof status.message === 'string' ? status.message : undefined;
  } catch {
    return undefined;
  }
}

function readNamespaceFile(saDir: string): string | undefined {
  try {
    return readFileSync(join(saDir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function noNamespace(saDir: string): ApiAnswer {
  return unavailable(`this pod's namespace is unknown: set AKU_POD_NAMESPACE (the chart sets it from metadata.namespace), mount ${join(saDir, 'namespace')}, or name it in the KUBECONFIG context`);
}

function unavailable(why: string): ApiAnswer {
  return { kind: 'unavailable', why };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
