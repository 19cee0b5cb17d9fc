import type { PodLook, SetLook } from '../kube/set-facts.js';
import { podName, W, type ReconcileContext } from './context.js';

/**
 * Not racing a scale-down, nor a rollout: with the Kubernetes API, reconcile waits (bounded by
 * ctx.waitMs) until no Pod object at an ordinal >= replicas exists — a departing pod runs its
 * own `aku -p end`, which decommissions its pairs properly — and until every pod in the set is
 * Ready at the set's revision, so that no `aku -p start` or `-p end` holds a SYSDBA session
 * reconcile needs. When the bound runs out, reconcile goes on with what it has: a departed pod
 * still present is skipped (index.ts), a pod still busy is reported busy. A dry run looks once
 * and waits for nothing.
 */

export interface SettleOutcome {
  /** False when there is no API to ask: nothing was waited for. */
  checked: boolean;
  /** Each departed ordinal AKU_SERVER_COUNT covers, as last seen (absent when not checked). */
  departed: Map<number, PodLook>;
}

export async function waitForSettledSet(ctx: ReconcileContext, replicas: number): Promise<SettleOutcome> {
  const { config, logger, kube } = ctx;
  if (!kube) return { checked: false, departed: new Map() };
  const inSet = range(0, Math.min(replicas, config.serverCount));
  const departing = range(replicas, config.serverCount);
  const deadline = ctx.now() + (ctx.dryRun ? 0 : ctx.waitMs);
  let said = '';
  let last: SettleOutcome = { checked: true, departed: new Map(departing.map((o) => [o, { kind: 'unknown', why: 'not read yet' }])) };
  for (;;) {
    const left = deadline - ctx.now();
    const look = await kube.look([...inSet, ...departing], Math.max(2000, Math.min(10_000, left)));
    const waitingFor = look.kind === 'read' ? unsettled(ctx, look, inSet, departing) : [`the Kubernetes API (${look.why})`];
    if (look.kind === 'read') last = { checked: true, departed: new Map(departing.map((o) => [o, look.pods.get(o) ?? { kind: 'unknown', why: 'not read' }])) };
    if (waitingFor.length === 0) {
      if (said) logger.info(W.wait, 'The set has settled: no departing pod is left, every pod in the set is Ready.');
      return last;
    }
    if (ctx.now() >= deadline) {
      if (ctx.dryRun) logger.info(W.wait, `Not settled: ${waitingFor.join('; ')}. A dry run does not wait.`);
      else logger.warn(W.wait, `Still not settled after ${Math.round(ctx.waitMs / 1000)} s (AKU_RECONCILE_WAIT): ${waitingFor.join('; ')}. Going on with what is reachable.`);
      return last;
    }
    const now = waitingFor.join('; ');
    if (now !== said) {
      logger.info(W.wait, `Waiting for ${now} (at most ${Math.ceil(left / 1000)} s more).`);
      said = now;
    }
    await ctx.sleep(Math.min(ctx.pollMs, Math.max(0, deadline - ctx.now())));
  }
}

/** What the set still waits for, in words; empty when settled. */
function unsettled(ctx: ReconcileContext, look: Extract<SetLook, { kind: 'read' }>, inSet: number[], departing: number[]): string[] {
  const pod = (o: number) => podName(ctx.config, o);
  const waiting: string[] = [];
  const present = departing.filter((o) => look.pods.get(o)?.kind !== 'absent');
  if (present.length > 0) waiting.push(`${present.map(pod).join(', ')} to be gone (${present.map((o) => describe(look.pods.get(o))).join(', ')})`);
  const sts = look.statefulSet;
  const notReady = inSet.filter((o) => {
    const p = look.pods.get(o);
    if (p?.kind !== 'present') return true;
    const stale = sts !== null && !sts.onDelete && sts.updateRevision !== null && p.revision !== null && p.revision !== sts.updateRevision;
    return !p.ready || p.deleting || stale;
  });
  if (notReady.length > 0) waiting.push(`${notReady.map(pod).join(', ')} to be Ready at the set's revision`);
  return waiting;
}

function describe(look: PodLook | undefined): string {
  if (look === undefined) return 'not read';
  if (look.kind === 'unknown') return look.why;
  if (look.kind === 'absent') return 'gone';
  return look.deleting ? 'terminating' : look.ready ? 'running' : 'not Ready';
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
