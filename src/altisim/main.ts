/** Entry point for running altisim from source (`node --import tsx src/altisim/main.ts …`); bin/altisim uses dist/altisim/cli.js. */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
