/**
 * One chaos run on a real cluster: install the chart (one pod), then `rounds` rounds of random
 * faults from the seed — replica changes through `helm upgrade --reuse-values --set
 * replicaCount=N` (1..4), pod deletions (graceful, and forced with --grace-period=0 --force),
 * replication link cuts and heals — while the writer writes; after each round quiesce (writer
 * stopped, links healed, every pod Ready, FLUSH) and check that every in-service pod holds the
 * same rows, that no acknowledged write was lost, and that no pod was Ready before its start
 * completed. docs/chaos.md describes the rules.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART_DIR, Cluster, describeResult, dumpState, REPO_ROOT, waitFor } from '../cluster/helpers.js';
import { compareRows, type Finding, type Row } from './check.js';
import { EndTracker } from './ends.js';
import { LinkCutter } from './links.js';
import type { Say } from './log.js';
import { WriteModel } from './model.js';
import { describeFault, FaultPlanner, type Fault } from './plan.js';
import { PodMonitor, type PodView } from './pods.js';
import { Prng } from './prng.js';
import { ReadyChecker } from './ready-check.js';
import { errorText, PodSql } from './sql.js';
import { Writer } from './writer.js';

export const RELEASE = 'aku';
const PREFIX = 'AKU_REP'; // the chart's default group (chart/values.yaml aku.replications[0].prefix)
const VALUES = join(REPO_ROOT, 'test/chaos/chaos-values.yaml');
const FAST_VALUES = join(REPO_ROOT, 'test/chaos/fast-retry-values.yaml');

export interface ChaosOptions {
  seed: number;
  rounds: number;
  faithful: boolean;
  say: Say;
}

export interface ChaosSummary {
  seed: number;
  rounds: number;
  faults: number;
  acknowledged: number;
  lost: number;
  diverged: number;
  findings: Finding[];
  readyViolations: string[];
  readyChecked: number;
  /** Replications left started toward a pod outside the set after a round and the reconcile hook. */
  stale: string[];
  /** Rounds that found such replications before the hook, which then cleared them. */
  staleCured: number;
  /** A quiesce that did not converge, or an error that stopped the run. */
  failure: string | undefined;
  line: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function summaryLine(s: Pick<ChaosSummary, 'seed' | 'rounds' | 'faults' | 'acknowledged' | 'lost' | 'diverged'>): string {
  return `chaos: seed=${s.seed} rounds=${s.rounds} faults=${s.faults} acknowledged=${s.acknowledged} lost=${s.lost} diverged=${s.diverged}`;
}

/** The second summary line: replications left started toward pods outside the set. */
export function staleLine(s: Pick<ChaosSummary, 'rounds' | 'stale' | 'staleCured'>): string {
  return `chaos: stale-replications=${s.stale.length} rounds-cured-by-reconcile=${s.staleCured} rounds=${s.rounds}`;
}

export async function runChaos(cluster: Cluster, options: ChaosOptions): Promise<ChaosSummary> {
  const { seed, say, faithful } = options;
  // Bounds of one quiesce: pods back and Ready (several starts, each maybe a SYNC), then rows equal
  // (at Altibase's pace a sender notices a healed link only after its 60 s sleep).
  const podsBoundMs = faithful ? 900_000 : 420_000;
  const rowsBoundMs = faithful ? 180_000 : 60_000;

  // Logs of pods that left without delivering, kept for the report (their pods are gone).
  const logDir = join(tmpdir(), `aku-chaos-${seed}-${process.pid}`);
  const ends = new EndTracker(cluster, (m) => say('ends', m), (pod, text) => {
    mkdirSync(logDir, { recursive: true });
    const file = join(logDir, `${pod.name}-${pod.uid.slice(0, 8)}.log`);
    writeFileSync(file, text);
    return file;
  });
  let monitor: PodMonitor;
  const stillRunning = (pod: PodView) => monitor.all().some((p) => p.uid === pod.uid && !p.terminating && p.containerId === pod.containerId);
  const ready = new ReadyChecker(cluster, stillRunning);
  monitor = new PodMonitor(
    cluster,
    RELEASE,
    (pod) => {
      ends.started(pod);
      ready.observe(pod);
    },
    (pod) => ends.leaving(pod),
    (pod) => ends.watch(pod),
    (pod) => ends.vanished(pod),
  );
  const links = new LinkCutter(cluster.namespace);
  const model = new WriteModel(`s${seed}`);
  const summary: ChaosSummary = {
    seed, rounds: 0, faults: 0, acknowledged: 0, lost: 0, diverged: 0, findings: [], readyViolations: [], readyChecked: 0, stale: [], staleCured: 0, failure: undefined, line: '',
  };
  let replicas = 1;
  let sql: PodSql | undefined;
  let writer: Writer | undefined;
  const reported = new Set<number>();
  const lostKeys = new Set<number>();
  const divergedKeys = new Set<number>();

  /** Waits within the quiesce bound; the error says what each pod was doing and what is owed. */
  const waitPods = async (what: string, check: () => Promise<boolean>) => {
    try {
      await waitFor(what, podsBoundMs, async () => ((await check()) ? true : undefined), 1000);
    } catch (error) {
      const owing = [...ends.owingOrdinals().values()];
      const pods = monitor.all().map((p) => `${p.name}${p.ready ? ' Ready' : ''}${p.terminating ? ' terminating' : ''}`);
      throw new Error(`${(error as Error).message}; pods: ${pods.join(', ') || 'none'}${owing.length ? `; owing: ${owing.join('; ')}` : ''}`);
    }
  };

  const helm = async (args: string[]) => {
    const r = await cluster.helm(args);
    if (r.exitCode !== 0) throw new Error(describeResult(r));
  };

  try {
    say('setup', `helm install ${RELEASE} (one pod; ${faithful ? 'faithful pace: no retry knob' : 'fast retry: ALTISIM_SENDER_RETRY_INTERVAL_MSEC=500'})`);
    await helm(['install', RELEASE, CHART_DIR, ...cluster.target.valuesArgs, '-f', VALUES, ...(faithful ? [] : ['-f', FAST_VALUES])]);
    monitor.start();
    await waitPods('pod 0 Ready after helm install', async () => (await monitor.refresh(), monitor.settled(1)));
    sql = await PodSql.open(await sysPassword(cluster));
    writer = new Writer(
      { monitor, sql, model, replicas: () => replicas, anyCut: () => links.anyCut, owing: () => ends.owingOrdinals(), prefix: PREFIX },
      new Prng(seed ^ 0x5bd1e995),
    );
    const planner = new FaultPlanner(seed);

    const applyFault = async (fault: Fault): Promise<string | undefined> => {
      const pods = (await monitor.refresh()).filter((p) => !p.terminating);
      switch (fault.kind) {
        case 'scale': {
          if (fault.replicas === replicas) return undefined;
          for (const p of pods) if (p.ordinal >= fault.replicas) monitor.markLeaving(p.uid, 'scale');
          monitor.keepScaled(fault.replicas);
          await helm(['upgrade', RELEASE, CHART_DIR, '--reuse-values', '--set', `replicaCount=${fault.replicas}`]);
          replicas = fault.replicas;
          return `replicaCount=${fault.replicas}`;
        }
        case 'delete': {
          if (pods.length === 0) return undefined;
          const pod = pods.find((p) => p.ordinal === fault.ordinal) ?? (pods[fault.ordinal % pods.length] as PodView);
          monitor.markLeaving(pod.uid, 'delete');
          if (fault.force) ends.killed(pod);
          else ends.leaving(pod);
          const r = await cluster.kubectl(['delete', 'pod', pod.name, '--wait=false', '--ignore-not-found', ...(fault.force ? ['--grace-period=0', '--force'] : [])]);
          if (r.exitCode !== 0) throw new Error(describeResult(r));
          return `delete ${pod.name}${fault.force ? ' (forced)' : ''}`;
        }
        case 'cut': {
          const running = pods.filter((p) => p.ip && p.containerId);
          if (running.length < 2) return undefined;
          const a = running[fault.a % running.length] as PodView;
          const b = running[fault.b % running.length] as PodView;
          if (a === b) return undefined;
          await links.cut(a, b);
          return `cut ${a.name} ↔ ${b.name}`;
        }
        case 'heal': {
          if (!links.anyCut) return undefined;
          const problems = await links.healAll(monitor.all());
          return `heal${problems.length ? ` (${problems.join('; ')})` : ''}`;
        }
      }
    };

    for (let round = 1; round <= options.rounds; round++) {
      const plan = planner.next();
      const began = Date.now();
      const ackBefore = model.acknowledged;
      const applied: string[] = [];
      writer.start();
      for (const step of plan.steps) {
        await sleep(step.pauseMs);
        // A fault that fails (its pod went away meanwhile, an API hiccup) is logged and not counted.
        const done = await applyFault(step.fault).catch((error: Error) => {
          say(`round ${round}`, `fault failed: ${describeFault(step.fault)}: ${error.message.split('\n').slice(0, 3).join(' / ')}`);
          return null;
        });
        if (done === null) continue;
        if (done) {
          applied.push(done);
          say(`round ${round}`, `fault: ${done}`);
        }
        else say(`round ${round}`, `skipped: ${describeFault(step.fault)} (no pod to act on, or nothing to change)`);
      }
      summary.faults += applied.length;
      await sleep(plan.dwellMs);

      // ---- quiesce
      await writer.stop();
      const healProblems = await links.healAll(monitor.all());
      if (healProblems.length) say(`round ${round}`, `heal: ${healProblems.join('; ')}`);
      // Leaving pods finish first (their ends decide whether their ordinal owes changes).
      await waitPods(`pods from ordinal ${replicas} up gone and their ends followed (round ${round})`, async () => {
        const pods = await monitor.refresh();
        return pods.every((p) => p.ordinal < replicas && !p.terminating) && ends.running === 0;
      });
      const owing = ends.owingOrdinals();
      const back = Math.max(replicas, ...[...owing.keys()].map((o) => o + 1));
      if (back > replicas) {
        say(`round ${round}`, `bringing pods up to ordinal ${back - 1} back (replicaCount=${back}): ${[...owing.values()].join('; ')}`);
        monitor.keepScaled(back);
        await helm(['upgrade', RELEASE, CHART_DIR, '--reuse-values', '--set', `replicaCount=${back}`]);
        replicas = back;
      }
      await waitPods(`pods 0..${replicas - 1} Ready and nothing else (round ${round})`, async () => {
        await monitor.refresh();
        return monitor.settled(replicas) && ends.owingOrdinals().size === 0;
      });
      const inService = monitor.inService();
      sql.keepOnly(inService);
      await flush(sql, inService, PREFIX, (m) => say(`round ${round}`, m));

      const findings = await converge(sql, inService, model, reported, rowsBoundMs);
      for (const f of findings) {
        reported.add(f.key);
        (f.kind === 'lost' ? lostKeys : divergedKeys).add(f.key);
        summary.findings.push(f);
        say(`round ${round}`, `${f.kind.toUpperCase()}: ${f.detail}`);
        for (const line of writer.journal.get(f.key) ?? []) say(`round ${round}`, `  ID ${f.key}: ${line}`);
      }
      if (findings.length > 0) {
        mkdirSync(logDir, { recursive: true });
        for (const pod of inService) writeFileSync(join(logDir, `round-${round}-${pod.name}.log`), await cluster.logs(pod.name));
        say(`round ${round}`, `the in-service pods' logs are in ${logDir}`);
      }
      // No replication may stay started toward a pod outside the set (it keeps log for it): after
      // the round's upgrades the chart's reconcile hook has run; if some are found, one more
      // `helm upgrade --reuse-values` runs the hook again (a pod killed after the last upgrade).
      let stale = await staleReplications(sql, inService, replicas, PREFIX);
      if (stale.length > 0) {
        say(`round ${round}`, `started toward pods outside the set: ${stale.join('; ')}; helm upgrade --reuse-values runs the reconcile hook`);
        await helm(['upgrade', RELEASE, CHART_DIR, '--reuse-values']);
        stale = await staleReplications(sql, inService, replicas, PREFIX);
        if (stale.length === 0) summary.staleCured++;
      }
      for (const s of stale) {
        summary.stale.push(`round ${round}: ${s}`);
        say(`round ${round}`, `STALE: ${s}`);
      }
      await ready.settle();
      summary.rounds = round;
      summary.acknowledged = model.acknowledged;
      say(`round ${round}`, `pods ${inService.map((p) => p.ordinal).join(',')} in service; acknowledged +${model.acknowledged - ackBefore} (${model.acknowledged}); ` +
        `${findings.length === 0 ? 'rows identical and complete' : `${findings.length} finding(s)`}; ${((Date.now() - began) / 1000).toFixed(0)} s`);
    }
  } catch (error) {
    summary.failure = error instanceof Error ? error.message : String(error);
    say('failure', summary.failure);
    say('failure', await dumpState(cluster, RELEASE).catch((e) => `(no state: ${e})`));
  } finally {
    await writer?.stop();
    await monitor.stop();
    await ready.settle();
    await sql?.close();
  }
  summary.readyChecked = ready.verdicts.length;
  summary.readyViolations = ready.violations.map((v) => v.detail);
  for (const v of summary.readyViolations) say('ready', `VIOLATION: ${v}`);
  for (const u of ready.unchecked) say('ready', `not checked: ${u}`);
  if (writer) say('writer', `attempted ${writer.stats.attempted}, acknowledged ${model.acknowledged}, refused ${writer.stats.refused} (outcome unknown: ${model.uncertainWrites}), skipped ${writer.stats.skipped}, key moves ${writer.stats.transfers}`);
  for (const o of ends.outcomes) say('ends', o);
  summary.acknowledged = model.acknowledged;
  summary.lost = lostKeys.size;
  summary.diverged = divergedKeys.size;
  summary.line = summaryLine(summary);
  // The followers of leaving pods end with their containers (bounded by kubectl's timeout).
  void ends.close();
  return summary;
}

/** The SYS password from the release's Secret: read into memory, never printed or passed on. */
async function sysPassword(cluster: Cluster): Promise<string> {
  const list = await cluster.json(['get', 'secret', '-l', `app.kubernetes.io/instance=${RELEASE}`]);
  for (const item of list.items) {
    const data = item.data?.['sys-password'];
    if (data) return Buffer.from(data, 'base64').toString('utf8');
  }
  throw new Error(`no Secret of release ${RELEASE} in ${cluster.namespace} has the key sys-password`);
}

/** FLUSH every started pair between in-service pods, on both sides (FLUSH means sent, not applied). */
async function flush(sql: PodSql, pods: PodView[], prefix: string, say: (m: string) => void): Promise<void> {
  const ordinals = new Set(pods.map((p) => p.ordinal));
  for (const pod of pods) {
    let rows;
    try {
      rows = await sql.query(pod, 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
    } catch (error) {
      say(`FLUSH: cannot read ${pod.name}'s replications: ${errorText(error)}`);
      continue;
    }
    for (const r of rows) {
      const m = new RegExp(`^${prefix}_(\\d)(\\d)$`).exec(String(r.REPLICATION_NAME));
      if (!m || Number(r.XSN) === -1 || Number(r.IS_STARTED) !== 1) continue;
      const peer = Number(m[1]) === pod.ordinal ? Number(m[2]) : Number(m[1]);
      if (!ordinals.has(peer)) continue;
      await sql.query(pod, `ALTER REPLICATION ${r.REPLICATION_NAME} FLUSH WAIT 30`, 40_000).catch((error) => say(`FLUSH ${r.REPLICATION_NAME} on ${pod.name}: ${errorText(error)}`));
    }
  }
}

/** Objects started on an in-service pod toward an ordinal at or beyond the replica count. */
async function staleReplications(sql: PodSql, pods: PodView[], replicas: number, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const pod of pods) {
    const rows = await sql.query(pod, 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_');
    for (const r of rows) {
      const m = new RegExp(`^${prefix}_(\\d)(\\d)$`).exec(String(r.REPLICATION_NAME));
      if (!m || Number(r.IS_STARTED) !== 1) continue;
      const peer = Number(m[1]) === pod.ordinal ? Number(m[2]) : Number(m[1]);
      if (peer >= replicas) found.push(`${r.REPLICATION_NAME} on ${pod.name} (toward ordinal ${peer}, XSN ${r.XSN})`);
    }
  }
  return found;
}

/** Reads every pod's rows until they are identical and match the model, or the bound passes: then the findings. */
async function converge(sql: PodSql, pods: PodView[], model: WriteModel, ignore: ReadonlySet<number>, boundMs: number): Promise<Finding[]> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const rowsByPod = new Map<string, Row[]>();
    let unreadable = '';
    for (const pod of pods) {
      try {
        const rows = await sql.query(pod, 'SELECT ID, V FROM SYS.T1 ORDER BY ID');
        rowsByPod.set(pod.name, rows.map((r) => ({ id: Number(r.ID), v: String(r.V) })));
      } catch (error) {
        unreadable = `${pod.name}: ${errorText(error)}`;
      }
    }
    const findings = unreadable ? [] : compareRows(rowsByPod, model, ignore);
    if (!unreadable && findings.length === 0) return [];
    if (Date.now() > deadline) {
      if (unreadable) throw new Error(`rows unreadable after quiescing: ${unreadable}`);
      return findings;
    }
    await sleep(1000);
  }
}
