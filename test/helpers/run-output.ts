import type { AkuRun } from './sim-pods.js';

/** Reading a run's log as an operator would: what was sent where, what the plan was, which line said what. */

/** `pod: statement` for every change aku sent, in order (the `[DEBUG][sql]` lines, "already so" replies left out). */
export function statements(run: AkuRun): string[] {
  return run.lines
    .map((l) => /\[DEBUG\]\[sql\]\[([^\]]*)\]\[[^\]]*\] (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[2]!.endsWith('(already so)'))
    .map((m) => `${m[1]}: ${m[2]}`);
}

/** `pod: statement` of a dry run's plan (the `[INFO][plan]` lines that carry a pod). */
export function plan(run: AkuRun): string[] {
  return run.lines
    .map((l) => /\[INFO\]\[plan\]\[([^\]-][^\]]*)\]\[[^\]]*\] (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${m[2]}`);
}

/** The `[LEVEL][where][pod][replication] message` part of every log line. */
export function tagged(run: AkuRun): string[] {
  return run.lines.map((l) => l.replace(/^\[AKU\]\[[^\]]*\]\[\d+\] /, ''));
}

