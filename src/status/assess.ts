import type { AkuConfig } from '../config/model.js';
import { MASTER_ORDINAL, parseReplicationName, replicationName, serverHost } from '../topology/index.js';
import type { ObjectRow, ServerObservation } from './observe.js';
import {
  atLeast,
  STATUS_SCHEMA_VERSION,
  worst,
  type BeyondReport,
  type PairReport,
  type PairSide,
  type PodReport,
  type ReplicaSource,
  type SenderStatus,
  type StatusReport,
  type Verdict,
} from './model.js';

/**
 * Turns what was read into verdicts (pure: no I/O, so every rule is testable on its own). Each
 * rule is written down in docs/status.md with its next step.
 */

export interface AssessInput {
  config: Pick<AkuConfig, 'stsName' | 'svcName' | 'serverCount' | 'replications'>;
  replicas: { count: number; source: ReplicaSource };
  /** Pods 0 … replicas-1, each observed once. */
  observations: Map<number, ServerObservation>;
  observer: string | null;
  failOn: Exclude<Verdict, 'ok'>;
}

const SENDER_STATUS: readonly SenderStatus[] = [
  'STOP', 'RUN', 'RETRY', 'FAILBACK NORMAL', 'FAILBACK MASTER', 'FAILBACK SLAVE', 'SYNC', 'FAILBACK EAGER', 'FAILBACK FLUSH', 'IDLE',
];

export function senderStatusName(code: number): SenderStatus {
  return SENDER_STATUS[code] ?? 'UNKNOWN';
}

export function assess(input: AssessInput): StatusReport {
  const { config, replicas } = input;
  const pod = (ordinal: number) => `${config.stsName}-${ordinal}`;
  const pods = range(replicas.count).map((ordinal) => podReport(input, ordinal, pod(ordinal)));
  // aku makes pairs among the ordinals AKU_SERVER_COUNT covers only; a pod beyond is a pod finding.
  const paired = Math.min(replicas.count, config.serverCount);
  const pairs: PairReport[] = [];
  for (const group of config.replications) {
    for (let i = 0; i < paired; i++) {
      for (let j = i + 1; j < paired; j++) pairs.push(pairReport(input, group.prefix, replicationName(group, i, j), i, j, pod));
    }
  }
  const beyond = beyondReports(input, pod);
  const all = [...pods, ...pairs, ...beyond].map((entry) => entry.verdict);
  const verdict = worst(all);
  const counts: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0 };
  for (const v of all) counts[v]++;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    command: 'status',
    verdict,
    failOn: input.failOn,
    exitCode: atLeast(verdict, input.failOn) ? 1 : 0,
    replicas,
    serverCount: config.serverCount,
    observer: input.observer,
    counts,
    pods,
    pairs,
    beyond,
  };
}

function podReport(input: AssessInput, ordinal: number, name: string): PodReport {
  const host = serverHost(input.config, ordinal);
  if (ordinal >= input.config.serverCount) {
    return {
      ordinal, pod: name, host, state: 'unreachable', login: null, adminMode: null, reason: 'not read: beyond AKU_SERVER_COUNT',
      verdict: 'fail',
      problem: `${name} is beyond AKU_SERVER_COUNT = ${input.config.serverCount}: its aku -p start refuses to run and no pair includes it`,
      nextStep: `raise AKU_SERVER_COUNT (aku.serverCount in the chart) to at least ${ordinal + 1}, or scale the StatefulSet down to ${input.config.serverCount}`,
    };
  }
  const seen = input.observations.get(ordinal);
  const base = { ordinal, pod: name, host, login: seen?.login ?? null, adminMode: seen?.adminMode ?? null, reason: seen?.reason ?? 'not read' };
  if (!seen || seen.state === 'unreachable') {
    return {
      ...base,
      state: 'unreachable',
      verdict: 'fail',
      problem: `${name} does not answer at ${host} (${base.reason})`,
      nextStep: `kubectl describe pod ${name}; kubectl logs ${name}: the server is down, the pod is not scheduled, or the name does not resolve yet`,
    };
  }
  if (seen.state === 'busy') {
    return {
      ...base,
      state: 'busy',
      verdict: 'warn',
      problem: `${name}: ${seen.reason}; not read`,
      nextStep: `run aku status again when it is over (kubectl logs ${name} shows a running aku -p start or end); set AKU_MONITOR_USER to read in-service pods without SYSDBA`,
    };
  }
  if (seen.adminMode === 1) {
    return {
      ...base,
      state: 'reachable',
      reason: null,
      verdict: 'warn',
      problem: `${name} is not in service: ADMIN_MODE = 1 (aku -p start has not finished, or aku -p end has begun)`,
      nextStep: `kubectl logs ${name}: wait for "AKU run successfully."; if aku -p start failed, its last lines name the step and the next run resumes it`,
    };
  }
  return { ...base, state: 'reachable', reason: null, verdict: 'ok', problem: null, nextStep: null };
}

function side(input: AssessInput, name: string, ordinal: number, pod: string): PairSide {
  const seen = input.observations.get(ordinal);
  if (!seen || seen.state !== 'reachable') {
    return { ordinal, pod, read: false, exists: null, started: null, xsn: null, sender: null, receiving: null, gap: null, conflicts: null };
  }
  const object = seen.objects.get(name);
  const sender = seen.senders.get(name);
  return {
    ordinal,
    pod,
    read: true,
    exists: object !== undefined,
    started: object ? object.started : null,
    xsn: object ? object.xsn : null,
    sender: sender ? { status: senderStatusName(sender.statusCode), statusCode: sender.statusCode, netError: sender.netError } : null,
    receiving: seen.receivers.has(name),
    gap: sender ? (seen.gaps.get(name) ?? null) : null,
    conflicts: seen.receivers.get(name) ?? null,
  };
}

function pairReport(input: AssessInput, group: string, name: string, i: number, j: number, pod: (n: number) => string): PairReport {
  const sides: [PairSide, PairSide] = [side(input, name, i, pod(i)), side(input, name, j, pod(j))];
  const higher = pod(j);
  const findings: { verdict: Verdict; problem: string; nextStep: string }[] = [];
  for (const s of sides) {
    const peer = s === sides[0] ? sides[1] : sides[0];
    if (!s.read) continue;
    if (!s.exists) {
      findings.push({
        verdict: 'fail',
        problem: `${name} does not exist on ${s.pod}`,
        nextStep:
          s.ordinal === MASTER_ORDINAL
            ? `the MASTER lost its side: kubectl exec ${s.pod} -- aku recover --from ${peer.ordinal} prints the plan to restore it from ${peer.pod} (--yes carries it out; docs/recover.md)`
            : `kubectl delete pod ${s.pod}: its aku -p start creates its objects and joins the pair`,
      });
    } else if (!s.started) {
      const reset = s.xsn === -1;
      findings.push({
        verdict: 'fail',
        problem: `${name} is stopped on ${s.pod} (XSN ${s.xsn}${reset ? ', reset: no restart point' : ''}): its changes do not reach ${peer.pod}`,
        nextStep: reset
          ? `kubectl delete pod ${higher}: its aku -p start rejoins the pair (TRUNCATE + SYNC when its pair with the MASTER is reset too)`
          : `on ${s.pod}: aku-sql --sysdba "ALTER REPLICATION ${name} START" (it resumes from XSN ${s.xsn}), or kubectl delete pod ${s.pod}`,
      });
    } else if (!s.sender) {
      findings.push({
        verdict: 'warn',
        problem: `${name} is started on ${s.pod} but no sender runs there`,
        nextStep: `on ${s.pod}: aku-sql --sysdba "ALTER REPLICATION ${name} START" (ERR-6100A means a sender came up meanwhile)`,
      });
    } else if (s.sender.status === 'RETRY' || s.sender.netError) {
      findings.push({
        verdict: 'warn',
        problem: `the sender of ${name} on ${s.pod} cannot reach ${peer.pod} (${s.sender.status}${s.sender.netError ? ', network error' : ''}); changes wait at XSN ${s.xsn}`,
        nextStep: `check ${peer.pod} and the replication port between the pods (NetworkPolicy, DNS); the sender reconnects by itself (REPLICATION_SENDER_SLEEP_TIMEOUT) or when ${peer.pod} restarts`,
      });
    } else if (s.sender.status !== 'RUN') {
      findings.push({
        verdict: 'warn',
        problem: `the sender of ${name} on ${s.pod} is in ${s.sender.status}, not RUN`,
        nextStep: `run aku status again in a minute; a SYNC ends by itself`,
      });
    }
  }
  const unread = sides.filter((s) => !s.read);
  if (unread.length > 0 && findings.length === 0) {
    findings.push({
      verdict: 'warn',
      problem: unread.length === 2 ? `neither side of ${name} could be read` : `only ${sides.find((s) => s.read)?.pod}'s side of ${name} could be read`,
      nextStep: `see the checks of ${unread.map((s) => s.pod).join(' and ')}`,
    });
  }
  const verdict = worst(findings.map((f) => f.verdict));
  return {
    name,
    group,
    ordinals: [i, j],
    sides,
    verdict,
    problem: findings.length === 0 ? null : findings.map((f) => f.problem).join('; '),
    nextStep: findings.length === 0 ? null : [...new Set(findings.map((f) => f.nextStep))].join('; '),
  };
}

/**
 * Objects on the pods that are in the set, named for a pair with an ordinal that is not:
 * `-p end` on a scaled-down pod leaves them stopped and reset (XSN -1) on purpose, ready for the
 * pod's return. One that is started, or keeps a restart point, keeps log files for a pod that is
 * not running (aku manual, "pod killed before -p end finished"): logs pile up until the disk fills.
 */
function beyondReports(input: AssessInput, pod: (n: number) => string): BeyondReport[] {
  const reports: BeyondReport[] = [];
  for (const [ordinal, seen] of [...input.observations].sort(([a], [b]) => a - b)) {
    if (seen.state !== 'reachable') continue;
    for (const [name, object] of [...seen.objects].sort(([a], [b]) => a.localeCompare(b))) {
      const parsed = parseReplicationName(input.config.replications, name);
      if (!parsed || !parsed.ordinals.includes(ordinal)) continue;
      const peerOrdinal = parsed.ordinals[0] === ordinal ? parsed.ordinals[1] : parsed.ordinals[0];
      if (peerOrdinal < input.replicas.count) continue;
      reports.push(beyondReport(name, parsed.group, ordinal, pod(ordinal), peerOrdinal, pod(peerOrdinal), object, input.replicas));
    }
  }
  return reports;
}

function beyondReport(name: string, group: string, ordinal: number, holder: string, peerOrdinal: number, peer: string, object: ObjectRow, replicas: AssessInput['replicas']): BeyondReport {
  const base = { name, group, ordinal, pod: holder, peerOrdinal, started: object.started, xsn: object.xsn };
  if (!object.started && object.xsn === -1) return { ...base, verdict: 'ok', problem: null, nextStep: null };
  const what = object.started ? 'is started' : `keeps a restart point (XSN ${object.xsn})`;
  return {
    ...base,
    verdict: 'warn',
    problem: `${name} on ${holder} ${what} toward ${peer}, which is not in the set: ${holder} keeps log files for it`,
    nextStep: object.started
      ? `if ${peer} returns soon, nothing (its aku -p start resumes the pair); otherwise ${reconcileCommand(replicas)} (docs/reconcile.md): it stops and resets ${name} on ${holder}, names what ${peer} had not received, and records the leave so that ${peer} can still rejoin by TRUNCATE + SYNC`
      // Stopped with a restart point: what an end that could not deliver leaves; a reset loses that.
      : `scale back up to ${peerOrdinal + 1} pods: ${peer}'s aku -p start resumes the pair and delivers what its end could not; to give up those changes instead, ${reconcileCommand(replicas)} --discard-kept (docs/reconcile.md)`,
  };
}

/**
 * The command that cures an object toward a departed pod. A count status only inferred from the
 * pods that answer is not passed on: reconcile would take a pod that is merely down for departed.
 */
function reconcileCommand(replicas: AssessInput['replicas']): string {
  return replicas.source === 'answering'
    ? 'aku reconcile (it reads the replica count from the StatefulSet; elsewhere pass --replicas with the StatefulSet\'s spec.replicas)'
    : `aku reconcile --replicas ${replicas.count}`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
