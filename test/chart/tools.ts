/**
 * Finds the chart tooling that scripts/install-tools.sh installs (helm, kubeconform, the offline
 * Kubernetes JSON schemas) and wraps the few commands the chart tests run.
 *
 * Location: $AKU_TOOLS_DIR/tools.env, else ~/.cache/aku-tools/tools.env (the installer's default).
 * A missing tool is an error that says how to install it; these tests are never skipped.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'chart');
export const RELEASE = 't';
export const NAMESPACE = 'db';

export interface Tools {
  helm: string;
  kubeconform: string;
  kubeScore: string;
  schemaLocation: string;
  kubernetesVersion: string;
}

const INSTALL_HINT = 'run `bash scripts/install-tools.sh` from the repository root (it builds the pinned helm, kubeconform and kube-score and converts the Kubernetes schemas)';

let cached: Tools | undefined;

/** The installed tools; throws with the installer's command line when something is missing. */
export function tools(): Tools {
  if (cached) return cached;
  const dir = process.env.AKU_TOOLS_DIR ?? join(homedir(), '.cache', 'aku-tools');
  const envFile = join(dir, 'tools.env');
  if (!existsSync(envFile)) {
    throw new Error(`chart tooling not found: ${envFile} is missing; ${INSTALL_HINT}`);
  }
  const values = new Map<string, string>();
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)='(.*)'$/.exec(line);
    if (match) values.set(match[1]!, match[2]!);
  }
  const need = (key: string): string => {
    const value = values.get(key);
    if (!value) throw new Error(`${envFile} has no ${key}; ${INSTALL_HINT}`);
    return value;
  };
  const found: Tools = {
    helm: need('HELM'),
    kubeconform: need('KUBECONFORM'),
    kubeScore: need('KUBE_SCORE'),
    schemaLocation: need('KUBECONFORM_SCHEMA_LOCATION'),
    kubernetesVersion: need('KUBERNETES_SCHEMA_VERSION'),
  };
  for (const binary of [found.helm, found.kubeconform, found.kubeScore]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing; ${INSTALL_HINT}`);
  }
  const schemaDir = found.schemaLocation.slice(0, found.schemaLocation.indexOf('{{'));
  if (!existsSync(join(schemaDir, `v${found.kubernetesVersion}-standalone-strict`, 'statefulset-apps-v1.json'))) {
    throw new Error(`the Kubernetes ${found.kubernetesVersion} JSON schemas are missing under ${schemaDir}; ${INSTALL_HINT}`);
  }
  cached = found;
  return found;
}

export interface RenderOptions {
  /** Values files, relative to the chart directory (e.g. `ci/one-group-values.yaml`) or absolute. */
  valuesFiles?: string[];
  /** `--set` / `--set-string` pairs. */
  set?: Record<string, string | number | boolean>;
  setString?: Record<string, string>;
  /** Values given as an object (written to a temporary values file, passed after valuesFiles). */
  values?: Record<string, unknown>;
  /** Release name; RELEASE when absent. */
  release?: string;
}

let valuesDir: string | undefined;
let valuesCount = 0;
process.on('exit', () => {
  if (valuesDir) rmSync(valuesDir, { recursive: true, force: true });
});

function helmArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('-f', resolve(CHART_DIR, file));
  if (options.values) {
    // --set cannot edit one element of a list (it replaces the list): lists go through a file.
    valuesDir ??= mkdtempSync(join(tmpdir(), 'aku-chart-values-'));
    const file = join(valuesDir, `values-${++valuesCount}.yaml`);
    writeFileSync(file, stringifyYaml(options.values));
    args.push('-f', file);
  }
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.setString ?? {})) args.push('--set-string', `${key}=${value}`);
  return args;
}

/** `helm template` output as text; rejects with helm's stderr on failure. */
export async function helmTemplateText(options: RenderOptions = {}): Promise<string> {
  const { helm } = tools();
  const result = await execa(helm, ['template', options.release ?? RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...helmArgs(options)], {
    reject: false,
  });
  if (result.exitCode !== 0) {
    throw new HelmError(result.stderr || result.stdout, result.exitCode ?? -1);
  }
  return result.stdout;
}

/**
 * NOTES.txt as `helm install` would print it. `helm template` never renders NOTES and a client
 * dry-run install still asks a cluster for its version, so a copy of the chart renders the same
 * text through `tpl` into a ConfigMap.
 */
export async function renderNotes(options: RenderOptions = {}): Promise<string> {
  const { helm } = tools();
  const copy = mkdtempSync(join(tmpdir(), 'aku-chart-notes-'));
  try {
    const chart = join(copy, 'chart');
    cpSync(CHART_DIR, chart, { recursive: true });
    renameSync(join(chart, 'templates', 'NOTES.txt'), join(chart, 'notes-source.txt'));
    writeFileSync(
      join(chart, 'templates', 'notes-rendered.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "notes-source.txt") . | toJson }}\n',
    );
    const result = await execa(
      helm,
      ['template', options.release ?? RELEASE, chart, '--namespace', NAMESPACE, '--show-only', 'templates/notes-rendered.yaml', ...helmArgs(options)],
      { reject: false },
    );
    if (result.exitCode !== 0) throw new HelmError(result.stderr || result.stdout, result.exitCode ?? -1);
    return find(parseManifests(result.stdout), 'ConfigMap', 'notes').data.notes as string;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export class HelmError extends Error {
  constructor(
    readonly output: string,
    readonly exitCode: number,
  ) {
    super(`helm failed (exit ${exitCode}):\n${output}`);
  }
}

/** A rendered Kubernetes object, loosely typed: tests navigate it with `get`. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };

export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

export async function render(options: RenderOptions = {}): Promise<K8sObject[]> {
  return parseManifests(await helmTemplateText(options));
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const matches = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${matches.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return matches[0]!;
}

export function findAll(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export async function helmLint(valuesFiles: string[] = []): Promise<{ exitCode: number; output: string }> {
  const { helm } = tools();
  const args = ['lint', '--strict', CHART_DIR];
  for (const file of valuesFiles) args.push('-f', resolve(CHART_DIR, file));
  const result = await execa(helm, args, { reject: false, all: true });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '' };
}

export interface KubeconformResult {
  exitCode: number;
  resources: { filename: string; kind: string; name: string; version: string; status: string; msg: string }[];
}

/** Validates manifests with kubeconform -strict against the offline schemas; never downloads. */
export async function kubeconform(manifests: string): Promise<KubeconformResult> {
  const t = tools();
  const result = await execa(
    t.kubeconform,
    ['-strict', '-output', 'json', '-verbose', '-kubernetes-version', t.kubernetesVersion, '-schema-location', t.schemaLocation, '-'],
    { input: manifests, reject: false },
  );
  const parsed = JSON.parse(result.stdout) as { resources?: KubeconformResult['resources'] };
  return { exitCode: result.exitCode ?? -1, resources: parsed.resources ?? [] };
}

/** The chart's ci/ matrix: every values file in chart/ci (helm lint's convention), so a new one is tested at once. */
export const CI_VALUES = readdirSync(join(CHART_DIR, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .sort()
  .map((f) => `ci/${f}`);

/** The Altibase container of the rendered StatefulSet. */
export function altibaseContainer(sts: K8sObject): any {
  const container = sts.spec.template.spec.containers.find((c: any) => c.name === 'altibase');
  if (!container) throw new Error('the StatefulSet has no container named altibase');
  return container;
}

/** name → env entry of a container. */
export function envOf(container: any): Map<string, any> {
  return new Map((container.env ?? []).map((e: any) => [e.name, e]));
}

/** The output of a `helm template` that must fail; the test fails when helm accepts the values. */
export async function renderFailure(options: RenderOptions): Promise<string> {
  try {
    await helmTemplateText(options);
  } catch (error) {
    if (error instanceof HelmError) return error.output;
    throw error;
  }
  throw new Error(`helm template accepted ${JSON.stringify(options)}`);
}
