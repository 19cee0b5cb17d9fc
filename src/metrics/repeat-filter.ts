/**
 * The status read's own log lines (`[akuStatus:read]`, `[akuStatus:verdict]`), once per change:
 * the exporter reads every few seconds for as long as the pod lives, and the same "Reading 3
 * pod(s)" or "OK: 9 ok" on every read would bury what changed. A line is written when the read
 * before did not write it (the time stamp and thread aside), so a pod that stops answering, a
 * verdict that changes and their recovery each show once.
 */
export class RepeatFilter {
  private previous = new Set<string>();
  private current = new Set<string>();

  constructor(private readonly write: (line: string) => void) {}

  line(line: string): void {
    const key = line.replace(/^\[AKU\]\[[^\]]*\]\[\d+\] /, '');
    if (!this.previous.has(key) && !this.current.has(key)) this.write(line);
    this.current.add(key);
  }

  /** A new read begins: what the last one wrote is what the next one need not repeat. */
  nextRead(): void {
    this.previous = this.current;
    this.current = new Set();
  }
}
