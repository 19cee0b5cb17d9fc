import { ServerSessions } from '../../src/db/server-sessions.js';
import { result as benchResult, type BenchResult } from './types.js';
import { SimPods, testConfig } from '../helpers/sim-pods.js';

/**
 * Wall time of `aku -p start` against the time its statements spend inside the servers
 * (in-process altisim): the ratio shows aku's own overhead. Absent peers have no DNS record, as
 * in a StatefulSet below its AKU_SERVER_COUNT.
 */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (let absent = 0; absent <= 5; absent++) {
    const { wall, server } = await measure(1 + absent, async (pods) => {
      await pods.addPod(0);
      return { pod: 0 };
    });
    results.push(result(`inprocess-master-start-${absent}-absent`, wall, server));
  }
  const join = await measure(4, async (pods) => {
    await pods.addPod(0);
    await pods.aku(0, 'start');
    for (let id = 1; id <= 2000; id++) await pods.app(0, `INSERT INTO SYS.T1 VALUES (${id}, 'row ${id}')`);
    await pods.addPod(1);
    return { pod: 1 };
  });
  results.push(result('inprocess-slave-join-2000-rows', join.wall, join.server));
  return results;
}

function result(name: string, wallMs: number, serverMs: number): BenchResult {
  return benchResult(name, wallMs, 'ms', { name: 'time-inside-servers', value: Math.max(serverMs, 0.001), unit: 'ms' });
}

/** Median of five runs of one scenario. */
async function measure(serverCount: number, setUp: (pods: SimPods) => Promise<{ pod: number }>): Promise<{ wall: number; server: number }> {
  const samples: { wall: number; server: number }[] = [];
  for (let n = 0; n < 5; n++) {
    const pods = new SimPods(testConfig({ serverCount }));
    try {
      const { pod } = await setUp(pods);
      let serverTime = 0;
      const original = ServerSessions.prototype.get;
      ServerSessions.prototype.get = function (this: ServerSessions, host: string, port?: number) {
        const session = original.call(this, host, port);
        const query = session.query.bind(session);
        session.query = async (sql, options) => {
          const started = performance.now();
          try {
            return await query(sql, options);
          } finally {
            serverTime += performance.now() - started;
          }
        };
        return session;
      };
      const started = performance.now();
      try {
        const outcome = await pods.aku(pod, 'start');
        if (outcome.code !== 0) throw new Error(outcome.lines.join('\n'));
      } finally {
        ServerSessions.prototype.get = original;
      }
      samples.push({ wall: performance.now() - started, server: serverTime });
    } finally {
      pods.close();
    }
  }
  samples.sort((a, b) => a.wall - b.wall);
  return samples[2] as { wall: number; server: number };
}
