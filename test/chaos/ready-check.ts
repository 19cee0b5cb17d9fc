/**
 * No pod is Ready before its `aku -p start` completed. For each pod seen Ready (a new pod, a new
 * container, or a new Ready transition), right away:
 *   - aku's completion file exists in the pod and carries THIS container's identity (probe.sh
 *     identity), i.e. this container's start wrote it, not an earlier container's;
 *   - the file was written no later than the Ready condition's lastTransitionTime (which has
 *     seconds resolution: the file's time is compared in whole seconds);
 *   - the container's log holds aku's `ADMIN_MODE is 0` line of its start, also no later.
 * A pod that started terminating meanwhile is not judged (`aku -p end` deletes the file).
 */
import { Cluster } from '../cluster/helpers.js';
import type { PodView } from './pods.js';

const ADMIN_MODE_0 = /\[akuRunStart:admin\].*ADMIN_MODE is 0/;

export interface ReadyVerdict {
  pod: string;
  ok: boolean;
  detail: string;
}

/** The last `ADMIN_MODE is 0` line's time in a `kubectl logs --timestamps` text, in ms. */
export function startCompletedAt(log: string): number | undefined {
  let at: number | undefined;
  for (const line of log.split('\n')) {
    if (!ADMIN_MODE_0.test(line)) continue;
    const t = Date.parse(line.slice(0, line.indexOf(' ')));
    if (!Number.isNaN(t)) at = t;
  }
  return at;
}

export class ReadyChecker {
  readonly verdicts: ReadyVerdict[] = [];
  /** Ready pods whose check itself failed (kubectl exec or logs), twice: reported, not judged. */
  readonly unchecked: string[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly cluster: Cluster, private readonly stillRunning: (pod: PodView) => boolean) {}

  observe(pod: PodView): void {
    this.pending.push(this.check(pod).catch(() => this.check(pod)).catch((error) => {
      if (this.stillRunning(pod)) this.unchecked.push(`${pod.name} Ready since ${pod.readySince}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }));
  }

  get violations(): ReadyVerdict[] {
    return this.verdicts.filter((v) => !v.ok);
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending.splice(0));
  }

  private async check(pod: PodView): Promise<void> {
    const readyAt = Date.parse(String(pod.readySince));
    const probe = pod.probeCommand.find((c) => c.endsWith('/probe.sh'));
    if (!probe) throw new Error(`${pod.name}: no probe.sh in its startupProbe (${pod.probeCommand.join(' ')})`);
    // Path of the completion file as the probe knows it (aku-facts.sh), its mtime, its content, and
    // this container's identity, in one exec.
    const script = [
      '. "$(dirname "$0")/aku-facts.sh"; f=$(aku_completion_file)',
      'if [[ -e $f ]]; then echo "stamp=$(date -r "$f" +%s.%N)"; echo "written=$(cat "$f")"; else echo stamp=absent; fi',
      'echo "identity=$(bash "$0" identity)"',
    ].join('\n');
    const r = await this.cluster.kubectl(['exec', pod.name, '-c', 'altibase', '--', 'bash', '-c', script, probe]);
    const log = await this.cluster.kubectl(['logs', pod.name, '-c', 'altibase', '--timestamps']);
    if (!this.stillRunning(pod)) return;
    if (r.exitCode !== 0) throw new Error(`exec in ${pod.name}: exit ${r.exitCode}: ${r.all}`);
    const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(String(r.stdout))?.[1]?.trim();
    const [stamp, written, identity] = [field('stamp'), field('written'), field('identity')];
    const verdict = (ok: boolean, detail: string): void => void this.verdicts.push({ pod: pod.name, ok, detail: `${pod.name} Ready since ${pod.readySince}: ${detail}` });
    if (stamp === 'absent') return verdict(false, 'the completion file is absent');
    if (!identity) throw new Error(`${pod.name}: probe.sh identity printed nothing: ${r.all}`);
    if (written !== identity) return verdict(false, `the completion file was written by container '${written}', this one is '${identity}'`);
    const fileSec = Math.floor(Number(stamp));
    if (fileSec * 1000 > readyAt) return verdict(false, `the completion file was written at ${new Date(Number(stamp) * 1000).toISOString()}, after the pod became Ready`);
    const completed = startCompletedAt(String(log.stdout));
    if (completed === undefined) return verdict(false, 'its log has no "ADMIN_MODE is 0" line of aku -p start');
    if (Math.floor(completed / 1000) * 1000 > readyAt) return verdict(false, `aku -p start left ADMIN_MODE at ${new Date(completed).toISOString()}, after the pod became Ready`);
    verdict(true, `completion file at ${new Date(Number(stamp) * 1000).toISOString()}, ADMIN_MODE 0 at ${new Date(completed).toISOString()}`);
  }
}
