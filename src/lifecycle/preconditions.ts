import type { ReplicationGroup, ReplicationItem } from '../config/model.js';
import { countRows, SELECT_REPLICATION_ITEMS, alterReplicationItem, startReplication, stopReplication } from '../sql/index.js';
import { MASTER_ORDINAL, replicationName } from '../topology/index.js';
import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';
import { hasHistory, type ReplicationStates } from './replication-state.js';
import { readLineage } from './lineage.js';
import { readProperty } from './server-checks.js';
import { isNameNotResolved, podOf, shortReason, type Reached, type Server } from './server.js';

/**
 * Checks of `-p start` that refuse before anything is changed: an existing object whose items
 * differ from aku.conf, a MASTER that is not a trustworthy source for a SYNC, and a join while a
 * slave that may hold changes the MASTER lacks is down.
 */

const ITEMS = 'akuRunStart:items';
const SOURCE = 'akuRunStart:source';

const itemKey = (item: Pick<ReplicationItem, 'user' | 'table'> & { partition?: string | undefined }) =>
  item.partition === undefined ? `${item.user}.${item.table}` : `${item.user}.${item.table} PARTITION ${item.partition}`;

/**
 * Every existing aku object of this pod's pairs, here and on each reached peer, must replicate
 * exactly its group's items: an object that exists is not created again, so a table added to
 * aku.conf would otherwise never replicate (and a new pod's handshake with the old objects fails
 * on the item count). On a difference: refuse, naming the object, the items that differ and the
 * statements that reconcile it.
 */
export async function checkItemsMatchConfig(ctx: LifecycleContext, servers: Server[], states: Map<number, ReplicationStates>): Promise<void> {
  const problems: string[] = [];
  for (const server of servers) {
    const names = new Set(ctx.topology.links.map((l) => l.name).filter((n) => states.get(server.ordinal)?.has(n)));
    if (names.size === 0) continue;
    const rows = await server.read(SELECT_REPLICATION_ITEMS);
    for (const link of ctx.topology.links.filter((l) => names.has(l.name))) {
      const actual = new Set(
        rows.filter((r) => r.REPLICATION_NAME === link.name).map((r) =>
          itemKey({ user: String(r.LOCAL_USER_NAME), table: String(r.LOCAL_TABLE_NAME), partition: r.LOCAL_PARTITION_NAME === null || r.LOCAL_PARTITION_NAME === undefined ? undefined : String(r.LOCAL_PARTITION_NAME) })),
      );
      const wanted = new Map(link.group.items.map((i) => [itemKey(i), i]));
      const missing = [...wanted.keys()].filter((k) => !actual.has(k));
      const extra = [...actual].filter((k) => !wanted.has(k));
      if (missing.length === 0 && extra.length === 0) continue;
      const statements = [
        stopReplication(link.name),
        ...missing.map((k) => alterReplicationItem(link.name, 'ADD', wanted.get(k) as ReplicationItem)),
        ...extra.map((k) => alterReplicationItem(link.name, 'DROP', parseItemKey(k))),
        startReplication(link.name),
      ];
      problems.push(
        `${link.name} on ${server.host} replicates ${[...actual].join(', ') || 'nothing'}, but aku.conf's group ${link.group.prefix} lists ${[...wanted.keys()].join(', ')}` +
          `${missing.length ? `; not replicated: ${missing.join(', ')}` : ''}${extra.length ? `; not in aku.conf: ${extra.join(', ')}` : ''}. ` +
          `To reconcile, run on both pods of the pair: ${statements.join('; ')};`,
      );
    }
  }
  if (problems.length > 0) {
    throw new LifecycleError(`the replication items differ from aku.conf, so nothing was changed: ${problems.join(' ')}`, ITEMS);
  }
}

function parseItemKey(key: string): ReplicationItem {
  const [qualified, partition] = key.split(' PARTITION ');
  const [user, table] = (qualified as string).split('.');
  return { user: user as string, table: table as string, ...(partition === undefined ? {} : { partition }) };
}

/**
 * Never SYNC from a MASTER that is not a trustworthy source (a SYNC truncates this pod first):
 * one whose own `-p start` has not completed (ADMIN_MODE 1: still starting, ending, or it flagged
 * a MASTER failure), or one that looks freshly created — no replication history and empty
 * replicated tables — while this pod or a reached slave holds data that does not descend from
 * the MASTER's own database (lineage.ts: a MASTER emptied by deletes stays a source).
 */
export async function checkMasterIsSource(
  ctx: LifecycleContext,
  master: Server,
  self: Server,
  reached: Reached,
  states: Map<number, ReplicationStates>,
  groups: ReplicationGroup[],
): Promise<void> {
  const recovery = 'Nothing was truncated. See "Manual recovery of a failed MASTER" in docs/lifecycle.md.';
  if ((await readProperty(master, 'ADMIN_MODE')) === '1') {
    throw new LifecycleError(
      `the MASTER ${master.host} has not completed its own aku -p start (its ADMIN_MODE is 1: still starting, ending, or it reported ` +
        `"The MASTER server is detected to have failed"), so it is not a source to SYNC from. aku -p start here retries once the MASTER is in service. ${recovery}`,
      SOURCE,
    );
  }
  const masterStates = states.get(MASTER_ORDINAL) as ReplicationStates;
  if ([...masterStates.keys()].some((name) => hasHistory(masterStates, name))) return;
  const items = groups.flatMap((g) => g.items);
  if ((await rowsIn(master, items)) > 0) return;
  const slaves = [self, ...[...reached.servers.values()].filter((s) => s.ordinal !== MASTER_ORDINAL)];
  const masterLineage = await readLineage(master);
  for (const slave of slaves) {
    const rows = await rowsIn(slave, items);
    if (rows > 0 && masterLineage !== undefined && (await readLineage(slave)) === masterLineage) {
      // The same database the slave was synchronised from, emptied by ordinary deletes.
      ctx.logger.info(SOURCE, `the MASTER ${master.host} holds no rows and no replication history, but ${slave.host}'s data descends from the same database ` +
        `(lineage ${masterLineage}): its tables were emptied on purpose, so it is the source.`, { pod: slave.pod });
      continue;
    }
    if (rows > 0) {
      throw new LifecycleError(
        `the MASTER ${master.host} looks freshly created (no replication history, its replicated tables empty) while ${slave.host} holds ${rows} rows: ` +
          `a SYNC from it would empty this pod. If the MASTER lost its volume, restore it from a slave first. ${recovery}`,
        SOURCE,
      );
    }
  }
}

async function rowsIn(server: Server, items: ReplicationItem[]): Promise<number> {
  let total = 0;
  for (const table of new Map(items.map((i) => [`${i.user}.${i.table}`, i])).values()) {
    const rows = await server.read(countRows(table));
    total += Number(rows[0]?.ROW_COUNT ?? 0);
  }
  return total;
}

/**
 * A join takes the other slaves' changes from two places only: the MASTER's SYNC snapshot, and the
 * direct pair with each slave, pinned before the snapshot (holdOtherPodsChanges). A slave that is
 * down can be pinned by nobody, and Altibase does not forward received changes
 * (altibase-replication.md §0.1): what it wrote that had not reached the MASTER when it went down is
 * not in the snapshot, and when it returns its new pair toward this pod starts from its current log
 * position (START of an object without a restart point; Altibase offers no START from a chosen SN).
 * Those changes would never reach this pod, so the join waits for it.
 *
 * "May hold such changes": the MASTER's side of its pair has a restart point (it joined, and
 * neither `-p end` with a reset nor `-p clean` has reset that pair since). A slave whose name does
 * not resolve has no pod at all (scaled down or deleted): under OrderedReady it is not created again
 * while this pod is not Ready, so waiting for it would strand this pod; the join goes on and says
 * which pod's undelivered changes it cannot have.
 */
export function checkNoJoinedSlaveIsDown(
  ctx: LifecycleContext,
  self: Server,
  reached: Reached,
  states: Map<number, ReplicationStates>,
  groups: ReplicationGroup[],
): void {
  const masterStates = states.get(MASTER_ORDINAL) as ReplicationStates;
  const down: string[] = [];
  for (const { node, error } of [...reached.unreachable.values()].sort((a, b) => a.node.ordinal - b.node.ordinal)) {
    if (node.ordinal === MASTER_ORDINAL || node.ordinal === self.ordinal) continue;
    const pod = podOf(node.host);
    const joined = groups.map((g) => replicationName(g, MASTER_ORDINAL, node.ordinal)).filter((name) => hasHistory(masterStates, name));
    if (joined.length === 0) continue;
    const pairs = joined.map((name) => `${name} XSN ${masterStates.get(name)?.xsn}`).join(', ');
    if (isNameNotResolved(error)) {
      ctx.logger.warn(
        SOURCE,
        `${node.host} does not resolve (no such pod: scaled down or deleted) while the MASTER holds replication history with it (${pairs}): ` +
          `changes made on ${pod} that had not reached the MASTER cannot reach this pod; the join goes on without them (waiting would hold this pod, and under OrderedReady every later pod, for good). ` +
          `If ${pod} comes back with its volume, those changes reach every pod but this one: run aku -p end, then aku -p start, in this pod once ${pod} has started (it rejoins by TRUNCATE + SYNC and gets them).`,
        { pod, replication: joined[0] as string },
      );
      continue;
    }
    down.push(
      `${node.host} is not reachable (${shortReason(error)}) but the MASTER holds replication history with it (${pairs}); ` +
        `if ${pod} is gone for good, give up its undelivered changes on the MASTER: ${joined.map((name) => `ALTER REPLICATION ${name} STOP; ALTER REPLICATION ${name} RESET;`).join(' ')} ` +
        `and delete ${pod} with its volume`,
    );
  }
  if (down.length === 0) return;
  throw new LifecycleError(
    `this pod cannot join while a slave that may hold changes the MASTER has not received is down: ${down.join('; ')}. ` +
      'Altibase does not forward received changes, so those changes would never reach this pod. ' +
      'Nothing was truncated; aku -p start joins once that pod answers again (its container restarts by itself).',
    SOURCE,
  );
}
