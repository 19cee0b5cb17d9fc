/**
 * What the chaos run knows of the release's pods, from polling the API once a second: which pods are
 * in service (Ready, not terminating, not being removed by the run itself: the Service's endpoints
 * as the writer must see them), and each newly Ready pod, handed to the readiness check.
 */
import { Cluster, isReady, ordinal } from '../cluster/helpers.js';

export interface PodView {
  name: string;
  ordinal: number;
  uid: string;
  ip: string | undefined;
  ready: boolean;
  /** The Ready condition's lastTransitionTime (seconds resolution), when Ready. */
  readySince: string | undefined;
  terminating: boolean;
  /** The altibase container's id without the runtime prefix, when it runs. */
  containerId: string | undefined;
  /** The command of the startupProbe (names the chart's probe.sh). */
  probeCommand: string[];
  replicationPort: number;
}

function view(p: any): PodView {
  const status = (p.status?.containerStatuses ?? []).find((c: any) => c.name === 'altibase');
  const container = (p.spec?.containers ?? []).find((c: any) => c.name === 'altibase');
  const ready = (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const port = (container?.env ?? []).find((e: any) => e.name === 'ALTIBASE_REPLICATION_PORT_NO')?.value;
  return {
    name: p.metadata.name,
    ordinal: ordinal(p.metadata.name),
    uid: p.metadata.uid,
    ip: p.status?.podIP,
    ready: isReady(p),
    readySince: isReady(p) ? ready?.lastTransitionTime : undefined,
    terminating: Boolean(p.metadata.deletionTimestamp),
    containerId: status?.state?.running ? String(status.containerID ?? '').replace(/^[a-z]+:\/\//, '') || undefined : undefined,
    probeCommand: container?.startupProbe?.exec?.command ?? [],
    replicationPort: Number(port ?? 20301),
  };
}

export class PodMonitor {
  private pods: PodView[] = [];
  /**
   * Pods (by uid) the run is removing — by deletion, or by a scale-down that includes them —
   * out of service from the moment it decides, before it asks the API: the application stops
   * writing to a pod when its endpoint goes (docs/chaos.md).
   */
  private readonly leaving = new Map<string, 'delete' | 'scale'>();
  private readonly seenReady = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  lastError = '';

  constructor(
    private readonly cluster: Cluster,
    private readonly release: string,
    private readonly onReady: (pod: PodView) => void,
    private readonly onTerminating: (pod: PodView) => void,
    /** Every pod with a running altibase container, at each poll. */
    private readonly onRunning: (pod: PodView) => void,
    /** A pod that disappeared between two polls without being seen terminating. */
    private readonly onGone: (pod: PodView) => void = () => undefined,
  ) {}

  async refresh(): Promise<PodView[]> {
    const before = this.pods;
    try {
      this.pods = (await this.cluster.pods(this.release)).map(view);
      this.lastError = '';
      const now = new Set(this.pods.map((p) => p.uid));
      for (const p of before) if (!now.has(p.uid) && !p.terminating) this.onGone(p);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return this.pods;
    }
    for (const pod of this.pods) {
      if (pod.containerId) this.onRunning(pod);
      if (pod.terminating) this.onTerminating(pod);
      if (!pod.ready || pod.terminating || !pod.containerId) continue;
      const key = `${pod.uid} ${pod.containerId} ${pod.readySince}`;
      if (this.seenReady.has(key)) continue;
      this.seenReady.add(key);
      this.onReady(pod);
    }
    return this.pods;
  }

  start(intervalMs = 1000): void {
    const tick = () => {
      this.polling = this.refresh().then(() => undefined);
      void this.polling.finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  all(): PodView[] {
    return this.pods;
  }

  markLeaving(uid: string, why: 'delete' | 'scale'): void {
    if (this.leaving.get(uid) !== 'delete') this.leaving.set(uid, why);
  }

  /** A scale-up keeps pods a scale-down had condemned and the controller had not reached yet. */
  keepScaled(replicas: number): void {
    for (const p of this.pods) if (p.ordinal < replicas && this.leaving.get(p.uid) === 'scale') this.leaving.delete(p.uid);
  }

  /** Pods an application may write to: Ready, not terminating, not being removed; by ordinal. */
  inService(): PodView[] {
    return this.pods.filter((p) => p.ready && !p.terminating && !this.leaving.has(p.uid) && p.ip).sort((a, b) => a.ordinal - b.ordinal);
  }

  /** Exactly pods 0..replicas-1 exist, each in service: nothing starts, ends or waits. */
  settled(replicas: number): boolean {
    const live = this.inService();
    return this.pods.length === replicas && live.length === replicas && live.every((p, i) => p.ordinal === i);
  }
}
