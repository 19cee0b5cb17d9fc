import { isConfigError, loadAkuConf } from '../config/index.js';
import { buildTopology, PodIdentityError, resolvePodIdentity } from '../topology/index.js';
import { EXIT } from './exit-codes.js';
import type { PodAction } from './pod-action.js';

export interface PodActionOptions {
  dryRun: boolean;
}

/** Validates everything `-p` needs (config, pod identity, topology) before any database is touched. */
export async function runPodAction(action: PodAction, options: PodActionOptions): Promise<number> {
  try {
    const loaded = loadAkuConf();
    buildTopology(loaded.config, resolvePodIdentity());
  } catch (error) {
    if (isConfigError(error) || error instanceof PodIdentityError) {
      process.stderr.write(`aku: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  void options;
  process.stderr.write(`aku: the ${action} action is not available in this build yet; the configuration is valid\n`);
  return EXIT.operationFailed;
}
