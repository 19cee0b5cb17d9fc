/**
 * The pods × replications table: for each replication object on each pod, whether it is started
 * and its XSN (SYSTEM_.SYS_REPLICATIONS_), its sender's status (V$REPSENDER; no row while no sender
 * thread runs) and its gap (V$REPGAP: REP_LAST_SN − REP_SN, the log records not yet sent; altisim's
 * SNs count transactions, Altibase's are log positions), and the table's row count on each pod.
 */

export const REPLICATION_QUERIES = {
  objects: 'SELECT REPLICATION_NAME, IS_STARTED, XSN FROM SYSTEM_.SYS_REPLICATIONS_',
  senders: 'SELECT REP_NAME, STATUS FROM V$REPSENDER',
  gaps: 'SELECT REP_NAME, REP_LAST_SN, REP_SN FROM V$REPGAP',
} as const;

/** V$REPSENDER.STATUS codes (altibase-replication.md §10.4). */
const SENDER_STATUS: Record<number, string> = {
  0: 'STOP', 1: 'RUN', 2: 'RETRY', 3: 'FAILBACK NORMAL', 4: 'FAILBACK MASTER', 5: 'FAILBACK SLAVE',
  6: 'SYNC', 7: 'FAILBACK EAGER', 8: 'FAILBACK FLUSH', 9: 'IDLE',
};

export interface ReplicationRow {
  pod: string;
  replication: string;
  started: boolean;
  xsn: string;
  sender: string;
  gap: string;
}

type Row = Record<string, unknown>;

const text = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));

/** One pod's rows, from the three queries' results, sorted by replication name. */
export function replicationRows(pod: string, objects: Row[], senders: Row[], gaps: Row[]): ReplicationRow[] {
  return objects
    .map((o) => {
      const name = String(o.REPLICATION_NAME);
      const sender = senders.find((s) => String(s.REP_NAME) === name);
      const gap = gaps.find((g) => String(g.REP_NAME) === name);
      const status = sender ? Number(sender.STATUS) : undefined;
      return {
        pod,
        replication: name,
        started: Number(o.IS_STARTED) === 1,
        // NULL and -1 both mean reset / never started (altibase-replication.md §10.1).
        xsn: o.XSN === null || o.XSN === undefined ? '-1' : String(o.XSN),
        sender: status === undefined ? '-' : (SENDER_STATUS[status] ?? String(status)),
        gap: gap ? text(BigInt(String(gap.REP_LAST_SN)) - BigInt(String(gap.REP_SN))) : '-',
      };
    })
    .sort((a, b) => a.replication.localeCompare(b.replication));
}

/** Rows of cells as aligned text lines, the first one the header. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function replicationTable(rows: ReplicationRow[]): string[] {
  return formatTable(
    ['POD', 'REPLICATION', 'STARTED', 'XSN', 'SENDER', 'GAP'],
    rows.map((r) => [r.pod, r.replication, r.started ? 'yes' : 'no', r.xsn, r.sender, r.gap]),
  );
}
