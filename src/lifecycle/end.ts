import { AltibaseCode, DbError } from '../db/errors.js';
import { RETRY_UNTIL_DEADLINE } from '../db/session.js';
import { alterSystemSet, resetReplication, selectReplicationGap, startReplication, stopReplication } from '../sql/index.js';
import type { ReplicationLink } from '../topology/index.js';
import { deleteCompletionFile } from './completion-file.js';
import type { LifecycleContext } from './context.js';
import { flushWithin } from './flush.js';
import { clearEndRunning, clearStartRunning, markEndRunning, requestStop, runningStart, terminate } from './start-handover.js';
import type { OutcomeRecorder } from './outcome.js';
import { hasHistory, readStates, type ReplicationStates } from './replication-state.js';
import { podOf, reachSelf, reachServers, shortReason, type Reached, type Server } from './server.js';
import { describe, settlementOf, type Settlement, type StopReason } from './stop-reason.js';

/**
 * `aku -p end` (preStop), one function per step; the step's name is its `[akuRunEnd:step]` tag:
 *   role → handover → connect → admin → flush → stop → reason → settle → complete
 *
 * Kubernetes kills the pod when the grace period ends, so the run fits AKU_END_TIME_BUDGET:
 * every statement carries the run's deadline into the session layer (retries included), and
 * every FLUSH is bounded.
 *
 * Why the pod stops (stop-reason.ts, read from the Kubernetes API while the other steps run) decides
 * what `settle` does: a pod that leaves for good (scale-down, uninstall with its volumes) is
 * decommissioned — both sides of its pairs reset — while a pod that comes back (restart, rolling
 * update, drain, deleted pod) keeps both sides, so its next start resumes with FLUSH instead of
 * TRUNCATE + SYNC. When the reason cannot be known, AKU_REPLICATION_RESET_AT_END decides.
 *
 * A pair is left consistent on both sides, never half (no RESET of one side only). Pairs are
 * reset only when every change was delivered; if one pair could not deliver (peer unreachable,
 * FLUSH not finished, budget out), every pair of this pod keeps its restart point on both sides,
 * the run names what it kept and why and exits 1, and the pod's next `-p start` resumes and
 * delivers the changes. All pairs, not only the undelivered one: a single reset pair would send
 * the next start down the SYNC path, which resets the others too.
 */

const W = {
  role: 'akuRunEnd:role',
  handover: 'akuRunEnd:handover',
  connect: 'akuRunEnd:connect',
  reason: 'akuRunEnd:reason',
  admin: 'akuRunEnd:admin',
  flush: 'akuRunEnd:flush',
  stop: 'akuRunEnd:stop',
  settle: 'akuRunEnd:settle',
  complete: 'akuRunEnd:complete',
} as const;

/**
 * Retries of a statement on a peer whose SYSDBA slot another pod's end holds (every pod ending
 * at once): as many as fit before the deadline, which is what bounds them.
 */
const UNTIL_DEADLINE = RETRY_UNTIL_DEADLINE;

/**
 * The longest the Kubernetes API may take to say why the pod stops: a few seconds, and never more
 * than a fifth of AKU_END_TIME_BUDGET. It is read while connect, admin, flush and stop run, so it
 * costs the run nothing unless those finish first.
 */
const REASON_BOUND_MS = 5000;
const REASON_BUDGET_FRACTION = 0.2;
/**
 * The whole read — loading the Kubernetes client, which is CPU work (about a second on an idle
 * machine, over 15 s measured on a loaded node under the chart's CPU limit), and then the API's
 * bound — gets at most half the budget from the start of the run; the other half is left for
 * settle and what the other steps still need.
 */
const REASON_GUARD_BUDGET_FRACTION = 0.5;

/** Seconds kept back from flushing for STOP and RESET. */
const RESERVE_FRACTION = 0.3;
const MAX_RESERVE_SEC = 10;

interface EndRun {
  ctx: LifecycleContext;
  outcome: OutcomeRecorder;
  /** Epoch milliseconds: the end of AKU_END_TIME_BUDGET. */
  deadline: number;
  self?: Server;
  reached?: Reached;
  own?: ReplicationStates;
  /** Pairs whose changes may not all have reached the peer, with why. */
  undelivered: Map<string, string>;
  /** What `settle` does, from why the pod stops. */
  settlement?: Settlement;
}

export async function runEnd(ctx: LifecycleContext, outcome: OutcomeRecorder): Promise<void> {
  const run: EndRun = { ctx, outcome, deadline: ctx.now() + ctx.config.endTimeBudgetSec * 1000, undelivered: new Map() };
  markEndRunning(ctx.completionFile);
  try {
    await outcome.step(W.role, async () => announceRole(run));
    const reason = readReason(ctx);
    await outcome.step(W.handover, () => stopRunningStart(run));
    await outcome.step(W.connect, () => connect(run));
    await outcome.step(W.admin, () => refuseNewSessions(run));
    await outcome.step(W.flush, () => flushOwnChanges(run));
    await outcome.step(W.stop, () => stopPairs(run));
    // Read in the background since the run began: only settle needs it.
    await outcome.step(W.reason, async () => decide(run, await reason));
    await outcome.step(W.settle, () => settlePairs(run));
  } finally {
    // The startupProbe's file goes in every case: this pod is no longer started.
    await outcome.step(W.complete, async () => deleteFile(ctx));
    clearEndRunning(ctx.completionFile);
  }
}

function announceRole({ ctx }: EndRun): void {
  ctx.logger.info(W.role, ctx.topology.self.role === 'MASTER' ? 'Start as MASTER Pod.' : 'Start as SLAVE Pod.');
}

/**
 * A `-p start` still running here holds this pod's one SYSDBA session: ask it to stop at its
 * next step and wait for it, within half the budget; then terminate it (see start-handover.ts).
 */
async function stopRunningStart({ ctx, deadline }: EndRun): Promise<void> {
  const file = ctx.completionFile;
  const pid = runningStart(file);
  if (pid === undefined || ctx.dryRun) return;
  const waitMs = Math.max(1000, (deadline - ctx.now()) / 2);
  ctx.logger.info(W.handover, `aku -p start (pid ${pid}) is still running on this pod; asking it to stop at its next step (waiting at most ${Math.round(waitMs / 1000)} s).`);
  requestStop(file);
  const until = ctx.now() + waitMs;
  while (runningStart(file) !== undefined && ctx.now() < until) await ctx.sleep(100);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (runningStart(file) === undefined) break;
    ctx.logger.warn(W.handover, `aku -p start (pid ${pid}) did not stop in time; sending ${signal}. The next aku -p start resumes from where it was.`);
    terminate(pid, signal);
    const grace = ctx.now() + 2000;
    while (runningStart(file) !== undefined && ctx.now() < grace) await ctx.sleep(100);
  }
  clearStartRunning(file);
  ctx.logger.info(W.handover, 'aku -p start is no longer running; ending.');
}

/**
 * Asks the context why the pod stops, within the bound; a failure or a late answer is an unknown
 * reason (the fallback names it). The guard timer is real time and unref'd: it never holds the
 * process open.
 */
function readReason(ctx: LifecycleContext): Promise<{ reason: StopReason; ms: number }> {
  const started = ctx.now();
  const boundMs = Math.max(1000, Math.min(REASON_BOUND_MS, ctx.config.endTimeBudgetSec * 1000 * REASON_BUDGET_FRACTION));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StopReason>((resolve) => {
    const guardMs = Math.max(boundMs, ctx.config.endTimeBudgetSec * 1000 * REASON_GUARD_BUDGET_FRACTION);
    timer = setTimeout(() => resolve({ kind: 'unknown', why: `no answer within ${guardMs / 1000} s` }), guardMs);
    timer.unref();
  });
  const asked = ctx.stopReason(boundMs).catch((error: unknown): StopReason => ({ kind: 'unknown', why: shortReason(error) }));
  return Promise.race([asked, late]).then((reason) => ({ reason, ms: ctx.now() - started })).finally(() => clearTimeout(timer));
}

/** Logs why the pod stops and what `settle` will do, and records both in the outcome. */
function decide(run: EndRun, { reason, ms }: { reason: StopReason; ms: number }): void {
  const { ctx, outcome } = run;
  ctx.logger.info(W.reason, `Why this pod stops was read in ${(ms / 1000).toFixed(1)} s, while the other steps ran.`);
  const settlement = settlementOf(reason, ctx.config.replicationResetAtEnd);
  run.settlement = settlement;
  outcome.stop = { reason, ...settlement };
  ctx.logger.info(W.reason, `This pod stops for: ${describe(reason)}.`);
  if (ctx.topology.self.role === 'MASTER') {
    // Nothing to fall back on: whatever the reason, the MASTER keeps its restart points.
    ctx.logger.info(W.reason, 'The MASTER is never reset (decision 2): its pairs keep their restart points.');
    return;
  }
  if (settlement.source === 'AKU_REPLICATION_RESET_AT_END' && reason.kind === 'unknown') ctx.logger.warn(W.reason, `${capitalised(settlement.words)}.`);
  else ctx.logger.info(W.reason, `${capitalised(settlement.words)}.`);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function connect(run: EndRun): Promise<void> {
  const { ctx, deadline } = run;
  run.self = await reachSelf(ctx, W.connect, { deadline, retry: UNTIL_DEADLINE, local: true });
  run.own = await readStates(run.self, { deadline });
  await run.self.release();
  // A peer busy with another pod's end is worth waiting for, up to a quarter of the budget.
  const connectBy = Math.min(deadline, ctx.now() + (ctx.config.endTimeBudgetSec * 1000) / 4);
  run.reached = await reachServers(ctx, ctx.topology.peers, W.connect, { deadline: connectBy, busyRetries: UNTIL_DEADLINE });
  await releasePeers(run);
}

/**
 * Peers are needed only for a few statements; between them their one SYSDBA slot goes back, so
 * that when every pod ends at once (helm uninstall, a node drain) each pod's end can reach its
 * own server and its peers' in turn instead of waiting out another end's whole run.
 */
async function releasePeers(run: EndRun): Promise<void> {
  await Promise.all([...(run.reached?.servers.values() ?? [])].map((peer) => peer.release()));
}

/**
 * ADMIN_MODE = 1 before anything else: the pod is leaving, so no new application session may
 * open here and write changes that would reach no peer once replication is stopped.
 */
async function refuseNewSessions({ ctx, self, deadline }: EndRun): Promise<void> {
  await (self as Server).change(alterSystemSet('ADMIN_MODE', 1), { deadline, retry: UNTIL_DEADLINE });
  ctx.logger.info(W.admin, 'ADMIN_MODE is 1: no new application session opens on this pod.');
}

/**
 * FLUSH ALL of every pair that holds history, one after another, each within an equal share of
 * the budget left after the reserve for STOP and RESET. A pair toward an unreachable pod cannot
 * be flushed: if it holds history, its changes are undelivered.
 */
async function flushOwnChanges(run: EndRun): Promise<void> {
  const { ctx, outcome, deadline } = run;
  const self = run.self as Server;
  const reached = run.reached as Reached;
  const own = run.own as ReplicationStates;
  const links = ctx.topology.links.filter((l) => own.has(l.name));
  for (const link of links.filter((l) => !reached.servers.has(l.peer.ordinal))) {
    if (hasHistory(own, link.name)) markUndelivered(run, link, `${link.peer.host} is not reachable`);
  }
  if (!ctx.config.flushAtEnd) {
    ctx.logger.info(W.flush, 'AKU_FLUSH_AT_END = 0: replications are not flushed.');
    return;
  }
  ctx.logger.info(W.flush, 'Flush replications.');
  const reserveMs = Math.min(MAX_RESERVE_SEC, ctx.config.endTimeBudgetSec * RESERVE_FRACTION) * 1000;
  const flushEnd = deadline - reserveMs;
  const flushable = links.filter((l) => reached.servers.has(l.peer.ordinal));
  for (const [index, link] of flushable.entries()) {
    const share = Math.floor((flushEnd - ctx.now()) / (flushable.length - index));
    const boundSec = Math.floor(share / 1000);
    if (boundSec < 1) {
      if (hasHistory(own, link.name)) markUndelivered(run, link, `the end time budget (AKU_END_TIME_BUDGET = ${ctx.config.endTimeBudgetSec} s) ran out before its FLUSH`);
      continue;
    }
    const linkDeadline = ctx.now() + share;
    let result = await flushWithin(ctx, { where: W.flush, server: self, name: link.name, peerHost: link.peer.host, all: true, deadline: linkDeadline, boundSec, busyRetries: UNTIL_DEADLINE });
    if (result.kind === 'no-sender' && hasHistory(own, link.name)) {
      // Stopped with a restart point (an earlier end was interrupted after its STOP): changes
      // since that point may be unsent. Start the sender again so the FLUSH can deliver them.
      const restarted = await restartSender(run, link, linkDeadline);
      result = restarted === true
        ? await flushWithin(ctx, { where: W.flush, server: self, name: link.name, peerHost: link.peer.host, all: true, deadline: linkDeadline, boundSec, busyRetries: UNTIL_DEADLINE })
        : { kind: 'failed', reason: `its sender was stopped and could not start again (${restarted})` };
    }
    switch (result.kind) {
      case 'flushed':
        outcome.pair(link.name, self.pod, 'flushed');
        break;
      case 'no-sender':
        break; // no restart point: it holds no changes for its peer
      case 'expired':
        markUndelivered(run, link, `not flushed within ${result.boundSec} s${result.gap === undefined ? '' : `, gap ${result.gap}`}`);
        break;
      case 'failed':
        markUndelivered(run, link, `FLUSH failed: ${result.reason}`);
        break;
    }
  }
  await self.release();
  ctx.logger.info(W.flush, 'Replication flush has ended.');
}

/**
 * START of a stopped pair during end; true, or why it failed. Within the pair's share of the
 * FLUSH time: a START retried until the run's deadline would eat the reserve for STOP and RESET.
 */
async function restartSender(run: EndRun, link: ReplicationLink, deadline: number): Promise<true | string> {
  const self = run.self as Server;
  try {
    await self.changeTolerating(startReplication(link.name), [AltibaseCode.SENDER_ALREADY_STARTED], { deadline, retry: UNTIL_DEADLINE });
    run.ctx.logger.info(W.flush, `${link.name} was stopped with a restart point; started again to flush what it holds.`, { replication: link.name });
    return true;
  } catch (error) {
    return shortReason(error);
  }
}

function markUndelivered(run: EndRun, link: ReplicationLink, why: string, where: string = W.flush): void {
  run.undelivered.set(link.name, why);
  run.outcome.pair(link.name, podOf(run.ctx.topology.self.host), 'not-flushed', why);
  run.ctx.logger.warn(where, `${link.name} toward ${link.peer.host}: ${why}.`, { pod: podOf(link.peer.host), replication: link.name });
}

/**
 * STOP this pod's senders and every reached pod's sender toward this pod. On this pod, each
 * sender's last log position (V$REPGAP.REP_LAST_SN) is read just before its STOP, and its
 * restart point (XSN) just after: STOP returns once the peer applied what was sent, so an XSN
 * behind that position means a change committed here after the FLUSH (a session that was
 * already open and still writes) never left; that pair is then undelivered and kept.
 */
async function stopPairs(run: EndRun): Promise<void> {
  const self = run.self as Server;
  const lastBeforeStop = new Map<string, number>();
  for (const link of run.ctx.topology.links.filter((l) => run.own?.has(l.name) && !run.undelivered.has(l.name))) {
    const rows = await self.read(selectReplicationGap(link.name), { deadline: run.deadline, retry: UNTIL_DEADLINE }).catch(() => []);
    const last = rows[0]?.REP_LAST_SN;
    if (last !== undefined && last !== null) lastBeforeStop.set(link.name, Number(last));
  }
  await onEachServer(run, W.stop, (server, name) => stopSide(run, server, name), 'stopped', async () => {
    if (lastBeforeStop.size === 0 || run.ctx.dryRun) return;
    const after = await readStates(self, { deadline: run.deadline, retry: UNTIL_DEADLINE });
    for (const [name, last] of lastBeforeStop) {
      const xsn = after.get(name)?.xsn ?? -1;
      if (xsn < last) {
        const link = run.ctx.topology.links.find((l) => l.name === name) as ReplicationLink;
        markUndelivered(run, link, `a change committed here after its FLUSH was not sent (XSN ${xsn} after STOP, log at ${last} before it)`, W.stop);
      }
    }
  });
}

/**
 * One statement per pair on this pod's server, then on each reached peer's, one server at a
 * time, giving each server's SYSDBA slot back before taking the next: a run never holds one
 * slot while waiting for another, so ends running on every pod at once cannot wait on each
 * other in a circle. A busy slot is retried until the run's deadline.
 */
async function onEachServer(
  run: EndRun,
  where: string,
  act: (server: Server, name: string) => Promise<'done' | 'already'>,
  result: 'stopped' | 'reset',
  afterSelf: () => Promise<void> = async () => undefined,
): Promise<void> {
  const self = run.self as Server;
  const links = run.ctx.topology.links;
  const servers = [self, ...[...(run.reached?.servers.values() ?? [])].sort((a, b) => a.ordinal - b.ordinal)];
  for (const server of servers) {
    for (const link of links.filter((l) => server === self || l.peer.ordinal === server.ordinal)) {
      await attempt(run, where, server, link.name, async () => {
        const done = await act(server, link.name);
        if (done === 'done') run.outcome.pair(link.name, server.pod, result);
      });
    }
    if (server === self) await afterSelf();
    await server.release();
  }
}

/**
 * RESET both sides of every pair, or keep both sides of every pair: a slave being decommissioned
 * (settlement `reset`) whose changes were all delivered resets; a pair that could not deliver
 * keeps every pair (exit 1); a deliberate keep (a restart) keeps every pair and succeeds. The
 * MASTER is never reset (decision 2).
 */
async function settlePairs(run: EndRun): Promise<void> {
  const { ctx } = run;
  const settlement = run.settlement ?? settlementOf({ kind: 'unknown', why: 'not read' }, ctx.config.replicationResetAtEnd);
  const resets = ctx.topology.self.role === 'SLAVE' && settlement.settle === 'reset';
  if (resets) forgiveDepartingPeers(run);
  if (run.undelivered.size > 0) {
    keepBothSides(run);
    return;
  }
  if (resets) {
    await resetBothSides(run);
    return;
  }
  keepDeliberately(run, settlement);
}

/**
 * A scale-down takes every ordinal from spec.replicas up: a pair toward one of those that could not
 * deliver (that pod died, or ends too) holds nothing anyone needs — this pod's changes reach the
 * pods that stay through their own pairs, and a departed pod that ever returns rejoins by TRUNCATE
 * + SYNC. Keeping every pair for it would only leave the pods that stay holding log for this one.
 */
function forgiveDepartingPeers(run: EndRun): void {
  const reason = run.outcome.stop?.reason;
  if (reason?.kind !== 'scale-down') return;
  for (const link of run.ctx.topology.links) {
    const why = run.undelivered.get(link.name);
    if (why === undefined || link.peer.ordinal < reason.replicas) continue;
    run.undelivered.delete(link.name);
    run.ctx.logger.info(W.settle, `${link.name} could not deliver (${why}), but ${podOf(link.peer.host)} leaves the set too (ordinal ${link.peer.ordinal} >= spec.replicas ${reason.replicas}): nothing of this pod's needs to reach it.`, { pod: podOf(link.peer.host), replication: link.name });
  }
}

/** Every change was delivered and the pod comes back (or is the MASTER): both sides keep their restart points. */
function keepDeliberately(run: EndRun, settlement: Settlement): void {
  const { ctx, outcome } = run;
  const self = run.self as Server;
  const why = ctx.topology.self.role === 'MASTER' && settlement.settle === 'reset'
    ? 'the MASTER is never reset (decision 2)'
    : `deliberate keep: ${run.outcome.stop ? describe(run.outcome.stop.reason) : settlement.words}`;
  const kept = ctx.topology.links.filter((l) => run.own?.has(l.name));
  for (const link of kept) outcome.pair(link.name, self.pod, 'kept', why);
  if (kept.length > 0) {
    ctx.logger.info(W.settle, `${kept.map((l) => l.name).join(', ')} kept on both sides with their restart points (${why}); this pod's next aku -p start resumes them with FLUSH.`);
  }
}

async function resetBothSides(run: EndRun): Promise<void> {
  const { ctx } = run;
  ctx.logger.info(W.settle, 'Reset replications.');
  // This side first: a run killed between the two sides leaves this pod without history, so its
  // next start takes the SYNC path, which resets the peers' sides too.
  await onEachServer(run, W.settle, (server, name) => resetSide(run, server, name), 'reset');
  for (const link of ctx.topology.links.filter((l) => !run.reached?.servers.has(l.peer.ordinal))) {
    // Nothing of this pod's is pending for it (its side held no history), but its side may still run.
    ctx.logger.warn(W.settle, `${link.name} was not stopped or reset on ${link.peer.host} (not reachable). If that pod is running, run there: ` +
      `ALTER REPLICATION ${link.name} STOP; ALTER REPLICATION ${link.name} RESET;`, { pod: podOf(link.peer.host), replication: link.name });
  }
  ctx.logger.info(W.settle, 'Replication reset has ended.');
}

function stopSide(run: EndRun, server: Server, name: string): Promise<'done' | 'already'> {
  return server.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED, AltibaseCode.NO_SUCH_REPLICATION], { deadline: run.deadline, retry: UNTIL_DEADLINE });
}

/**
 * RESET of one side. When every pod ends at once, the peer's own end may have started this
 * pair's sender again after our STOP (to flush what a stopped pair holds, see restartSender);
 * RESET then answers "already started", so the side is stopped again and reset.
 */
async function resetSide(run: EndRun, server: Server, name: string): Promise<'done' | 'already'> {
  const options = { deadline: run.deadline, retry: UNTIL_DEADLINE };
  try {
    return await server.changeTolerating(resetReplication(name), [AltibaseCode.NO_SUCH_REPLICATION], options);
  } catch (error) {
    if (!(error instanceof DbError && error.isCode(AltibaseCode.SENDER_ALREADY_STARTED))) throw error;
    run.ctx.logger.info(W.settle, `${name} on ${server.host} was started again meanwhile (that pod's own end flushing it); stopping it again before the RESET.`, { pod: server.pod, replication: name });
    await stopSide(run, server, name);
    return server.changeTolerating(resetReplication(name), [AltibaseCode.NO_SUCH_REPLICATION], options);
  }
}

function keepBothSides(run: EndRun): void {
  const { ctx, outcome } = run;
  const self = run.self as Server;
  for (const link of ctx.topology.links.filter((l) => run.own?.has(l.name))) {
    const why = run.undelivered.get(link.name) ?? 'kept with the pairs that could not deliver: resetting it alone would make the next start re-sync this pod and drop their changes';
    outcome.pair(link.name, self.pod, 'kept', why);
    ctx.logger.warn(W.settle, `${link.name} is kept on both sides, not reset (${why}); this pod's next aku -p start resumes it and delivers its changes with FLUSH.`, { replication: link.name });
  }
  const list = [...run.undelivered].map(([name, why]) => `${name} (${why})`).join('; ');
  outcome.problem(W.settle, `-p end could not deliver every change: ${list}. Both sides of every pair keep their restart points; the next aku -p start on this pod delivers them.`);
}

/** One statement of the best-effort part of `-p end`: a failure is recorded and the run goes on. */
async function attempt(run: EndRun, where: string, server: Server, name: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    run.outcome.problem(where, `${where.split(':')[1]?.toUpperCase()} of ${name} on ${server.host} failed: ${shortReason(error)}`, { pod: server.pod, replication: name });
  }
}

function deleteFile(ctx: LifecycleContext): void {
  if (!ctx.dryRun) deleteCompletionFile(ctx.completionFile);
  ctx.logger.debug(W.complete, `Deleted ${ctx.completionFile}.`);
}
