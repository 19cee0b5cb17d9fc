/**
 * Where the chaos run happens: the local cluster (brought up if it is not, under the machine's
 * cluster lock, and taken down again if this run brought it up, as the cluster suite does), or a
 * cluster named by AKU_KUBECONFIG + AKU_IMAGE; in a namespace of its own, created fresh and deleted
 * at the end with its claims.
 */
import { CLUSTER_SCRIPT, Cluster, clusterState, describeResult, resolveTarget, run, type Target } from '../cluster/helpers.js';
import { releaseLock, takeLock } from '../cluster/lock.js';
import type { Say } from './log.js';

export interface Harness {
  cluster: Cluster;
  target: Target;
  /** Deletes the namespace (unless kept), recycles the volumes, takes the cluster down if this run brought it up. */
  close(options: { keepNamespace: boolean }): Promise<void>;
}

async function must(what: string, p: ReturnType<typeof run>): Promise<void> {
  const r = await p;
  if (r.exitCode !== 0) throw new Error(`${what} failed: ${describeResult(r)}`);
}

export async function openHarness(namespace: string, say: Say): Promise<Harness | { reason: string }> {
  const target = resolveTarget();
  if ('reason' in target) return target;
  let release = (): void => undefined;
  let broughtUp = false;
  if (target.local) {
    say('setup', 'taking the cluster lock');
    await takeLock({ onWait: (holder) => say('setup', `waiting for the cluster lock (held by pid ${holder ?? '?'})`) });
    release = () => releaseLock();
    try {
      const state = clusterState(String((await run('bash', [CLUSTER_SCRIPT, 'status'])).all));
      say('setup', state === 'up' ? 'the local cluster is up: using it' : 'bringing the local cluster up');
      await must('cluster images', run('bash', [CLUSTER_SCRIPT, 'images'], { timeoutMs: 30 * 60_000 }));
      // `up` on a cluster that is up restarts it (and everyone's pods): only when it is not.
      if (state !== 'up') {
        await must('cluster up', run('bash', [CLUSTER_SCRIPT, 'up'], { timeoutMs: 30 * 60_000 }));
        broughtUp = true;
      }
      await must('cluster volumes', run('bash', [CLUSTER_SCRIPT, 'volumes']));
    } catch (error) {
      if (broughtUp) await run('bash', [CLUSTER_SCRIPT, 'down'], { timeoutMs: 300_000 });
      release();
      throw error;
    }
  }
  const cluster = new Cluster(target, namespace);
  const global = (args: string[]) => run(target.kubectl, ['--kubeconfig', target.kubeconfig, ...args], { timeoutMs: 240_000 });
  await global(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true']);
  await must(`kubectl create namespace ${namespace}`, global(['create', 'namespace', namespace]));
  return {
    cluster,
    target,
    async close({ keepNamespace }) {
      try {
        if (!keepNamespace) {
          await global(['delete', 'namespace', namespace, '--wait=true']);
          // Claims go with the namespace; their local volumes become Available again.
          if (process.getuid?.() === 0) await run('bash', [CLUSTER_SCRIPT, 'volumes']);
        }
        if (broughtUp) {
          say('teardown', 'taking the local cluster down (this run brought it up)');
          await run('bash', [CLUSTER_SCRIPT, 'down'], { timeoutMs: 300_000 });
        }
      } finally {
        release();
      }
    },
  };
}
