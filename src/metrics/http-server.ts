import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The exporter's HTTP side: GET /metrics (the Prometheus text), GET /healthz (the process
 * serves; no database is read, so that a liveness probe never restarts the exporter for a
 * database problem it is there to report), 404 for any other path, 405 for any other method.
 */

export interface MetricsRoutes {
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Why the exporter is not healthy, or undefined when it is. */
  unhealthy(): string | undefined;
  /** A request that failed in the exporter itself (not a failed read: that is in the metrics). */
  onError(error: unknown): void;
}

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the kernel's pick for 0). */
  port: number;
  /** Stops accepting, ends idle keep-alive connections, and resolves when every request is answered (at most `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** Scrapes wait for a read bounded by the exporter; this only ends requests that never complete (a client that stalls). */
const REQUEST_TIMEOUT_MS = 60_000;

export function serveMetrics(port: number, routes: MetricsRoutes, host?: string): Promise<MetricsServer> {
  const server = createServer((request, response) => void answer(request, response, routes));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, ...(host ? { host } : {}) }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ port: typeof address === 'object' && address ? address.port : port, close: (graceMs) => close(server, graceMs ?? 5000) });
    });
  });
}

async function answer(request: IncomingMessage, response: ServerResponse, routes: MetricsRoutes): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/healthz') return reply(response, 404, 'not found: aku metrics serves /metrics and /healthz\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
  const head = request.method === 'HEAD';
  if (path === '/healthz') {
    const problem = routes.unhealthy();
    return reply(response, problem ? 503 : 200, problem ? `${problem}\n` : 'ok\n', {}, head);
  }
  try {
    const { contentType, body } = await routes.metrics();
    reply(response, 200, body, { 'Content-Type': contentType }, head);
  } catch (error) {
    routes.onError(error);
    reply(response, 500, 'the exporter could not build the metrics; see its log\n', {}, head);
  }
}

function reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, head = false): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  response.end(head ? undefined : body);
}

async function close(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
  });
  await Promise.race([closed, late]);
  clearTimeout(timer);
}
