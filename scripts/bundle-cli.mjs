// The aku CLI as one bundle: what bin/aku runs and the image ships (`npm run build` runs this after
// tsc). Measured before (node --cpu-prof, `aku -i`): the start was mostly module loading, ~470
// CommonJS files of @oclif/core and its dependencies, each resolved, read and compiled.
//
//   node scripts/bundle-cli.mjs      writes dist/bundle/: aku.cjs, aku.cjs.cache, lazy/, meta.json
//
// What it does, and why (each step measured with `npm run bench`, cold-start):
// - aku.cjs holds aku and @oclif/core in one CommonJS file. The -p lifecycle, the session layer and
//   the drivers, reached through import(), are in it but only initialised when a -p run imports
//   them; -i, -v and -h never do. The native `odbc` addon stays in node_modules (its specifier is
//   computed at run time, so esbuild leaves it alone).
// - @oclif/core requires all its dependencies (globbing, templates, spinners, colours, help
//   formatting) and some costly Node modules (child_process, readline, perf_hooks) when it loads,
//   though -i uses few of them. Each is replaced by a stand-in that loads the real module on first
//   use; the third-party ones are bundled apart, in lazy/<name>.cjs, so that a run that does not
//   use them does not even read them. oclif's import of wsl-utils on every start (for isWsl) gets
//   is-wsl alone.
// - The Kubernetes client and prom-client, which one command each uses, are bundled apart in
//   lazy/ too and required from there when that command runs.
// - aku.cjs.cache: V8's code cache, so that a start does not parse and compile oclif again.
// - meta.json: which sources each output holds (esbuild's metafile), for reading, not loaded.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
/** Node modules @oclif/core requires at load time that a plain `node -e ''` has not loaded. */
const LAZY_BUILTINS = new Set(['child_process', 'readline', 'perf_hooks']);
/** oclif's dependencies every run uses (its logger, its module loader): bundled in, code-cached. */
const EAGER_PACKAGES = new Set(['debug', 'get-package-type']);
const LAZY_RUNTIME = 'aku-lazy-runtime';
/**
 * Packages of aku's own that one command alone uses (the Kubernetes client: -p end, reconcile;
 * prom-client: metrics), bundled apart in lazy/ and required from there by that command: in
 * aku.cjs, 3 MB of the Kubernetes client were read and parsed on every start of every command.
 */
const COMMAND_PACKAGES = new Set(['@kubernetes/client-node', 'prom-client']);
const ENTRY = 'src/cli/main.ts';

/**
 * Stands in for a module until it is used: every operation on the stand-in (property read, call,
 * `new`, `in`, key listing) loads the module and is done on it. `__esModule` is answered without
 * loading (TypeScript's and esbuild's interop helpers read it when requiring), from the module
 * itself as seen at build time.
 */
const RUNTIME_SOURCE = `
module.exports = function lazyModule(load, esModule) {
  let real;
  const module = () => (real ??= load());
  const standIn = new Proxy(function () {}, {
    get: (t, key) => (key === '__esModule' ? esModule : Reflect.get(module(), key)),
    set: (t, key, value) => Reflect.set(module(), key, value),
    has: (t, key) => key in module(),
    apply: (t, self, args) => Reflect.apply(module(), self, args),
    // new of the stand-in itself, or of a class that extends it (newTarget is then that class).
    construct: (t, args, newTarget) => Reflect.construct(module(), args, newTarget === standIn ? module() : newTarget),
    getPrototypeOf: () => Reflect.getPrototypeOf(module()),
    // The target's non-configurable keys (a function's prototype) must stay listed (Proxy invariants).
    ownKeys: (t) => [...new Set([...Reflect.ownKeys(module()), 'prototype'])],
    getOwnPropertyDescriptor: (t, key) => {
      const own = Reflect.getOwnPropertyDescriptor(t, key);
      if (own && !own.configurable) return own;
      const found = Reflect.getOwnPropertyDescriptor(module(), key);
      return found ? { ...found, configurable: true } : undefined;
    },
  });
  return standIn;
};
`;

/** The package name of a bare specifier ('@scope/name/sub' → '@scope/name'). */
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const lazyFile = (specifier) => `lazy/${specifier.replaceAll('/', '+')}.cjs`;

/** Third-party modules required by @oclif/core, each bundled apart and loaded on first use. */
const lazyPackages = new Map(); // specifier → absolute path of its entry

const lazyOclifDependencies = {
  name: 'lazy-oclif-dependencies',
  setup(b) {
    const fromOclif = (args) => args.importer.includes('/node_modules/@oclif/core/') && ['require-call', 'dynamic-import'].includes(args.kind);
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path === LAZY_RUNTIME) return { path: LAZY_RUNTIME, namespace: 'lazy' };
      if (COMMAND_PACKAGES.has(packageName(args.path)) && args.importer.startsWith(`${root}src/`)) {
        const resolved = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        lazyPackages.set(args.path, resolved.path);
        return { path: `./${lazyFile(args.path)}`, external: true };
      }
      if (!fromOclif(args)) return undefined;
      const bare = args.path.replace(/^node:/, '');
      if (LAZY_BUILTINS.has(bare)) return { path: `node:${bare}`, namespace: 'lazy' };
      if (args.path === 'wsl-utils' && args.kind === 'dynamic-import') return { path: 'wsl-utils', namespace: 'wsl' };
      if (args.kind !== 'require-call' || args.path.startsWith('node:') || packageName(args.path) === '@oclif/core') return undefined;
      if (EAGER_PACKAGES.has(packageName(args.path))) return undefined;
      const require = createRequire(args.importer);
      lazyPackages.set(args.path, require.resolve(args.path));
      return { path: args.path, namespace: 'lazy' };
    });
    b.onResolve({ filter: /^\.\/lazy\// }, (args) => ({ path: args.path, external: true }));
    // oclif imports wsl-utils on every start for its isWsl (then also loading child_process and
    // PowerShell helpers); isWsl is is-wsl's, and powerShellPath (Windows only) loads the rest.
    b.onLoad({ filter: /.*/, namespace: 'wsl' }, () => ({
      contents: "export { default as isWsl } from 'is-wsl';\nexport const powerShellPath = async () => (await import('wsl-utils')).powerShellPath();\n",
      loader: 'js',
      resolveDir: dirname(createRequire(`${root}node_modules/@oclif/core/package.json`).resolve('wsl-utils')),
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      if (args.path === LAZY_RUNTIME) return { contents: RUNTIME_SOURCE, loader: 'js' };
      if (args.path.startsWith('node:')) {
        return { contents: `module.exports = require('${LAZY_RUNTIME}')(() => require('${args.path}'), false);`, loader: 'js' };
      }
      const esModule = Boolean(createRequire(lazyPackages.get(args.path))(lazyPackages.get(args.path)).__esModule);
      return {
        contents: `module.exports = require('${LAZY_RUNTIME}')(() => require('./${lazyFile(args.path)}'), ${esModule});`,
        loader: 'js',
        resolveDir: root,
      };
    });
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', minify: !process.env.AKU_BUNDLE_NO_MINIFY, sourcemap: true, logLevel: 'warning', absWorkingDir: root };

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  ...common,
  entryPoints: [ENTRY],
  // CommonJS, one file: no ES module loader for the bundle, and no ES module facades of Node's
  // modules (an `import` of node:fs or node:process builds one, reading every export, which loads
  // fs/promises, the diagnostic report, child_process…). What import() loads (the lifecycle, the
  // drivers) stays in the file but is only initialised when imported.
  format: 'cjs',
  // bin/aku compiles the bundle as a vm.Script (to use the code cache), where import() has no
  // loader: import() of what is not bundled (the odbc addon) becomes require().
  supported: { 'dynamic-import': false },
  outfile: `${outdir}/aku.cjs`,
  metafile: true,
  plugins: [lazyOclifDependencies],
});
const lazyOutputs = {};
for (const [specifier, entry] of lazyPackages) {
  const outfile = `${outdir}/${lazyFile(specifier)}`;
  mkdirSync(dirname(outfile), { recursive: true });
  const lazy = await build({ ...common, entryPoints: [entry], format: 'cjs', outfile, metafile: true });
  Object.assign(lazyOutputs, lazy.metafile.outputs);
}
writeFileSync(`${outdir}/meta.json`, JSON.stringify({ ...result.metafile, outputs: { ...result.metafile.outputs, ...lazyOutputs } }, null, 1));

// V8's code cache for bin/aku: written by one run of the bundle (`aku --version`: oclif's start,
// the configuration and the parser, most of what any run compiles), by the Node that runs the
// build; the image copies that same Node binary (docker/Dockerfile).
execFileSync(process.execPath, [`${root}bin/aku`, '--version'], { env: { ...process.env, AKU_WRITE_CODE_CACHE: '1' }, stdio: 'ignore' });
