// Preloaded by scripts/mutate.sh only. @stryker-mutator/mocha-runner 10.1.1 requires mocha's
// internals without an extension (lib/cli/run-helpers, options, collect-files); mocha 12 ships them
// as .cjs, which Node's require() does not try. Let extensionless require() also find .cjs files.
const Module = require('node:module');
if (!Module._extensions['.cjs']) Module._extensions['.cjs'] = Module._extensions['.js'];
