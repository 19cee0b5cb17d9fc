/**
 * Figures on a real Kubernetes cluster (the local one, or AKU_KUBECONFIG + AKU_IMAGE as for the
 * cluster suite), in a namespace of the bench's own, holding the suite's lock while it runs:
 *
 *   scale-1-to-6: wall time of `helm upgrade --set replicaCount=6` of a one-pod release until all
 *     six pods are Ready, against what the work itself needs: the servers' own SYNC time (each
 *     joining pod's log, "Sync tables from MASTER Server." to "Replication sync has ended.") plus
 *     the same scale, 1 → 6 with OrderedReady, of a StatefulSet of no-op containers (the local
 *     pause image) on the same cluster.
 *   restart-resume: `aku -p start`'s own duration in pod 1 deleted and back (it resumes), against
 *     the same pod's start after a reset (`aku -p clean`, then deleted: it rejoins by TRUNCATE +
 *     SYNC), with ROWS rows in SYS.T1. Both without the wait for the pod's own name to resolve to
 *     its new address, which is Kubernetes' (endpoints, then the DNS cache's TTL) and the same on
 *     both paths; restart-resume-with-address-wait is the same pair with it.
 *
 * Without a reachable cluster both lines say `skipped` and why. The bench never brings a cluster
 * up or down; it deletes its namespace (claims included) and recycles the volumes when done.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  CHART_DIR, CLUSTER_SCRIPT, Cluster, describeResult, isReady, resolveTarget, run as exec, waitFor, waitReadyPods, type Target,
} from '../cluster/helpers.js';
import { result, skipped, type BenchLine } from './types.js';

const NAMESPACE = 'aku-bench';
const RELEASE = 'aku';
const NOOP = 'noop';
const ROWS = 100_000;
const ROWS_PER_STATEMENT = 1000;
/** The suite's lock (test/cluster/cluster.test.ts): one user of the local cluster's pods at a time. */
const LOCK_DIR = '/run/aku-cluster-suite.lock';
const LOCK_WAIT_MS = 15 * 60_000;
const NAMES = ['scale-1-to-6', 'restart-resume', 'restart-resume-with-address-wait'];
/** The local cluster's pause image (scripts/cluster/lib/config.sh PAUSE_IMAGE), for the no-op StatefulSet. */
const PAUSE_IMAGE = /^PAUSE_IMAGE=(\S+)$/m.exec(readFileSync(new URL('../../scripts/cluster/lib/config.sh', import.meta.url), 'utf8'))?.[1];

const skipAll = (why: string): BenchLine[] => NAMES.map((name) => skipped(name, why));

async function takeLock(): Promise<boolean> {
  try {
    await waitFor(`the cluster lock ${LOCK_DIR}`, LOCK_WAIT_MS, async () => {
      try {
        mkdirSync(LOCK_DIR);
        writeFileSync(`${LOCK_DIR}/pid`, String(process.pid));
        return true;
      } catch {
        let holder = 0;
        try {
          holder = Number(readFileSync(`${LOCK_DIR}/pid`, 'utf8') || 0);
          if (holder > 0) process.kill(holder, 0);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(LOCK_DIR, { recursive: true, force: true }); // its holder is gone
        }
        return undefined;
      }
    }, 5000);
    return true;
  } catch {
    return false;
  }
}

function releaseLock(): void {
  try {
    if (readFileSync(`${LOCK_DIR}/pid`, 'utf8') === String(process.pid)) rmSync(LOCK_DIR, { recursive: true, force: true });
  } catch {
    // not ours, or already gone
  }
}

/** `[AKU][2026/12/02 11:30:01.123456][pid] …` → { micros since the epoch (pod's clock), pid, text }. */
function akuLines(log: string): { at: number; pid: string; text: string }[] {
  return log.split('\n').flatMap((line) => {
    const m = /^\[AKU\]\[(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})\]\[(\d+)\] (.*)$/.exec(line);
    if (!m) return [];
    const [, y, mo, d, h, mi, s, us, pid, text] = m as unknown as string[];
    const at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) * 1000 + Number(us);
    return [{ at, pid: pid!, text: text! }];
  });
}

/** Seconds between the first line matching `from` and the next matching `to`. */
function between(log: string, from: RegExp, to: RegExp): number {
  const lines = akuLines(log);
  const start = lines.findIndex((l) => from.test(l.text));
  const end = lines.findIndex((l, i) => i > start && to.test(l.text));
  if (start < 0 || end < 0) throw new Error(`no ${from} … ${to} in the log:\n${log}`);
  return (lines[end]!.at - lines[start]!.at) / 1e6;
}

/**
 * The last successful `aku -p start` of a container's log: seconds from its first to its last log
 * line (the aku lines between the entrypoint's last "aku -p start (attempt …)" and its "aku -p
 * start succeeded"; other aku runs, e.g. probes, may log after it), and of those the seconds spent
 * waiting for the pod's own name to resolve to its new address (from the first line to the
 * address step's "resolves to this pod"; 0 when it resolved at once).
 */
interface StartTimes {
  total: number;
  addressWait: number;
}

function lastStart(log: string): StartTimes {
  const all = log.split('\n');
  const succeeded = all.findLastIndex((l) => /aku -p start succeeded/.test(l));
  const attempt = all.findLastIndex((l, i) => i < succeeded && /aku -p start \(attempt/.test(l));
  const own = akuLines(all.slice(attempt + 1, succeeded).join('\n'));
  if (succeeded < 0 || attempt < 0 || own.length === 0) throw new Error(`no successful aku -p start in the log:\n${log}`);
  const resolved = own.find((l) => /\[akuRunStart:address\].* resolves to this pod/.test(l.text));
  return {
    total: (own[own.length - 1]!.at - own[0]!.at) / 1e6,
    addressWait: resolved ? (resolved.at - own[0]!.at) / 1e6 : 0,
  };
}

async function must(what: string, pending: ReturnType<typeof exec>): Promise<string> {
  const r = await pending;
  if (r.exitCode !== 0) throw new Error(`${what}: ${describeResult(r)}`);
  return String(r.stdout);
}

/** Wall seconds of a scale of the no-op StatefulSet from 1 to 6 pods, each Ready in order. */
async function noopScaleSeconds(cluster: Cluster): Promise<number> {
  if (!PAUSE_IMAGE) throw new Error('scripts/cluster/lib/config.sh names no PAUSE_IMAGE');
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: NOOP },
    spec: {
      serviceName: NOOP,
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: NOOP } },
      template: {
        metadata: { labels: { app: NOOP } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: NOOP, image: PAUSE_IMAGE, imagePullPolicy: 'IfNotPresent' }] },
      },
    },
  };
  await must('create the no-op StatefulSet', exec(cluster.target.kubectl, ['--kubeconfig', cluster.target.kubeconfig, '-n', NAMESPACE, 'apply', '-f', '-'], { input: JSON.stringify(manifest) }));
  const readyNoop = (count: number) => waitFor(`${count} Ready no-op pod(s)`, 300_000, async () => {
    const pods = (await cluster.json(['get', 'pods', '-l', `app=${NOOP}`])).items as any[];
    return pods.length === count && pods.every(isReady) ? true : undefined;
  }, 500);
  await readyNoop(1);
  const started = performance.now();
  await must('scale the no-op StatefulSet', cluster.kubectl(['scale', 'statefulset', NOOP, '--replicas=6']));
  await readyNoop(6);
  const seconds = (performance.now() - started) / 1000;
  await cluster.kubectl(['delete', 'statefulset', NOOP, '--wait=true'], 120_000);
  return seconds;
}

async function insertRows(cluster: Cluster, pod: string): Promise<void> {
  const statements: string[] = [];
  for (let first = 1; first <= ROWS; first += ROWS_PER_STATEMENT) {
    const values = Array.from({ length: ROWS_PER_STATEMENT }, (_, k) => `(${first + k}, 'row ${first + k}')`);
    statements.push(`INSERT INTO SYS.T1 VALUES ${values.join(', ')};`);
  }
  // One file through stdin, run by the image's SQL client (the password never leaves the pod).
  const script = 'cat > /tmp/bench-rows.sql && aku-sql -f /tmp/bench-rows.sql >/dev/null && rm -f /tmp/bench-rows.sql';
  await must(`insert ${ROWS} rows on ${pod}`, exec(cluster.target.kubectl, ['--kubeconfig', cluster.target.kubeconfig, '-n', NAMESPACE, 'exec', '-i', pod, '-c', 'altibase', '--', 'bash', '-c', script], { input: statements.join('\n'), timeoutMs: 600_000 }));
}

async function rowCount(cluster: Cluster, pod: string): Promise<number> {
  const rows = await cluster.sql(pod, 'SELECT COUNT(*) AS N FROM SYS.T1');
  return Number(rows[0]?.N);
}

/** Deletes pod `name` and waits until it is back and Ready; returns its new log. */
async function deleteAndWait(cluster: Cluster, name: string, pods: number): Promise<string> {
  const before = (await cluster.json(['get', 'pod', name])).metadata.uid as string;
  await must(`delete pod ${name}`, cluster.kubectl(['delete', 'pod', name, '--wait=true'], 300_000));
  await waitFor(`${name} recreated`, 120_000, async () => ((await cluster.json(['get', 'pod', name])).metadata.uid !== before ? true : undefined));
  await waitReadyPods(cluster, RELEASE, pods, 900_000);
  return cluster.logs(name);
}

/** Removes what the bench made: the release, the namespace with its claims; recycles the local volumes. */
async function cleanUp(target: Target): Promise<void> {
  await exec(target.helm, ['--kubeconfig', target.kubeconfig, '-n', NAMESPACE, 'uninstall', RELEASE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
  await exec(target.kubectl, ['--kubeconfig', target.kubeconfig, 'delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 300_000 });
  // The local cluster's volumes are shared: released ones go back to Available (a no-op elsewhere).
  if (process.getuid?.() === 0) await exec('bash', [CLUSTER_SCRIPT, 'volumes']);
}

async function measure(target: Target): Promise<BenchLine[]> {
  const cluster = new Cluster(target, NAMESPACE);
  const kubectl = (args: string[], timeoutMs?: number) => exec(target.kubectl, ['--kubeconfig', target.kubeconfig, ...args], { timeoutMs });
  await kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], 300_000);
  await must(`create namespace ${NAMESPACE}`, kubectl(['create', 'namespace', NAMESPACE]));
  try {
    const noop = await noopScaleSeconds(cluster);

    // The chart's defaults, but no resource requests: six pods of the default preset (500m CPU
    // each) do not fit on a two-core node, and the no-op pods request nothing either.
    await must('helm install', cluster.helm(['install', RELEASE, CHART_DIR, ...target.valuesArgs, '--set', 'replicaCount=1', '--set', 'aku.serverCount=6', '--set', 'resourcesPreset=none']));
    await waitReadyPods(cluster, RELEASE, 1, 600_000);
    const started = performance.now();
    await must('helm upgrade to 6', cluster.helm(['upgrade', RELEASE, CHART_DIR, '--reuse-values', '--set', 'replicaCount=6']));
    const six = await waitReadyPods(cluster, RELEASE, 6, 1_800_000);
    const scale = (performance.now() - started) / 1000;
    let sync = 0;
    for (const pod of six.slice(1)) sync += between(await cluster.logs(pod.metadata.name), /Sync tables from MASTER Server\./, /Replication sync has ended\./);
    const lines: BenchLine[] = [result('scale-1-to-6', scale, 's', { name: 'servers-sync-plus-noop-scale', value: sync + noop, unit: 's' })];
    process.stderr.write(`bench: scale-1-to-6: SYNC ${sync.toFixed(2)} s in total, no-op StatefulSet 1 → 6 ${noop.toFixed(1)} s\n`);

    await must('helm upgrade to 2', cluster.helm(['upgrade', RELEASE, CHART_DIR, '--reuse-values', '--set', 'replicaCount=2']));
    const two = await waitReadyPods(cluster, RELEASE, 2, 900_000);
    const [pod0, pod1] = two.map((p) => p.metadata.name as string) as [string, string];
    await insertRows(cluster, pod0);
    await waitFor(`${ROWS} rows on ${pod1}`, 600_000, async () => ((await rowCount(cluster, pod1)) >= ROWS ? true : undefined), 2000);
    const resume = lastStart(await deleteAndWait(cluster, pod1, 2));
    await must(`aku -p clean in ${pod1}`, cluster.kubectl(['exec', pod1, '-c', 'altibase', '--', 'aku', '-p', 'clean'], 300_000));
    const resyncLog = await deleteAndWait(cluster, pod1, 2);
    if (!/Sync tables from MASTER Server/.test(resyncLog)) throw new Error(`${pod1} did not rejoin by SYNC after aku -p clean:\n${resyncLog}`);
    const resync = lastStart(resyncLog);
    const rows = await rowCount(cluster, pod1);
    if (rows < ROWS) throw new Error(`${pod1} holds ${rows} rows after its SYNC, not ${ROWS}`);
    lines.push(result('restart-resume', resume.total - resume.addressWait, 's', { name: `start-after-reset-${ROWS}-rows`, value: resync.total - resync.addressWait, unit: 's' }));
    lines.push(result('restart-resume-with-address-wait', resume.total, 's', { name: `start-after-reset-${ROWS}-rows`, value: resync.total, unit: 's' }));
    process.stderr.write(`bench: restart-resume: waits for the pod's own name to resolve: ${resume.addressWait.toFixed(2)} s (resume), ${resync.addressWait.toFixed(2)} s (re-sync)\n`);
    return lines;
  } finally {
    await cleanUp(target);
  }
}

export async function run(): Promise<BenchLine[]> {
  const target = resolveTarget();
  if ('reason' in target) return skipAll(target.reason);
  const reachable = await exec(target.kubectl, ['--kubeconfig', target.kubeconfig, 'get', '--raw', '/readyz'], { timeoutMs: 15_000 });
  if (reachable.exitCode !== 0) return skipAll(`the cluster is not reachable (${target.kubeconfig}): ${String(reachable.all).split('\n')[0]?.slice(0, 160)}`);
  if (!(await takeLock())) return skipAll(`${LOCK_DIR} stayed held by another run for ${LOCK_WAIT_MS / 60_000} min`);
  // Interrupted (Ctrl-C, a timeout's TERM): clean up and let the lock go before exiting.
  const interrupted = () => void cleanUp(target).finally(() => {
    releaseLock();
    process.exit(130);
  });
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    return await measure(target);
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    releaseLock();
  }
}

