/**
 * The entry of aku's bundle (dist/bundle/aku.cjs, built by scripts/bundle-cli.mjs; bin/aku runs
 * it). package.json's oclif section names this module as both the command (default export) and the
 * help class (`AkuHelp`): oclif then requires the bundle that is already loaded instead of loading
 * a second, unbundled copy of aku and of @oclif/core.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execute } from '@oclif/core/execute';

export { default } from './aku-command.js';
export { default as AkuHelp } from './help-class.js';

/**
 * Runs aku from the package at `root`. oclif is given the package.json and told that aku has no
 * plugins, which spares each start its searches: for the package root, for user-installed and
 * development plugins (files under $HOME that a pod never has).
 */
export async function main(root: string): Promise<void> {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  await execute({ loadOptions: { root, pjson, userPlugins: false, devPlugins: false } });
}
