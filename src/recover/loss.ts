import { RecoverRefusal, W, type RecoverContext, type RecoverRequest } from './context.js';
import type { Situation } from './checks.js';
import type { Comparison, Direction } from './compare.js';

/**
 * What restoring the MASTER from the source would lose, and whether that stops the run.
 *
 * Altibase does not forward received changes (altibase-replication.md §0.1): a row the old
 * MASTER sent to slave 2 but not to slave 1 is on slave 2 only, and no FLUSH brings it to slave 1.
 * The other slaves leave and rejoin from the restored MASTER by TRUNCATE + SYNC, so such a row is
 * gone once they do. So are the changes of a slave that cannot be reached now and had not reached
 * the source. Recover names both; either one stops it unless `--accept-loss` is given.
 */

export interface Loss {
  /** Rows another slave holds that the source lacks, per slave. */
  rows: { ordinal: number; pod: string; count: number; samples: string[] }[];
  /** Rows the failed MASTER itself holds that the source lacks (its tables are truncated). */
  masterRows: Direction;
  /** Unreachable slaves whose pair with the source holds history. */
  unreachable: { ordinal: number; pod: string; reason: string; pairs: string[] }[];
  /** `--accept-loss` was given (or there is nothing to accept). */
  accepted: boolean;
}

export const NOT_FORWARDED = 'Received changes are not forwarded (§0.1), so rows only another slave held can be lost';

/** The loss, and the refusal it makes (unless accepted); the refusal is thrown by the caller once the loss is recorded. */
export function judgeLoss(ctx: RecoverContext, request: RecoverRequest, situation: Situation, comparison: Comparison | undefined): { loss: Loss; refusal?: RecoverRefusal } {
  const source = situation.source;
  const rows = (comparison?.versus ?? []).filter((v) => v.onlyThere.count > 0).map((v) => ({ ordinal: v.ordinal, pod: v.pod, ...v.onlyThere }));
  const unreachable = situation.absent.map((a) => ({ ordinal: a.ordinal, pod: a.pod, reason: a.reason, pairs: a.pairs.map((p) => `${p.name} XSN ${p.xsn}`) }));
  const masterRows = comparison?.masterOnly ?? { count: 0, samples: [] };
  const loses = rows.length > 0 || unreachable.length > 0;
  const loss: Loss = { rows, masterRows, unreachable, accepted: !loses || request.acceptLoss };

  for (const v of comparison?.versus ?? []) {
    if (v.onlyThere.count === 0 && v.onlyOnSource.count === 0) ctx.logger.info(W.compare, `${v.pod} holds the same rows as ${source.pod}.`, { pod: v.pod });
    else ctx.logger.info(W.compare, `${describeVersus(v.pod, source.pod, v.onlyThere, v.onlyOnSource)}.`, { pod: v.pod });
  }
  if (!loses) return { loss };

  const both = (comparison?.versus ?? []).filter((v) => v.onlyThere.count > 0 && v.onlyOnSource.count > 0);
  const found = [
    ...(comparison?.versus ?? []).filter((v) => v.onlyThere.count > 0).map((v) =>
      both.includes(v)
        ? `${v.pod} and ${source.pod} each hold rows the other lacks: ${describeVersus(v.pod, source.pod, v.onlyThere, v.onlyOnSource)}`
        : `${v.pod} holds ${describe(v.onlyThere)} ${source.pod} lacks, and ${source.pod} none it lacks`),
    ...unreachable.map((u) => `${u.pod} is not reachable (${u.reason}) while its pair with ${source.pod} holds history (${u.pairs.join(', ')}): changes it made that had not reached ${source.pod} would be lost`),
  ];
  if (request.acceptLoss) {
    ctx.logger.warn(W.compare, `--accept-loss: going on although ${found.join('; ')}. ${NOT_FORWARDED}.`);
    return { loss };
  }
  const what = both.length > 0 ? 'the choice of source is ambiguous' : rows.length > 0 ? 'another slave holds rows the source lacks' : 'a slave that may hold changes the source lacks is not reachable';
  const refusal = new RecoverRefusal(
    `${what}: ${found.join('; ')}. ${NOT_FORWARDED}: restoring the MASTER from ${source.pod} would lose them. ${suggestion(situation, comparison, request)} Nothing was changed.`,
    W.compare,
  );
  return { loss, refusal };
}

/** Which `--from` loses least, among the slaves that could be a source (reached, in service, joined). */
function suggestion(situation: Situation, comparison: Comparison | undefined, request: RecoverRequest): string {
  const accept = `To restore from ${situation.source.pod} anyway and lose them, add --accept-loss.`;
  const bringBack = `Bring ${situation.absent.map((a) => a.pod).join(', ')} back (its container restarts by itself) and run aku recover again. ${accept}`;
  const rowsLost = comparison?.lossIf.find((c) => c.ordinal === request.source)?.rows ?? 0;
  if (comparison === undefined || rowsLost === 0) return situation.absent.length > 0 ? bringBack : accept;
  const eligible = new Set([request.source, ...situation.joined.filter((p) => p.adminMode === '0').map((p) => p.ordinal)]);
  const ranked = comparison.lossIf.filter((c) => eligible.has(c.ordinal)).sort((a, b) => a.rows - b.rows || a.ordinal - b.ordinal);
  const best = ranked[0];
  const current = comparison.lossIf.find((c) => c.ordinal === request.source);
  const unreachableNote = situation.absent.length > 0 ? ` (whichever source: ${situation.absent.map((a) => a.pod).join(', ')} cannot be compared while not reachable)` : '';
  if (best === undefined || current === undefined) return accept;
  if (best.ordinal !== request.source && best.rows === 0) {
    return `${best.pod} holds every row the compared slaves hold: run aku recover --from ${best.ordinal} instead, which loses none of them${unreachableNote}.`;
  }
  if (best.ordinal !== request.source && best.rows < current.rows) {
    return `aku recover --from ${best.ordinal} would lose less (${count(best.rows)}, against ${count(current.rows)} with --from ${request.source})${unreachableNote}; either way some rows are lost, so add --accept-loss to the one you choose.`;
  }
  const notInService = situation.joined.filter((p) => p.adminMode !== '0').map((p) => p.pod);
  const excluded = notInService.length > 0 ? ` (${notInService.join(', ')} not in service, so not a possible source)` : '';
  return `--from ${request.source} loses the least of the possible sources${excluded} (${count(current.rows)})${unreachableNote}. ${accept}`;
}

function describeVersus(pod: string, source: string, onlyThere: Direction, onlyOnSource: Direction): string {
  return `${pod} holds ${describe(onlyThere)} ${source} lacks, ${source} holds ${describe(onlyOnSource)} ${pod} lacks`;
}

/** `2 rows (SYS.T1 (ID=7, V='x'); SYS.T1 (ID=8, V='y'))`, the samples only when there are rows. */
function describe(d: Direction): string {
  return d.count === 0 ? count(0) : `${count(d.count)} (${d.samples.join('; ')}${d.count > d.samples.length ? '; …' : ''})`;
}

function count(n: number): string {
  return `${n} row${n === 1 ? '' : 's'}`;
}
