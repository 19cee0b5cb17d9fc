import { Counter, Gauge, Registry } from 'prom-client';
import type { OutcomeRecord } from '../lifecycle/completion-file.js';
import type { StatusReport, Verdict } from '../status/index.js';

/**
 * The Prometheus text of one scrape, built afresh from what the exporter knows (a new registry
 * per scrape: a pair or a pod that is gone from the read is gone from the page, with no stale
 * series to reset). docs/metrics.md lists every metric; its table and these definitions change
 * together.
 */

export interface ScrapeState {
  version: string;
  /** The read this scrape serves: the report, or why there is none. */
  read: { ok: true; report: StatusReport; startedAt: number; seconds: number } | { ok: false; error: string };
  readFailures: number;
  /** XSN age per side (`sideKey`), from xsn-age.ts. */
  xsnAges: ReadonlyMap<string, number>;
  /** The pod the exporter runs in (its lifecycle records are that pod's), or null. */
  pod: string | null;
  /** AKU_STS_NAME: pods are `<stsName>-<ordinal>`. */
  stsName: string;
  lifecycle: Partial<Record<OutcomeRecord['action'], OutcomeRecord>>;
}

export const sideKey = (replication: string, pod: string) => `${replication}@${pod}`;

const VERDICT_VALUE: Record<Verdict, number> = { ok: 0, warn: 1, fail: 2 };
const SIDE_LABELS = ['group', 'replication', 'pod', 'peer'] as const;

export async function exposition(state: ScrapeState): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });

  gauge('aku_build_info', 'Always 1; the version of aku that serves these metrics.', ['version']).set({ version: state.version }, 1);
  gauge('aku_up', '1 when the last status read finished within its bound, 0 when it failed or did not finish (the rest of the read metrics are then absent).').set(state.read.ok ? 1 : 0);
  new Counter({ name: 'aku_read_failures_total', help: 'Status reads that failed or did not finish within their bound since the exporter started.', registers: [registry] }).inc(state.readFailures);
  lifecycleMetrics(state, gauge);
  if (!state.read.ok) return { contentType: registry.contentType, body: await registry.metrics() };

  const { report } = state.read;
  gauge('aku_read_duration_seconds', 'How long the status read served here took.').set(state.read.seconds);
  gauge('aku_read_timestamp_seconds', 'When the status read served here began (Unix time); reads are shared by the scrapes of AKU_METRICS_MIN_INTERVAL_SEC.').set(state.read.startedAt / 1000);
  gauge('aku_replicas', 'The number of pods the set is taken to have; source: option (--replicas) or answering (up to the highest pod that answered).', ['source']).set({ source: report.replicas.source }, report.replicas.count);
  gauge('aku_verdict', 'The overall verdict of aku status: 0 ok, 1 warn, 2 fail.').set(VERDICT_VALUE[report.verdict]);
  const checks = gauge('aku_checks', 'Checks of aku status (pods, pairs, objects toward departed pods) per verdict.', ['verdict']);
  for (const verdict of ['ok', 'warn', 'fail'] as const) checks.set({ verdict }, report.counts[verdict]);

  const up = gauge('aku_pod_up', '1 when the pod\'s server answered (read, or busy: its SYSDBA session held by a running aku -p start or end), 0 when it did not.', ['pod']);
  const inService = gauge('aku_pod_in_service', '1 when the pod\'s server was read with ADMIN_MODE = 0 (in service), 0 otherwise.', ['pod']);
  const podState = gauge('aku_pod_state', '1 for the pod\'s state in the read: reachable, busy or unreachable.', ['pod', 'state']);
  for (const pod of report.pods) {
    up.set({ pod: pod.pod }, pod.state === 'unreachable' ? 0 : 1);
    inService.set({ pod: pod.pod }, pod.state === 'reachable' && pod.adminMode === 0 ? 1 : 0);
    for (const s of ['reachable', 'busy', 'unreachable'] as const) podState.set({ pod: pod.pod, state: s }, pod.state === s ? 1 : 0);
  }

  const exists = gauge('aku_replication_exists', '1 when the replication object exists on the pod, 0 when it does not (sides of pods that were read).', SIDE_LABELS);
  const started = gauge('aku_replication_started', '1 when the object is started on the pod (SYS_REPLICATIONS_.IS_STARTED = 1), 0 when it is stopped or missing.', SIDE_LABELS);
  const sending = gauge('aku_replication_sender_running', '1 when a sender thread runs for the object on the pod in state RUN without a network error, 0 otherwise.', SIDE_LABELS);
  const xsn = gauge('aku_replication_xsn', 'The object\'s restart point on the pod (SYS_REPLICATIONS_.XSN; -1 when reset or never started).', SIDE_LABELS);
  const gap = gauge('aku_replication_gap', 'What the pod\'s sender has still to send to the peer (V$REPGAP.REP_GAP); present only while a sender runs.', SIDE_LABELS);
  const age = gauge('aku_replication_xsn_age_seconds', 'Seconds since this exporter last saw the XSN move, or the gap at 0, on a side with a running sender; grows while the sender has something to send and delivers nothing.', SIDE_LABELS);
  const conflicts = new Counter({
    name: 'aku_replication_conflicts_total',
    help: 'Rows the pod\'s receiver could not apply from the peer and skipped since it started (V$REPRECEIVER INSERT/UPDATE/DELETE_FAILURE_COUNT): the two pods\' tables differ. Present while a receiver runs; it starts again from 0 when the receiver restarts.',
    labelNames: [...SIDE_LABELS, 'operation'],
    registers: [registry],
  });
  for (const pair of report.pairs) {
    for (const side of pair.sides) {
      if (!side.read) continue;
      const peer = pair.sides.find((s) => s !== side)?.pod ?? '';
      const labels = { group: pair.group, replication: pair.name, pod: side.pod, peer };
      exists.set(labels, side.exists ? 1 : 0);
      started.set(labels, side.started ? 1 : 0);
      sending.set(labels, side.sender?.status === 'RUN' && !side.sender.netError ? 1 : 0);
      if (side.xsn !== null) xsn.set(labels, side.xsn);
      if (side.gap !== null) gap.set(labels, side.gap);
      const sideAge = state.xsnAges.get(sideKey(pair.name, side.pod));
      if (sideAge !== undefined) age.set(labels, sideAge);
      if (side.conflicts) {
        for (const operation of ['insert', 'update', 'delete'] as const) conflicts.inc({ ...labels, operation }, side.conflicts[operation]);
      }
    }
  }

  const departed = gauge(
    'aku_departed_replication_retaining_logs',
    'Per object on a pod of the set toward an ordinal at or beyond the replica count: 1 when it is started or keeps a restart point (the pod keeps log files for a pod that is not there), 0 when it is stopped and reset.',
    SIDE_LABELS,
  );
  for (const object of report.beyond) {
    departed.set({ group: object.group, replication: object.name, pod: object.pod, peer: `${state.stsName}-${object.peerOrdinal}` }, object.verdict === 'ok' ? 0 : 1);
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}

function lifecycleMetrics(state: ScrapeState, gauge: (name: string, help: string, labels: readonly string[]) => Gauge): void {
  const success = gauge('aku_lifecycle_last_success', 'For the last aku -p start and -p end that finished in this pod: 1 when it exited 0, 0 when it failed.', ['pod', 'action']);
  const seconds = gauge('aku_lifecycle_last_duration_seconds', 'How long the last aku -p start or -p end that finished in this pod took.', ['pod', 'action']);
  const finished = gauge('aku_lifecycle_last_finished_timestamp_seconds', 'When the last aku -p start or -p end that finished in this pod ended (Unix time).', ['pod', 'action']);
  for (const record of Object.values(state.lifecycle)) {
    const labels = { pod: state.pod ?? '', action: record.action };
    success.set(labels, record.exitCode === 0 ? 1 : 0);
    seconds.set(labels, record.seconds);
    finished.set(labels, Date.parse(record.finishedAt) / 1000);
  }
}
