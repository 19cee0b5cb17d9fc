/**
 * Whether each leaving pod delivered its changes: `aku -p end` exits 0 only when every change of
 * the pod reached its peers (docs/lifecycle.md, "-p end"); otherwise it keeps the pod's pairs on
 * both sides and the pod's next `-p start` delivers. A pod's log goes with the pod, so every
 * running container's log is followed (`kubectl logs -f`) from the moment it is seen, and read
 * when the container ends. An ordinal whose last leaving pod's end did not exit 0 — or whose end
 * nobody saw finish (a forced deletion kills it) — owes changes until a pod of that ordinal is
 * Ready again.
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

interface Follower {
  pod: PodView;
  text: string;
  ended: boolean;
  done: Promise<void>;
}

export class EndTracker {
  /** ordinal → why it owes changes. */
  private readonly owing = new Map<number, string>();
  /** Latest follower per pod uid. */
  private readonly followers = new Map<string, Follower>();
  private readonly watched = new Set<string>();
  /** Pods (uid) known to be leaving, and whether their outcome is decided. */
  private readonly leavingPods = new Map<string, { pod: PodView; decided: boolean }>();
  readonly outcomes: string[] = [];

  /**
   * @param keepLog receives the log of a leaving pod whose end did not exit 0 (the pod and its
   *   log are gone afterwards), and says where it kept it.
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly note: (message: string) => void,
    private readonly keepLog: (pod: PodView, text: string) => string = () => '',
  ) {}

  /** Follows a running container's log until it ends (once per container). */
  watch(pod: PodView): void {
    const key = `${pod.uid} ${pod.containerId ?? ''}`;
    if (this.watched.has(key)) return;
    this.watched.add(key);
    const follower: Follower = { pod, text: '', ended: false, done: Promise.resolve() };
    const child = execa(this.cluster.target.kubectl, ['--kubeconfig', this.cluster.target.kubeconfig, '-n', this.cluster.namespace,
      'logs', '-f', pod.name, '-c', 'altibase'], { reject: false, all: true, timeout: 3_600_000 });
    child.all?.on('data', (d: Buffer) => (follower.text += d.toString()));
    follower.done = child.then(() => {
      follower.ended = true;
      this.decide(pod.uid);
    });
    this.followers.set(pod.uid, follower);
  }

  /** A pod that is leaving (terminating, or about to be deleted): its ordinal owes until its end is read. */
  leaving(pod: PodView): void {
    if (this.leavingPods.has(pod.uid)) return;
    this.leavingPods.set(pod.uid, { pod, decided: false });
    this.owing.set(pod.ordinal, `${pod.name}'s aku -p end has not finished`);
    if (!this.followers.has(pod.uid)) this.watch(pod);
    this.decide(pod.uid);
  }

  /** A pod removed without its end (forced deletion). */
  killed(pod: PodView): void {
    this.leavingPods.set(pod.uid, { pod, decided: true });
    this.owing.set(pod.ordinal, `${pod.name} was deleted by force (no aku -p end)`);
    this.outcomes.push(`${pod.name}: deleted by force`);
  }

  /** A pod gone without being seen terminating: whether its end delivered is unknown. */
  vanished(pod: PodView): void {
    if (this.leavingPods.has(pod.uid)) return;
    this.leaving(pod);
  }

  private decide(uid: string): void {
    const leaving = this.leavingPods.get(uid);
    const follower = this.followers.get(uid);
    if (!leaving || leaving.decided || !follower?.ended) return;
    leaving.decided = true;
    const { pod } = leaving;
    const status = endStatus(follower.text);
    this.outcomes.push(`${pod.name}: aku -p end ${status === undefined ? 'not seen to finish' : `exited ${status}`}`);
    if (this.owing.get(pod.ordinal) !== `${pod.name}'s aku -p end has not finished`) return; // a newer pod of the ordinal took over
    if (status === 0) {
      this.owing.delete(pod.ordinal);
      return;
    }
    const why = status === undefined ? `${pod.name}'s aku -p end was not seen to finish` : `${pod.name}'s aku -p end exited ${status}`;
    this.owing.set(pod.ordinal, why);
    const kept = this.keepLog(pod, follower.text);
    this.note(`${why}: its changes wait for the ordinal's return${kept ? ` (its log: ${kept})` : ''}`);
  }

  /** A pod of this ordinal completed `aku -p start`: it resumed (and delivers) or joined afresh. */
  started(pod: PodView): void {
    if (this.leavingPods.has(pod.uid)) return;
    this.owing.delete(pod.ordinal);
  }

  /** Leaving pods whose end is not read yet. */
  get running(): number {
    return [...this.leavingPods.values()].filter((l) => !l.decided).length;
  }

  owingOrdinals(): Map<number, string> {
    return new Map(this.owing);
  }

  async close(): Promise<void> {
    await Promise.all([...this.followers.values()].map((f) => f.done));
  }
}
