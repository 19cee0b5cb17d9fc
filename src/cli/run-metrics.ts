import { Logger, levelFromEnv } from '../log/logger.js';
import { Exporter } from '../metrics/exporter.js';
import { serveMetrics, type MetricsServer } from '../metrics/http-server.js';
import { RepeatFilter } from '../metrics/repeat-filter.js';
import { runStatus, type KnownReplicas, type StatusContext } from '../status/index.js';
import { EXIT } from './exit-codes.js';
import { statusContextFromEnv } from './run-status.js';

export interface MetricsCliOptions {
  port: number;
  replicas?: KnownReplicas;
  /** aku's version, for aku_build_info. */
  version: string;
}

/** Reads of the servers happen at most this often, whatever the scrape rate (AKU_METRICS_MIN_INTERVAL_SEC). */
export const DEFAULT_MIN_INTERVAL_SEC = 10;
/** A scrape waits at most this long for a read (AKU_METRICS_READ_TIMEOUT_SEC): below Prometheus' default scrape timeout of 10 s. */
export const DEFAULT_READ_TIMEOUT_SEC = 8;

const OWN_LINE = /^\[AKU\]\[[^\]]*\]\[\d+\] \[[A-Z]+\]\[akuMetrics:/;

/**
 * `aku metrics`: serves the Prometheus text of `aku status` on `--port` until SIGTERM (or
 * SIGINT), then closes the server and returns 0. Exit 2 for a usage or configuration problem
 * (nothing was served), 1 when the port cannot be listened on. docs/metrics.md.
 */
export async function runMetricsCommand(options: MetricsCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const level = levelFromEnv(env.AKU_LOG_LEVEL);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // The status read's own lines once per change (repeat-filter.ts); everything at DEBUG.
  const filter = new RepeatFilter(out);
  const logger = new Logger({
    write: (line) => (level === 'DEBUG' || OWN_LINE.test(line) ? out(line) : filter.line(line)),
    writeError: (line) => process.stderr.write(`${line}\n`),
    level,
  });
  let ctx: StatusContext;
  let minIntervalSec: number;
  let readTimeoutSec: number;
  try {
    minIntervalSec = seconds(env, 'AKU_METRICS_MIN_INTERVAL_SEC', DEFAULT_MIN_INTERVAL_SEC, 0);
    readTimeoutSec = seconds(env, 'AKU_METRICS_READ_TIMEOUT_SEC', DEFAULT_READ_TIMEOUT_SEC, 1);
    // A statement that hangs marks its pod unreachable within the read's bound rather than failing the whole read.
    // With a monitoring user, a pod in ADMIN_MODE 1 (starting, ending) is not read as SYSDBA at all (observe.ts, monitorOnly).
    ctx = { ...(await statusContextFromEnv(env, logger, Math.max(1, Math.floor(readTimeoutSec / 2)))), monitorOnly: true };
  } catch (error) {
    process.stderr.write(`aku: ${logger.redact(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.usage;
  }

  const exporter = new Exporter({
    readStatus: () => {
      filter.nextRead();
      return runStatus(ctx, { failOn: 'fail', ...(options.replicas ? { replicas: options.replicas } : {}) });
    },
    version: options.version,
    stsName: ctx.config.stsName,
    pod: ctx.observer ?? null,
    completionFile: ctx.completionFile,
    minIntervalMs: minIntervalSec * 1000,
    boundMs: readTimeoutSec * 1000,
    logger,
    now: () => Date.now(),
  });
  let server: MetricsServer;
  try {
    server = await serveMetrics(options.port, {
      metrics: () => exporter.scrape(),
      unhealthy: () => exporter.unhealthy(),
      onError: (error) => logger.error('akuMetrics:serve', `A scrape failed in the exporter: ${error instanceof Error ? error.message : String(error)}.`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    logger.error('akuMetrics:listen', `Cannot listen on port ${options.port} (${code}); give another with --port (metrics.port in the chart).`);
    return EXIT.operationFailed;
  }
  const login = ctx.monitor ? `as ${ctx.monitor.user} without SYSDBA (SYSDBA only on pods in ADMIN_MODE 1)` : 'as SYS (SYSDBA; set AKU_MONITOR_USER to take no SYSDBA session from pods in service)';
  logger.info(
    'akuMetrics:listen',
    `Serving /metrics and /healthz on port ${server.port}: the pods of ${ctx.config.stsName} are read ${login}, at most every ${minIntervalSec} s, each read bounded by ${readTimeoutSec} s.`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(received);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  logger.info('akuMetrics:stop', `${signal}: closing the server (scrapes in progress get their answer first, for at most 5 s).`);
  await server.close(5000);
  logger.info('akuMetrics:stop', 'Stopped.');
  // A read still running (bounded by its sessions' timeouts) must not hold the exit up; its sessions die with the process.
  setTimeout(() => process.exit(EXIT.ok), 1000).unref();
  return EXIT.ok;
}

/** A number of seconds from the environment (empty: the default); anything else is a usage error. */
function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || value < min || value > 3600) {
    throw new Error(`${name} = ${text} is not allowed; expected a number of seconds from ${min} to 3600`);
  }
  return value;
}
