/**
 * Statement-level fault injection: make the next N statements (optionally only those matching a
 * pattern) fail with a given error, or stall before running. Rules live on the server object, not
 * the incarnation, so they survive restarts until used up.
 */
import { AltibaseError, ERROR_CATALOGUE, type ErrorSpec } from '../errors.js';
import { sleep } from './signal.js';

export interface InjectedError {
  /** Native code, e.g. 0x6100d. */
  code: number;
  /** SQLSTATE; defaults to the catalogue's for a known code, else HY000. */
  state?: string;
  /** Defaults to the catalogue's text for a known code. */
  message?: string;
}

export interface StatementFaultSpec {
  /** How many statements the rule applies to (default 1). */
  count?: number;
  /** Only statements matching this (regex, or a case-insensitive substring). */
  match?: RegExp | string;
  /** Fail with this error… */
  error?: InjectedError;
  /** …or wait this long before running the statement normally. */
  delayMs?: number;
}

interface Rule {
  remaining: number;
  match?: RegExp;
  error?: AltibaseError;
  delayMs?: number;
}

function toRegExp(match: RegExp | string | undefined): RegExp | undefined {
  if (match === undefined) return undefined;
  if (match instanceof RegExp) return match;
  return new RegExp(match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

export function injectedError(error: InjectedError): AltibaseError {
  const known = Object.values(ERROR_CATALOGUE).find((spec: ErrorSpec) => spec.code === error.code);
  const message = error.message ?? known?.text.replace(/<\d+%[a-z]+>/g, '') ?? 'Injected fault';
  return new AltibaseError(error.code, error.state ?? known?.state ?? 'HY000', message);
}

export class StatementFaults {
  private rules: Rule[] = [];

  add(spec: StatementFaultSpec): void {
    if (!spec.error && spec.delayMs === undefined) throw new Error('a statement fault needs an error or a delay');
    const rule: Rule = { remaining: spec.count ?? 1 };
    const match = toRegExp(spec.match);
    if (match) rule.match = match;
    if (spec.error) rule.error = injectedError(spec.error);
    if (spec.delayMs !== undefined) rule.delayMs = spec.delayMs;
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  get pending(): number {
    return this.rules.reduce((sum, rule) => sum + rule.remaining, 0);
  }

  /** Apply the first rule that matches `sql`: throws its error or waits its delay. */
  async apply(sql: string): Promise<void> {
    const rule = this.rules.find((candidate) => candidate.remaining > 0 && (!candidate.match || candidate.match.test(sql)));
    if (!rule) return;
    rule.remaining--;
    this.rules = this.rules.filter((candidate) => candidate.remaining > 0);
    if (rule.delayMs !== undefined) await sleep(rule.delayMs);
    if (rule.error) throw rule.error;
  }
}
