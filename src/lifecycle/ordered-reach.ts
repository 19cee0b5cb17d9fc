import { AltibaseCode, DbError } from '../db/errors.js';
import { RETRY_UNTIL_DEADLINE } from '../db/session.js';
import type { ServerNode } from '../topology/index.js';
import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';
import { podOf, Server, shortReason, type Reached } from './server.js';

/**
 * How `-p start` takes the SYSDBA slots of this pod's server and of every peer. Altibase admits one
 * SYSDBA session per server, and a start keeps its slots for its whole run (what it read at
 * `connect` must stay true while it acts on it), so starts running on several pods at once
 * (independent container restarts) meet each other's slots.
 *
 * A busy slot is a running server, never an absent one: a join that skipped it would skip the
 * pinning and flushing of its pair and miss its changes. So a busy slot is waited for, up to
 * `boundSec`; one still busy then fails the run, naming the server (nothing has changed yet; the
 * next start tries again).
 *
 * Waiting must not go in a circle (run A holds slot 1 and waits for 2 while run B holds 2 and waits
 * for 1). Slots are therefore taken in ordinal order: one attempt at every server at once (absent
 * pods cost one connect timeout together), then, if some answered busy, every slot above the
 * lowest busy one is given back and the rest are taken one by one, lowest first. No run waits for a
 * slot while holding a higher one, so no circle can form; `-p end` never waits while holding one.
 */
export async function reachInOrder(
  ctx: LifecycleContext,
  where: string,
  boundSec: number,
  /** What the refusal says happens next (aku recover reaches servers the same way, with its own words). */
  again = 'aku -p start will try again',
): Promise<{ self: Server; reached: Reached }> {
  const { topology } = ctx;
  const busyUntil = ctx.now() + boundSec * 1000;
  const selfNode: ServerNode = { ordinal: topology.self.ordinal, host: topology.self.host };
  const nodes = [selfNode, ...topology.peers].sort((a, b) => a.ordinal - b.ordinal);
  const held = new Map<number, Server>();
  const busy = new Set<number>();
  const unreachable = new Map<number, { node: ServerNode; error: unknown }>();

  await Promise.all(
    nodes.map(async (node) => {
      const session = ctx.session(node.host);
      try {
        // One attempt: a peer that does not answer is normal (a pod that does not exist yet), and a
        // busy slot is waited for below, in order. This pod's own server may still be booting: it
        // gets the configured retries, unless it answered busy.
        await session.open({ retry: false }).catch((error: unknown) => {
          if (node !== selfNode || isBusy(error)) throw error;
          return session.open({});
        });
        held.set(node.ordinal, new Server(node, session, ctx));
      } catch (error) {
        if (isBusy(error)) busy.add(node.ordinal);
        else if (node === selfNode) throw ownServerUnreachable(ctx, node, error, where);
        else unreachable.set(node.ordinal, { node, error });
      }
    }),
  );

  if (busy.size > 0) {
    const lowest = Math.min(...busy);
    for (const [ordinal, server] of held) if (ordinal > lowest) await server.release();
    for (const node of nodes.filter((n) => n.ordinal >= lowest && !unreachable.has(n.ordinal))) {
      const wasBusy = busy.has(node.ordinal);
      if (wasBusy) ctx.logger.info(where, `${node.host}'s SYSDBA session is in use (another aku run, or an isql -sysdba session there); waiting for it, at most ${boundSec} s.`, { pod: podOf(node.host) });
      const session = ctx.session(node.host);
      try {
        // A slot given back above gets at least one connect timeout, even when a lower one took the whole bound.
        const deadline = Math.max(busyUntil, ctx.now() + ctx.config.connectTimeoutSec * 1000);
        await session.open({ retry: RETRY_UNTIL_DEADLINE, deadline });
        held.set(node.ordinal, new Server(node, session, ctx));
        busy.delete(node.ordinal);
      } catch (error) {
        // Every server here answered a moment ago: it is running, so it is never taken for absent.
        // The last attempt may be the session's own "time budget used up" after busy answers.
        if (isBusy(error) || (error instanceof DbError && error.timedOutByAku)) throw slotStayedBusy(ctx, node, error, boundSec, where, again);
        if (node === selfNode) throw ownServerUnreachable(ctx, node, error, where);
        throw new LifecycleError(
          `${node.host} answered a moment ago but not now (${shortReason(error)}); it is not taken for absent, since it may hold changes this start must not skip. ` +
            `Nothing was changed; ${again}.`,
          where,
        );
      }
    }
  }

  for (const { node, error } of unreachable.values()) {
    ctx.logger.info(where, `${node.host} is not reachable (${shortReason(error)}).`, { pod: podOf(node.host) });
  }
  const self = held.get(selfNode.ordinal) as Server;
  held.delete(selfNode.ordinal);
  return { self, reached: { servers: held, unreachable } };
}

function isBusy(error: unknown): boolean {
  return error instanceof DbError && error.isCode(AltibaseCode.ANOTHER_SYSDBA_SESSION, AltibaseCode.CLIENT_ANOTHER_SYSDBA_SESSION);
}

function slotStayedBusy(ctx: LifecycleContext, node: ServerNode, error: unknown, boundSec: number, where: string, again: string): LifecycleError {
  const own = node.ordinal === ctx.topology.self.ordinal;
  return new LifecycleError(
    `${own ? "this pod's own server" : node.host} kept its SYSDBA session in use for ${boundSec} s (${isBusy(error) ? shortReason(error) : 'ERR-41041 until the bound ran out'}): ` +
      `another pod's aku run, or an isql -sysdba session on ${podOf(node.host)}. A running server is not skipped as if it were absent ` +
      `(its pairs would be left out). Nothing was changed; ${again} — close any isql -sysdba session there if it persists.`,
    where,
  );
}

function ownServerUnreachable(ctx: LifecycleContext, node: ServerNode, error: unknown, where: string): LifecycleError {
  return new LifecycleError(
    `cannot reach this pod's own server at ${node.host}:${ctx.config.portNo} (${shortReason(error)}). ` +
      'Is the server running, started with REMOTE_SYSDBA_ENABLE=1, and is no other SYSDBA session open?',
    where,
  );
}
