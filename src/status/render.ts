import type { PairSide, StatusReport, Verdict } from './model.js';

/**
 * The text form of `aku status`, in the layout of `aku -i` (the original's `#####` separators and
 * bracketed section titles), with one table per section and the next steps at the end.
 */

const SEPARATOR = ' #########################';
const field = (label: string, value: string | number) => `  ${label.padEnd(17)}: ${value}`;
const VERDICT: Record<Verdict, string> = { ok: 'OK', warn: 'WARN', fail: 'FAIL' };

const REPLICA_SOURCE = {
  option: '--replicas',
  answering: 'the highest pod that answered',
  kubernetes: 'the StatefulSet',
} as const;

export function renderStatusText(report: StatusReport): string {
  const lines = [
    SEPARATOR,
    ' [ Status ]',
    field('Verdict', VERDICT[report.verdict]),
    field('Replicas', `${report.replicas.count} (from ${REPLICA_SOURCE[report.replicas.source]})`),
    field('Max Server Count', report.serverCount),
    field('Checks', `${report.counts.ok} ok, ${report.counts.warn} warn, ${report.counts.fail} fail`),
    SEPARATOR,
    ' [ Pods ]',
    ...table(
      ['POD', 'STATE', 'LOGIN', 'ADMIN_MODE', 'VERDICT'],
      report.pods.map((p) => [p.pod, p.state, p.login ?? '-', p.adminMode ?? '-', VERDICT[p.verdict]]),
    ),
    SEPARATOR,
    ' [ Pairs ]',
    ...table(
      ['REPLICATION', 'PAIR', 'STARTED', 'XSN', 'GAP', 'SENDER', 'RECEIVER', 'VERDICT'],
      report.pairs.map((p) => [
        p.name,
        `${p.ordinals[0]}-${p.ordinals[1]}`,
        both(p.sides, (s) => (s.exists === false ? 'none' : yesNo(s.started))),
        both(p.sides, (s) => s.xsn),
        both(p.sides, (s) => s.gap),
        both(p.sides, (s) => (s.read ? (s.sender ? s.sender.status + (s.sender.netError ? '!' : '') : 'none') : null)),
        both(p.sides, (s) => yesNo(s.receiving)),
        VERDICT[p.verdict],
      ]),
    ),
  ];
  if (report.beyond.length > 0) {
    lines.push(
      SEPARATOR,
      ' [ Objects toward pods not in the set ]',
      ...table(
        ['REPLICATION', 'ON', 'TOWARD', 'STARTED', 'XSN', 'VERDICT'],
        report.beyond.map((d) => [d.name, d.pod, d.peerOrdinal, yesNo(d.started), d.xsn, VERDICT[d.verdict]]),
      ),
    );
  }
  const findings = [...report.pods, ...report.pairs, ...report.beyond].filter((e) => e.verdict !== 'ok');
  if (findings.length > 0) {
    lines.push(SEPARATOR, ' [ Next steps ]');
    for (const finding of findings) {
      lines.push(`  ${VERDICT[finding.verdict]} ${finding.problem}`);
      if (finding.nextStep) lines.push(`       next: ${finding.nextStep}`);
    }
  }
  lines.push(SEPARATOR);
  return lines.join('\n');
}

/** `a/b` for the two sides of a pair; `?` for a side that was not read. */
function both(sides: readonly PairSide[], value: (side: PairSide) => string | number | null): string {
  return sides.map((s) => (s.read ? String(value(s) ?? '-') : '?')).join('/');
}

function yesNo(value: boolean | null): string | null {
  return value === null ? null : value ? 'yes' : 'no';
}

function table(header: string[], rows: (string | number | null)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c ?? '-')))];
  const widths = header.map((_, k) => Math.max(...cells.map((r) => (r[k] ?? '').length)));
  return cells.map((r) => `  ${r.map((c, k) => (k === r.length - 1 ? c : c.padEnd(widths[k] ?? 0))).join('  ')}`.trimEnd());
}
