/**
 * Whether each leaving pod delivered its changes: `aku -p end` exits 0 only when every change of
 * the pod reached its peers (docs/lifecycle.md, "-p end"); otherwise it keeps the pod's pairs on
 * both sides and the pod's next `-p start` delivers. A pod's log goes with the pod, so it is
 * followed (`kubectl logs -f`) from the moment the pod is seen terminating. An ordinal whose last
 * end did not exit 0 — or whose end nobody saw finish (a forced deletion kills it) — owes changes
 * until a pod of that ordinal is Ready again.
 */
import { execa } from 'execa';
import type { Cluster } from '../cluster/helpers.js';
import type { PodView } from './pods.js';

/** The entrypoint's and pre-stop.sh's line after `aku -p end` (docker/entrypoint.sh, chart/files/pre-stop.sh). */
const END_STATUS = /aku -p end exited with status (\d+)/g;

export function endStatus(log: string): number | undefined {
  let status: number | undefined;
  for (const m of log.matchAll(END_STATUS)) status = Number(m[1]);
  return status;
}

export class EndTracker {
  /** ordinal → why it owes changes. */
  private readonly owing = new Map<number, string>();
  private readonly followed = new Set<string>();
  private readonly followers: Promise<void>[] = [];
  /** Followers whose pod's container has not ended yet. */
  running = 0;
  readonly outcomes: string[] = [];

  constructor(private readonly cluster: Cluster, private readonly note: (message: string) => void) {}

  /** Follows a terminating (or about to terminate) pod's log until its container ends. */
  follow(pod: PodView): void {
    if (this.followed.has(pod.uid)) return;
    this.followed.add(pod.uid);
    // Until its end is seen to exit 0, the ordinal may owe changes.
    this.owing.set(pod.ordinal, `${pod.name}'s aku -p end has not finished`);
    let text = '';
    const child = execa(this.cluster.target.kubectl, ['--kubeconfig', this.cluster.target.kubeconfig, '-n', this.cluster.namespace,
      'logs', '-f', pod.name, '-c', 'altibase'], { reject: false, all: true, timeout: 900_000 });
    child.all?.on('data', (d: Buffer) => (text += d.toString()));
    this.running++;
    this.followers.push(child.then(() => {
      this.running--;
      const status = endStatus(text);
      this.outcomes.push(`${pod.name}: aku -p end ${status === undefined ? 'not seen to finish' : `exited ${status}`}`);
      if (this.owing.get(pod.ordinal) !== `${pod.name}'s aku -p end has not finished`) return; // a newer pod of the ordinal took over
      if (status === 0) this.owing.delete(pod.ordinal);
      else {
        const why = status === undefined ? `${pod.name}'s aku -p end was not seen to finish` : `${pod.name}'s aku -p end exited ${status}`;
        this.owing.set(pod.ordinal, why);
        this.note(`${why}: its changes wait for the ordinal's return`);
      }
    }));
  }

  /** A pod removed without its end (forced deletion). */
  killed(pod: PodView): void {
    this.followed.add(pod.uid);
    this.owing.set(pod.ordinal, `${pod.name} was deleted by force (no aku -p end)`);
  }

  /** A pod gone without being seen terminating: whether its end delivered is unknown. */
  vanished(pod: PodView): void {
    if (this.followed.has(pod.uid)) return;
    this.followed.add(pod.uid);
    this.owing.set(pod.ordinal, `${pod.name} went away unseen (its aku -p end, if any, was not followed)`);
  }

  /** A pod of this ordinal completed `aku -p start`: it resumed (and delivers) or joined afresh. */
  started(pod: PodView): void {
    if (this.followed.has(pod.uid)) return;
    this.owing.delete(pod.ordinal);
  }

  owingOrdinals(): Map<number, string> {
    return new Map(this.owing);
  }

  async close(): Promise<void> {
    await Promise.all(this.followers);
  }
}
