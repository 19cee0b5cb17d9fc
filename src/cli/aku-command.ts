// oclif's sub-modules, not its index: the index checks the Node version with semver on every start.
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { isConfigError, loadAkuConf } from '../config/index.js';
import { PROPERTY_BY_NAME } from '../config/properties.js';
import { buildTopology, PodIdentityError, podNameMismatch, resolvePodIdentity } from '../topology/index.js';
import { chooseAction, COMMAND_WORDS, type ActionName, type ActionOption } from './actions.js';
import { EXIT } from './exit-codes.js';
import { helpScreen } from './help-screen.js';
import { buildInfoReport, renderInfoText } from './info-report.js';
import { parsePodAction, PodActionError, type PodAction } from './pod-action.js';

/** The most pods aku replicates: AKU_SERVER_COUNT's maximum, from its one definition. */
const serverCount = PROPERTY_BY_NAME.get('AKU_SERVER_COUNT');
const MAX_REPLICAS = serverCount?.kind === 'integer' ? serverCount.max : 6;
/** `aku metrics`' port: nothing of aku or Altibase listens there (docs/metrics.md). */
const DEFAULT_METRICS_PORT = 9187;

/**
 * `aku`: the single command. The original's actions are options (-h, -v, -i, -p start|end|clean),
 * with --show-password for -i, --json and --dry-run; aku's own actions are command words after
 * them (`aku status`, with `-s` as its short form; `aku reconcile`; `aku metrics`; `aku recover`).
 * actions.ts says which options go with which.
 */
export default class Aku extends Command {
  static override description = 'Altibase Kubernetes Utility: keeps every pod of an Altibase StatefulSet replicated';

  static override flags = {
    version: Flags.boolean({ char: 'v', description: 'version information' }),
    info: Flags.boolean({ char: 'i', description: 'print the parsed aku.conf' }),
    pod: Flags.string({ char: 'p', description: 'pod action: start | end | clean', helpValue: 'pod_action' }),
    'show-password': Flags.boolean({ description: 'with -i, print the SYS password in clear' }),
    json: Flags.boolean({ description: 'with -i, print the information as JSON; with -p, reconcile or recover, print the outcome as JSON; with -s, the status' }),
    'dry-run': Flags.boolean({ description: 'with -p or reconcile, print the plan and change nothing' }),
    'discard-kept': Flags.boolean({ description: "with reconcile, also reset what a departed pod's aku -p end kept because it could not deliver (those changes are lost)" }),
    status: Flags.boolean({ char: 's', description: 'every replication pair of every pod, with a verdict; read-only' }),
    replicas: Flags.string({ description: 'with -s, reconcile or metrics, the number of pods the StatefulSet has (-s and metrics default: up to the highest pod that answers; reconcile default: the StatefulSet\'s spec.replicas)', helpValue: 'N' }),
    'fail-on': Flags.string({ description: 'with -s, the verdict that makes the exit status 1: fail (default) or warn', options: ['fail', 'warn'] }),
    port: Flags.string({ description: `with metrics, the HTTP port of /metrics and /healthz (default ${DEFAULT_METRICS_PORT})`, helpValue: 'N' }),
    from: Flags.string({ description: 'with recover, the ordinal of the slave the MASTER is restored from', helpValue: 'ordinal' }),
    yes: Flags.boolean({ description: 'with recover, carry the plan out (without it: print the plan, change nothing)' }),
    'accept-loss': Flags.boolean({ description: 'with recover, go on although rows another pod holds would be lost (they are named)' }),
  };

  static override strict = true;

  static override args = {
    // ignoreStdin: without it oclif reads stdin for a missing argument (10 ms and node:readline on
    // every run, and the stdin of a probe or preStop is not aku's to read).
    command: Args.string({ description: `aku's own commands: ${COMMAND_WORDS.join(', ')}`, options: [...COMMAND_WORDS], required: false, ignoreStdin: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Aku);
    if (flags.version) {
      this.log(`aku version ${this.config.version}`);
      return;
    }
    const asked: ActionName[] = [];
    if (flags.info) asked.push('info');
    if (flags.pod !== undefined) asked.push('pod');
    if (flags.status || args.command === 'status') asked.push('status');
    if (args.command === 'reconcile') asked.push('reconcile');
    if (args.command === 'metrics') asked.push('metrics');
    if (args.command === 'recover') asked.push('recover');
    const given = (['show-password', 'json', 'dry-run', 'replicas', 'fail-on', 'port', 'discard-kept', 'from', 'yes', 'accept-loss'] as const).filter((o): o is ActionOption => flags[o] !== undefined && flags[o] !== false);
    const choice = chooseAction([...new Set(asked)], given);
    if (!('action' in choice)) return this.usage(choice.problem);

    switch (choice.action) {
      case 'status':
        return this.status(flags.replicas, flags['fail-on'], flags.json);
      case 'reconcile':
        return this.reconcile(flags.replicas, flags['dry-run'], flags.json, flags['discard-kept']);
      case 'metrics':
        return this.metrics(flags.port, flags.replicas);
      case 'info':
        return this.info(flags['show-password'], flags.json);
      case 'pod':
        return this.pod(flags.pod ?? '', flags['dry-run'], flags.json);
      case 'recover':
        return this.recover(flags.from, flags.yes, flags['accept-loss'], flags.json);
    }
  }

  private async recover(from: string | undefined, yes: boolean, acceptLoss: boolean, json: boolean): Promise<void> {
    if (from === undefined) return this.usage('recover needs --from <ordinal>: the slave to restore the MASTER from');
    if (!/^[0-9]+$/.test(from)) return this.usage(`--from ${from} is not an ordinal; expected the ordinal of a slave (1, 2, ...)`);
    // Loaded here, on use, like -p's lifecycle; the range of --from needs aku.conf, checked there.
    const { runRecoverCommand } = await import('./run-recover.js');
    const code = await runRecoverCommand({ source: Number(from), act: yes, acceptLoss, json });
    if (code !== EXIT.ok) this.exit(code);
  }

  private async status(replicasFlag: string | undefined, failOn: string | undefined, json: boolean): Promise<void> {
    const replicas = this.replicas(replicasFlag);
    // Loaded here, not at the top, like -p's lifecycle: -i, -v and -h never load them.
    const { runStatusCommand } = await import('./run-status.js');
    const code = await runStatusCommand({
      json,
      failOn: failOn === 'warn' ? 'warn' : 'fail',
      ...(replicas === undefined ? {} : { replicas: { count: replicas, source: 'option' as const } }),
    });
    if (code !== EXIT.ok) this.exit(code);
  }

  private async reconcile(replicasFlag: string | undefined, dryRun: boolean, json: boolean, discardKept: boolean): Promise<void> {
    const replicas = this.replicas(replicasFlag);
    // Loaded here, like status: only reconcile loads the reconcile code (and, through it, the Kubernetes client).
    const { runReconcileCommand } = await import('./run-reconcile.js');
    const code = await runReconcileCommand({ dryRun, json, discardKept, ...(replicas === undefined ? {} : { replicas }) });
    if (code !== EXIT.ok) this.exit(code);
  }

  /** `aku metrics`: a Prometheus exporter of the status until SIGTERM (docs/metrics.md). */
  private async metrics(portFlag: string | undefined, replicasFlag: string | undefined): Promise<void> {
    const port = portFlag === undefined ? DEFAULT_METRICS_PORT : Number(portFlag);
    if (!(/^[0-9]+$/.test(portFlag ?? '1') && port >= 1 && port <= 65535)) return this.usage(`--port ${portFlag} is not allowed; expected an integer from 1 to 65535`);
    const replicas = this.replicas(replicasFlag);
    // Loaded here: prom-client and the HTTP server only for this command.
    const { runMetricsCommand } = await import('./run-metrics.js');
    const code = await runMetricsCommand({
      port,
      version: this.config.version,
      ...(replicas === undefined ? {} : { replicas: { count: replicas, source: 'option' as const } }),
    });
    if (code !== EXIT.ok) this.exit(code);
  }

  /** `--replicas N`, checked (1 … the most pods aku replicates). */
  private replicas(flag: string | undefined): number | undefined {
    if (flag === undefined) return undefined;
    const replicas = Number(flag);
    if (!(/^[0-9]+$/.test(flag) && replicas >= 1 && replicas <= MAX_REPLICAS)) {
      return this.usage(`--replicas ${flag} is not allowed; expected an integer from 1 to ${MAX_REPLICAS}`);
    }
    return replicas;
  }

  private async pod(word: string, dryRun: boolean, json: boolean): Promise<void> {
    let action: PodAction;
    try {
      action = parsePodAction(word);
    } catch (error) {
      if (error instanceof PodActionError) return this.usage(error.message);
      throw error;
    }
    // Loaded here, not at the top: -i, -v and -h never load the lifecycle, the session layer or a driver.
    const { runPodAction } = await import('./run-pod-action.js');
    const code = await runPodAction(action, { dryRun, json });
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
