import { Command, Errors, Flags } from '@oclif/core';
import { isConfigError, loadAkuConf } from '../config/index.js';
import { buildTopology, PodIdentityError, podNameMismatch, resolvePodIdentity } from '../topology/index.js';
import { EXIT } from './exit-codes.js';
import { helpScreen } from './help-screen.js';
import { buildInfoReport, renderInfoText } from './info-report.js';
import { parsePodAction, PodActionError, type PodAction } from './pod-action.js';
import { runPodAction } from './run-pod-action.js';

/**
 * `aku`: the single command. Options are the original's (-h, -v, -i, -p start|end|clean) plus
 * --show-password for -i, --json for both, and --dry-run for -p.
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
  };

  static override strict = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(Aku);
    if (flags.version) {
      this.log(`aku version ${this.config.version}`);
      return;
    }
    const chosen = [flags.info && '-i', flags.pod !== undefined && '-p'].filter(Boolean);
    if (chosen.length === 0) return this.usage();
    if (chosen.length > 1) return this.usage('use either -i or -p, not both');
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
