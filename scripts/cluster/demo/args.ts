/** The demo's command line: `npm run demo [-- --keep]`. */

export const DEMO_USAGE = `usage: npm run demo [-- --keep]
  --keep      leave the cluster and the release up at the end for exploring
              (npm run cluster -- down stops the cluster)
  -h, --help  this text
A cluster that was already up stays up; the demo's namespace is then deleted unless --keep.
Environment: AKU_DEMO_NAMESPACE (aku-demo), AKU_DEMO_RELEASE (demo), AKU_DEMO_KEEP=1 (as --keep),
AKU_DEMO_IMAGES=0 (use the images the node has: import none);
AKU_KUBECONFIG + AKU_IMAGE run it on a cluster of yours, which it neither starts nor stops.`;

export interface DemoOptions {
  keep: boolean;
  /** Import this clone's images (npm run cluster -- images) before the cluster comes up. */
  images: boolean;
  namespace: string;
  release: string;
}

export type ParsedArgs = { help: true } | { error: string } | { options: DemoOptions };

export function parseDemoArgs(argv: string[], env: Record<string, string | undefined> = process.env): ParsedArgs {
  let keep = env.AKU_DEMO_KEEP === '1';
  for (const arg of argv) {
    if (arg === '--keep') keep = true;
    else if (arg === '-h' || arg === '--help') return { help: true };
    else return { error: `unknown argument ${JSON.stringify(arg)}` };
  }
  const namespace = env.AKU_DEMO_NAMESPACE || 'aku-demo';
  const release = env.AKU_DEMO_RELEASE || 'demo';
  // Both end up in DNS names (namespace, <release>-aku-altibase-N.<...>-hl): RFC 1123 labels.
  for (const [name, value] of [['AKU_DEMO_NAMESPACE', namespace], ['AKU_DEMO_RELEASE', release]] as const) {
    if (!/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(value)) return { error: `${name}=${value}: not a lower-case DNS label of at most 53 characters` };
  }
  return { options: { keep, images: env.AKU_DEMO_IMAGES !== '0', namespace, release } };
}
