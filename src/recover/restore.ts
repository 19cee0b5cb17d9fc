import { randomUUID } from 'node:crypto';
import { AltibaseCode } from '../db/errors.js';
import { forgetDdlEnable, recordDdlEnable, recordedDdlEnable } from '../lifecycle/completion-file.js';
import type { LifecycleContext } from '../lifecycle/context.js';
import { writeLineage } from '../lifecycle/lineage.js';
import { ensureObject, stopAndReset } from '../lifecycle/objects.js';
import { withProgress } from '../lifecycle/progress.js';
import { hasHistory } from '../lifecycle/replication-state.js';
import { readProperty } from '../lifecycle/server-checks.js';
import { alterSystemSet, resetReplication, startReplication, stopReplication, syncReplication, truncateItem } from '../sql/index.js';
import { MASTER_ORDINAL, replicationName } from '../topology/index.js';
import { W, type RecoverContext } from './context.js';
import type { SetReading } from './read.js';
import type { Situation } from './checks.js';

/**
 * The manual's procedure (aku-spec §12.1), one function per step: the MASTER's replicated tables
 * truncated, the source's pair with it stopped, reset and SYNCed (which copies the source's rows
 * to the MASTER and starts the source's sender), the MASTER's side started; then the MASTER's
 * lineage, so that it descends from the database it now holds.
 *
 * A group is restored once both sides of its pair hold history while the recovery record says
 * RUNNING (history the MASTER can only have from this recovery's START): a rerun skips create,
 * truncate, SYNC and START for it. Anything short of that is done again from the TRUNCATE, which
 * removes what a half-done SYNC copied.
 */

export function restoredGroups(ctx: RecoverContext, reading: SetReading, situation: Situation): Set<string> {
  const restored = new Set<string>();
  if (situation.resuming === undefined) return restored;
  for (const group of ctx.config.replications) {
    const name = replicationName(group, MASTER_ORDINAL, situation.source.ordinal);
    if (hasHistory(reading.master.states, name) && hasHistory(situation.source.states, name)) restored.add(group.prefix);
  }
  return restored;
}

/** The MASTER's side of its pair with the source: SYNC needs an object of that name to receive into. */
export async function createPairs(ctx: RecoverContext, lctx: LifecycleContext, reading: SetReading, situation: Situation, skip: Set<string>): Promise<void> {
  for (const group of ctx.config.replications.filter((g) => !skip.has(g.prefix))) {
    const made = await ensureObject(lctx, reading.master.server, reading.master.states, group, situation.source.ordinal);
    const name = replicationName(group, MASTER_ORDINAL, situation.source.ordinal);
    ctx.logger.info(W.create, made === 'created' ? `Created ${name} on the MASTER toward ${situation.source.pod}.` : `${name} exists on the MASTER.`, { pod: reading.master.pod, replication: name });
  }
}

/**
 * TRUNCATE needs REPLICATION_DDL_ENABLE = 1 on a replicated table. The value found first is
 * written beside the MASTER's completion file before it is changed (as -p start does): a run
 * killed in between puts it back the next time, here or in the MASTER's own start.
 */
export async function truncateMaster(ctx: RecoverContext, reading: SetReading, skip: Set<string>): Promise<void> {
  const groups = ctx.config.replications.filter((g) => !skip.has(g.prefix));
  if (groups.length === 0) return;
  const master = reading.master.server;
  ctx.logger.info(W.truncate, 'Truncate tables for replications.', { pod: reading.master.pod });
  const now = await readProperty(master, 'REPLICATION_DDL_ENABLE');
  const previous = recordedDdlEnable(ctx.completionFile) ?? now ?? '0';
  if (now !== '1') {
    recordDdlEnable(ctx.completionFile, previous);
    await master.change(alterSystemSet('REPLICATION_DDL_ENABLE', 1));
  }
  try {
    for (const item of groups.flatMap((g) => g.items)) await master.change(truncateItem(item));
  } finally {
    if (previous !== '1') {
      await master.change(alterSystemSet('REPLICATION_DDL_ENABLE', 0));
      forgetDdlEnable(ctx.completionFile);
    }
  }
  ctx.logger.info(W.truncate, 'Table truncation has ended.', { pod: reading.master.pod });
}

/**
 * On the source: STOP (not started is fine), RESET (a fresh restart point for SYNC to set), SYNC.
 * The MASTER's side is stopped and reset first if an earlier run started it.
 */
export async function syncFromSource(ctx: RecoverContext, lctx: LifecycleContext, reading: SetReading, situation: Situation, skip: Set<string>): Promise<void> {
  const { source } = situation;
  const master = reading.master;
  for (const group of ctx.config.replications.filter((g) => !skip.has(g.prefix))) {
    const name = replicationName(group, MASTER_ORDINAL, source.ordinal);
    const target = { pod: source.pod, replication: name };
    const masterSide = master.states.get(name);
    if (masterSide && (masterSide.started || masterSide.xsn !== -1)) await stopAndReset(master.server, name, master.states);
    ctx.logger.info(W.sync, `Sync tables from ${source.pod} to the MASTER.`, target);
    await source.server.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED]);
    await source.server.change(resetReplication(name));
    await withProgress(lctx, W.sync, `SYNC of ${name} from ${source.pod} to ${master.pod}`, target, () => source.server.change(syncReplication(name, group.syncParallelCount)));
    ctx.logger.info(W.sync, 'Replication sync has ended.', target);
  }
}

/** The MASTER's sender toward the source, from its current log position: both ways replicate again. */
export async function startMasterSide(ctx: RecoverContext, reading: SetReading, situation: Situation, skip: Set<string>): Promise<void> {
  for (const group of ctx.config.replications.filter((g) => !skip.has(g.prefix))) {
    const name = replicationName(group, MASTER_ORDINAL, situation.source.ordinal);
    await reading.master.server.changeTolerating(startReplication(name), [AltibaseCode.SENDER_ALREADY_STARTED]);
    ctx.logger.info(W.start, `${name} started on the MASTER: it replicates with ${situation.source.pod} both ways.`, { pod: reading.master.pod, replication: name });
  }
}

/**
 * The MASTER now holds the source's database, which descends from the old MASTER's: it takes the
 * source's lineage id (lineage.ts). A source that never recorded one gets a new id, on both.
 */
export async function writeMasterLineage(ctx: RecoverContext, reading: SetReading, situation: Situation): Promise<void> {
  const { source } = situation;
  const now = new Date(ctx.now());
  let id = source.lineage;
  if (id === undefined) {
    id = randomUUID();
    await writeLineage(source.server, id, now);
    source.lineage = id;
  }
  await writeLineage(reading.master.server, id, now);
  reading.master.lineage = id;
  ctx.logger.info(W.lineage, `The MASTER's lineage is now ${source.pod}'s (${id}): its database descends from the one the set replicated.`, { pod: reading.master.pod });
}
