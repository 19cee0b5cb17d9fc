/**
 * `npm run demo` (after scripts/setup.sh, through scripts/cluster/demo.sh): the chart on the local
 * Kubernetes cluster as a user drives it, with a client writing the whole time.
 *
 *   1. the cluster: images imported, `cluster up` (a cluster already up stays up)
 *   2. helm install (1 pod); aku's log lines of every pod streamed from here on, prefixed by pod
 *   3. a writer Pod inserting rows through the chart's client Service (scripts/cluster/demo/writer.ts)
 *   4. helm upgrade --reuse-values --set replicaCount= 3, 2, 3, each awaited until the pods are Ready
 *   5. kubectl exec <pod-0> -- aku -i
 *   6. writer stopped, every started replication FLUSHed, the pods' rows read until they agree (bounded)
 *   7. the pods × replications table and the row count per pod
 *   8. the namespace deleted and the cluster torn down (not with --keep; not when it was already up),
 *      also on SIGINT/SIGTERM; then the last line:
 *      demo: pods=<n> rows=<per pod> identical=<yes|no> written=<n> lost=<n>
 * Exit 0 when identical=yes and lost=0, 1 otherwise or on a failed step, 2 on bad usage, 130/143
 * when interrupted.
 */
import { execa, type ResultPromise } from 'execa';
import { CHART_DIR, CLUSTER_SCRIPT, Cluster, REPO_ROOT, clusterState, describeResult, resolveTarget, run, waitFor, waitReadyPods, type Target } from '../../test/cluster/helpers.js';
import { lockHolder, releaseLock, takeLock } from '../../test/cluster/lock.js';
import { DEMO_USAGE, parseDemoArgs, type DemoOptions } from './demo/args.js';
import { error, log, seconds, shown, step, warn } from './demo/output.js';
import { PodLogs } from './demo/pod-logs.js';
import { REPLICATION_QUERIES, formatTable, replicationRows, replicationTable, type ReplicationRow } from './demo/replication-table.js';
import { summarize, summaryExitCode, summaryLine, type PodRows, type Summary } from './demo/summary.js';
import { WRITER_STOP_FILE, parseWriterLog, writerPod, type WriterLog } from './demo/writer.js';

/** The sample schema's table, which the chart's default aku.replications replicates. */
const TABLE = 'SYS.T1';
const WRITER = 'demo-writer';
const SCALE_STEPS = [3, 2, 3];
/** Seconds the writer keeps writing at each size once its pods are Ready, before the next step. */
const HOLD_SECONDS = 10;
/**
 * The pods' requests, instead of the chart's default preset (medium: 500m CPU each, limited to
 * 750m): three of those and the writer would take most of the local node's 2 cores for requests
 * alone, and the limit throttles a pod during its SYNC. Shown in the helm install line.
 */
const DEMO_RESOURCES = ['--set', 'resources.requests.cpu=100m', '--set', 'resources.requests.memory=256Mi'];
const MINUTE = 60_000;

class Interrupted extends Error {}

class Demo {
  private readonly cluster: Cluster;
  private readonly children = new Set<ResultPromise>();
  private interruptedBy: NodeJS.Signals | undefined;
  private rejectInterrupted: ((e: Error) => void) | undefined;
  private readonly interrupted = new Promise<never>((_, reject) => (this.rejectInterrupted = reject));
  private locked = false;
  private wasUp = false;
  private installed = false;
  private logs: PodLogs | undefined;
  private sts = '';

  constructor(private readonly target: Target, private readonly opts: DemoOptions) {
    this.cluster = new Cluster(target, opts.namespace);
    this.interrupted.catch(() => {}); // raced by guard(); never unhandled
  }

  async run(): Promise<number> {
    const started = Date.now();
    let firstSignalAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.interruptedBy) {
        // A terminal's Ctrl-C arrives twice (from the terminal, and passed on by tsx's parent process).
        if (Date.now() - firstSignalAt > 2000) warn(`${signal} again: still cleaning up, please wait`);
        return;
      }
      firstSignalAt = Date.now();
      this.interruptedBy = signal;
      warn(`${signal}: stopping the demo and cleaning up`);
      // A terminal's Ctrl-C reaches the children already (one process group); a SIGTERM sent to this
      // process alone is passed on, so that a cluster script in progress stops before the cleanup.
      if (signal === 'SIGTERM') for (const child of this.children) child.kill(signal);
      this.rejectInterrupted?.(new Interrupted(signal));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    let rc = 1;
    let summary: Summary | undefined;
    try {
      summary = await this.story();
      rc = summaryExitCode(summary);
    } catch (e) {
      if (this.interruptedBy) {
        rc = this.interruptedBy === 'SIGINT' ? 130 : 143;
      } else {
        error(e instanceof Error ? e.message : String(e));
        if (this.installed) await this.showState();
      }
    }
    try {
      await this.cleanUp();
    } catch (e) {
      error(`cleaning up: ${e instanceof Error ? e.message : String(e)}`);
      if (rc === 0) rc = 1;
    }
    log(`demo finished in ${seconds(started)} s (exit ${rc})`);
    if (summary) process.stdout.write(`${summaryLine(summary)}\n`);
    return rc;
  }

  /** Awaits `promise` unless a signal came first. */
  private guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.interrupted]);
  }

  /** A command whose output the user sees as it comes (cluster scripts, helm, aku -i). */
  private async visible(file: string, args: string[], opts: { show?: string[]; timeoutMs: number; interruptible?: boolean; filter?: (line: string) => boolean }): Promise<void> {
    if (opts.show) shown(opts.show);
    const child = execa(file, args, {
      reject: false,
      cwd: REPO_ROOT,
      env: { KUBECONFIG: this.target.kubeconfig },
      timeout: opts.timeoutMs,
      all: true,
      stdin: 'ignore',
    });
    this.children.add(child);
    child.all?.on('data', (chunk: Buffer) => {
      if (!opts.filter) process.stdout.write(chunk);
    });
    const result = await (opts.interruptible === false ? child : this.guard(child)).finally(() => this.children.delete(child));
    if (opts.filter) {
      const lines = String(result.all ?? '').split('\n').filter(opts.filter);
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (result.exitCode !== 0) {
      throw new Error(`${[file, ...args].join(' ')} exited with ${result.exitCode ?? result.signal}${result.timedOut ? ` (timed out after ${opts.timeoutMs / 1000} s)` : ''}${opts.filter ? `\n${result.all}` : ''}`);
    }
  }

  private clusterScript(command: string, timeoutMs: number, interruptible = true): Promise<void> {
    return this.visible('bash', [CLUSTER_SCRIPT, command], { timeoutMs, interruptible });
  }

  private helm(args: string[], notes: boolean, interruptible = true): Promise<void> {
    // Shown as typed in the clone (where it runs).
    const chartArgs = args.map((a) => (a.startsWith(`${REPO_ROOT}/`) ? `./${a.slice(REPO_ROOT.length + 1)}` : a));
    // NOTES repeat the same text on every upgrade: shown once, at the install.
    let inNotes = false;
    const filter = notes ? undefined : (line: string) => !(inNotes ||= line.startsWith('NOTES:'));
    return this.visible(this.target.helm, ['-n', this.opts.namespace, ...args], {
      show: ['helm', ...chartArgs.slice(0, 2), '-n', this.opts.namespace, ...chartArgs.slice(2)],
      timeoutMs: 5 * MINUTE,
      interruptible,
      ...(filter ? { filter } : {}),
    });
  }

  private async story(): Promise<Summary> {
    const { namespace, release, keep } = this.opts;
    if (this.target.local) {
      const holder = lockHolder();
      if (holder !== undefined) log(`the cluster is in use by pid ${holder} (the cluster suite or another demo): waiting for it (at most 30 min)`);
      await this.guard(takeLock({ onWait: (pid) => log(`still waiting for the cluster: in use by pid ${pid ?? '?'}`) }));
      this.locked = true;
      this.wasUp = clusterState(String((await run('bash', [CLUSTER_SCRIPT, 'status'])).all)) === 'up';
      log(this.wasUp ? 'the cluster is already up: it stays up' : `the cluster is down: brought up now${keep ? ' and left up (--keep)' : ', torn down at the end'}`);
      if (this.opts.images) await this.clusterScript('images', 30 * MINUTE);
      else log('AKU_DEMO_IMAGES=0: the images the node has are used');
      // Not on a cluster that is up: `up` would restart it (its running components count as leftovers).
      if (!this.wasUp) await this.clusterScript('up', 30 * MINUTE);
      await this.guard(run('bash', [CLUSTER_SCRIPT, 'volumes']));
    } else {
      log(`on the cluster of ${this.target.kubeconfig} (AKU_KUBECONFIG): it is neither started nor stopped`);
    }
    await step(`namespace ${namespace} is new`, () => this.guard(this.deleteNamespace()));

    this.logs = new PodLogs(this.target, namespace, (pod) => {
      if (pod.metadata?.labels?.['app.kubernetes.io/instance'] === release && /-\d+$/.test(pod.metadata.name)) {
        return { container: 'altibase', keep: (line) => /^\[(AKU|entrypoint|pre-stop)\]/.test(line) };
      }
      // The writer's acknowledgements are counted, not printed; its failures are shown as they come.
      if (pod.metadata?.name === WRITER) return { container: 'writer', keep: (line) => !line.startsWith('ack ') };
      return undefined;
    }, (pod, line) => process.stdout.write(`  ${pod} | ${line}\n`));
    this.logs.start();

    log(`helm install: one pod; aku's log lines follow, prefixed by pod`);
    await this.helm(['install', release, CHART_DIR, '--create-namespace', ...this.target.valuesArgs, ...DEMO_RESOURCES, '--set', 'replicaCount=1'], true);
    this.installed = true;
    this.sts = await this.statefulSetName();
    await step('1 pod Ready', () => this.guard(waitReadyPods(this.cluster, release, 1, 10 * MINUTE)));

    await this.startWriter();
    for (const replicas of SCALE_STEPS) {
      await this.helm(['upgrade', release, CHART_DIR, '--reuse-values', '--set', `replicaCount=${replicas}`], false);
      await step(`${replicas} pods Ready, no other pod left`, () => this.guard(waitReadyPods(this.cluster, release, replicas, 15 * MINUTE)));
      await this.guard(new Promise((r) => setTimeout(r, HOLD_SECONDS * 1000)));
      const progress = await this.writerLog();
      log(`writer: ${progress.acknowledged.length} writes acknowledged, ${progress.failed.length} failed so far (${HOLD_SECONDS} s after ${replicas} pods were Ready)`);
    }

    const pod0 = `${this.sts}-0`;
    await this.visible(this.target.kubectl, ['-n', namespace, 'exec', pod0, '-c', 'altibase', '--', 'aku', '-i'], {
      show: ['kubectl', '-n', namespace, 'exec', pod0, '--', 'aku', '-i'],
      timeoutMs: MINUTE,
    });

    const written = await step('writer stopped', () => this.guard(this.stopWriter()));
    log(`writer: ${written.acknowledged.length} writes acknowledged, ${written.failed.length} failed (not acknowledged, not counted)`);
    const pods = (await this.cluster.pods(release)).filter((p) => !p.metadata.deletionTimestamp).map((p) => String(p.metadata.name));
    log(`quiescing: writer stopped; FLUSH on ${pods.join(', ')}; then every pod's rows compared`);
    await step('every started replication FLUSHed', () => this.guard(this.flushAll(pods)));
    const summary = await step('rows read from every pod', () => this.guard(this.converge(pods, written.acknowledged)));

    const replication: ReplicationRow[] = [];
    for (const pod of pods) replication.push(...(await this.guard(this.replicationState(pod))));
    log('replication on each pod (SYSTEM_.SYS_REPLICATIONS_: STARTED, XSN; V$REPSENDER: SENDER; V$REPGAP: GAP = REP_LAST_SN - REP_SN):');
    for (const line of replicationTable(replication)) process.stdout.write(`  ${line}\n`);
    log(`rows of ${TABLE} on each pod:`);
    for (const line of formatTable(['POD', 'ROWS'], summary.rowsPerPod.map((p) => [p.pod, String(p.count)]))) process.stdout.write(`  ${line}\n`);
    if (!summary.identical) warn('the pods do not hold the same rows');
    for (const m of summary.missing) warn(`${m.pod} lacks ${m.ids.length} acknowledged row(s): ids ${m.ids.slice(0, 20).join(', ')}${m.ids.length > 20 ? ', …' : ''}`);
    return summary;
  }

  private async statefulSetName(): Promise<string> {
    const list = await this.cluster.json(['get', 'statefulset', '-l', `app.kubernetes.io/instance=${this.opts.release}`]);
    const name = list.items?.[0]?.metadata?.name;
    if (!name) throw new Error(`no StatefulSet labelled app.kubernetes.io/instance=${this.opts.release} in namespace ${this.opts.namespace}`);
    return name;
  }

  /** The chart's client Service: the release's Service with a cluster IP that selects every pod. */
  private async clientService(): Promise<{ name: string; port: number }> {
    const list = await this.cluster.json(['get', 'service', '-l', `app.kubernetes.io/instance=${this.opts.release}`]);
    const svc = (list.items ?? []).find((s: any) => s.spec?.clusterIP !== 'None' && !s.spec?.selector?.['statefulset.kubernetes.io/pod-name']);
    if (!svc) throw new Error(`namespace ${this.opts.namespace}: no client Service of release ${this.opts.release} (a Service with a cluster IP selecting every pod)`);
    return { name: svc.metadata.name, port: Number(svc.spec.ports[0].port) };
  }

  private async startWriter(): Promise<void> {
    const service = await this.clientService();
    const sts = await this.cluster.json(['get', 'statefulset', this.sts]);
    const pod = writerPod(sts, { name: WRITER, host: service.name, port: service.port, table: TABLE, pauseSeconds: 0.1 });
    log(`writer: a Pod on the product image inserting into ${TABLE} through Service ${service.name}:${service.port} with aku-sql, one connection per row; it logs "ack <id>" once the client reported success`);
    shown(['kubectl', '-n', this.opts.namespace, 'apply', '-f', '-']);
    const r = await this.guard(run(this.target.kubectl, ['--kubeconfig', this.target.kubeconfig, '-n', this.opts.namespace, 'apply', '-f', '-'], { input: JSON.stringify(pod) }));
    if (r.exitCode !== 0) throw new Error(describeResult(r));
    process.stdout.write(`${String(r.stdout)}\n`);
    await step('writer: first write acknowledged', () => this.guard(waitFor(`a first "ack" line in pod ${WRITER}'s log`, 3 * MINUTE, async () => {
      const log = await this.writerLog();
      return log.acknowledged.length > 0 ? true : undefined;
    }, 2000)));
  }

  private async writerLog(): Promise<WriterLog> {
    const r = await this.cluster.kubectl(['logs', WRITER, '-c', 'writer']);
    if (r.exitCode !== 0) throw new Error(describeResult(r));
    return parseWriterLog(String(r.stdout));
  }

  /** Asks the writer to stop after its write in flight, waits for it to exit, returns its record. */
  private async stopWriter(): Promise<WriterLog> {
    const r = await this.cluster.kubectl(['exec', WRITER, '-c', 'writer', '--', 'touch', WRITER_STOP_FILE]);
    if (r.exitCode !== 0) throw new Error(describeResult(r));
    await waitFor(`pod ${WRITER} to finish`, 2 * MINUTE, async () => {
      const pod = await this.cluster.json(['get', 'pod', WRITER]);
      if (pod.status?.phase === 'Failed') throw new Error(`pod ${WRITER} failed: ${JSON.stringify(pod.status.containerStatuses?.[0]?.state)}`);
      return pod.status?.phase === 'Succeeded' ? true : undefined;
    });
    return this.writerLog();
  }

  /** One pod's replication objects with their sender's status and gap. */
  private async replicationState(pod: string): Promise<ReplicationRow[]> {
    const objects = await this.cluster.sql(pod, REPLICATION_QUERIES.objects);
    const senders = await this.cluster.sql(pod, REPLICATION_QUERIES.senders);
    const gaps = await this.cluster.sql(pod, REPLICATION_QUERIES.gaps);
    return replicationRows(pod, objects, senders, gaps);
  }

  /** FLUSHes every started replication of every pod: it sends what is not sent yet and changes no data. */
  private async flushAll(pods: string[]): Promise<void> {
    for (const pod of pods) {
      for (const r of (await this.replicationState(pod)).filter((row) => row.started)) {
        try {
          await this.cluster.sql(pod, `ALTER REPLICATION ${r.replication} FLUSH WAIT 30`);
        } catch (e) {
          warn(`FLUSH of ${r.replication} on ${pod} failed (the rows compared below show whether it mattered): ${e instanceof Error ? e.message.split('\n')[0] : e}`);
        }
      }
    }
  }

  /**
   * Reads every pod's rows. FLUSH returns once the changes are sent; the peer applies them a moment
   * later, so rows that differ are read again, at most for 30 s, and the last reading is the verdict.
   */
  private async converge(pods: string[], acknowledged: number[]): Promise<Summary> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows: PodRows[] = [];
      for (const pod of pods) rows.push({ pod, rows: await this.cluster.sql(pod, `SELECT * FROM ${TABLE}`) });
      const summary = summarize(acknowledged, rows);
      if ((summary.identical && summary.lost === 0) || Date.now() >= deadline) return summary;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  private async deleteNamespace(): Promise<void> {
    const r = await this.cluster.kubectl(['delete', 'namespace', this.opts.namespace, '--ignore-not-found', '--wait=true', '--timeout=5m'], 6 * MINUTE);
    if (r.exitCode !== 0) throw new Error(describeResult(r));
  }

  /**
   * Before the namespace goes: every pod leaves through its preStop `aku -p end` while its peers
   * still resolve (deleting the namespace first removes the headless Service, and each pod's
   * `aku -p end` then spends its budget on peers it cannot reach: ~2 min instead of seconds).
   */
  private async scaleToZero(): Promise<void> {
    try {
      await this.helm(['upgrade', this.opts.release, CHART_DIR, '--reuse-values', '--set', 'replicaCount=0'], false, false);
      await step('0 pods', () => waitFor('every pod of the release gone', 5 * MINUTE, async () => ((await this.cluster.pods(this.opts.release)).length === 0 ? true : undefined), 2000));
    } catch (e) {
      warn(`scaling to 0 before deleting the namespace: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    }
  }

  private async showState(): Promise<void> {
    const r = await this.cluster.kubectl(['get', 'pods,pvc,statefulset', '-o', 'wide']);
    const events = await this.cluster.kubectl(['get', 'events', '--sort-by=.lastTimestamp']);
    process.stderr.write(`${r.all ?? ''}\n${String(events.all ?? '').split('\n').slice(-25).join('\n')}\n`);
  }

  private async cleanUp(): Promise<void> {
    this.logs?.stop();
    // Children a signal interrupted finish their own cleanup before anything else runs.
    await Promise.allSettled([...this.children]);
    const { namespace, keep } = this.opts;
    const down = this.target.local && this.locked && !this.wasUp && !keep;
    try {
      if (keep && this.installed) {
        const env = this.target.local ? 'eval "$(npm run -s cluster -- env)"' : `export KUBECONFIG=${this.target.kubeconfig}`;
        log(`--keep: release ${this.opts.release} stays in namespace ${namespace}${this.target.local ? ', the cluster stays up' : ''}. To explore:`);
        for (const hint of [
          env,
          `kubectl -n ${namespace} get pods,svc,pvc`,
          `kubectl -n ${namespace} logs ${WRITER}    # the writer's record`,
          `kubectl -n ${namespace} exec ${this.sts || '<statefulset>'}-0 -- aku-sql 'SELECT COUNT(*) FROM ${TABLE}'`,
          `helm upgrade ${this.opts.release} ./chart -n ${namespace} --reuse-values --set replicaCount=0   # each pod's aku -p end, then:`,
          `kubectl delete namespace ${namespace}`,
          ...(this.target.local ? ['npm run cluster -- down'] : []),
        ]) process.stdout.write(`    ${hint}\n`);
      } else if (down) {
        log('tearing the cluster down (it was down before the demo)');
        await this.clusterScript('down', 10 * MINUTE, false);
      } else if (this.installed || this.locked || !this.target.local) {
        if (this.installed) await this.scaleToZero();
        await step(`namespace ${namespace} deleted (the cluster stays up)`, () => this.deleteNamespace());
        if (this.target.local) await run('bash', [CLUSTER_SCRIPT, 'volumes']);
      }
    } finally {
      if (this.locked) releaseLock();
    }
  }
}

async function main(): Promise<number> {
  const parsed = parseDemoArgs(process.argv.slice(2));
  if ('help' in parsed) {
    process.stdout.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  if ('error' in parsed) {
    error(parsed.error);
    process.stderr.write(`${DEMO_USAGE}\n`);
    return 2;
  }
  const target = resolveTarget();
  if ('reason' in target) {
    error(`the demo cannot run here: ${target.reason}`);
    return 1;
  }
  return new Demo(target, parsed.options).run();
}

process.exitCode = await main();
process.exit();
