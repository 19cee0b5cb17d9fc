import { strict as assert } from 'node:assert';
import { settlementOf, stopReasonFrom, type ApiAnswer, type PodObject, type StatefulSetObject } from '../../src/lifecycle/stop-reason.js';

/** The API's answers as plain JSON, the shapes `kubectl get -o json` prints. */
const STS_UID = '8d1c1c8e-0000-4000-8000-000000000001';
function sts(overrides: { replicas?: number | null; deleting?: boolean; policy?: { whenDeleted?: string; whenScaled?: string }; updateRevision?: string; uid?: string } = {}): StatefulSetObject {
  return {
    metadata: { name: 'altibase-sts', uid: overrides.uid ?? STS_UID, ...(overrides.deleting ? { deletionTimestamp: '2026-12-02T11:30:00Z' } : {}) },
    spec: {
      ...(overrides.replicas === null ? {} : { replicas: overrides.replicas ?? 3 }),
      ...(overrides.policy ? { persistentVolumeClaimRetentionPolicy: overrides.policy } : {}),
    },
    status: { currentRevision: 'altibase-sts-aaa', updateRevision: overrides.updateRevision ?? 'altibase-sts-aaa' },
  };
}
function pod(overrides: { deleting?: boolean; revision?: string; disruption?: string; ownerUid?: string } = {}): PodObject {
  return {
    metadata: {
      name: 'altibase-sts-1',
      labels: { 'controller-revision-hash': overrides.revision ?? 'altibase-sts-aaa' },
      ownerReferences: [{ kind: 'StatefulSet', name: 'altibase-sts', uid: overrides.ownerUid ?? STS_UID }],
      ...(overrides.deleting === false ? {} : { deletionTimestamp: '2026-12-02T11:30:00Z' }),
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }, ...(overrides.disruption ? [{ type: 'DisruptionTarget', status: 'True', reason: overrides.disruption, message: 'Eviction API: evicting' }] : [])] },
  };
}
const read = (statefulSet: StatefulSetObject | null, p: PodObject | null = pod()): ApiAnswer => ({ kind: 'read', statefulSet, pod: p });
const self = (ordinal = 1) => ({ stsName: 'altibase-sts', ordinal });

describe('why a pod stops: the API answer → a stop reason → reset or keep (stop-reason.ts)', () => {
  describe('stopReasonFrom', () => {
    it('an ordinal at or beyond spec.replicas is a scale-down, with whenScaled (default Retain)', () => {
      assert.deepEqual(stopReasonFrom(read(sts({ replicas: 2 })), self(2)), { kind: 'scale-down', ordinal: 2, replicas: 2, whenScaled: 'Retain' });
      assert.deepEqual(stopReasonFrom(read(sts({ replicas: 1, policy: { whenScaled: 'Delete' } })), self(2)), { kind: 'scale-down', ordinal: 2, replicas: 1, whenScaled: 'Delete' });
      assert.equal(stopReasonFrom(read(sts({ replicas: 3 })), self(2)).kind, 'restart', 'ordinal 2 of 3 keeps its place');
    });

    it('spec.replicas unset means 1, as in Kubernetes', () => {
      assert.equal(stopReasonFrom(read(sts({ replicas: null })), self(1)).kind, 'scale-down');
      assert.equal(stopReasonFrom(read(sts({ replicas: null })), self(0)).kind, 'restart');
    });

    it('a StatefulSet that is gone is an uninstall whose policy is unknown; one being deleted carries its whenDeleted', () => {
      assert.deepEqual(stopReasonFrom(read(null), self()), { kind: 'uninstall', whenDeleted: 'unknown', detail: 'StatefulSet altibase-sts no longer exists' });
      assert.deepEqual(stopReasonFrom(read(sts({ deleting: true, policy: { whenDeleted: 'Delete' } })), self()), { kind: 'uninstall', whenDeleted: 'Delete', detail: 'StatefulSet altibase-sts is being deleted' });
      assert.deepEqual(stopReasonFrom(read(sts({ deleting: true })), self()), { kind: 'uninstall', whenDeleted: 'Retain', detail: 'StatefulSet altibase-sts is being deleted' });
      // Being deleted wins over a scale-down: the whole set goes.
      assert.equal(stopReasonFrom(read(sts({ deleting: true, replicas: 0 })), self()).kind, 'uninstall');
    });

    it('a StatefulSet of the same name but another uid than the pod\'s owner is an uninstall of the pod\'s own set', () => {
      const reason = stopReasonFrom(read(sts({ uid: 'another-uid' }), pod({ ownerUid: STS_UID })), self());
      assert.equal(reason.kind, 'uninstall');
      assert.match(reason.kind === 'uninstall' ? reason.detail : '', /another-uid/);
    });

    it('otherwise a restart, named from the Pod: rolling update, eviction, node shutdown, deleted pod, container restart', () => {
      const cause = (s: StatefulSetObject, p: PodObject | null) => {
        const r = stopReasonFrom(read(s, p), self());
        return r.kind === 'restart' ? r.cause : r.kind;
      };
      assert.equal(cause(sts({ updateRevision: 'altibase-sts-bbb' }), pod({ revision: 'altibase-sts-aaa' })), 'rolling-update');
      assert.equal(cause(sts(), pod({ disruption: 'EvictionByEvictionAPI' })), 'eviction');
      assert.equal(cause(sts(), pod({ disruption: 'TerminationByKubelet' })), 'node-shutdown');
      assert.equal(cause(sts(), pod({ disruption: 'PreemptionByScheduler' })), 'preemption');
      assert.equal(cause(sts(), pod({ disruption: 'DeletionByTaintManager' })), 'taint');
      assert.equal(cause(sts(), pod({ disruption: 'SomethingNew' })), 'restart');
      assert.equal(cause(sts(), pod()), 'pod-deleted');
      assert.equal(cause(sts(), pod({ deleting: false })), 'container-restart');
      assert.equal(cause(sts(), null), 'restart', 'the Pod not readable: still a restart, the StatefulSet decides');
    });

    it('an unreadable Pod is named in the detail', () => {
      const reason = stopReasonFrom({ kind: 'read', statefulSet: sts(), pod: null, podUnreadable: 'HTTP 403 pods is forbidden' }, self());
      assert.match(reason.kind === 'restart' ? reason.detail : '', /could not be read \(HTTP 403 pods is forbidden\)/);
    });

    it('no answer is an unknown reason carrying why', () => {
      assert.deepEqual(stopReasonFrom({ kind: 'unavailable', why: 'ECONNREFUSED' }, self()), { kind: 'unknown', why: 'ECONNREFUSED' });
    });
  });

  describe('settlementOf', () => {
    it('scale-down decommissions whatever whenScaled says; the words say "decommission"', () => {
      for (const whenScaled of ['Retain', 'Delete'] as const) {
        const s = settlementOf({ kind: 'scale-down', ordinal: 2, replicas: 2, whenScaled }, true);
        assert.equal(s.settle, 'reset');
        assert.equal(s.source, 'kubernetes');
        assert.match(s.words, /decommission/);
      }
    });

    it('uninstall: volumes deleted → decommission; retained or unknown → keep', () => {
      assert.equal(settlementOf({ kind: 'uninstall', whenDeleted: 'Delete', detail: 'x' }, true).settle, 'reset');
      assert.equal(settlementOf({ kind: 'uninstall', whenDeleted: 'Retain', detail: 'x' }, true).settle, 'keep');
      assert.equal(settlementOf({ kind: 'uninstall', whenDeleted: 'unknown', detail: 'x' }, true).settle, 'keep');
    });

    it('a restart keeps, as a deliberate keep naming the cause', () => {
      const s = settlementOf({ kind: 'restart', cause: 'pod-deleted', detail: 'the Pod was deleted' }, true);
      assert.deepEqual([s.settle, s.source], ['keep', 'kubernetes']);
      assert.match(s.words, /^restart \(pod-deleted\).*deliberate keep/);
    });

    it('an unknown reason falls back to AKU_REPLICATION_RESET_AT_END, naming it', () => {
      const on = settlementOf({ kind: 'unknown', why: 'no answer within 5 s' }, true);
      assert.deepEqual([on.settle, on.source], ['reset', 'AKU_REPLICATION_RESET_AT_END']);
      assert.match(on.words, /no answer within 5 s.*AKU_REPLICATION_RESET_AT_END = 1/);
      assert.equal(settlementOf({ kind: 'unknown', why: 'x' }, false).settle, 'keep');
    });

    it('AKU_REPLICATION_RESET_AT_END = 0 keeps in every case, as it always did', () => {
      const s = settlementOf({ kind: 'scale-down', ordinal: 2, replicas: 2, whenScaled: 'Delete' }, false);
      assert.deepEqual([s.settle, s.source], ['keep', 'AKU_REPLICATION_RESET_AT_END']);
    });
  });
});
