/** State the scenarios of the cluster suite share, in the order cluster.test.ts runs them. */
import type { Cluster } from './helpers.js';

export interface SuiteContext {
  cluster: Cluster;
  release: string;
}

/** Filled by cluster.test.ts's before hook; scenarios read it inside their tests. */
export const suite: { ctx?: SuiteContext } = {};

export function ctx(): SuiteContext {
  if (!suite.ctx) throw new Error('the cluster suite did not start (see the before hook)');
  return suite.ctx;
}
