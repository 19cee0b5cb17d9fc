/**
 * Follows containers' logs as pods come and go (`kubectl logs -f` per container instance, found by
 * polling the namespace's pods), printing the kept lines prefixed by the pod's name. A container
 * restarted gets a new stream from its start; a stream that ends while its container still runs
 * (an apiserver hiccup) resumes after the last timestamp it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Target } from '../../../test/cluster/helpers.js';

export interface Followed {
  container: string;
  /** Which lines to print (the timestamp kubectl adds is already removed). */
  keep: (line: string) => boolean;
}

interface Stream {
  child?: ChildProcess;
  lastTimestamp?: string;
}

/** `2026-12-02T11:00:00.123456789Z rest` → [timestamp, rest]. */
export function splitTimestamp(line: string): [string | undefined, string] {
  const match = /^(\d{4}-\d\d-\d\dT\S+Z) ?(.*)$/.exec(line);
  return match ? [match[1], match[2] ?? ''] : [undefined, line];
}

/** A kubelet timestamp (RFC 3339, fraction of up to 9 digits, trailing zeros trimmed) as a string that sorts in time order. */
export function timestampKey(timestamp: string): string {
  const match = /^([^.Z]+)(?:\.(\d+))?Z$/.exec(timestamp);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z` : timestamp;
}

export class PodLogs {
  private readonly streams = new Map<string, Stream>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    private readonly target: Target,
    private readonly namespace: string,
    /** Which pods to follow, and how; undefined: not this pod. */
    private readonly select: (pod: any) => Followed | undefined,
    private readonly print: (pod: string, line: string) => void,
  ) {}

  start(intervalMs = 2000): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    void this.poll();
  }

  /** Stops following; what the streams printed so far stays printed. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const stream of this.streams.values()) stream.child?.kill('SIGTERM');
  }

  private kubectl(args: string[]): ChildProcess {
    return spawn(this.target.kubectl, ['--kubeconfig', this.target.kubeconfig, '-n', this.namespace, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const list = await new Promise<string>((resolve) => {
        const child = this.kubectl(['get', 'pods', '-o', 'json']);
        let out = '';
        child.stdout?.on('data', (d) => (out += d));
        child.on('close', () => resolve(out));
        child.on('error', () => resolve(''));
      });
      let pods: any[] = [];
      try {
        pods = JSON.parse(list).items ?? [];
      } catch {
        return; // the next round asks again
      }
      for (const pod of pods) {
        const followed = this.select(pod);
        if (!followed) continue;
        const status = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === followed.container);
        if (!status?.containerID || !(status.state?.running || status.state?.terminated)) continue;
        const key = `${pod.metadata.uid}/${status.containerID}`;
        const stream = this.streams.get(key);
        if (!stream) this.follow(key, pod.metadata.name, followed, {});
        else if (!stream.child && status.state?.running) this.follow(key, pod.metadata.name, followed, stream);
      }
    } finally {
      this.polling = false;
    }
  }

  private follow(key: string, pod: string, followed: Followed, stream: Stream): void {
    if (this.stopped) return;
    const since = stream.lastTimestamp;
    const child = this.kubectl(['logs', '-f', '--timestamps', pod, '-c', followed.container, ...(since ? [`--since-time=${since}`] : [])]);
    stream.child = child;
    this.streams.set(key, stream);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (raw) => {
      const [timestamp, line] = splitTimestamp(raw);
      if (timestamp && since && timestampKey(timestamp) <= timestampKey(since)) return; // printed by the stream before
      if (timestamp) stream.lastTimestamp = timestamp;
      if (followed.keep(line)) this.print(pod, line);
    });
    child.on('close', () => {
      stream.child = undefined;
    });
    child.on('error', () => {
      stream.child = undefined;
    });
  }
}
