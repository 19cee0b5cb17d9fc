/**
 * One status read shared by every scrape: Prometheus (or several of them, or a person with curl)
 * may scrape as often as it likes, but the servers are read at most once per `minIntervalMs`,
 * and scrapes that arrive while a read runs wait for that same read. Each scrape waits at most
 * until the read's bound (`boundMs` after the read began); a read that is not done by then is
 * reported as failed to that scrape, and goes on in the background: its sessions have their own
 * connect and statement timeouts, and its result, when it comes, serves the next scrapes.
 */

export type Reading<T> =
  | { ok: true; value: T; startedAt: number; finishedAt: number }
  | { ok: false; error: string; startedAt: number; finishedAt: number };

export interface SharedReadOptions {
  minIntervalMs: number;
  boundMs: number;
  now(): number;
  /** Called once per read that failed or missed its bound (not once per scrape). */
  onFailure?(error: string): void;
  /** Called once per read that finished within its bound. */
  onSuccess?(): void;
}

interface Running<T> {
  startedAt: number;
  promise: Promise<Reading<T>>;
  /** Counted as failed already (it missed its bound). */
  missed: boolean;
}

export class SharedRead<T> {
  private last: Reading<T> | undefined;
  private running: Running<T> | undefined;
  private failures = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly options: SharedReadOptions,
  ) {}

  /** Reads that failed or missed their bound since the exporter started. */
  get failureCount(): number {
    return this.failures;
  }

  /** How long the read now running has been running, ms (0 when none runs). */
  runningForMs(): number {
    return this.running ? this.options.now() - this.running.startedAt : 0;
  }

  async get(): Promise<Reading<T>> {
    const now = this.options.now();
    if (!this.running && this.last && now - this.last.startedAt < this.options.minIntervalMs) return this.last;
    const running = this.running ?? this.start(now);
    const left = running.startedAt + this.options.boundMs - now;
    const result = await withinMs(running.promise, left);
    if (result !== undefined) return result;
    const error = `the status read did not finish within ${this.options.boundMs / 1000} s`;
    if (!running.missed) {
      running.missed = true;
      this.fail(error);
    }
    return { ok: false, error, startedAt: running.startedAt, finishedAt: this.options.now() };
  }

  private start(now: number): Running<T> {
    const settle = (reading: Reading<T>): Reading<T> => {
      if (!running.missed) {
        if (!reading.ok) this.fail(reading.error);
        else this.options.onSuccess?.();
      }
      this.last = reading;
      this.running = undefined;
      return reading;
    };
    // Settled only after `running` below exists (a microtask later, even if read() throws at once).
    const promise = Promise.resolve().then(() => this.read()).then(
      (value) => settle({ ok: true, value, startedAt: now, finishedAt: this.options.now() }),
      (error: unknown) => settle({ ok: false, error: error instanceof Error ? error.message : String(error), startedAt: now, finishedAt: this.options.now() }),
    );
    const running: Running<T> = { startedAt: now, missed: false, promise };
    this.running = running;
    return running;
  }

  private fail(error: string): void {
    this.failures++;
    this.options.onFailure?.(error);
  }
}

/** The promise's value, or undefined when it has not settled within `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return Promise.race([promise, Promise.resolve(undefined)]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
