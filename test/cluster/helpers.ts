/**
 * Shared by the cluster suite (test/cluster/): which cluster and tools to use, running kubectl and
 * helm, bounded waits, and the dump of the cluster's state when a test fails.
 *
 * The target is the project's local cluster (scripts/cluster, needs root), or a cluster of the
 * user's: AKU_KUBECONFIG (+ AKU_IMAGE, an image built from docker/Dockerfile, and optionally
 * AKU_CLUSTER_VALUES, a values file with the cluster's storage class or pull secrets).
 */
import { execa, type Result } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = join(REPO_ROOT, 'chart');
export const CLUSTER_SCRIPT = join(REPO_ROOT, 'scripts/cluster/cluster.sh');
export const LOCAL_VALUES = join(CHART_DIR, 'ci/local-cluster-values.yaml');
const CACHE = process.env.AKU_CACHE ?? join(homedir(), '.cache/aku');
export const CLUSTER_DIR = process.env.AKU_CLUSTER_DIR ?? '/var/lib/aku-cluster';

export interface Target {
  /** The project's own cluster: the suite brings it up and tears it down. */
  local: boolean;
  kubeconfig: string;
  kubectl: string;
  helm: string;
  /** helm arguments choosing the image and the cluster's values. */
  valuesArgs: string[];
}

/** KEY='value' lines written by scripts/cluster/build-tools.sh. */
function readToolsEnv(): Record<string, string> {
  const file = join(CACHE, 'cluster-tools.env');
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)='(.*)'$/.exec(line);
    if (match) env[match[1] as string] = match[2] as string;
  }
  return env;
}

/** Why the suite cannot run here, or the target it runs against. */
export function resolveTarget(): Target | { reason: string } {
  const tools = readToolsEnv();
  const kubectl = process.env.AKU_KUBECTL ?? tools.KUBECTL ?? 'kubectl';
  const helm = process.env.AKU_HELM ?? tools.HELM ?? 'helm';
  const external = process.env.AKU_KUBECONFIG;
  if (external) {
    const image = process.env.AKU_IMAGE;
    if (!image) return { reason: 'AKU_KUBECONFIG is set but AKU_IMAGE is not (an image built from docker/Dockerfile)' };
    const at = image.lastIndexOf(':');
    const [repository, tag] = at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, ''];
    const valuesArgs = ['--set', `image.repository=${repository}`, ...(tag ? ['--set', `image.tag=${tag}`] : [])];
    if (process.env.AKU_CLUSTER_VALUES) valuesArgs.unshift('-f', process.env.AKU_CLUSTER_VALUES);
    return { local: false, kubeconfig: external, kubectl, helm, valuesArgs };
  }
  if (process.getuid?.() !== 0) {
    return { reason: 'not root: the local cluster needs root (containerd, kubelet, bridge, mounts); set AKU_KUBECONFIG and AKU_IMAGE to use a cluster of yours' };
  }
  if (!tools.KUBECTL) return { reason: `${join(CACHE, 'cluster-tools.env')} is missing: run npm run setup (builds the cluster tools)` };
  return { local: true, kubeconfig: join(CLUSTER_DIR, 'kubeconfig'), kubectl, helm, valuesArgs: ['-f', LOCAL_VALUES] };
}

/**
 * What `cluster.sh status` reports: every component running (`up`), none (`down`), or some
 * (`partial`: what a crashed run left). `cluster.sh up` on a cluster that is up takes it down and
 * brings it up afresh (it treats the running components as leftovers), so it is called only when
 * the cluster is not up.
 */
export function clusterState(statusOutput: string): 'up' | 'down' | 'partial' {
  const running = (statusOutput.match(/^\s*✓ /gm) ?? []).length;
  const stopped = (statusOutput.match(/^\s*✗ /gm) ?? []).length;
  if (running > 0 && stopped === 0) return 'up';
  return running === 0 ? 'down' : 'partial';
}

export async function run(file: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Result> {
  return execa(file, args, { reject: false, all: true, timeout: opts.timeoutMs ?? 120_000, input: opts.input, cwd: REPO_ROOT });
}

export function describeResult(r: Result): string {
  return `${r.command}\nexit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n${r.all ?? ''}`;
}

export class Cluster {
  constructor(readonly target: Target, readonly namespace: string) {}

  kubectl(args: string[], timeoutMs = 60_000): Promise<Result> {
    return run(this.target.kubectl, ['--kubeconfig', this.target.kubeconfig, '-n', this.namespace, ...args], { timeoutMs });
  }

  helm(args: string[], timeoutMs = 300_000): Promise<Result> {
    return run(this.target.helm, ['--kubeconfig', this.target.kubeconfig, '-n', this.namespace, ...args], { timeoutMs });
  }

  async json(args: string[]): Promise<any> {
    const r = await this.kubectl([...args, '-o', 'json']);
    if (r.exitCode !== 0) throw new Error(describeResult(r));
    return JSON.parse(String(r.stdout));
  }

  /** Pods of a release, by ordinal. */
  async pods(release: string): Promise<any[]> {
    const list = await this.json(['get', 'pods', '-l', `app.kubernetes.io/instance=${release}`]);
    return list.items
      .filter((p: any) => /-\d+$/.test(p.metadata.name))
      .sort((a: any, b: any) => ordinal(a.metadata.name) - ordinal(b.metadata.name));
  }

  /**
   * Runs one statement as SYS inside a pod with the image's own SQL client: `aku-sql` when the image
   * has it, else isql with a CONNECT script (the password is read inside the pod, never passed here).
   * Rows come back as parsed JSON lines.
   */
  async sql(pod: string, statement: string): Promise<any[]> {
    const script = [
      'if command -v aku-sql >/dev/null; then exec aku-sql "$0"; fi',
      'pw=${AKU_SYS_PASSWORD:-$(cat "${AKU_SYS_PASSWORD_FILE:-/dev/null}")}',
      'printf \'CONNECT SYS/"%s" AS SYSDBA;\\n%s;\\nEXIT;\\n\' "${pw//\\"/\\"\\"}" "$0" | isql -s 127.0.0.1 -port "${ALTIBASE_PORT_NO:-20300}" -silent /NOLOG',
    ].join('\n');
    const r = await this.kubectl(['exec', pod, '-c', 'altibase', '--', 'bash', '-c', script, statement]);
    const out = String(r.stdout);
    if (r.exitCode !== 0 || /ERR-[0-9A-Fa-f]{5}/.test(out)) throw new Error(`${statement} on ${pod}: ${describeResult(r)}`);
    return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }

  async logs(pod: string, previous = false): Promise<string> {
    const r = await this.kubectl(['logs', pod, '-c', 'altibase', ...(previous ? ['--previous'] : [])]);
    return String(r.all ?? '');
  }
}

export function ordinal(podName: string): number {
  return Number(/-(\d+)$/.exec(podName)?.[1] ?? NaN);
}

export function isReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Polls `check` until it returns a value other than undefined, at most `timeoutMs`; the error names
 * what was awaited and the last state seen.
 */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `; last error: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until exactly `count` pods of the release exist and are Ready. */
export async function waitReadyPods(cluster: Cluster, release: string, count: number, timeoutMs: number): Promise<any[]> {
  return waitFor(`${count} Ready pod(s) of ${release}`, timeoutMs, async () => {
    const pods = await cluster.pods(release);
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === count && live.every(isReady) ? pods : undefined;
  }, 2000);
}

/** A pod's replication objects and senders, one JSON line each (what a failed replication test needs). */
async function replicationState(cluster: Cluster, pod: string): Promise<string> {
  const lines: string[] = [];
  for (const statement of ['SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_', 'SELECT * FROM V$REPSENDER', 'SELECT * FROM V$REPGAP']) {
    try {
      lines.push(`${statement}:`, ...(await cluster.sql(pod, statement)).map((row) => `  ${JSON.stringify(row)}`));
    } catch (error) {
      lines.push(`${statement}: ${error instanceof Error ? error.message.split('\n').slice(-3).join(' ') : String(error)}`);
    }
  }
  return lines.join('\n');
}

/** The cluster's state, printed when a test fails: pods, events, and every pod's log (aku's lines). */
export async function dumpState(cluster: Cluster, release: string): Promise<string> {
  const parts: string[] = [];
  const section = async (title: string, args: string[]) => {
    const r = await cluster.kubectl(args);
    parts.push(`----- ${title}\n${r.all ?? ''}`);
  };
  await section('pods', ['get', 'pods,pvc,statefulset', '-o', 'wide']);
  await section('events', ['get', 'events', '--sort-by=.lastTimestamp']);
  try {
    for (const pod of await cluster.pods(release)) {
      parts.push(`----- log of ${pod.metadata.name}\n${await cluster.logs(pod.metadata.name)}`);
      if (isReady(pod) || pod.status?.phase === 'Running') parts.push(`----- replication on ${pod.metadata.name}\n${await replicationState(cluster, pod.metadata.name)}`);
      const restarts = pod.status?.containerStatuses?.[0]?.restartCount ?? 0;
      if (restarts > 0) parts.push(`----- previous log of ${pod.metadata.name}\n${await cluster.logs(pod.metadata.name, true)}`);
    }
  } catch (error) {
    parts.push(`(pods unreadable: ${String(error)})`);
  }
  return parts.join('\n');
}

/**
 * Follows a pod's log from now until its container ends (`kubectl logs -f`): the log of a pod that
 * is deleted goes with it, and its preStop lines are what a test reads. `done` resolves when the
 * stream ends (the container stopped) or after `timeoutMs`.
 */
export function followLog(cluster: Cluster, pod: string, timeoutMs = 600_000): { text: () => string; done: Promise<number> } {
  let text = '';
  const child = execa(cluster.target.kubectl, ['--kubeconfig', cluster.target.kubeconfig, '-n', cluster.namespace,
    'logs', '-f', pod, '-c', 'altibase'], { reject: false, all: true, timeout: timeoutMs });
  child.all?.on('data', (d: Buffer) => (text += d.toString()));
  return { text: () => text, done: child.then(() => Date.now()) };
}

/** How each `aku -p start` in a log chose to start, in order: `master`, `sync` or `resume` (akuRunStart:role / :path lines). */
export function startPaths(log: string): string[] {
  const paths: string[] = [];
  for (const line of log.split('\n')) {
    if (/\[akuRunStart:role\].* Start as MASTER Pod\./.test(line)) paths.push('master');
    else if (/\[akuRunStart:path\].* will be truncated and synchronised from the MASTER\./.test(line)) paths.push('sync');
    else if (/\[akuRunStart:path\].* Replication information is intact .* resumes\./.test(line)) paths.push('resume');
  }
  return paths;
}

/** The number of `aku -p start` runs the entrypoint began in a log (one line per attempt). */
export function startAttempts(log: string): number {
  return (log.match(/\] aku -p start \(attempt \d+ of \d+\)$/gm) ?? []).length;
}

/**
 * The path a slave's next start must take after the `aku -p end` in this log: `sync` when the end
 * reset its pairs (a scale-down; or any stop where aku cannot read why the pod stops and
 * AKU_REPLICATION_RESET_AT_END = 1), `resume` when it kept them (a restart it recognised).
 */
export function pathAfterEnd(endLog: string): 'sync' | 'resume' {
  return /\[akuRunEnd:settle\].* Replication reset has ended\./.test(endLog) ? 'sync' : 'resume';
}
