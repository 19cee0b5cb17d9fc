import type { LifecycleContext } from '../lifecycle/context.js';
import { readLineage } from '../lifecycle/lineage.js';
import { reachInOrder } from '../lifecycle/ordered-reach.js';
import { readStates, type ReplicationStates } from '../lifecycle/replication-state.js';
import { readProperty } from '../lifecycle/server-checks.js';
import { podOf, shortReason, type Server } from '../lifecycle/server.js';
import { runningEnd, runningStart } from '../lifecycle/start-handover.js';
import { RecoverRefusal, W, type RecoverContext } from './context.js';
import { readRecord, type RecoveryRecord } from '../lifecycle/recovery-record.js';

/**
 * Reading every pod of the set, as `-p start` reaches them: this pod's server (the MASTER) and
 * every peer, one bounded attempt each at once; a SYSDBA slot another aku run holds (ERR-41041)
 * is waited for up to `busyWaitSec`, slots taken in ordinal order, then recover refuses naming
 * the pod. Recover keeps the slots it took for its whole run: what it read must stay true while
 * it acts on it, and no start or end can act on these servers meanwhile.
 */

export interface PodReading {
  server: Server;
  ordinal: number;
  pod: string;
  /** ADMIN_MODE as V$PROPERTY shows it ('0': in service). */
  adminMode: string | undefined;
  states: ReplicationStates;
  lineage: string | undefined;
}

export interface SetReading {
  master: PodReading;
  /** Reached slaves, by ordinal. */
  slaves: Map<number, PodReading>;
  /** Slaves that did not answer, with why. */
  unreachable: Map<number, { pod: string; reason: string }>;
  /** The MASTER's SYS.AKU_RECOVERY row, when a recovery began there. */
  record: RecoveryRecord | undefined;
}

export async function readSet(ctx: RecoverContext, lctx: LifecycleContext): Promise<SetReading> {
  await waitForOwnRuns(ctx);
  const { self, reached } = await reachInOrder(lctx, W.read, ctx.busyWaitSec, 'run aku recover again');
  const read = async (server: Server): Promise<PodReading> => ({
    server,
    ordinal: server.ordinal,
    pod: server.pod,
    adminMode: await readProperty(server, 'ADMIN_MODE'),
    states: await readStates(server),
    lineage: await readLineage(server),
  });
  const [master, ...slaves] = await Promise.all([self, ...reached.servers.values()].map(read));
  const unreachable = new Map([...reached.unreachable].map(([ordinal, { node, error }]) => [ordinal, { pod: podOf(node.host), reason: shortReason(error) }] as const));
  return {
    master: master as PodReading,
    slaves: new Map(slaves.map((s) => [s.ordinal, s])),
    unreachable,
    record: await readRecord(self),
  };
}

/**
 * A `-p start` or `-p end` running in this container holds this server's one SYSDBA session. The
 * entrypoint's start attempts on a failed MASTER end within seconds, so recover waits for one, up
 * to the busy bound; anything longer is refused by name rather than taken from under it.
 */
async function waitForOwnRuns(ctx: RecoverContext): Promise<void> {
  const running = () => {
    const start = runningStart(ctx.completionFile);
    if (start !== undefined) return `aku -p start (pid ${start})`;
    const end = runningEnd(ctx.completionFile);
    return end === undefined ? undefined : `aku -p end (pid ${end})`;
  };
  const until = ctx.now() + ctx.busyWaitSec * 1000;
  let run = running();
  if (run !== undefined) ctx.logger.info(W.read, `${run} is running on this pod; waiting for it to end, at most ${ctx.busyWaitSec} s.`);
  while (run !== undefined && ctx.now() < until) {
    await ctx.sleep(200);
    run = running();
  }
  if (run !== undefined) {
    throw new RecoverRefusal(
      `${run} is still running on ${ctx.topology.self.podName} after ${ctx.busyWaitSec} s and holds its SYSDBA session; recover does not take it from a running start or end. ` +
        'Nothing was changed; run aku recover again when it has ended.',
      W.read,
    );
  }
}
