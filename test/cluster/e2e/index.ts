/**
 * The end-to-end scenarios (issue 14), one file each, each in a namespace and release of its own.
 * cluster.test.ts runs them on the cluster it brought up (or AKU_KUBECONFIG's), after the chart
 * suite and before the teardown; `--grep e2e:` runs them alone.
 */
import type { Target } from '../helpers.js';
import { scalePaths } from './scale-paths.js';
import { podDelete } from './pod-delete.js';
import { cleanAndRejoin } from './clean.js';
import { reinstallOverClaims } from './reinstall.js';
import { longNames } from './long-names.js';
import { badUpgrade } from './bad-upgrade.js';
import { wholeRestart } from './whole-restart.js';
import { interruptions } from './interruptions.js';
import { rollingRestart } from './rolling-restart.js';
import { powerLoss } from './power-loss.js';
import { scaleDownDuringSync } from './scale-down-during-sync.js';
import { metricsScrape } from './metrics-scrape.js';
import { staleObjects } from './stale-objects.js';
import { masterStorageLost } from './master-storage-lost.js';

export const E2E_SCENARIOS: [title: string, scenario: (target: Target) => void][] = [
  ['e2e: scaling with helm upgrade and kubectl scale', scalePaths],
  ['e2e: kubectl delete pod of a slave and of the MASTER', podDelete],
  ['e2e: aku -p clean and the way back', cleanAndRejoin],
  ['e2e: helm uninstall, helm install over the kept claims', reinstallOverClaims],
  ['e2e: a release name and a namespace of 20+ characters', longNames],
  ['e2e: a bad helm upgrade, helm rollback', badUpgrade],
  ['e2e: a pod deleted during its start; a preStop that outlives the grace period', interruptions],
  ['e2e: every pod deleted at once', wholeRestart],
  ['e2e: a rolling restart of 100 000 rows resumes every pod', rollingRestart],
  ['e2e: the node loses power, then comes back', powerLoss],
  ['e2e: a scale-down while the joining pod is in its SYNC', scaleDownDuringSync],
  ['e2e: the metrics exporter, scraped', metricsScrape],
  ['e2e: a pod killed without aku -p end, scale-down, reconcile', staleObjects],
  ['e2e: the MASTER loses its storage, aku recover', masterStorageLost],
];
