import type { LifecycleContext } from '../lifecycle/context.js';
import { flushAtStartBoundSec, flushWithin } from '../lifecycle/flush.js';
import { hasHistory } from '../lifecycle/replication-state.js';
import { replicationName } from '../topology/index.js';
import { W, type RecoverContext } from './context.js';
import type { Situation } from './checks.js';
import type { PodReading } from './read.js';

/**
 * Before the rows are compared, what each compared slave wrote itself reaches the source over
 * their own pair, and what the source wrote reaches it: the differences left are then rows that
 * only a FLUSH of the old MASTER could have delivered (received changes are not forwarded). Every
 * FLUSH is bounded (flushAtStartBoundSec, all at once) and changes nothing but delivery; one that
 * does not finish is named, and the rows it had not delivered show in the comparison.
 */
export async function flushTowardSource(ctx: RecoverContext, lctx: LifecycleContext, situation: Situation): Promise<void> {
  const source = situation.source;
  const boundSec = flushAtStartBoundSec(ctx.config);
  const deadline = ctx.now() + boundSec * 1000;
  const flushes: { from: PodReading; to: PodReading; name: string }[] = [];
  for (const slave of situation.joined) {
    for (const group of ctx.config.replications) {
      const name = replicationName(group, source.ordinal, slave.ordinal);
      if (hasHistory(slave.states, name)) flushes.push({ from: slave, to: source, name });
      if (hasHistory(source.states, name)) flushes.push({ from: source, to: slave, name });
    }
  }
  if (flushes.length === 0) return;
  ctx.logger.info(W.flush, `Flushing the pairs of ${source.pod} with ${situation.joined.map((s) => s.pod).join(', ')} before comparing rows, within ${boundSec} s.`);
  await Promise.all(flushes.map(({ from, to, name }) => flushOne(lctx, from, to, name, deadline, boundSec)));
}

async function flushOne(lctx: LifecycleContext, from: PodReading, to: PodReading, name: string, deadline: number, boundSec: number): Promise<void> {
  // FLUSH, not FLUSH ALL: its target is fixed when issued, so an application writing there cannot make it chase.
  const result = await flushWithin(lctx, { where: W.flush, server: from.server, name, peerHost: to.pod, all: false, deadline, boundSec });
  if (result.kind === 'flushed') return;
  const why = result.kind === 'expired'
    ? `not flushed within ${boundSec} s${result.gap === undefined ? '' : ` (gap ${result.gap})`}`
    : result.kind === 'no-sender' ? 'its sender is not running' : result.reason;
  lctx.logger.warn(W.flush, `${name} on ${from.pod} toward ${to.pod}: ${why}; what it had not delivered counts as rows only ${from.pod} holds.`, { pod: from.pod, replication: name });
}
