/**
 * How long a sender has been stuck, as far as this exporter can tell. The XSN of a replication
 * object (SYS_REPLICATIONS_.XSN, its restart point) moves as the peer acknowledges what the
 * sender delivered; a sender with something to send (V$REPGAP.REP_GAP > 0) whose XSN stays put
 * delivers nothing. The age of one side is the time since the later of: the last read in which
 * its XSN differed from the read before, and the last read in which its gap was 0. It is 0 on a
 * side with nothing to send, and counts from the exporter's first sight of a side (it knows
 * nothing earlier). It is measured between reads, so its resolution is the scrape interval.
 */

export interface SideProgress {
  /** Identifies the side across reads: the object and the pod holding it. */
  key: string;
  xsn: number;
  gap: number;
}

export class XsnAges {
  private readonly since = new Map<string, { xsn: number; at: number }>();

  /**
   * Takes one read's sides (those with a sender, whose gap is known) and returns each side's
   * age in seconds. Sides not in the read are forgotten: one that comes back starts from 0.
   */
  update(sides: readonly SideProgress[], at: number): Map<string, number> {
    const ages = new Map<string, number>();
    const seen = new Set<string>();
    for (const side of sides) {
      seen.add(side.key);
      const before = this.since.get(side.key);
      if (before === undefined || before.xsn !== side.xsn || side.gap <= 0) {
        this.since.set(side.key, { xsn: side.xsn, at });
        ages.set(side.key, 0);
      } else {
        ages.set(side.key, Math.max(0, (at - before.at) / 1000));
      }
    }
    for (const key of [...this.since.keys()]) if (!seen.has(key)) this.since.delete(key);
    return ages;
  }
}
