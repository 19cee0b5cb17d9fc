import type { LogTarget } from '../log/logger.js';
import type { LifecycleContext } from './context.js';
import type { Settlement, StopReason } from './stop-reason.js';

/**
 * What one `-p` run did, as data: the steps it went through (each named by its `[func:step]` log
 * tag), what happened to each replication pair, and what could not be done. `aku -p … --json`
 * prints it; the exit status is derived from it.
 */

export type PodAction = 'start' | 'end' | 'clean';

export interface StepRecord {
  /** The step's log tag, e.g. `akuRunEnd:flush`. */
  step: string;
  status: 'done' | 'failed';
  seconds: number;
}

/** What happened to one replication object on one pod. */
export type PairResult =
  | 'created'
  | 'synced'
  | 'started'
  | 'flushed'
  | 'not-flushed'
  | 'stopped'
  | 'reset'
  | 'kept'
  | 'dropped'
  | 'skipped';

export interface PairRecord {
  replication: string;
  /** The pod whose object it is. */
  pod: string;
  result: PairResult;
  /** Why, when it is not the plain outcome (e.g. the peer was unreachable). */
  detail?: string;
}

/** `-p end`: why the pod stops, and what that made end do with the pairs. */
export interface StopRecord extends Settlement {
  reason: StopReason;
}

export interface LifecycleOutcome {
  action: PodAction;
  dryRun: boolean;
  /** 0: every step done; 1: a step failed or something could not be delivered (see problems). */
  exitCode: 0 | 1;
  steps: StepRecord[];
  pairs: PairRecord[];
  /** Each thing that could not be done, in words an operator can act on. */
  problems: string[];
  /** `-p end` only: why the pod stops and whether its pairs were reset or kept. */
  stop?: StopRecord;
}

export class OutcomeRecorder {
  readonly steps: StepRecord[] = [];
  readonly pairs: PairRecord[] = [];
  readonly problems: string[] = [];
  stop?: StopRecord;

  constructor(private readonly ctx: LifecycleContext) {}

  /** Runs one named step and records whether it completed. */
  async step<T>(where: string, work: () => Promise<T>): Promise<T> {
    const started = this.ctx.now();
    const seconds = () => Math.round(this.ctx.now() - started) / 1000;
    try {
      const result = await work();
      this.steps.push({ step: where, status: 'done', seconds: seconds() });
      return result;
    } catch (error) {
      this.steps.push({ step: where, status: 'failed', seconds: seconds() });
      throw error;
    }
  }

  pair(replication: string, pod: string, result: PairResult, detail?: string): void {
    this.pairs.push({ replication, pod, result, ...(detail === undefined ? {} : { detail }) });
  }

  /** Something this run could not do: logged as an error now, and it makes the run exit 1. */
  problem(where: string, message: string, target: LogTarget = {}): void {
    this.problems.push(message);
    this.ctx.logger.error(where, message, target);
  }
}
