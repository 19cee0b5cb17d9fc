import type { AkuConfig } from '../config/model.js';
import { serverHost } from '../topology/index.js';
import { assess } from './assess.js';
import type { StatusReport, Verdict } from './model.js';
import { observeServer, type ObserveContext, type ServerObservation } from './observe.js';
import { replicasFromAnswers, type KnownReplicas } from './replicas.js';

export type { KnownReplicas } from './replicas.js';
export type { StatusReport, Verdict } from './model.js';
export { renderStatusText } from './render.js';
export { monitorLoginFromEnv, MonitorLoginError } from './monitor-login.js';

export interface StatusContext extends ObserveContext {
  config: AkuConfig;
  /** This pod's name, when status runs in one of the set's pods. */
  observer?: string;
}

export interface StatusOptions {
  /** The replica count when the caller knows it (`--replicas`, the StatefulSet); else from the pods that answer. */
  replicas?: KnownReplicas;
  /** `fail` (default): exit 1 on a fail only; `warn`: on a warn too. */
  failOn: Exclude<Verdict, 'ok'>;
}

/**
 * `aku status`: reads every pod of the set at once (each with one bounded attempt, or a short
 * wait for a busy SYSDBA slot), then judges pods, pairs and objects toward pods that are gone.
 * Read-only: it sends SELECTs only.
 */
export async function runStatus(ctx: StatusContext, options: StatusOptions): Promise<StatusReport> {
  const { config } = ctx;
  const probed = options.replicas ? Math.min(options.replicas.count, config.serverCount) : config.serverCount;
  ctx.logger.info('akuStatus:read', `Reading ${probed} pod(s) of ${config.stsName}${options.replicas ? ` (--replicas ${options.replicas.count})` : ''}.`);
  const nodes = Array.from({ length: probed }, (_, ordinal) => ({ ordinal, host: serverHost(config, ordinal) }));
  const observed = await Promise.all(nodes.map((node) => observeServer(ctx, node)));
  const replicas = options.replicas ?? replicasFromAnswers(observed);
  const observations = new Map<number, ServerObservation>();
  for (const o of observed) if (o.node.ordinal < replicas.count) observations.set(o.node.ordinal, o);
  const report = assess({ config, replicas, observations, observer: ctx.observer ?? null, failOn: options.failOn });
  const level = report.verdict === 'ok' ? 'INFO' : report.verdict === 'warn' ? 'WARN' : 'ERROR';
  ctx.logger.log({
    level,
    where: 'akuStatus:verdict',
    message: `${report.verdict.toUpperCase()}: ${report.counts.ok} ok, ${report.counts.warn} warn, ${report.counts.fail} fail (${replicas.count} pod(s), ${report.pairs.length} pair(s)).`,
  });
  return report;
}
