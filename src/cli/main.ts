/**
 * The entry of aku's bundle (dist/bundle/aku.cjs, built by scripts/bundle-cli.mjs; bin/aku runs
 * it). package.json's oclif section names this module as both the command (default export) and the
 * help class (`AkuHelp`): oclif then requires the bundle that is already loaded instead of loading
 * a second, unbundled copy of aku and of @oclif/core.
 */
import { execute } from '@oclif/core/execute';

export { default } from './aku-command.js';
export { default as AkuHelp } from './help-class.js';

/** Runs aku; `dir` is a file or directory inside the package (oclif finds package.json from it). */
export async function main(dir: string): Promise<void> {
  await execute({ dir });
}
