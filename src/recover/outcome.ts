import type { Comparison } from './compare.js';
import type { Loss } from './loss.js';
import type { PlanEntry } from './plan.js';

/**
 * What one `aku recover` run found, planned and did, as data: `--json` prints it (the log lines
 * go to stderr then), the exit status comes from it. schemaVersion changes when a field changes
 * meaning or goes away; new fields may be added without it.
 */
export interface RecoverOutcome {
  schemaVersion: 1;
  action: 'recover';
  /** `plan`: without --yes, nothing changed; `act`: with --yes. */
  mode: 'plan' | 'act';
  master: { ordinal: 0; pod: string };
  source: { ordinal: number; pod: string };
  /** The recovery this run resumed (from the MASTER's SYS.AKU_RECOVERY), if any. */
  resumed: { startedAt: string } | null;
  /** A recovery from this source that had already finished: this run found nothing left to do. */
  finished: { startedAt: string } | null;
  /** 0: planned (without --yes) or done; 1: refused (nothing changed) or a step failed; 2: usage. */
  exitCode: 0 | 1 | 2;
  /** Why nothing was changed, when the run refused. */
  refusal: string | null;
  /** What could not be done, in words an operator can act on. */
  problems: string[];
  pods: { ordinal: number; pod: string; reachable: boolean; adminMode: string | null; reason: string | null }[];
  comparison: Comparison | null;
  loss: Loss | null;
  plan: PlanEntry[];
  /** Each leaving slave and the command that makes it rejoin. */
  rejoin: { pod: string; command: string }[];
  /** What the user does next, in order. */
  next: string[];
}
