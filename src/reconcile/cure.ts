import { recordLeaves } from '../lifecycle/leaves.js';
import { stopAndReset } from '../lifecycle/objects.js';
import type { Server } from '../lifecycle/server.js';
import { shortError } from '../lifecycle/sysdba-slot.js';
import { selectReplicationGap } from '../sql/index.js';
import { W, type ReconcileContext } from './context.js';
import type { GapReading, ObjectReport } from './model.js';
import type { Survivor } from './survivors.js';

/**
 * On one pod in the set, the objects toward departed pods that keep log for them (started, or
 * stopped with a restart point): the aku manual's cure for a pod killed before `-p end`
 * finished (STOP, RESET), after two things of aku's own:
 *   - the leave is recorded first, in this server's SYS.AKU_LEFT_PAIRS (lifecycle/leaves.ts), so
 *     that a departed pod whose volume returns rejoins by TRUNCATE + SYNC at its `aku -p start`
 *     instead of being refused as a MASTER or SLAVE failure; a run interrupted after the record
 *     resets at its next run, a record without a reset changes nothing for anyone;
 *   - V$REPGAP is read just before each STOP, to name what the departed pod had not received.
 * Objects are changed one after another on the pod's one session.
 */
export async function cureSurvivor(ctx: ReconcileContext, survivor: Survivor, objects: ObjectReport[]): Promise<void> {
  const server = survivor.server as Server;
  const states = survivor.states as NonNullable<Survivor['states']>;
  const target = (o: ObjectReport) => ({ pod: o.pod, replication: o.name });
  const options = { retry: false, timeoutSec: ctx.statementTimeoutSec } as const;
  try {
    await recordLeaves(server, objects.map((o) => o.name), new Date(ctx.now()));
    const names = objects.map((o) => o.name).join(', ');
    ctx.logger.info(W.record, `${ctx.dryRun ? 'Would record' : 'Recorded'} in SYS.AKU_LEFT_PAIRS that ${server.pod} leaves ${names}: a departed pod whose volume returns rejoins by TRUNCATE + SYNC.`, { pod: server.pod });
  } catch (error) {
    const reason = `recording the leave in SYS.AKU_LEFT_PAIRS failed (${shortError(error)}); not reset, as the departed pod could not rejoin without the record`;
    ctx.logger.error(W.record, `${server.pod}: ${reason}.`, { pod: server.pod });
    for (const o of objects) Object.assign(o, { action: 'failed', reason });
    return;
  }
  for (const o of objects) {
    try {
      o.gap = await readGap(server, o.name, options);
      ctx.logger.info(W.gap, gapMessage(o), target(o));
      await stopAndReset(server, o.name, states, ctx.statementTimeoutSec);
      o.action = ctx.dryRun ? 'planned' : 'reset';
      o.reason = ctx.dryRun ? 'would STOP and RESET (and record the leave)' : 'stopped and reset; leave recorded';
      if (!ctx.dryRun) ctx.logger.info(W.reset, `${o.name} on ${o.pod} is stopped and reset (XSN -1): it keeps no log for ${o.peerPod} any more.`, target(o));
    } catch (error) {
      o.action = 'failed';
      o.reason = `STOP or RESET failed: ${shortError(error)}`;
      ctx.logger.error(W.reset, `${o.name} on ${o.pod}: ${o.reason}.`, target(o));
    }
  }
}

async function readGap(server: Server, name: string, options: { retry: false; timeoutSec: number }): Promise<GapReading | null> {
  const [row] = await server.read(selectReplicationGap(name), options);
  if (!row) return null;
  return { repGap: Number(row.REP_GAP ?? 0), repSn: Number(row.REP_SN ?? 0), lastSn: Number(row.REP_LAST_SN ?? 0) };
}

/** What the departed pod had not received from this pod, and where those changes stay. */
export function gapMessage(o: Pick<ObjectReport, 'name' | 'pod' | 'peerPod' | 'xsn' | 'gap'>): string {
  const stays = (subject: string) => `${subject} stay in ${o.pod}'s tables, and ${o.peerPod}, if its volume returns, rejoins by TRUNCATE + SYNC and gets them from the MASTER`;
  if (o.gap === null) {
    return `${o.name} on ${o.pod} has no sender (stopped at restart point XSN ${o.xsn}): what ${o.peerPod} had not received since then is not measured (V$REPGAP has a row only while a sender runs); ${stays('those changes')}.`;
  }
  if (o.gap.repGap === 0) return `${o.peerPod} had received every change ${o.pod} logged for ${o.name} (V$REPGAP: REP_GAP 0, REP_SN ${o.gap.repSn}).`;
  return `${o.peerPod} had not received ${o.pod}'s changes on ${o.name} from SN ${o.gap.repSn} to ${o.gap.lastSn} (V$REPGAP: REP_GAP ${o.gap.repGap}); ${stays('they')}.`;
}
