import type { PodLook, SetLook } from '../kube/set-facts.js';
import { podName, W, type ReconcileContext } from './context.js';

/**
 * Not racing a scale-down: with the Kubernetes API, reconcile waits (bounded by ctx.waitMs)
 * until no Pod object at an ordinal >= replicas exists — a departing pod runs its own `aku -p
 * end`, which decommissions its pairs properly. It does not wait for the pods in the set that are
 * not Ready (a scale-up or a rollout under way: their `aku -p start` runs and needs its SYSDBA
 * session): those are named `starting` and left alone, so the chart's hook never holds `helm
 * upgrade` for a long SYNC, nor fails it. When the bound runs out, reconcile goes on with what it
 * has: a departed pod still present is skipped (index.ts). A dry run looks once and waits for
 * nothing.
 */

export interface SettleOutcome {
  /** False when there is no API to ask: nothing was waited for. */
  checked: boolean;
  /** Each departed ordinal AKU_SERVER_COUNT covers, as last seen (absent when not checked). */
  departed: Map<number, PodLook>;
  /** Pods in the set the API last showed not Ready (or terminating, or at an old revision), with why. */
  starting: Map<number, string>;
}

export async function waitForSettledSet(ctx: ReconcileContext, replicas: number): Promise<SettleOutcome> {
  const { config, logger, kube } = ctx;
  if (!kube) return { checked: false, departed: new Map(), starting: new Map() };
  const inSet = range(0, Math.min(replicas, config.serverCount));
  const departing = range(replicas, config.serverCount);
  const deadline = ctx.now() + (ctx.dryRun ? 0 : ctx.waitMs);
  let said = '';
  let last: SettleOutcome = { checked: true, departed: new Map(departing.map((o) => [o, { kind: 'unknown', why: 'not read yet' }])), starting: new Map() };
  for (;;) {
    const left = deadline - ctx.now();
    const look = await kube.look([...inSet, ...departing], Math.max(2000, Math.min(10_000, left)));
    const waitingFor = look.kind === 'read' ? unsettled(ctx, look, departing) : [`the Kubernetes API (${look.why})`];
    if (look.kind === 'read') {
      last = {
        checked: true,
        departed: new Map(departing.map((o) => [o, look.pods.get(o) ?? { kind: 'unknown', why: 'not read' }])),
        starting: notReady(look, inSet),
      };
    }
    if (waitingFor.length === 0) {
      if (said) logger.info(W.wait, 'No departing pod is left.');
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

/** What the set still waits for, in words; empty when no departing pod is left. */
function unsettled(ctx: ReconcileContext, look: Extract<SetLook, { kind: 'read' }>, departing: number[]): string[] {
  const pod = (o: number) => podName(ctx.config, o);
  const present = departing.filter((o) => look.pods.get(o)?.kind !== 'absent');
  return present.length === 0 ? [] : [`${present.map(pod).join(', ')} to be gone (${present.map((o) => describe(look.pods.get(o))).join(', ')})`];
}

/** The pods in the set whose `aku -p start` may still run: not Ready, terminating, or at an old revision. */
function notReady(look: Extract<SetLook, { kind: 'read' }>, inSet: number[]): Map<number, string> {
  const sts = look.statefulSet;
  const starting = new Map<number, string>();
  for (const o of inSet) {
    const p = look.pods.get(o);
    if (p?.kind !== 'present') {
      starting.set(o, p?.kind === 'absent' ? 'no Pod object yet' : (p?.why ?? 'not read'));
      continue;
    }
    const stale = sts !== null && !sts.onDelete && sts.updateRevision !== null && p.revision !== null && p.revision !== sts.updateRevision;
    if (p.deleting) starting.set(o, 'terminating');
    else if (stale) starting.set(o, 'at an old revision (a rollout is under way)');
    else if (!p.ready) starting.set(o, 'not Ready (its aku -p start runs)');
  }
  return starting;
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
