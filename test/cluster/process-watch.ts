/**
 * Watches every process of this host for a secret in its command line or its environment. On the
 * local single-node cluster every container's process (the entrypoint, the server, each
 * `aku -p start`, every `kubectl exec … aku`) is a process of this host, so /proc sees them all.
 * Sampling, not tracing: a process that lives less than one interval can slip between two samples;
 * aku's runs and the server live for seconds or more.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Exposure {
  pid: number;
  where: 'command line' | 'environment';
  /** The process's command, with every secret replaced by `<secret>`. */
  command: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // the process ended, or it is not ours to read
  }
}

/** One pass over /proc: every process whose command line or environment holds one of `secrets`. */
export function scanProcesses(secrets: readonly string[]): Exposure[] {
  const found: Exposure[] = [];
  const mask = (text: string) => secrets.reduce((t, s) => t.split(s).join('<secret>'), text);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = read(`/proc/${entry}/cmdline`);
    if (cmdline === undefined) continue;
    const command = mask(cmdline.split('\0').join(' ').trim()).slice(0, 300);
    if (secrets.some((s) => cmdline.includes(s))) found.push({ pid: Number(entry), where: 'command line', command });
    const environ = read(`/proc/${entry}/environ`);
    if (environ !== undefined && secrets.some((s) => environ.includes(s))) found.push({ pid: Number(entry), where: 'environment', command });
  }
  return found;
}

/** Samples /proc every `intervalMs` until stopped; keeps each exposure once (by pid and place). */
export class ProcessWatch {
  private readonly exposures = new Map<string, Exposure>();
  private timer: NodeJS.Timeout | undefined;
  samples = 0;

  constructor(private readonly secrets: readonly string[], private readonly intervalMs = 200) {
    if (secrets.some((s) => s.length < 6)) throw new Error('a secret shorter than 6 characters would match by chance');
  }

  start(): void {
    const sample = () => {
      for (const e of scanProcesses(this.secrets)) this.exposures.set(`${e.pid}/${e.where}`, e);
      this.samples++;
    };
    sample();
    this.timer = setInterval(sample, this.intervalMs);
    this.timer.unref();
  }

  stop(): Exposure[] {
    clearInterval(this.timer);
    return [...this.exposures.values()];
  }
}
