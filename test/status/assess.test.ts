import { strict as assert } from 'node:assert';
import { assess, senderStatusName, type AssessInput } from '../../src/status/assess.js';
import type { ServerObservation } from '../../src/status/observe.js';
import { replicasFromAnswers } from '../../src/status/replicas.js';

/** The verdict rules on hand-made observations: the cases a running altisim set does not easily reach. */

const config = {
  stsName: 'db',
  svcName: 'db-h',
  serverCount: 3,
  replications: [
    { prefix: 'A', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T1' }] },
    { prefix: 'B$X', syncParallelCount: 1, items: [{ user: 'SYS', table: 'T2' }] },
  ],
};

function seen(ordinal: number, objects: Record<string, [number, boolean]>, senders: Record<string, [number, boolean]> = {}, extra: Partial<ServerObservation> = {}): ServerObservation {
  return {
    node: { ordinal, host: `db-${ordinal}.db-h` },
    state: 'reachable',
    login: 'sysdba',
    reason: null,
    adminMode: 0,
    objects: new Map(Object.entries(objects).map(([n, [xsn, started]]) => [n, { xsn, started }])),
    senders: new Map(Object.entries(senders).map(([n, [statusCode, netError]]) => [n, { statusCode, netError }])),
    receivers: new Map(Object.keys(senders).map((n) => [n, { insert: 0, update: 1, delete: 0 }])),
    gaps: new Map(Object.keys(senders).map((n) => [n, 7])),
    ...extra,
  };
}

const input = (observations: ServerObservation[], count: number, failOn: 'warn' | 'fail' = 'fail'): AssessInput => ({
  config,
  replicas: { count, source: 'option' },
  observations: new Map(observations.map((o) => [o.node.ordinal, o])),
  observer: null,
  failOn,
});

describe('status verdicts (assess)', () => {
  it('a healthy pair in two groups, one prefix holding `$`: ok, with the gap', () => {
    const objects = { A_01: [5, true], B$X_01: [6, true] } as Record<string, [number, boolean]>;
    const senders = { A_01: [1, false], B$X_01: [1, false] } as Record<string, [number, boolean]>;
    const report = assess(input([seen(0, objects, senders), seen(1, objects, senders)], 2));
    assert.equal(report.verdict, 'ok');
    assert.deepEqual(report.pairs.map((p) => [p.name, p.group, p.verdict]), [['A_01', 'A', 'ok'], ['B$X_01', 'B$X', 'ok']]);
    assert.equal(report.pairs[1]?.sides[0].gap, 7);
    assert.deepEqual(report.pairs[1]?.sides[0].conflicts, { insert: 0, update: 1, delete: 0 });
    assert.deepEqual(report.counts, { ok: 4, warn: 0, fail: 0 });
  });

  it('a missing side fails; on the MASTER the next step is aku recover from the other side', () => {
    const report = assess(input([seen(0, { A_01: [5, true] }, { A_01: [1, false] }), seen(1, {})], 2));
    const a = report.pairs.find((p) => p.name === 'A_01');
    assert.equal(a?.verdict, 'fail');
    assert.match(a?.problem ?? '', /A_01 does not exist on db-1/);
    assert.match(a?.nextStep ?? '', /kubectl delete pod db-1: its aku -p start creates its objects/);
    const master = assess(input([seen(0, {}), seen(1, { A_01: [5, true] }, { A_01: [1, false] })], 2)).pairs[0];
    assert.equal(master?.nextStep, 'the MASTER lost its side: kubectl exec db-0 -- aku recover --from 1 prints the plan to restore it from db-1 (--yes carries it out; docs/recover.md)');
  });

  it('stopped and reset, started without a sender, a sender in SYNC: fail, warn, warn', () => {
    const reset = assess(input([seen(0, { A_01: [-1, false] }), seen(1, { A_01: [5, true] }, { A_01: [1, false] })], 2)).pairs[0];
    assert.equal(reset?.verdict, 'fail');
    assert.match(reset?.problem ?? '', /A_01 is stopped on db-0 \(XSN -1, reset: no restart point\)/);
    assert.match(reset?.nextStep ?? '', /kubectl delete pod db-1: its aku -p start rejoins the pair/);
    const noSender = assess(input([seen(0, { A_01: [5, true] }), seen(1, { A_01: [5, true] }, { A_01: [1, false] })], 2)).pairs[0];
    assert.equal(noSender?.verdict, 'warn');
    assert.match(noSender?.problem ?? '', /started on db-0 but no sender runs there/);
    const sync = assess(input([seen(0, { A_01: [5, true] }, { A_01: [6, false] }), seen(1, { A_01: [5, true] }, { A_01: [1, false] })], 2)).pairs[0];
    assert.equal(sync?.verdict, 'warn');
    assert.match(sync?.problem ?? '', /is in SYNC, not RUN/);
  });

  it('--fail-on warn makes a warn exit 1; a fail is exit 1 either way', () => {
    const objects = { A_01: [5, true], B$X_01: [5, true] } as Record<string, [number, boolean]>;
    const warn = [seen(0, objects, { A_01: [2, true], B$X_01: [1, false] }), seen(1, objects, { A_01: [1, false], B$X_01: [1, false] })];
    assert.equal(assess(input(warn, 2)).verdict, 'warn');
    assert.equal(assess(input(warn, 2)).exitCode, 0);
    assert.equal(assess(input(warn, 2, 'warn')).exitCode, 1);
    const fail = [seen(0, objects, { A_01: [1, false], B$X_01: [1, false] }), { ...seen(1, {}), state: 'unreachable' as const }];
    assert.equal(assess(input(fail, 2)).verdict, 'fail');
    assert.equal(assess(input(fail, 2)).exitCode, 1);
    assert.equal(assess(input(fail, 2, 'warn')).exitCode, 1);
  });

  it('a replica count beyond AKU_SERVER_COUNT: the extra pod fails and is in no pair', () => {
    const objects = { A_01: [5, true], A_02: [5, true], A_12: [5, true] } as Record<string, [number, boolean]>;
    const report = assess(input([seen(0, objects), seen(1, objects), seen(2, objects)], 4));
    assert.equal(report.pods[3]?.verdict, 'fail');
    assert.match(report.pods[3]?.problem ?? '', /db-3 is beyond AKU_SERVER_COUNT = 3/);
    assert.ok(report.pairs.every((p) => p.ordinals[1] < 3));
  });

  it('objects toward ordinals beyond the count: the holder and the peer ordinal are named', () => {
    const report = assess(input([seen(0, { A_01: [3, false], A_02: [-1, false], B$X_01: [-1, false] })], 1));
    assert.deepEqual(report.beyond.map((b) => [b.name, b.peerOrdinal, b.verdict]), [['A_01', 1, 'warn'], ['A_02', 2, 'ok'], ['B$X_01', 1, 'ok']]);
    assert.match(report.beyond[0]?.problem ?? '', /A_01 on db-0 keeps a restart point \(XSN 3\) toward db-1/);
  });

  it('the replica count from the answers: busy counts, unreachable does not, pod 0 always', () => {
    const busy = { ...seen(2, {}), state: 'busy' as const };
    const down = { ...seen(1, {}), state: 'unreachable' as const };
    assert.deepEqual(replicasFromAnswers([seen(0, {}), down, busy]), { count: 3, source: 'answering' });
    assert.deepEqual(replicasFromAnswers([{ ...seen(0, {}), state: 'unreachable' }]), { count: 1, source: 'answering' });
  });

  it('names every V$REPSENDER status of the reference, and UNKNOWN beyond', () => {
    assert.deepEqual([0, 1, 2, 6, 9, 42].map(senderStatusName), ['STOP', 'RUN', 'RETRY', 'SYNC', 'IDLE', 'UNKNOWN']);
  });
});
