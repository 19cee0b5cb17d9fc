import { formatLogLine, nowMicros, type Level, type LogFields } from './format.js';

export type { Level } from './format.js';

export interface LogTarget {
  pod?: string;
  replication?: string;
}

export interface LoggerOptions {
  /** Receives every log and banner line (stdout in the CLI). */
  write: (line: string) => void;
  /** Receives the final error summary (stderr in the CLI). */
  writeError?: (line: string) => void;
  /** Lowest level written; DEBUG shows every statement aku sends. */
  level?: Level;
  clock?: () => number;
  thread?: number;
}

const ORDER: Record<Level, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
const MASK = '********';

/**
 * Writes aku's log lines and banners. Every line passes through the redactor, so a password
 * registered with `addSecret` cannot reach the output even inside a driver's error text.
 */
export class Logger {
  private readonly secrets = new Set<string>();
  private readonly options: Required<Omit<LoggerOptions, 'writeError'>> & Pick<LoggerOptions, 'writeError'>;

  constructor(options: LoggerOptions) {
    this.options = { level: 'INFO', clock: nowMicros, thread: process.pid, ...options };
  }

  addSecret(secret: string): void {
    if (secret.length > 0) this.secrets.add(secret);
  }

  /** Hides every registered secret in a text (also useful for error messages shown elsewhere). */
  redact(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) result = result.split(secret).join(MASK);
    return result;
  }

  enabled(level: Level): boolean {
    return ORDER[level] >= ORDER[this.options.level];
  }

  debug(where: string, message: string, target: LogTarget = {}): void {
    this.log({ level: 'DEBUG', where, message, ...target });
  }

  info(where: string, message: string, target: LogTarget = {}): void {
    this.log({ level: 'INFO', where, message, ...target });
  }

  warn(where: string, message: string, target: LogTarget = {}): void {
    this.log({ level: 'WARN', where, message, ...target });
  }

  error(where: string, message: string, target: LogTarget = {}): void {
    this.log({ level: 'ERROR', where, message, ...target });
  }

  log(fields: LogFields): void {
    if (!this.enabled(fields.level)) return;
    this.options.write(this.redact(formatLogLine(fields, this.options.clock(), this.options.thread)));
  }

  /** A plain line such as `AKU started with START option.` */
  banner(text: string): void {
    this.options.write(this.redact(text));
  }

  /** The final error summary, also on stderr so it survives `2>&1 | tail`. */
  summary(text: string): void {
    (this.options.writeError ?? this.options.write)(this.redact(text));
  }
}

export function levelFromEnv(value: string | undefined): Level {
  const upper = (value ?? '').toUpperCase();
  return upper === 'DEBUG' || upper === 'WARN' || upper === 'ERROR' || upper === 'INFO' ? upper : 'INFO';
}
