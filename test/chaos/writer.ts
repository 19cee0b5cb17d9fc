/**
 * The application: INSERT / UPDATE / DELETE with distinct values into SYS.T1 on in-service pods,
 * one statement at a time, every acknowledged one recorded in the model. Its choices (key, kind,
 * pod, pause) come from a PRNG seeded from the run's seed.
 *
 * It writes as a careful application on active-active Altibase must (the same rule as the
 * in-process invariant, test/lifecycle/invariant.test.ts, and docs/lifecycle.md decision 23): a key
 * changes pod only when nothing is in flux — exactly pods 0..replicas-1 exist and are in service
 * (so no `aku -p start` or `-p end` runs), no link is cut, no ordinal owes changes from an end that
 * did not deliver, the last writer's pairs toward every in-service peer have acknowledged the write
 * (XSN past the SN it had right after it) and every in-service pod shows the value. Otherwise the
 * write goes to the key's last writer, or is not made while that pod is out of service.
 */
import type { Prng } from './prng.js';
import type { WriteModel, Op } from './model.js';
import type { PodMonitor, PodView } from './pods.js';
import { errorText, outcomeUnknown, type PodSql } from './sql.js';

export interface WriterWorld {
  monitor: PodMonitor;
  sql: PodSql;
  model: WriteModel;
  /** The StatefulSet's replicas as the run last set them. */
  replicas: () => number;
  anyCut: () => boolean;
  owing: () => Map<number, string>;
  /** REPLICATION_NAME_PREFIX of the chart's group. */
  prefix: string;
}

export interface WriterStats {
  attempted: number;
  refused: number;
  skipped: number;
  transfers: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Writer {
  private running = false;
  private loop: Promise<void> | undefined;
  readonly stats: WriterStats = { attempted: 0, refused: 0, skipped: 0, transfers: 0 };
  readonly refusals: string[] = [];
  /** Every statement per key, with its time, pod and outcome: printed with a finding on that key. */
  readonly journal = new Map<number, string[]>();

  constructor(private readonly world: WriterWorld, private readonly prng: Prng) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await sleep(this.prng.int(80, 300));
        if (!this.running) break;
        await this.once();
      }
    })();
  }

  /** Stops after the statement in flight (its outcome is recorded first). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One write, as the PRNG chooses it. */
  async once(): Promise<void> {
    const { model, monitor } = this.world;
    const pods = monitor.inService();
    const keys = model.writable();
    const fresh = keys.length === 0 || this.prng.chance(0.3);
    const key = fresh ? model.newKey() : (keys[this.prng.int(0, keys.length - 1)] as number);
    const op: Op = this.prng.chance(0.4) ? 'delete' : 'update';
    const preferOwner = this.prng.chance(0.7);
    const podDraw = this.prng.int(0, 3);
    if (pods.length === 0) {
      this.stats.skipped++;
      return;
    }
    const owner = model.keys.get(key)?.owner;
    const ownerPod = pods.find((p) => p.ordinal === owner);
    let pod = owner !== undefined && preferOwner && ownerPod ? ownerPod : (pods[podDraw % pods.length] as PodView);
    if (owner !== undefined && pod.ordinal !== owner) {
      if (await this.settled(key, pods)) this.stats.transfers++;
      else if (ownerPod) pod = ownerPod;
      else {
        this.stats.skipped++; // the key stays with its last writer, which is away
        return;
      }
    }
    await this.write(pod, key, op);
  }

  private async write(pod: PodView, key: number, op: Op): Promise<void> {
    const { model, sql } = this.world;
    const { sql: statement, after } = model.statement(key, op, model.newValue());
    this.stats.attempted++;
    const sent = new Date().toISOString();
    const note = (outcome: string) => {
      const lines = this.journal.get(key) ?? [];
      lines.push(`${sent} → ${new Date().toISOString()} ${pod.name} (uid ${pod.uid.slice(0, 8)}) ${statement}: ${outcome}`);
      this.journal.set(key, lines);
    };
    try {
      await sql.connect(pod);
    } catch (error) {
      note(`login refused (${errorText(error).slice(0, 80)})`);
      this.refuse(pod, statement, error);
      return;
    }
    try {
      await sql.query(pod, statement);
    } catch (error) {
      if (outcomeUnknown(error)) model.uncertain(key, pod.ordinal);
      note(`${outcomeUnknown(error) ? 'outcome unknown' : 'refused'} (${errorText(error).slice(0, 80)})`);
      this.refuse(pod, statement, error);
      return;
    }
    model.acknowledge(key, after, pod.ordinal, null);
    const sn = await this.lastSn(pod);
    model.setSn(key, sn);
    note(`acknowledged (SN ${sn})`);
  }

  private refuse(pod: PodView, statement: string, error: unknown): void {
    this.stats.refused++;
    if (this.refusals.length < 200) this.refusals.push(`${pod.name}: ${statement.split(' ').slice(0, 3).join(' ')}…: ${errorText(error).slice(0, 120)}`);
  }

  /** The SN of the pod's last commit (its senders' REP_LAST_SN), or null when none is readable. */
  private async lastSn(pod: PodView): Promise<number | null> {
    try {
      const rows = await this.world.sql.query(pod, 'SELECT MAX(REP_LAST_SN) AS SN FROM V$REPGAP');
      const sn = rows[0]?.SN;
      return sn === null || sn === undefined ? null : Number(sn);
    } catch {
      return null;
    }
  }

  /** May the key's next write come from another pod? (see the file's comment) */
  private async settled(key: number, pods: PodView[]): Promise<boolean> {
    const { model, monitor, sql, prefix } = this.world;
    const state = model.keys.get(key);
    if (!state || state.uncertain) return false;
    if (!monitor.settled(this.world.replicas()) || this.world.anyCut() || this.world.owing().size > 0) return false;
    const ownerPod = pods.find((p) => p.ordinal === state.owner);
    try {
      if (ownerPod) {
        if (state.sn === null) return false;
        const names = new Set(pods.filter((p) => p !== ownerPod).map((p) => `${prefix}_${Math.min(p.ordinal, state.owner)}${Math.max(p.ordinal, state.owner)}`));
        const rows = await sql.query(ownerPod, 'SELECT REPLICATION_NAME, XSN FROM SYSTEM_.SYS_REPLICATIONS_');
        const acknowledged = rows.filter((r) => names.has(String(r.REPLICATION_NAME)) && Number(r.XSN) >= (state.sn as number));
        if (acknowledged.length !== names.size) return false;
      }
      for (const p of pods) {
        const rows = await sql.query(p, `SELECT V FROM SYS.T1 WHERE ID = ${key}`);
        const value = rows[0] === undefined ? null : String(rows[0].V);
        if (value !== state.value) return false;
      }
    } catch {
      return false;
    }
    return true;
  }
}
