import type { AkuConfig } from '../config/model.js';
import type { SetReader } from '../kube/set-facts.js';
import type { SlotContext } from '../lifecycle/sysdba-slot.js';
import type { Logger } from '../log/logger.js';

/** Where `aku reconcile` runs: configuration, how to reach servers, the Kubernetes API if any, and the clock. */
export interface ReconcileContext {
  config: AkuConfig;
  logger: Logger;
  /** Print every change instead of making it (reads still happen), and wait for nothing. */
  dryRun: boolean;
  /**
   * Reset the objects a departed pod's `aku -p end` stopped and kept (it could not deliver all its
   * changes; its return delivers them) as well. Off by default: resetting them loses those changes.
   */
  discardKept: boolean;
  /** SYSDBA sessions to the pods in the set, never taken from a running aku (lifecycle/sysdba-slot.ts). */
  slot: SlotContext;
  /** The StatefulSet and its pods, when the Kubernetes API can be read. */
  kube?: SetReader;
  /** Longest wait for departing pods to be gone and the set's pods to be ready, ms. */
  waitMs: number;
  /** Between two looks at the API while waiting, ms. */
  pollMs: number;
  /** Time limit of each statement, seconds. */
  statementTimeoutSec: number;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export const W = {
  count: 'akuReconcile:count',
  wait: 'akuReconcile:wait',
  read: 'akuReconcile:read',
  departed: 'akuReconcile:departed',
  gap: 'akuReconcile:gap',
  record: 'akuReconcile:record',
  reset: 'akuReconcile:reset',
  done: 'akuReconcile:done',
} as const;

export function podName(config: Pick<AkuConfig, 'stsName'>, ordinal: number): string {
  return `${config.stsName}-${ordinal}`;
}
