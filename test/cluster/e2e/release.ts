/**
 * One release of the chart in a namespace of its own, for one end-to-end scenario (test/cluster/e2e):
 * install, upgrade, scale, write rows on given pods, and check that every pod holds exactly the rows
 * written so far (full sorted rows, not counts). `useRelease` registers the hooks that give each
 * scenario a fresh namespace and remove it (pods, claims, volumes) afterwards, so no scenario depends
 * on another's state (AKU_E2E_KEEP=1 keeps the namespace of a failed scenario for inspection).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CHART_DIR, CLUSTER_DIR, CLUSTER_SCRIPT, Cluster, describeResult, dumpState, isReady, run, waitFor, type Target } from '../helpers.js';

/**
 * Values every scenario adds to the target's: probes checked every 2 s instead of 10 (each start is
 * seen sooner; the gate and its meaning are unchanged), small CPU/memory requests so that the
 * releases fit a 2-core node next to other work (the default preset requests 500m per pod), and no
 * reconcile hook (below).
 */
export const E2E_VALUES = [
  '--set', 'startupProbe.periodSeconds=2',
  '--set', 'readinessProbe.periodSeconds=2',
  '--set', 'resources.requests.cpu=50m',
  '--set', 'resources.requests.memory=128Mi',
  // These scenarios act while a rollout or a scaling is under way (a pod deleted during its start,
  // a bad image): `helm upgrade` must return at once, as it does without hooks. The reconcile
  // Job, which makes helm wait for departing pods to be gone (docs/reconcile.md), is off here
  // except in the scenario that tests it (stale-objects.ts).
  '--set', 'reconcile.enabled=false',
];

const TABLE = 'SYS.T1';

export type Row = [id: number, v: string];

export class E2eRelease {
  readonly cluster: Cluster;
  /** The rows written so far through this object: what every pod in service must hold. */
  readonly ledger = new Map<number, string>();
  /** When set, rows with ids from here on are a scenario's own bulk, outside the ledger's checks. */
  ledgerBelow: number | undefined;
  private nextId = 1;
  private stsName = '';

  constructor(readonly target: Target, readonly namespace: string, readonly name: string) {
    this.cluster = new Cluster(target, namespace);
  }

  get sts(): string {
    assert.ok(this.stsName, `${this.name}: the StatefulSet is not known yet (install first)`);
    return this.stsName;
  }

  pod(n: number): string {
    return `${this.sts}-${n}`;
  }

  /** `helm install` with the target's and the suite's values, then the StatefulSet's name. */
  async install(args: string[] = [], expectPods?: number, timeoutMs = 420_000): Promise<void> {
    const r = await this.cluster.helm(['install', this.name, CHART_DIR, ...this.target.valuesArgs, ...E2E_VALUES, ...args]);
    assert.equal(r.exitCode, 0, describeResult(r));
    this.stsName = await this.findSts();
    if (expectPods !== undefined) await this.waitReady(expectPods, timeoutMs);
  }

  /** The usual opening: install with `replicas` pods, write a row on each, wait until every pod holds them all. */
  async installWithRowsOnEach(replicas: number, what: string, args: string[] = []): Promise<void> {
    await this.install(['--set', `replicaCount=${replicas}`, ...args], replicas);
    const all = Array.from({ length: replicas }, (_, n) => n);
    for (const n of all) await this.write(n, what);
    await this.expectRows(all);
  }

  /** `helm upgrade <release> <chart> --reuse-values …`, as NOTES tells users to scale. */
  async upgrade(args: string[]): Promise<void> {
    const r = await this.cluster.helm(['upgrade', this.name, CHART_DIR, '--reuse-values', ...args]);
    assert.equal(r.exitCode, 0, describeResult(r));
  }

  async kubectlScale(replicas: number): Promise<void> {
    const r = await this.cluster.kubectl(['scale', `statefulset/${this.sts}`, `--replicas=${replicas}`]);
    assert.equal(r.exitCode, 0, describeResult(r));
  }

  async findSts(): Promise<string> {
    const list = await this.cluster.json(['get', 'statefulset', '-l', `app.kubernetes.io/instance=${this.name}`]);
    assert.equal(list.items.length, 1, `StatefulSets of release ${this.name}: ${list.items.map((s: any) => s.metadata.name).join(', ')}`);
    return list.items[0].metadata.name;
  }

  async replicas(): Promise<number> {
    return (await this.cluster.json(['get', 'statefulset', this.sts])).spec.replicas;
  }

  /** Exactly `count` pods, all Ready (none terminating). */
  async waitReady(count: number, timeoutMs = 420_000): Promise<any[]> {
    return waitFor(`${count} Ready pod(s) of ${this.name} in ${this.namespace}`, timeoutMs, async () => {
      const pods = await this.cluster.pods(this.name);
      return pods.length === count && pods.every((p) => isReady(p) && !p.metadata.deletionTimestamp) ? pods : undefined;
    }, 1000);
  }

  /** Waits until pod n is a new pod (another uid than `oldUid`) and Ready. */
  async waitReplaced(n: number, oldUid: string, timeoutMs = 420_000): Promise<any> {
    return waitFor(`${this.pod(n)} to be recreated and Ready`, timeoutMs, async () => {
      const pod = (await this.cluster.pods(this.name)).find((p) => p.metadata.name === this.pod(n));
      return pod && pod.metadata.uid !== oldUid && isReady(pod) ? pod : undefined;
    }, 1000);
  }

  async podObject(n: number): Promise<any> {
    return this.cluster.json(['get', 'pod', this.pod(n)]);
  }

  /** Inserts one new row on pod n (as SYS, through the pod's own SQL client) and records it. */
  async write(n: number, what: string): Promise<number> {
    const id = this.nextId++;
    const v = `${what}, on pod ${n}`.slice(0, 100);
    await this.cluster.sql(this.pod(n), `INSERT INTO ${TABLE} VALUES (${id}, '${v.replace(/'/g, "''")}')`);
    this.ledger.set(id, v);
    return id;
  }

  async rowsOn(n: number): Promise<Row[]> {
    const rows = await this.cluster.sql(this.pod(n), `SELECT ID, V FROM ${TABLE}${this.ledgerBelow === undefined ? '' : ` WHERE ID < ${this.ledgerBelow}`} ORDER BY ID`);
    return rows.map((r): Row => [Number(r.ID), String(r.V)]).sort((a, b) => a[0] - b[0]);
  }

  expected(): Row[] {
    return [...this.ledger.entries()].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Waits (bounded) until every listed pod holds exactly the ledger's rows; the error names each
   * pod whose rows differ, with the ids missing and unexpected there. The default bound outlasts
   * two of a sender's sleeps after a failed handshake (REPLICATION_SENDER_SLEEP_TIMEOUT, 60 s, as
   * on a busy node): replication is late then, not wrong.
   */
  async expectRows(ordinals: number[], timeoutMs = 150_000): Promise<void> {
    const want = this.expected();
    let report = '';
    try {
      await waitFor(`the same ${want.length} row(s) on pods ${ordinals.join(', ')} of ${this.name}`, timeoutMs, async () => {
        const diffs: string[] = [];
        for (const n of ordinals) {
          const got = await this.rowsOn(n);
          try {
            assert.deepEqual(got, want);
          } catch {
            const have = new Map(got);
            const missing = want.filter(([id]) => !have.has(id)).map(([id]) => id);
            const unexpected = got.filter(([id, v]) => this.ledger.get(id) !== v).map(([id, v]) => `${id} '${v}'`);
            diffs.push(`${this.pod(n)}: SELECT ID, V FROM ${TABLE}: missing ids [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
          }
        }
        report = diffs.join('\n');
        return diffs.length === 0 ? true : undefined;
      }, 1000);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${report}`);
    }
  }

  async log(n: number): Promise<string> {
    return this.cluster.logs(this.pod(n));
  }

  /** `kubectl exec <pod> -c altibase -- <command…>`. */
  async exec(n: number, command: string[], timeoutMs = 300_000) {
    return this.cluster.kubectl(['exec', this.pod(n), '-c', 'altibase', '--', ...command], timeoutMs);
  }

  /** Removes the namespace with everything in it, without waiting for the pods' preStop. */
  async remove(): Promise<void> {
    await this.cluster.kubectl(['delete', 'statefulset', '--all', '--cascade=orphan', '--wait=false']);
    await this.cluster.kubectl(['delete', 'pods', '--all', '--force', '--grace-period=0', '--wait=false']);
    await this.cluster.kubectl(['delete', 'namespace', this.namespace, '--ignore-not-found', '--wait=true'], 300_000);
  }
}

/**
 * The project's local cluster is the target (as the suite or in external mode): its node is this
 * host (its processes can be signalled) and its released volumes can be recycled.
 */
export function isLocalNode(target: Target): boolean {
  return recyclesLocalVolumes(target);
}

function recyclesLocalVolumes(target: Target): boolean {
  return process.getuid?.() === 0 && target.kubeconfig === `${CLUSTER_DIR}/kubeconfig` && existsSync(CLUSTER_SCRIPT);
}

/**
 * Registers, in the calling describe, the hooks of one scenario's release: a fresh namespace
 * before, the cluster's state printed after a failed test, the namespace and its claims removed
 * after (and the local cluster's volumes recycled). Returns the release, filled by the before hook.
 */
export function useRelease(target: Target, namespace: string, name: string): () => E2eRelease {
  let release: E2eRelease | undefined;
  before(async function () {
    release = new E2eRelease(target, namespace, name);
    await release.remove();
    if (recyclesLocalVolumes(release.target)) await run('bash', [CLUSTER_SCRIPT, 'volumes']);
    // A busy shared apiserver may time out once (etcdserver: request timed out): retried, bounded.
    await waitFor(`namespace ${namespace} to be created`, 60_000, async () => {
      const r = await run(release!.target.kubectl, ['--kubeconfig', release!.target.kubeconfig, 'create', 'namespace', namespace]);
      if (r.exitCode !== 0) throw new Error(describeResult(r));
      return true;
    }, 3000);
  });
  // The tests of a scenario build on each other: after a failure the next ones say so at once
  // instead of failing later on a state they did not expect.
  let failedTest = '';
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !release) return;
    failedTest ||= this.currentTest.title;
    console.log(await dumpState(release.cluster, name));
  });
  after(async function () {
    if (!release) return;
    if (failedTest && process.env.AKU_E2E_KEEP === '1') {
      console.log(`      AKU_E2E_KEEP=1: namespace ${namespace} is kept for inspection; delete it when done`);
      return;
    }
    await release.remove();
    if (recyclesLocalVolumes(release.target)) await run('bash', [CLUSTER_SCRIPT, 'volumes']);
  });
  return () => {
    assert.ok(release, `the release ${name} in ${namespace} was not set up (see the before hook)`);
    assert.equal(failedTest, '', `not run: an earlier test of this scenario failed ("${failedTest}")`);
    return release;
  };
}
