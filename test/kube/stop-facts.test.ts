import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStopFacts, SERVICE_ACCOUNT_DIR } from '../../src/kube/stop-facts.js';
import { freePort } from '../helpers/free-port.js';

/**
 * The adapter when the Kubernetes API cannot answer: no configuration at all, a refused
 * connection, and a listener that accepts and never says anything (a hung network path, not an
 * API server). What it reads from a real API server is checked on the local cluster
 * (test/cluster/scenarios/stop-reason.ts).
 */
describe('reading why the pod stops from the Kubernetes API, when it cannot answer (src/kube/stop-facts.ts)', function () {
  this.timeout(20000);
  const dir = mkdtempSync(join(tmpdir(), 'aku-kube-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function kubeconfig(port: number): string {
    const file = join(dir, `kubeconfig-${port}`);
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters: [{name: k, cluster: {server: "https://127.0.0.1:' + port + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: not-a-real-token}}]',
      'contexts: [{name: c, context: {cluster: k, user: u, namespace: aku-test}}]', '',
    ].join('\n'));
    return file;
  }
  const base = { stsName: 'altibase-sts', podName: 'altibase-sts-1', boundMs: 2000 };

  it('without KUBECONFIG and outside a pod, says there is no API to ask, at once and without loading the client', async () => {
    const started = Date.now();
    const answer = await readStopFacts({ ...base, env: {}, root: dir });
    assert.equal(answer.kind, 'unavailable');
    assert.match(answer.kind === 'unavailable' ? answer.why : '', /KUBECONFIG is not set and there is no in-cluster service account \(KUBERNETES_SERVICE_HOST is not set, .*serviceaccount\/token does not exist; the chart mounts the token when rbac.create is true\)/);
    assert.ok(Date.now() - started < 200);
  });

  it('in a pod whose token is mounted but whose namespace is unknown, names AKU_POD_NAMESPACE', async () => {
    const sa = join(dir, SERVICE_ACCOUNT_DIR);
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'not-a-real-token');
    writeFileSync(join(sa, 'ca.crt'), '');
    const answer = await readStopFacts({ ...base, env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '1' }, root: dir });
    assert.match(answer.kind === 'unavailable' ? answer.why : '', /this pod's namespace is unknown: set AKU_POD_NAMESPACE/);
  });

  it('a refused connection is unavailable, naming the request and the error', async () => {
    const port = await freePort();
    const answer = await readStopFacts({ ...base, env: { KUBECONFIG: kubeconfig(port) } });
    assert.equal(answer.kind, 'unavailable');
    assert.match(answer.kind === 'unavailable' ? answer.why : '', new RegExp(`GET /apis/apps/v1/namespaces/aku-test/statefulsets/altibase-sts at https://127.0.0.1:${port}: connect ECONNREFUSED`));
  });

  it('an API that never answers costs the bound and no more, and leaves no socket open', async () => {
    const sockets: Socket[] = [];
    const closed = new Set<Socket>();
    // Reads what arrives (the TLS hello) and never writes a byte.
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on('close', () => closed.add(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const answer = await readStopFacts({ ...base, boundMs: 1500, env: { KUBECONFIG: kubeconfig(port) } });
      const took = Date.now() - started;
      assert.match(answer.kind === 'unavailable' ? answer.why : '', new RegExp(`the Kubernetes API at https://127.0.0.1:${port} did not answer within 1.5 s`));
      assert.ok(took >= 1400 && took < 2500, `took ${took} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(sockets.length >= 1 && sockets.every((s) => closed.has(s)), `the client closed its connections (${closed.size} of ${sockets.length})`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('@kubernetes/client-node is loaded by -p end and reconcile only', () => {
  const src = join(import.meta.dirname, '..', '..', 'src');
  const read = (path: string) => readFileSync(join(src, path), 'utf8');
  const sources = (dir: string): string[] => readdirSync(join(src, dir), { withFileTypes: true }).flatMap((e) => e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);

  it('only src/kube/api.ts names it, through a dynamic import()', () => {
    const naming = sources('.').filter((f) => read(f).includes('@kubernetes/client-node'));
    assert.deepEqual(naming, [join('kube', 'api.ts')]);
    assert.doesNotMatch(read('kube/api.ts'), /^\s*import[^(]*['"]@kubernetes\/client-node['"]/m, 'no static import');
    assert.match(read('kube/api.ts'), /await import\('@kubernetes\/client-node'\)/);
  });

  it('the CLI reaches the adapters only through a dynamic import(): -p end\'s stop-reason provider and reconcile\'s set reader', () => {
    const importers = (module: RegExp) => sources('.').filter((f) => module.test(read(f)));
    assert.deepEqual(importers(/kube\/stop-facts\.js/), [join('cli', 'run-pod-action.ts')]);
    assert.deepEqual(importers(/kube\/set-facts\.js/).filter((f) => !f.startsWith('reconcile')), [join('cli', 'run-reconcile.ts')]);
    assert.deepEqual(importers(/['"](\.\/|\.\.\/kube\/)api\.js['"]/).sort(), [join('kube', 'set-facts.ts'), join('kube', 'stop-facts.ts')]);
    for (const [file, module] of [['cli/run-pod-action.ts', 'stop-facts'], ['cli/run-reconcile.ts', 'set-facts']] as const) {
      assert.doesNotMatch(read(file), new RegExp(`^\\s*import[^(]*['"][^'"]*kube/${module}\\.js['"]`, 'm'), file);
    }
    // src/reconcile takes the reader's types only.
    for (const file of sources('reconcile').filter((f) => /kube\/set-facts\.js/.test(read(f)))) {
      assert.match(read(file), /^import type [^;]*kube\/set-facts\.js/m, file);
    }
  });
});
