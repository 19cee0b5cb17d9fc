import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/**
 * A Kubernetes API that answers the GETs aku makes (a StatefulSet and pods by name), over plain
 * HTTP on loopback, from objects a test sets and changes while aku runs. Every request is kept,
 * so a test can tell what aku asked. The protocol itself (TLS, tokens) is the real API's, tried
 * on the local cluster.
 */
export class FakeKubeApi {
  readonly requests: string[] = [];
  /** What GET returns, by path; absent paths answer 404. */
  readonly objects = new Map<string, unknown>();
  private server?: Server;
  port = 0;

  constructor(readonly namespace = 'aku-test') {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      const body = this.objects.get(req.url ?? '');
      res.setHeader('Content-Type', 'application/json');
      if (body === undefined) {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 }));
        return;
      }
      if (typeof body === 'number') {
        res.statusCode = body;
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: `answered ${body} by the test`, code: body }));
        return;
      }
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server?.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A kubeconfig naming this server, with a namespace (this API's by default) in its context. */
  kubeconfig(dir: string, namespace = this.namespace): string {
    const file = join(dir, `kubeconfig-${this.port}-${namespace}`);
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      `clusters: [{name: k, cluster: {server: "http://127.0.0.1:${this.port}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: not-a-real-token}}]',
      `contexts: [{name: c, context: {cluster: k, user: u, namespace: ${namespace}}}]`, '',
    ].join('\n'));
    return file;
  }

  statefulSetPath(name: string): string {
    return `/apis/apps/v1/namespaces/${this.namespace}/statefulsets/${name}`;
  }

  podPath(name: string): string {
    return `/api/v1/namespaces/${this.namespace}/pods/${name}`;
  }

  setStatefulSet(name: string, replicas: number, extra: { updateRevision?: string; onDelete?: boolean } = {}): void {
    this.objects.set(this.statefulSetPath(name), {
      kind: 'StatefulSet',
      metadata: { name },
      spec: { replicas, updateStrategy: { type: extra.onDelete ? 'OnDelete' : 'RollingUpdate' } },
      status: { updateRevision: extra.updateRevision ?? 'rev-1', currentRevision: extra.updateRevision ?? 'rev-1' },
    });
  }

  setPod(name: string, state: { ready?: boolean; deleting?: boolean; revision?: string } | null): void {
    if (state === null) {
      this.objects.delete(this.podPath(name));
      return;
    }
    this.objects.set(this.podPath(name), {
      kind: 'Pod',
      metadata: {
        name,
        labels: { 'controller-revision-hash': state.revision ?? 'rev-1' },
        ...(state.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      },
      status: { conditions: [{ type: 'Ready', status: state.ready === false ? 'False' : 'True' }] },
    });
  }
}
