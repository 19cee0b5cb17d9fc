import { flushAtStartBoundSec } from '../lifecycle/flush.js';
import { hasHistory } from '../lifecycle/replication-state.js';
import {
  alterSystemSet,
  CREATE_LEAVES_TABLE,
  CREATE_RECOVERY_TABLE,
  createReplication,
  DELETE_RECOVERY,
  deleteLeave,
  insertLeave,
  insertRecovery,
  LINEAGE_TABLE,
  MARK_RECOVERY_DONE,
  resetReplication,
  startReplication,
  stopReplication,
  syncReplication,
  truncateItem,
} from '../sql/index.js';
import { MASTER_ORDINAL, replicationName, serverHost } from '../topology/index.js';
import { W, type ActStep, type RecoverContext, type RecoverRequest } from './context.js';
import { linksOf, pairsWithMaster, type Situation } from './checks.js';
import type { PodReading, SetReading } from './read.js';

/**
 * The plan recover prints before it changes anything (always), and the same entries as the run
 * goes (`--json`: each with its status). The entries describe what leave.ts and restore.ts do
 * with the state read now; those act on the state as they find it, which is the same unless
 * something else changed a server meanwhile (recover holds every server's SYSDBA slot).
 */

export interface PlannedStatement {
  pod: string;
  sql: string;
}

export interface PlanEntry {
  step: ActStep;
  /** The pod the entry is about. */
  pod: string;
  summary: string;
  statements: PlannedStatement[];
  status: 'planned' | 'skipped' | 'done' | 'failed';
  /** Why it is skipped, or why it failed. */
  why?: string;
}

export function buildPlan(ctx: RecoverContext, reading: SetReading, situation: Situation, restored: Set<string>): PlanEntry[] {
  const { master } = reading;
  const { source } = situation;
  const s = source.ordinal;
  const at = new Date(ctx.now()).toISOString();
  const entries: PlanEntry[] = [];
  const on = (pod: PodReading | string, sql: string): PlannedStatement => ({ pod: typeof pod === 'string' ? pod : pod.pod, sql });
  const groups = ctx.config.replications.filter((g) => !restored.has(g.prefix));
  const restoredWhy = `already restored by the recovery that began at ${situation.resuming?.startedAt}`;

  entries.push(situation.resuming
    ? { step: 'record', pod: master.pod, summary: 'the recovery record on the MASTER', statements: [], status: 'skipped', why: `resuming the recovery that began at ${situation.resuming.startedAt}` }
    : {
        step: 'record',
        pod: master.pod,
        summary: `record on the MASTER that it is being restored from ${source.pod} (a rerun after a failure resumes from it)`,
        statements: [on(master, CREATE_RECOVERY_TABLE), on(master, DELETE_RECOVERY), on(master, insertRecovery(at, s))],
        status: 'planned',
      });

  const boundSec = flushAtStartBoundSec(ctx.config);
  for (const slave of situation.leavers) {
    const statements = [on(slave, alterSystemSet('ADMIN_MODE', 1))];
    const delivered = new Set<string>();
    for (const group of ctx.config.replications) {
      const name = replicationName(group, s, slave.ordinal);
      if (!hasHistory(slave.states, name)) continue;
      delivered.add(name);
      statements.push(
        on(slave, `${startReplication(name)} (if its sender is not running)`),
        on(slave, `ALTER REPLICATION ${name} FLUSH ALL WAIT n (repeated, ${boundSec} s in all)`),
        on(slave, `${stopReplication(name)} (then its restart point must have passed the log position read just before)`),
      );
    }
    const peers = [master, ...reading.slaves.values()].filter((p) => p.ordinal !== slave.ordinal).sort((a, b) => a.ordinal - b.ordinal);
    for (const [pod, names] of [[slave, linksOf(ctx, slave.ordinal)] as const, ...peers.map((p) => [p, ctx.config.replications.map((g) => replicationName(g, slave.ordinal, p.ordinal))] as const)]) {
      for (const name of names) {
        const state = pod.states.get(name);
        if (state === undefined || (!state.started && state.xsn === -1)) continue;
        if (!(pod === slave && delivered.has(name))) statements.push(on(pod, stopReplication(name)));
        statements.push(on(pod, resetReplication(name)));
      }
    }
    entries.push({
      step: 'leave',
      pod: slave.pod,
      summary: `${slave.pod} leaves replication: no new application session (ADMIN_MODE 1), its changes flushed to ${source.pod}, every pair of it stopped and reset on both sides; it rejoins by its own aku -p start`,
      statements,
      status: 'planned',
    });
  }
  for (const slave of situation.alreadyOut) {
    entries.push({ step: 'leave', pod: slave.pod, summary: `${slave.pod} leaves replication`, statements: [], status: 'skipped', why: 'already out of replication: no pair of it holds history' });
  }
  for (const absent of situation.absent) {
    const names = pairsWithMaster(ctx, absent.ordinal);
    entries.push({
      step: 'leave',
      pod: absent.pod,
      summary: `${absent.pod} is not reachable: its pairs with the MASTER are recorded as left, so that its aku -p start rejoins by TRUNCATE + SYNC`,
      statements: [on(master, CREATE_LEAVES_TABLE), ...names.flatMap((n) => [on(master, deleteLeave(n)), on(master, insertLeave(n, at))])],
      status: 'planned',
    });
  }

  const missing = groups.map((g) => replicationName(g, MASTER_ORDINAL, s)).filter((name) => !master.states.has(name));
  entries.push({
    step: 'create',
    pod: master.pod,
    summary: `the MASTER's side of its pair with ${source.pod}, for SYNC to copy into`,
    statements: groups.filter((g) => missing.includes(replicationName(g, MASTER_ORDINAL, s))).map((g) =>
      on(master, createReplication(replicationName(g, MASTER_ORDINAL, s), serverHost(ctx.config, s), ctx.config.replicationPortNo, g.items))),
    ...(missing.length > 0 ? { status: 'planned' as const } : { status: 'skipped' as const, why: groups.length === 0 ? restoredWhy : 'it exists' }),
  });

  entries.push({
    step: 'truncate',
    pod: master.pod,
    summary: "empty the MASTER's replicated tables, so that SYNC copies into empty tables",
    statements: [
      on(master, `${alterSystemSet('REPLICATION_DDL_ENABLE', 1)} (if it is not 1)`),
      ...groups.flatMap((g) => g.items).map((item) => on(master, truncateItem(item))),
      on(master, `${alterSystemSet('REPLICATION_DDL_ENABLE', 0)} (back to the value found)`),
    ],
    ...(groups.length > 0 ? { status: 'planned' as const } : { status: 'skipped' as const, statements: [], why: restoredWhy }),
  });

  entries.push({
    step: 'sync',
    pod: source.pod,
    summary: `copy ${source.pod}'s rows to the MASTER; SYNC starts ${source.pod}'s sender toward it`,
    statements: groups.flatMap((g) => {
      const name = replicationName(g, MASTER_ORDINAL, s);
      return [on(source, `${stopReplication(name)} (not started is fine)`), on(source, resetReplication(name)), on(source, syncReplication(name, g.syncParallelCount))];
    }),
    ...(groups.length > 0 ? { status: 'planned' as const } : { status: 'skipped' as const, why: restoredWhy }),
  });

  entries.push({
    step: 'start',
    pod: master.pod,
    summary: `start the MASTER's side: the pair replicates both ways`,
    statements: groups.map((g) => on(master, startReplication(replicationName(g, MASTER_ORDINAL, s)))),
    ...(groups.length > 0 ? { status: 'planned' as const } : { status: 'skipped' as const, why: restoredWhy }),
  });

  entries.push({
    step: 'lineage',
    pod: master.pod,
    summary: `the MASTER's database descends from ${source.pod}'s: it takes ${source.pod}'s lineage id${source.lineage === undefined ? ` (${source.pod} has none: a new id, written on both)` : ` (${source.lineage})`}`,
    statements: [on(master, `DELETE FROM ${LINEAGE_TABLE}; INSERT INTO ${LINEAGE_TABLE} VALUES ('${source.lineage ?? '<new id>'}', '<now>')`)],
    status: 'planned',
  });

  entries.push({ step: 'done', pod: master.pod, summary: 'the recovery record says DONE', statements: [on(master, MARK_RECOVERY_DONE)], status: 'planned' });
  return entries;
}

/** The plan as aku log lines: one per entry, then its statements, each with the pod it runs on. */
export function printPlan(ctx: RecoverContext, request: RecoverRequest, reading: SetReading, situation: Situation, entries: PlanEntry[]): void {
  const { logger } = ctx;
  logger.info(W.plan, `The plan: restore the MASTER ${reading.master.pod} from ${situation.source.pod}${request.act ? '' : '. Nothing has been changed'}.`);
  entries.forEach((entry, index) => {
    const head = `${index + 1}. ${entry.step}: ${entry.summary}`;
    if (entry.status === 'skipped') {
      logger.info(W.plan, `${head} — skipped: ${entry.why}.`, { pod: entry.pod });
      return;
    }
    logger.info(W.plan, `${head}.`, { pod: entry.pod });
    for (const statement of entry.statements) logger.info(W.plan, `   ${statement.sql}`, { pod: statement.pod });
  });
}
