import type { LifecycleContext } from '../lifecycle/context.js';

/**
 * Where `aku recover` runs: the MASTER's pod (its completion file, its own server), with the
 * same configuration, topology, sessions and clock as `-p start`. It is not a dry-run-able
 * lifecycle action: without `--yes` it reads (and FLUSHes, which only waits for delivery) and
 * prints the plan; it never prints statements in place of running them.
 */
export interface RecoverContext extends Omit<LifecycleContext, 'dryRun' | 'stopReason'> {
  /**
   * How long a SYSDBA slot another aku run holds (ERR-41041), or a `-p start` / `-p end` running
   * in this container, is waited for before recover refuses, naming the pod.
   */
  busyWaitSec: number;
}

export interface RecoverRequest {
  /** The slave the MASTER is restored from (`--from`). */
  source: number;
  /** `--yes`: carry the plan out. Without it the plan is printed and nothing changes. */
  act: boolean;
  /** `--accept-loss`: go on although rows some pod holds would be lost (they are named). */
  acceptLoss: boolean;
}

/** The `[akuRecover:step]` tags, in the order a run goes through them. */
export const W = {
  read: 'akuRecover:read',
  check: 'akuRecover:check',
  flush: 'akuRecover:flush',
  compare: 'akuRecover:compare',
  plan: 'akuRecover:plan',
  record: 'akuRecover:record',
  leave: 'akuRecover:leave',
  create: 'akuRecover:create',
  truncate: 'akuRecover:truncate',
  sync: 'akuRecover:sync',
  start: 'akuRecover:start',
  lineage: 'akuRecover:lineage',
  done: 'akuRecover:done',
} as const;

export type ActStep = 'record' | 'leave' | 'create' | 'truncate' | 'sync' | 'start' | 'lineage' | 'done';
export const ACT_STEPS: readonly ActStep[] = ['record', 'leave', 'create', 'truncate', 'sync', 'start', 'lineage', 'done'];

/**
 * The lifecycle's building blocks (Server, flushWithin, ensureObject, lineage) take a lifecycle
 * context; recover's statements always run (`dryRun` false) and it never asks why a pod stops.
 */
export function lifecycleView(ctx: RecoverContext): LifecycleContext {
  return {
    ...ctx,
    dryRun: false,
    stopReason: async () => ({ kind: 'unknown', why: 'aku recover does not stop pods' }),
  };
}

/** A reason not to go on, found before anything changed: exit 1, the message says why and what to do. */
export class RecoverRefusal extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
    this.name = 'RecoverRefusal';
  }
}
