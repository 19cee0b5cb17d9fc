import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';

/**
 * The connection to the Kubernetes API for aku's few reads (`-p end`'s stop reason,
 * `aku reconcile`'s replica count and departing pods): the only module that loads
 * @kubernetes/client-node, and only when called (an `import()` here, so `aku -i` and `-p start`
 * never load it). client-node gives the connection — in-cluster service account, or KUBECONFIG
 * where set — and its authentication; the requests are plain GETs under the caller's abort
 * signal, so a silent API server costs at most the caller's bound and no socket is left behind.
 */

/** Where Kubernetes mounts a service account's token, CA and namespace (the chart's projected volume too). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ApiConnection {
  /** The API server's URL, without a trailing slash. */
  base: string;
  namespace: string;
  request: https.RequestOptions;
}

export type Connected = { kind: 'connected'; api: ApiConnection } | { kind: 'unavailable'; why: string };

export interface ConnectOptions {
  env: NodeJS.ProcessEnv;
  /** A directory the service-account path is read under instead of / (tests). */
  root?: string;
}

/**
 * KUBECONFIG (its first file) where set, else the in-cluster service account; the namespace from
 * AKU_POD_NAMESPACE, the service account's namespace file, or the KUBECONFIG context.
 */
export async function connectToApi(options: ConnectOptions): Promise<Connected> {
  const { env } = options;
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
  return { kind: 'connected', api: { base: server.replace(/\/+$/, ''), namespace, request } };
}

export type Got = { kind: 'ok'; body: unknown } | { kind: 'not-found' } | { kind: 'failed'; why: string; timedOut?: boolean };

/** One GET of `path` (from /api or /apis); 404 is an answer (the object is gone), any other non-2xx status is a failure that names it. */
export function getJson(api: ApiConnection, path: string, signal: AbortSignal): Promise<Got> {
  const url = api.base + path;
  const base = api.request;
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

/** The API paths aku reads, with every name encoded. */
export const paths = {
  statefulSet: (namespace: string, name: string) => `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets/${encodeURIComponent(name)}`,
  pod: (namespace: string, name: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
};

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

function noNamespace(saDir: string): Connected {
  return unavailable(`this pod's namespace is unknown: set AKU_POD_NAMESPACE (the chart sets it from metadata.namespace), mount ${join(saDir, 'namespace')}, or name it in the KUBECONFIG context`);
}

function unavailable(why: string): Connected {
  return { kind: 'unavailable', why };
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
