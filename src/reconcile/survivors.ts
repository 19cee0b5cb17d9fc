import { readStates, type ReplicationStates } from '../lifecycle/replication-state.js';
import { Server } from '../lifecycle/server.js';
import { openSysdbaSlot, shortError } from '../lifecycle/sysdba-slot.js';
import { serverHost, type ServerNode } from '../topology/index.js';
import { podName, W, type ReconcileContext } from './context.js';
import type { PodReport } from './model.js';

/**
 * The pods in the set (ordinals below the replica count that AKU_SERVER_COUNT covers), each
 * reached once with its SYSDBA session taken only when nobody needs it, and its replication
 * objects read. A pod that is busy or does not answer is reported and left alone: what it holds
 * is unknown, so the run ends with exit 1 and names it.
 */

export interface Survivor {
  report: PodReport;
  /** Set when the pod was read; its session stays open until close(). */
  server?: Server;
  states?: ReplicationStates;
}

export async function readSurvivors(ctx: ReconcileContext, replicas: number, starting: ReadonlyMap<number, string> = new Map()): Promise<Survivor[]> {
  const count = Math.min(replicas, ctx.config.serverCount);
  const nodes: ServerNode[] = Array.from({ length: count }, (_, ordinal) => ({ ordinal, host: serverHost(ctx.config, ordinal) }));
  return Promise.all(nodes.map((node) => {
    const why = starting.get(node.ordinal);
    if (why === undefined) return readSurvivor(ctx, node);
    // Its start needs the one SYSDBA session; a start creates and starts its own pairs anyway.
    const pod = podName(ctx.config, node.ordinal);
    ctx.logger.info(W.read, `${pod} is ${why}: left alone; aku reconcile reads it once it is in service.`, { pod });
    return { report: { ordinal: node.ordinal, pod, host: node.host, state: 'starting' as const, reason: why } };
  }));
}

async function readSurvivor(ctx: ReconcileContext, node: ServerNode): Promise<Survivor> {
  const pod = podName(ctx.config, node.ordinal);
  const base = { ordinal: node.ordinal, pod, host: node.host };
  const slot = await openSysdbaSlot(ctx.slot, node);
  if (slot.kind === 'busy') {
    ctx.logger.warn(
      W.read,
      slot.ownRun
        ? `${slot.ownRun} is running on this pod and holds its SYSDBA session; not taking it. Run aku reconcile again when it is over.`
        : `Another SYSDBA session holds ${node.host} (a running aku -p start or -p end, or an operator's session); not waiting for it longer than ${ctx.slot.busyWaitMs} ms. Run aku reconcile again when it is over.`,
      { pod },
    );
    return { report: { ...base, state: 'busy', reason: slot.reason } };
  }
  if (slot.kind === 'unreachable') {
    ctx.logger.warn(W.read, `${node.host} is not reachable (${slot.reason}); its objects are not known. Run aku reconcile again when it answers.`, { pod });
    return { report: { ...base, state: 'unreachable', reason: slot.reason } };
  }
  const server = new Server(node, slot.session, ctx);
  try {
    const states = await readStates(server, { retry: false, timeoutSec: ctx.statementTimeoutSec });
    return { report: { ...base, state: 'read', reason: null }, server, states };
  } catch (error) {
    await slot.session.close();
    const reason = `reading SYSTEM_.SYS_REPLICATIONS_ failed: ${shortError(error)}`;
    ctx.logger.warn(W.read, `${node.host}: ${reason}.`, { pod });
    return { report: { ...base, state: 'unreachable', reason } };
  }
}
