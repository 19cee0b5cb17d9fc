/**
 * The fault sequence of a chaos run: a pure function of the seed and the round number, drawn
 * before the round starts, so a seed replays the same faults whatever the cluster did. Ordinals in
 * a fault are raw draws (0..MAX_REPLICAS-1); the round maps them onto the pods that exist when
 * the fault is applied (a fault with no pod to act on is skipped and not counted).
 */
import { Prng } from './prng.js';

export const MAX_REPLICAS = 4;

export type Fault =
  | { kind: 'scale'; replicas: number }
  | { kind: 'delete'; ordinal: number; force: boolean }
  | { kind: 'cut'; a: number; b: number }
  | { kind: 'heal' };

export interface RoundPlan {
  round: number;
  /** Each fault after its pause (ms from the previous one). */
  steps: { pauseMs: number; fault: Fault }[];
  /** Writes keep going this long after the last fault, before quiescing. */
  dwellMs: number;
}

/** The fault generator of one run; rounds must be drawn in order (1, 2, …). */
export class FaultPlanner {
  private readonly prng: Prng;
  private drawn = 0;

  constructor(readonly seed: number) {
    this.prng = new Prng(seed);
  }

  next(): RoundPlan {
    const round = ++this.drawn;
    const p = this.prng;
    const count = p.int(1, 3);
    const steps: RoundPlan['steps'] = [];
    for (let i = 0; i < count; i++) {
      const kind = p.weighted([['scale', 3], ['delete', 2], ['force', 1], ['cut', 2], ['heal', 1]] as const);
      const pauseMs = p.int(0, 6) * 1000;
      let fault: Fault;
      switch (kind) {
        case 'scale':
          fault = { kind: 'scale', replicas: p.int(1, MAX_REPLICAS) };
          break;
        case 'delete':
        case 'force':
          fault = { kind: 'delete', ordinal: p.int(0, MAX_REPLICAS - 1), force: kind === 'force' };
          break;
        case 'cut':
          fault = { kind: 'cut', a: p.int(0, MAX_REPLICAS - 1), b: p.int(0, MAX_REPLICAS - 1) };
          break;
        default:
          fault = { kind: 'heal' };
      }
      steps.push({ pauseMs, fault });
    }
    return { round, steps, dwellMs: p.int(2, 6) * 1000 };
  }
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'scale':
      return `helm upgrade --reuse-values --set replicaCount=${f.replicas}`;
    case 'delete':
      return `kubectl delete pod (ordinal draw ${f.ordinal})${f.force ? ' --grace-period=0 --force' : ''}`;
    case 'cut':
      return `cut the replication link (ordinal draws ${f.a}, ${f.b})`;
    case 'heal':
      return 'heal every cut link';
  }
}
