// oclif's sub-modules, not its index: the index checks the Node version with semver on every start.
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import { isConfigError, loadAkuConf } from '../config/index.js';
import { PROPERTY_BY_NAME } from '../config/properties.js';
import { buildTopology, PodIdentityError, podNameMismatch, resolvePodIdentity } from '../topology/index.js';
import { EXIT } from './exit-codes.js';
import { helpScreen } from './help-screen.js';
import { buildInfoReport, renderInfoText } from './info-report.js';
import { parsePodAction, PodActionError, type PodAction } from './pod-action.js';

/** The most pods aku replicates: AKU_SERVER_COUNT's maximum, from its one definition. */
const serverCount = PROPERTY_BY_NAME.get('AKU_SERVER_COUNT');
const MAX_REPLICAS = serverCount?.kind === 'integer' ? serverCount.max : 6;

/**
 * `aku`: the single command. Options are the original's (-h, -v, -i, -p start|end|clean) plus
 * --show-password for -i, --json for all, --dry-run for -p, and aku's read-only `-s` (status)
 * with --replicas and --fail-on. `-s` is an option like the original's actions, not a
 * subcommand, so the single-command CLI and its help screen keep their shape (docs/status.md).
 */
export default class Aku extends Command {
  static override description = 'Altibase Kubernetes Utility: keeps every pod of an Altibase StatefulSet replicated';

  static override flags = {
    version: Flags.boolean({ char: 'v', description: 'version information' }),
    info: Flags.boolean({ char: 'i', description: 'print the parsed aku.conf' }),
    pod: Flags.string({ char: 'p', description: 'pod action: start | end | clean', helpValue: 'pod_action' }),
    'show-password': Flags.boolean({ description: 'with -i, print the SYS password in clear' }),
    json: Flags.boolean({ description: 'with -i, print the information as JSON; with -p, print the outcome (steps, pairs, problems) as JSON' }),
    'dry-run': Flags.boolean({ description: 'with -p, print the plan and change nothing' }),
    status: Flags.boolean({ char: 's', description: 'every replication pair of every pod, with a verdict; read-only' }),
    replicas: Flags.string({ description: 'with -s, the number of pods the StatefulSet has (default: up to the highest pod that answers)', helpValue: 'N' }),
    'fail-on': Flags.string({ description: 'with -s, the verdict that makes the exit status 1: fail (default) or warn', options: ['fail', 'warn'] }),
  };

  static override strict = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(Aku);
    if (flags.version) {
      this.log(`aku version ${this.config.version}`);
      return;
    }
    const chosen = [flags.info && '-i', flags.pod !== undefined && '-p', flags.status && '-s'].filter(Boolean);
    if (!flags.status && (flags.replicas !== undefined || flags['fail-on'] !== undefined)) return this.usage('--replicas and --fail-on go with -s');
    if (chosen.length === 0) return this.usage();
    if (chosen.length > 1) return this.usage(`use one of -i, -p and -s, not ${chosen.join(' and ')}`);
    if (flags.status) {
      if (flags['dry-run'] || flags['show-password']) return this.usage(`${flags['dry-run'] ? '--dry-run' : '--show-password'} does not go with -s (status changes nothing and prints no password)`);
      const replicas = flags.replicas === undefined ? undefined : Number(flags.replicas);
      if (replicas !== undefined && !(/^[0-9]+$/.test(flags.replicas ?? '') && replicas >= 1 && replicas <= MAX_REPLICAS)) {
        return this.usage(`--replicas ${flags.replicas} is not allowed; expected an integer from 1 to ${MAX_REPLICAS}`);
      }
      // Loaded here, not at the top, like -p's lifecycle below: -i, -v and -h never load them.
      const { runStatusCommand } = await import('./run-status.js');
      const code = await runStatusCommand({
        json: flags.json,
        failOn: flags['fail-on'] === 'warn' ? 'warn' : 'fail',
        ...(replicas === undefined ? {} : { replicas: { count: replicas, source: 'option' as const } }),
      });
      if (code !== EXIT.ok) this.exit(code);
      return;
    }
    if (flags.info) {
      if (flags['dry-run']) return this.usage('--dry-run goes with -p');
      return this.info(flags['show-password'], flags.json);
    }
    if (flags['show-password']) return this.usage('--show-password goes with -i');
    let action: PodAction;
    try {
      action = parsePodAction(flags.pod ?? '');
    } catch (error) {
      if (error instanceof PodActionError) return this.usage(error.message);
      throw error;
    }
    // Loaded here, not at the top: -i, -v and -h never load the lifecycle, the session layer or a driver.
    const { runPodAction } = await import('./run-pod-action.js');
    const code = await runPodAction(action, { dryRun: flags['dry-run'], json: flags.json });
    if (code !== EXIT.ok) this.exit(code);
  }

  private info(showPassword: boolean, json: boolean): void {
    try {
      const loaded = loadAkuConf();
      const pod = resolvePodIdentity();
      const topology = buildTopology(loaded.config, pod);
      const report = buildInfoReport(loaded, topology, showPassword);
      this.log(json ? JSON.stringify(report, null, 2) : renderInfoText(report));
      const mismatch = podNameMismatch(loaded.config, pod);
      if (mismatch) process.stderr.write(`aku: warning: ${mismatch}\n`);
    } catch (error) {
      if (isConfigError(error) || error instanceof PodIdentityError) {
        process.stderr.write(`aku: ${error.message}\n`);
        this.exit(EXIT.usage);
      }
      throw error;
    }
  }

  /** No option, or options that do not go together: the help screen (and why), exit 2. */
  private usage(problem?: string): never {
    if (problem) process.stderr.write(`aku: ${problem}\n`);
    this.log(helpScreen());
    this.exit(EXIT.usage);
  }

  /** oclif's parse errors (unknown flag, stray argument) become one line and exit 2, no stack trace. */
  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (error instanceof Errors.ExitError) throw error;
    if (error.oclif?.exit === 0) return;
    // oclif's parser errors carry the parse state (or oclif's usage exit code); anything else is a real failure.
    if ('parse' in error || error.oclif?.exit === EXIT.usage) {
      const first = error.message.split('\n')[0] ?? error.message;
      const hint = /--pod expects a value/.test(first) ? ': one of start, end, clean' : '';
      process.stderr.write(`aku: ${first}${hint}\n`);
      process.stderr.write('See `aku --help`.\n');
      this.exit(EXIT.usage);
    }
    throw error;
  }
}
