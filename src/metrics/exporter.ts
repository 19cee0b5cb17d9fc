import { readOutcome, type OutcomeRecord } from '../lifecycle/completion-file.js';
import type { Logger } from '../log/logger.js';
import type { StatusReport } from '../status/index.js';
import { exposition, sideKey } from './exposition.js';
import { SharedRead, type Reading } from './shared-read.js';
import { XsnAges } from './xsn-age.js';

/**
 * `aku metrics` without its HTTP server: each scrape takes the shared status read (at most one
 * per `minIntervalMs`, each bounded by `boundMs`), this pod's lifecycle records, and the XSN ages,
 * and turns them into the Prometheus text. Its log lines (`[akuMetrics:read]`) mark changes
 * only — a failed read after a good one, the recovery — not every scrape.
 */

export interface ExporterOptions {
  /** One status read of the whole set (runStatus with the exporter's context). */
  readStatus(): Promise<StatusReport>;
  version: string;
  stsName: string;
  /** The pod the exporter runs in, or null outside the set. */
  pod: string | null;
  /** This pod's completion file, beside which start and end leave their outcome. */
  completionFile: string;
  minIntervalMs: number;
  boundMs: number;
  logger: Logger;
  now(): number;
}

const WHERE = 'akuMetrics:read';
/** A read running this many bounds long is stuck beyond its own timeouts: /healthz fails, so that the kubelet restarts the exporter. */
const STUCK_AFTER_BOUNDS = 10;
const STUCK_AFTER_MIN_MS = 60_000;

export class Exporter {
  private readonly read: SharedRead<StatusReport>;
  private readonly ages = new XsnAges();
  private agedReading: Reading<StatusReport> | undefined;
  private xsnAges: ReadonlyMap<string, number> = new Map();
  private failing: boolean | undefined;

  constructor(private readonly options: ExporterOptions) {
    this.read = new SharedRead(() => options.readStatus(), {
      minIntervalMs: options.minIntervalMs,
      boundMs: options.boundMs,
      now: options.now,
      onFailure: (error) => {
        if (this.failing !== true) options.logger.warn(WHERE, `The status read failed: ${error}. aku_up is 0 until a read succeeds.`);
        this.failing = true;
      },
      onSuccess: () => {
        if (this.failing === true) options.logger.info(WHERE, 'The status read succeeds again; aku_up is 1.');
        this.failing = false;
      },
    });
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    const reading = await this.read.get();
    if (reading.ok && reading !== this.agedReading) {
      // Once per read, not per scrape: a read served to several scrapes is one observation.
      this.agedReading = reading;
      this.xsnAges = this.ages.update(sidesWithSender(reading.value), reading.startedAt);
    }
    return exposition({
      version: this.options.version,
      read: reading.ok ? { ok: true, report: reading.value, startedAt: reading.startedAt, seconds: (reading.finishedAt - reading.startedAt) / 1000 } : { ok: false, error: reading.error },
      readFailures: this.read.failureCount,
      xsnAges: this.xsnAges,
      pod: this.options.pod,
      stsName: this.options.stsName,
      lifecycle: this.lifecycle(),
    });
  }

  /** Why /healthz fails: a read stuck far beyond its bound (its sessions' timeouts did not end it). */
  unhealthy(): string | undefined {
    const running = this.read.runningForMs();
    const limit = Math.max(STUCK_AFTER_MIN_MS, STUCK_AFTER_BOUNDS * this.options.boundMs);
    return running > limit ? `a status read has been running for ${Math.round(running / 1000)} s (more than ${limit / 1000} s)` : undefined;
  }

  private lifecycle(): Partial<Record<OutcomeRecord['action'], OutcomeRecord>> {
    const records: Partial<Record<OutcomeRecord['action'], OutcomeRecord>> = {};
    for (const action of ['start', 'end'] as const) {
      const record = readOutcome(this.options.completionFile, action);
      if (record) records[action] = record;
    }
    return records;
  }
}

function sidesWithSender(report: StatusReport): { key: string; xsn: number; gap: number }[] {
  const sides: { key: string; xsn: number; gap: number }[] = [];
  for (const pair of report.pairs) {
    for (const side of pair.sides) {
      if (side.read && side.xsn !== null && side.gap !== null) sides.push({ key: sideKey(pair.name, side.pod), xsn: side.xsn, gap: side.gap });
    }
  }
  return sides;
}
