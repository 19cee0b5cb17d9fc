/**
 * Why this pod stops, from what the Kubernetes API says about its StatefulSet and about the pod
 * itself, and what `-p end` then does with its replication pairs. Pure: the adapter
 * (src/kube/stop-facts.ts) reads the API and hands the objects here as plain JSON; the lifecycle
 * takes the resulting StopReason through its context.
 *
 *   ordinal >= spec.replicas (> 0)           scale-down → decommission (reset both sides)
 *   StatefulSet gone or being deleted        uninstall  → volumes deleted (whenDeleted: Delete): decommission;
 *                                                          otherwise keep, so a reinstall over them resumes
 *   anything else                            restart    → keep both sides: the pod comes back and resumes
 *   the API not reached in time or refused   unknown    → AKU_REPLICATION_RESET_AT_END decides, as before
 */

/** The fields aku reads of a StatefulSet (apps/v1), as the API returns them. */
export interface StatefulSetObject {
  metadata?: { name?: string; uid?: string; deletionTimestamp?: string | Date | null } | null;
  spec?: {
    replicas?: number | null;
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string | null; whenScaled?: string | null } | null;
    /** Read by `aku reconcile` (with OnDelete a rollout replaces no pod). */
    updateStrategy?: { type?: string | null } | null;
  } | null;
  status?: { updateRevision?: string | null; currentRevision?: string | null } | null;
}

/** The fields aku reads of its own Pod (v1). */
export interface PodObject {
  metadata?: {
    name?: string;
    deletionTimestamp?: string | Date | null;
    labels?: Record<string, string> | null;
    ownerReferences?: { kind?: string; name?: string; uid?: string }[] | null;
  } | null;
  status?: { conditions?: { type?: string; status?: string; reason?: string | null; message?: string | null }[] | null } | null;
}

/** What the adapter got back: the two objects (null: 404), or why it could not tell. */
export type ApiAnswer =
  | { kind: 'read'; statefulSet: StatefulSetObject | null; pod: PodObject | null; podUnreadable?: string }
  | { kind: 'unavailable'; why: string };

export type RetentionChoice = 'Retain' | 'Delete';

/** Why a pod that keeps its place in the StatefulSet stops. */
export type RestartCause =
  | 'rolling-update'
  | 'eviction'
  | 'node-shutdown'
  | 'preemption'
  | 'taint'
  | 'pod-deleted'
  | 'container-restart'
  | 'restart';

export type StopReason =
  | { kind: 'scale-down'; ordinal: number; replicas: number; whenScaled: RetentionChoice }
  | { kind: 'uninstall'; whenDeleted: RetentionChoice | 'unknown'; detail: string }
  | { kind: 'restart'; cause: RestartCause; detail: string }
  | { kind: 'unknown'; why: string };

/** What `-p end` does with the pairs, and the words the log and the outcome give for it. */
export interface Settlement {
  /** reset: both sides reset (decommission); keep: both sides keep their restart points. */
  settle: 'reset' | 'keep';
  /** Where the decision came from. */
  source: 'kubernetes' | 'AKU_REPLICATION_RESET_AT_END';
  /** One sentence naming the reason and the decision. */
  words: string;
}

/** Kubernetes' own default for both fields of persistentVolumeClaimRetentionPolicy. */
const DEFAULT_RETENTION: RetentionChoice = 'Retain';

export function stopReasonFrom(answer: ApiAnswer, self: { stsName: string; ordinal: number }): StopReason {
  if (answer.kind === 'unavailable') return { kind: 'unknown', why: answer.why };
  const { statefulSet, pod } = answer;
  const owner = pod?.metadata?.ownerReferences?.find((o) => o.kind === 'StatefulSet');
  if (statefulSet === null) {
    // Its policy went with it; see settlementOf for why keeping is right either way.
    return { kind: 'uninstall', whenDeleted: 'unknown', detail: `StatefulSet ${self.stsName} no longer exists` };
  }
  const policy = statefulSet.spec?.persistentVolumeClaimRetentionPolicy;
  const whenDeleted = retention(policy?.whenDeleted);
  if (statefulSet.metadata?.deletionTimestamp) {
    return { kind: 'uninstall', whenDeleted, detail: `StatefulSet ${self.stsName} is being deleted` };
  }
  if (owner?.uid && statefulSet.metadata?.uid && owner.uid !== statefulSet.metadata.uid) {
    // Deleted and created again under the same name: this pod's set is gone, as in an uninstall.
    return { kind: 'uninstall', whenDeleted: 'unknown', detail: `the StatefulSet ${self.stsName} that created this pod was deleted (a new one has uid ${statefulSet.metadata.uid})` };
  }
  // spec.replicas defaults to 1 when unset.
  const replicas = statefulSet.spec?.replicas ?? 1;
  if (self.ordinal >= replicas) {
    return { kind: 'scale-down', ordinal: self.ordinal, replicas, whenScaled: retention(policy?.whenScaled) };
  }
  return restartReason(statefulSet, pod, answer.podUnreadable);
}

function retention(value: string | null | undefined): RetentionChoice {
  return value === 'Delete' ? 'Delete' : DEFAULT_RETENTION;
}

/** The pod keeps its place: say what took it down, as far as the Pod object tells. */
function restartReason(statefulSet: StatefulSetObject, pod: PodObject | null, podUnreadable: string | undefined): StopReason {
  if (pod === null) {
    return { kind: 'restart', cause: 'restart', detail: `the pod keeps its place in the StatefulSet (replicas ${statefulSet.spec?.replicas ?? 1}); the Pod itself ${podUnreadable ? `could not be read (${podUnreadable})` : 'was not found'}` };
  }
  const disruption = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  const causes: Record<string, RestartCause> = {
    EvictionByEvictionAPI: 'eviction',
    TerminationByKubelet: 'node-shutdown',
    PreemptionByScheduler: 'preemption',
    DeletionByTaintManager: 'taint',
  };
  if (disruption) {
    const cause = causes[disruption.reason ?? ''] ?? 'restart';
    return { kind: 'restart', cause, detail: `DisruptionTarget ${disruption.reason ?? ''}${disruption.message ? `: ${disruption.message}` : ''}`.trim() };
  }
  if (!pod.metadata?.deletionTimestamp) {
    return { kind: 'restart', cause: 'container-restart', detail: 'the Pod is not being deleted: the kubelet restarts the container (a failed probe)' };
  }
  const revision = pod.metadata.labels?.['controller-revision-hash'];
  const update = statefulSet.status?.updateRevision;
  if (revision && update && revision !== update) {
    return { kind: 'restart', cause: 'rolling-update', detail: `rolling update from revision ${revision} to ${update}` };
  }
  return { kind: 'restart', cause: 'pod-deleted', detail: 'the Pod was deleted (kubectl delete pod, or its node went away); the StatefulSet creates it again' };
}

/**
 * The decision. AKU_REPLICATION_RESET_AT_END = 0 keeps in every case, as it always did; with 1,
 * the reason decides, and an unknown reason falls back to it (reset).
 *
 * A scale-down always decommissions, whatever whenScaled says: the pods that keep running would
 * otherwise keep log for a pod with no date of return, and a retained volume comes back, if it
 * does, by TRUNCATE + SYNC. An uninstall keeps unless the volumes are deleted with the set: every
 * pod stops, so nobody keeps log for anybody, and a reinstall over retained volumes resumes. When
 * the StatefulSet is already gone its policy cannot be read; keeping is right for retained volumes
 * and costs nothing for deleted ones (every pod and every volume of the set goes).
 */
export function settlementOf(reason: StopReason, resetAtEnd: boolean): Settlement {
  const kube = (settle: Settlement['settle'], words: string): Settlement => ({ settle, source: 'kubernetes', words });
  if (reason.kind === 'unknown') {
    return {
      settle: resetAtEnd ? 'reset' : 'keep',
      source: 'AKU_REPLICATION_RESET_AT_END',
      words: `why this pod stops is not known (${reason.why}); falling back to AKU_REPLICATION_RESET_AT_END = ${resetAtEnd ? '1: decommission (reset both sides)' : '0: keep the restart points on both sides'}`,
    };
  }
  if (!resetAtEnd) {
    return { settle: 'keep', source: 'AKU_REPLICATION_RESET_AT_END', words: `${describe(reason)}; AKU_REPLICATION_RESET_AT_END = 0: the restart points are kept on both sides` };
  }
  switch (reason.kind) {
    case 'scale-down':
      return kube('reset', `${describe(reason)}: decommission (reset both sides), so the remaining pods stop keeping log for it`);
    case 'uninstall':
      return reason.whenDeleted === 'Delete'
        ? kube('reset', `${describe(reason)} and its volumes are deleted with it (whenDeleted: Delete): decommission (reset both sides)`)
        : kube('keep', `${describe(reason)}${reason.whenDeleted === 'Retain' ? ' and its volumes are retained (whenDeleted: Retain)' : ' (its volume retention policy went with it)'}: deliberate keep of the restart points on both sides, so a reinstall over the volumes resumes`);
    case 'restart':
      return kube('keep', `${describe(reason)}: deliberate keep of the restart points on both sides; the pod's next aku -p start resumes with FLUSH, no TRUNCATE or SYNC`);
  }
}

/** The reason in a few words, for the log. */
export function describe(reason: StopReason): string {
  switch (reason.kind) {
    case 'scale-down':
      return `scale-down: ordinal ${reason.ordinal} >= spec.replicas ${reason.replicas} (whenScaled: ${reason.whenScaled})`;
    case 'uninstall':
      return `uninstall: ${reason.detail}`;
    case 'restart':
      return `restart (${reason.cause}): ${reason.detail}`;
    case 'unknown':
      return `unknown: ${reason.why}`;
  }
}
