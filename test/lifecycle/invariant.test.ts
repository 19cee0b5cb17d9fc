import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { AkuRun } from '../helpers/sim-pods.js';
import { podHost, podName, SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * The lifecycle invariant: random sequences of scale-ups, scale-downs, crashes, two pods down at
 * once, replication-link cuts and heals, and INSERT / UPDATE / DELETE with distinct values — also
 * while `-p start` and `-p end` run — on the replicated tables of aku.conf (SYS.T1 and partition P1
 * of SYS.T2) and on the partition aku.conf does not list (SYS.T2 P2, ids ≥ 1000). After quiescing
 * (every down pod back, links healed, writes stopped, replication drained) each in-service pod's
 * rows equal the model exactly: the replicated rows everywhere the same, P2 rows only where they
 * were written.
 *
 * The workload is one a careful application could run on active-active Altibase, so that any
 * divergence is aku's: a key changes pod (the next write to it comes from another pod) only once
 * every pod that was ever in service is in service with no cut link, the last writer's change is
 * acknowledged toward each of them (its XSN passed it) and each shows the key's value; otherwise the
 * write goes to the pod that wrote the key last (or is skipped while that pod is away). Altibase
 * itself does not order changes that reach a pod over different pairs (§0.1, §7), which is also why
 * no key changes pod while a `-p start` runs (a joining pod could apply the two writes in the wrong
 * order: docs/lifecycle.md, decision 23). Writes go only to
 * pods in service: not to a pod whose `-p start` has not completed, nor to one whose `-p end` began
 * (Kubernetes takes a terminating pod out of the Service's endpoints). A refused write is not
 * acknowledged and not in the model.
 *
 * Runs: AKU_INVARIANT_RUNS (default 200) sequences with the test-only pace (fast retry, apply on
 * arrival, a random link delay), then AKU_INVARIANT_FAITHFUL_RUNS (default 3) with altisim's
 * faithful defaults (60 s retry, 50 ms apply lag; no cuts, whose heal would wait a minute).
 * AKU_INVARIANT_SEED replays a run (the seed is printed before each property); with the `path` a
 * failure prints, AKU_INVARIANT_PATH replays just the shrunk counterexample, and
 * AKU_INVARIANT_VERBOSE=1 prints every aku run's log.
 */

const SERVERS = 4;
const T1_KEYS = 6;
const T2_KEYS = 4;
const LOCAL_KEYS = 3;
/** SYS.T2 ids from here on fall in partition P2, which aku.conf does not replicate. */
const P2_BASE = 1000;
/** SYS.T1 ids of the rows a dying server commits last (each a fresh key, written once). */
const LAST_WORDS_BASE = 100;

type Table = 'T1' | 'T2' | 'T2L';
interface Write {
  op: 'put' | 'delete';
  table: Table;
  key: number;
  pod: number;
  pauseMs: number;
}
/** A slave below the joining pod whose server dies as the join runs (`afterMs` after it began). */
interface Kill {
  pod: number;
  afterMs: number;
}
type Step =
  | { kind: 'write'; write: Write }
  | { kind: 'scale-up'; during: Write[]; kill?: Kill }
  | { kind: 'scale-down'; during: Write[] }
  | { kind: 'crash'; pod: number; during: Write[] }
  | { kind: 'down2'; a: number; b: number }
  | { kind: 'recover'; which: number; during: Write[] }
  | { kind: 'cut'; a: number; b: number }
  | { kind: 'heal' };

const write: fc.Arbitrary<Write> = fc.record({
  op: fc.constantFrom('put' as const, 'put' as const, 'delete' as const),
  table: fc.constantFrom('T1' as const, 'T1' as const, 'T2' as const, 'T2L' as const),
  key: fc.nat(T1_KEYS - 1),
  pod: fc.nat(SERVERS - 1),
  pauseMs: fc.integer({ min: 0, max: 15 }),
});
const during = fc.array(write, { maxLength: 4 });

function stepArbitrary(withCuts: boolean): fc.Arbitrary<Step> {
  const choices: { weight: number; arbitrary: fc.Arbitrary<Step> }[] = [
    { weight: 8, arbitrary: write.map((w) => ({ kind: 'write' as const, write: w })) },
    { weight: 3, arbitrary: during.map((d) => ({ kind: 'scale-up' as const, during: d })) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('scale-up' as const), during, kill: fc.record({ pod: fc.nat(SERVERS - 1), afterMs: fc.integer({ min: 0, max: 40 }) }) }),
    },
    { weight: 2, arbitrary: during.map((d) => ({ kind: 'scale-down' as const, during: d })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), pod: fc.nat(SERVERS - 1), during }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('down2' as const), a: fc.nat(SERVERS - 1), b: fc.nat(SERVERS - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('recover' as const), which: fc.nat(2 ** SERVERS - 1), during }) },
  ];
  if (withCuts) {
    choices.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), a: fc.nat(SERVERS - 1), b: fc.nat(SERVERS - 1) }) });
    choices.push({ weight: 1, arbitrary: fc.constant({ kind: 'heal' as const }) });
  }
  return fc.oneof(...choices);
}

interface Pace {
  label: string;
  properties: Record<string, number>;
  linkDelayMs: number;
  quiesceMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const UNREADABLE = Symbol('unreadable');

/** One sequence against a fresh simulated StatefulSet. */
class Play {
  readonly pods: SimPods;
  replicas = 0;
  readonly created = new Set<number>();
  /** Started successfully and not down since. */
  readonly inService = new Set<number>();
  /** Ever in service (their history matters to every later key transfer). */
  readonly everInService = new Set<number>();
  /** Server killed, waiting for `recover`. */
  readonly down = new Set<number>();
  /** Server up, but its last `-p start` failed (retried at recover and at the end). */
  readonly pending = new Set<number>();
  /** Scaled down with an `-p end` that did not exit 0: brought back before the final check. */
  readonly leftWithChanges = new Set<number>();
  readonly cuts = new Set<string>();
  /** Pods whose `-p start` is running. */
  readonly starting = new Set<number>();
  /** Replicated rows: table → id → value; and who wrote each key last (with that pod's SN then). */
  readonly shared = new Map<Table, Map<number, string>>([['T1', new Map()], ['T2', new Map()]]);
  readonly owner = new Map<string, { pod: number; sn: number | null }>();
  /** SYS.T2 P2 rows per pod (never replicated). */
  readonly local = new Map<number, Map<number, string>>();
  readonly history: string[] = [];
  private nextValue = 1;

  constructor(private readonly pace: Pace) {
    // FLUSH bounds short enough that a cut link costs little, long enough for a loaded CI machine.
    this.pods = new SimPods(testConfig({ serverCount: SERVERS, flushTimeoutAtStartSec: 3, endTimeBudgetSec: 6 }), pace.properties);
  }

  fail(message: string): never {
    assert.fail(`${message}\nsequence: ${this.history.join(' → ')}`);
  }

  private noteRun(what: string, run: AkuRun): void {
    this.history.push(`${what}=${run.code}`);
    if (process.env.AKU_INVARIANT_VERBOSE === '1') console.log(`--- ${what} exit ${run.code}\n${run.lines.join('\n')}`);
  }

  /** Starts may fail only while some pod is down, some start is pending or a link is cut. */
  private get startMayFail(): boolean {
    return this.down.size > 0 || this.cuts.size > 0 || this.pending.size > 0;
  }

  private async start(i: number, concurrent: Write[] = [], kill?: Kill): Promise<void> {
    this.inService.delete(i);
    this.starting.add(i);
    const [run] = await Promise.all([this.pods.aku(i, 'start'), this.writes(concurrent), kill ? this.killLater(kill) : undefined]).finally(() => this.starting.delete(i));
    this.noteRun(`start@${i}`, run);
    if (run.code === 0) {
      this.pending.delete(i);
      this.inService.add(i);
      this.everInService.add(i);
      return;
    }
    if (!this.startMayFail) {
      this.fail(`aku -p start in pod ${i} failed with every pod up and no link cut:\n${[...run.lines.slice(-15), ...run.errors].join('\n')}\n${await this.senders()}`);
    }
    this.pending.add(i);
  }

  /**
   * A server dies on its own (node failure) while another pod's start runs; its pod stays, down.
   * It commits a row of its own just before (a fresh key no other write uses), which most likely
   * has not reached the MASTER when it dies.
   */
  private async killLater(kill: Kill): Promise<void> {
    await sleep(kill.afterMs);
    if (this.down.has(kill.pod)) return;
    if (this.inService.has(kill.pod)) {
      const id = LAST_WORDS_BASE + this.nextValue;
      const value = `v${this.nextValue++}`;
      if (await this.exec(kill.pod, `INSERT INTO SYS.T1 VALUES (${id}, '${value}')`)) {
        this.rowsOf('T1').set(id, value);
        this.history.push(`INSERT(T1:${id}=${value})@${kill.pod}`);
      }
    }
    this.history.push(`down@${kill.pod}`);
    this.pods.cluster.kill(podName(kill.pod));
    this.down.add(kill.pod);
    this.inService.delete(kill.pod);
    this.pending.delete(kill.pod);
  }

  async scaleUp(concurrent: Write[] = [], kill?: Kill): Promise<void> {
    // OrderedReady: a StatefulSet creates pod i only once every lower pod is Running and Ready.
    if (this.replicas >= SERVERS || this.down.size > 0 || this.pending.size > 0) return;
    const i = this.replicas++;
    if (this.created.has(i)) {
      this.pods.cluster.addHost(podHost(i), this.pods.cluster.server(podName(i)).address); // the pod exists again
      this.pods.restartPod(i); // the PVC is kept: the server comes back with its old data
    } else {
      await this.pods.addPod(i);
      this.created.add(i);
      for (const j of this.created) {
        if (j === i || this.pace.linkDelayMs === 0) continue;
        this.pods.cluster.delay(podName(i), podName(j), this.pace.linkDelayMs);
      }
    }
    this.history.push(`scale-up→${i}`);
    // OrderedReady created pod i while every lower pod was Ready; one of the slaves may still fail as it joins.
    const victim = kill && i > 1 ? { pod: 1 + (kill.pod % (i - 1)), afterMs: kill.afterMs } : undefined;
    await this.start(i, concurrent, victim);
  }

  async scaleDown(concurrent: Write[]): Promise<void> {
    const i = this.replicas - 1;
    if (i < 1 || this.down.has(i)) return;
    this.history.push(`scale-down←${i}`);
    let run: AkuRun | undefined;
    // A terminating pod leaves the Service's endpoints as its preStop starts: the application's
    // writes that run meanwhile go to the other pods. (A session already open on the ending pod
    // can still commit after end's last look at it: docs/lifecycle.md, "Writes during end".)
    this.inService.delete(i);
    if (!this.pending.has(i)) {
      [run] = await Promise.all([this.pods.aku(i, 'end'), this.writes(concurrent)]);
      this.noteRun(`end@${i}`, run);
    }
    // Kubernetes removes the pod whatever preStop answered.
    this.pending.delete(i);
    this.pods.cluster.shutdown(podName(i));
    // The pod is deleted: its name leaves the headless Service's DNS.
    this.pods.cluster.removeHost(podHost(i));
    this.replicas--;
    if (run && run.code !== 0) this.leftWithChanges.add(i);
  }

  async crash(pod: number, concurrent: Write[]): Promise<void> {
    const i = pod % this.replicas;
    if (this.down.has(i)) return;
    this.history.push(`crash@${i}`);
    this.pods.restartPod(i);
    await this.start(i, concurrent);
  }

  down2(a: number, b: number): void {
    const x = a % this.replicas;
    const y = b % this.replicas;
    if (x === y || this.down.size > 0) return;
    this.history.push(`down@${x},${y}`);
    for (const i of [x, y]) {
      this.pods.cluster.kill(podName(i));
      this.down.add(i);
      this.inService.delete(i);
    }
  }

  /**
   * Down pods' servers boot again and the aku -p start of those and of pending pods runs all at
   * once, as independent container restarts would. `which` (a bit per ordinal) picks some of them,
   * the others staying down or pending for a later recover: containers come back one by one, so a
   * pod can join while another slave is still down. No bit of a candidate set: all of them.
   */
  async recover(concurrent: Write[], which = 2 ** SERVERS - 1): Promise<void> {
    const candidates = [...new Set([...this.down, ...this.pending])].filter((i) => i < this.replicas);
    const picked = candidates.filter((i) => (which >> i) & 1);
    const back = picked.length > 0 ? picked : candidates;
    if (back.length === 0) return;
    this.history.push(`recover@${back.join(',')}`);
    for (const i of back.filter((p) => this.down.has(p))) {
      this.pods.cluster.start(podName(i));
      this.pods.removeCompletionFile(i);
      this.down.delete(i);
    }
    await Promise.all([...back.map((i) => this.start(i)), this.writes(concurrent)]);
  }

  cut(a: number, b: number): void {
    const x = a % this.replicas;
    const y = b % this.replicas;
    if (x === y) return;
    this.history.push(`cut@${x}-${y}`);
    this.pods.cluster.cut(podName(x), podName(y), 'replication');
    this.cuts.add(`${Math.min(x, y)}-${Math.max(x, y)}`);
  }

  heal(): void {
    if (this.cuts.size === 0) return;
    this.history.push('heal');
    for (const pair of this.cuts) {
      const [x, y] = pair.split('-').map(Number) as [number, number];
      this.pods.cluster.heal(podName(x), podName(y), 'replication');
    }
    this.cuts.clear();
  }

  /** Every live pod's senders, for failure reports. */
  private async senders(): Promise<string> {
    const lines: string[] = [];
    for (const i of [...this.created].filter((p) => !this.down.has(p) && p < this.replicas)) {
      const rows = await this.pods.sysdba(i, 'SELECT REP_NAME, STATUS, XSN FROM V$REPSENDER').catch((e: Error) => [{ error: e.message }]);
      const meta = await this.pods.sysdba(i, 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_').catch(() => []);
      lines.push(`pod ${i} senders ${JSON.stringify(rows)} objects ${JSON.stringify(meta)}`);
    }
    return lines.join('\n');
  }

  // ------------------------------------------------------------------ writes

  async writes(list: Write[]): Promise<void> {
    for (const w of list) {
      await sleep(w.pauseMs);
      await this.write(w);
    }
  }

  private rowsOf(table: Table): Map<number, string> {
    return this.shared.get(table) as Map<number, string>;
  }

  /** What the application reads on a pod; a pod that refuses it (an end began: ADMIN_MODE 1) reads as unknown. */
  private async valueOn(pod: number, table: 'T1' | 'T2', id: number): Promise<string | undefined | typeof UNREADABLE> {
    try {
      const rows = await this.pods.app(pod, `SELECT V FROM SYS.${table} WHERE ID = ${id}`);
      return rows[0] === undefined ? undefined : String(rows[0].V);
    } catch {
      return UNREADABLE;
    }
  }

  /**
   * The key may change pod: every pod ever in service is in service, no link is cut, the last
   * writer's changes up to that write are acknowledged by every in-service peer (its XSN toward
   * each has passed the write: a value alone is not enough, since an absent row cannot tell a
   * delete that arrived from an insert still on its way), and every in-service pod shows the value.
   */
  private async settled(table: 'T1' | 'T2', id: number, last: { pod: number; sn: number | null }): Promise<boolean> {
    // docs/lifecycle.md (decision 23): until a joining pod's start completes, a row changed on one
    // pod is not changed on another (the joining pod could apply the two in the wrong order).
    if (this.starting.size > 0) return false;
    if (this.down.size > 0 || this.cuts.size > 0 || this.pending.size > 0 || last.sn === null) return false;
    if ([...this.everInService].some((i) => !this.inService.has(i))) return false;
    const expected = this.rowsOf(table).get(id);
    const peers = [...this.inService].filter((i) => i !== last.pod);
    const names = new Set(peers.map((p) => `AKU_REP_${Math.min(p, last.pod)}${Math.max(p, last.pod)}`));
    const deadline = Date.now() + 2000;
    for (;;) {
      const acknowledged = await this.pods
        .app(last.pod, 'SELECT REPLICATION_NAME, XSN FROM SYSTEM_.SYS_REPLICATIONS_')
        .then((rows) => rows.filter((r) => names.has(String(r.REPLICATION_NAME))).filter((r) => Number(r.XSN) >= (last.sn as number)).length === names.size)
        .catch(() => false);
      const seen = acknowledged ? await Promise.all([...this.inService].map((i) => this.valueOn(i, table, id))) : [];
      if (acknowledged && seen.every((value) => value === expected)) return true;
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
  }

  /** The SN of a pod's last commit (its senders' REP_LAST_SN), or null when no sender runs there. */
  private async lastSN(pod: number): Promise<number | null> {
    const rows = await this.pods.app(pod, 'SELECT MAX(REP_LAST_SN) AS SN FROM V$REPGAP').catch(() => []);
    const sn = rows[0]?.SN;
    return sn === null || sn === undefined ? null : Number(sn);
  }

  async write(w: Write): Promise<void> {
    const candidates = [...this.inService].sort((a, b) => a - b);
    if (candidates.length === 0) return;
    let pod = candidates[w.pod % candidates.length] as number;
    const value = `v${this.nextValue++}`;
    if (w.table === 'T2L') {
      const id = P2_BASE + (w.key % LOCAL_KEYS);
      const rows = this.local.get(pod) ?? new Map<number, string>();
      this.local.set(pod, rows);
      const sql = rows.has(id)
        ? w.op === 'delete' ? `DELETE FROM SYS.T2 WHERE ID = ${id}` : `UPDATE SYS.T2 SET V = '${value}' WHERE ID = ${id}`
        : `INSERT INTO SYS.T2 VALUES (${id}, '${value}')`;
      if (!(await this.exec(pod, sql))) return;
      if (rows.has(id) && w.op === 'delete') rows.delete(id);
      else rows.set(id, value);
      this.history.push(`${sql.split(' ')[0]}(T2L:${id}=${value})@${pod}`);
      return;
    }
    const table = w.table;
    const id = table === 'T1' ? 1 + (w.key % T1_KEYS) : 1 + (w.key % T2_KEYS);
    const key = `${table}:${id}`;
    const last = this.owner.get(key);
    if (last !== undefined && last.pod !== pod && !(await this.settled(table, id, last))) {
      if (!this.inService.has(last.pod)) return; // the key stays with its last writer, which is away
      pod = last.pod;
    }
    const rows = this.rowsOf(table);
    const exists = rows.has(id);
    const sql = !exists
      ? `INSERT INTO SYS.${table} VALUES (${id}, '${value}')`
      : w.op === 'delete' ? `DELETE FROM SYS.${table} WHERE ID = ${id}` : `UPDATE SYS.${table} SET V = '${value}' WHERE ID = ${id}`;
    if (!(await this.exec(pod, sql))) return;
    if (exists && w.op === 'delete') rows.delete(id);
    else rows.set(id, value);
    this.owner.set(key, { pod, sn: await this.lastSN(pod) });
    this.history.push(`${sql.split(' ')[0]}(${key}=${exists && w.op === 'delete' ? '∅' : value})@${pod}`);
  }

  /**
   * The application's statement; false when refused (e.g. a pod that is ending turned ADMIN_MODE
   * on). A refused write is not acknowledged, so the model does not take it; if it was applied
   * all the same, the final check finds the row the model lacks.
   */
  private async exec(pod: number, sql: string): Promise<boolean> {
    try {
      await this.pods.app(pod, sql);
      return true;
    } catch (error) {
      this.history.push(`refused(${sql.split(' ').slice(0, 3).join(' ')}… @${pod}: ${(error as Error).message.slice(0, 60)})`);
      return false;
    }
  }

  // ------------------------------------------------------------------ quiescing and the check

  async quiesce(): Promise<void> {
    this.history.push('| quiesce');
    this.heal();
    if (this.down.size > 0 || this.pending.size > 0) await this.recover([]);
    // An end that could not deliver keeps the pod's changes for its return: the operator scales back up.
    while (this.leftWithChanges.size > 0 && [...this.leftWithChanges].some((i) => i >= this.replicas)) {
      const i = this.replicas;
      this.leftWithChanges.delete(i);
      await this.scaleUp();
      if (this.replicas === i) break; // a pod is still down or pending: the check below reports it
    }
    for (const i of [...this.pending]) await this.start(i);
    if (this.pending.size > 0) this.fail(`pods ${[...this.pending].join(',')} could not start with every pod up and every link healed`);
  }

  /** Read as SYSDBA: nothing else runs once quiesced, and ADMIN_MODE does not matter. */
  private async table(pod: number, table: 'T1' | 'T2', where: string): Promise<string[]> {
    const rows = await this.pods.sysdba(pod, `SELECT ID, V FROM SYS.${table} WHERE ${where} ORDER BY ID`);
    return rows.map((r) => `${r.ID}:${r.V}`);
  }

  async check(): Promise<void> {
    const expect = (rows: Map<number, string>) => [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([id, v]) => `${id}:${v}`);
    const wanted = (pod: number) => ({
      T1: expect(this.rowsOf('T1')),
      T2: expect(this.rowsOf('T2')),
      T2L: expect(this.local.get(pod) ?? new Map()),
    });
    const deadline = Date.now() + this.pace.quiesceMs;
    for (;;) {
      const wrong: string[] = [];
      for (const pod of [...this.inService].sort((a, b) => a - b)) {
        const want = wanted(pod);
        const have = {
          T1: await this.table(pod, 'T1', 'ID > 0'),
          T2: await this.table(pod, 'T2', `ID < ${P2_BASE}`),
          T2L: await this.table(pod, 'T2', `ID >= ${P2_BASE}`),
        };
        for (const t of ['T1', 'T2', 'T2L'] as const) {
          if (JSON.stringify(have[t]) !== JSON.stringify(want[t])) wrong.push(`pod ${pod} ${t}: has [${have[t].join(' ')}], model [${want[t].join(' ')}]`);
        }
      }
      if (wrong.length === 0) return;
      if (Date.now() > deadline) this.fail(`after quiescing, in-service pods ${[...this.inService].join(',')} differ from the model:\n${wrong.join('\n')}`);
      await sleep(50);
    }
  }

  close(): void {
    this.pods.close();
  }
}

async function play(pace: Pace, steps: Step[]): Promise<void> {
  const p = new Play(pace);
  try {
    await p.scaleUp();
    for (const s of steps) {
      switch (s.kind) {
        case 'write':
          await p.write(s.write);
          break;
        case 'scale-up':
          await p.scaleUp(s.during, s.kill);
          break;
        case 'scale-down':
          await p.scaleDown(s.during);
          break;
        case 'crash':
          await p.crash(s.pod, s.during);
          break;
        case 'down2':
          p.down2(s.a, s.b);
          break;
        case 'recover':
          await p.recover(s.during, s.which);
          break;
        case 'cut':
          p.cut(s.a, s.b);
          break;
        case 'heal':
          p.heal();
          break;
      }
    }
    await p.quiesce();
    await p.check();
  } finally {
    p.close();
  }
}

const FAST: Pace = {
  label: 'test-only pace',
  properties: { ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 50, ALTISIM_RECEIVER_APPLY_LAG_MSEC: 0 },
  linkDelayMs: 10,
  quiesceMs: 5000,
};
const FAITHFUL: Pace = {
  label: 'altisim faithful defaults',
  properties: { ALTISIM_SENDER_RETRY_INTERVAL_MSEC: 0, ALTISIM_RECEIVER_APPLY_LAG_MSEC: 50 },
  linkDelayMs: 0,
  quiesceMs: 20000,
};

async function runProperty(pace: Pace, runs: number, withCuts: boolean, minLength = 3): Promise<void> {
  const seed = process.env.AKU_INVARIANT_SEED !== undefined ? Number(process.env.AKU_INVARIANT_SEED) : Date.now() % 2 ** 31;
  console.log(`      lifecycle invariant (${pace.label}): ${runs} sequences, seed ${seed} (replay: AKU_INVARIANT_SEED=${seed})`);
  let played = 0;
  const started = Date.now();
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary(withCuts), { minLength, maxLength: 14 }), (steps) => {
        played++;
        return play(pace, steps);
      }),
      { numRuns: runs, seed, ...(process.env.AKU_INVARIANT_PATH ? { path: process.env.AKU_INVARIANT_PATH } : {}) },
    );
  } finally {
    console.log(`      lifecycle invariant (${pace.label}): ${played} sequences played (shrinking included) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

describe('lifecycle invariant: random scale, crash, outage, cut and write sequences (altisim in-process)', function () {
  this.timeout(1_800_000);

  it('with the test-only pace, after quiescing every in-service pod holds exactly the model’s rows', async () => {
    await runProperty(FAST, Number(process.env.AKU_INVARIANT_RUNS ?? 200), true);
  });

  it('with altisim’s faithful defaults (60 s retry, FLUSH = sent), the same holds', async () => {
    // Few sequences, so each is a long one (fast-check starts with short ones).
    await runProperty(FAITHFUL, Number(process.env.AKU_INVARIANT_FAITHFUL_RUNS ?? 3), false, 10);
  });
});
