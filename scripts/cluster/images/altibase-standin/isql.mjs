// Stand-in for Altibase's `isql`, for the local test cluster's stand-in base image only: the
// options the image contract names (docs/base-image-contract.md) —
//   isql -s HOST -port PORT [-u USER -p PASSWORD [-sysdba]] [-silent] [/NOLOG] [-f FILE]
// — and iSQL's script behaviour: statements end with ';' at the end of a line, `CONNECT
// user/password [AS SYSDBA]` (re)connects, `EXIT`/`QUIT` ends, a failed statement prints
// `[ERR-xxxxx : message]` and the next one runs, a statement without a connection fails with
// ERR-91020. Without -f the statements come from standard input. Rows print as JSON lines.
// Statements go to altisim through the altisim client that ships with aku's build.
import { readFileSync } from 'node:fs';

const { altisimDriver } = await import('/opt/altisim/dist/db/drivers/altisim.js');

function usage(message) {
  process.stderr.write(`isql (altisim stand-in): ${message}\n`);
  process.exit(2);
}

const options = { host: '127.0.0.1', port: Number(process.env.ALTIBASE_PORT_NO ?? 20300), user: undefined, password: undefined, sysdba: false, file: '/dev/stdin', nolog: false };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const value = () => args[++i] ?? usage(`${arg} needs a value`);
  switch (arg.toLowerCase()) {
    case '-s': options.host = value(); break;
    case '-port': options.port = Number(value()); break;
    case '-u': options.user = value(); break;
    case '-p': options.password = value(); break;
    case '-sysdba': options.sysdba = true; break;
    case '-silent': break;
    case '/nolog': options.nolog = true; break;
    case '-f': options.file = value(); break;
    default: usage(`unsupported option ${arg}`);
  }
}

/** Statements of a script: ';' at the end of a line ends one; whole-line '--' comments are skipped. */
function statements(text) {
  const out = [];
  let buffer = '';
  for (const line of text.split('\n')) {
    if (/^\s*--/.test(line)) continue;
    buffer += `${line}\n`;
    if (/;\s*$/.test(line)) {
      const statement = buffer.replace(/;\s*$/, '').trim();
      if (statement) out.push(statement);
      buffer = '';
    }
  }
  if (buffer.trim()) out.push(buffer.trim());
  return out;
}

function errorLine(error) {
  const d = error?.diagnostics?.[0];
  if (!d) return `[ERR-00000 : ${error instanceof Error ? error.message : String(error)}]`;
  return `[ERR-${d.code.toString(16).toUpperCase().padStart(5, '0')} : ${d.message}]`;
}

async function connect(user, password, sysdba) {
  return altisimDriver.connect({ host: options.host, port: options.port, user, password, sysdba, connectTimeoutSec: 10, queryTimeoutSec: 0 });
}

let connection;
let failed = false;
const fail = (line) => {
  failed = true;
  process.stdout.write(`${line}\n`);
};

if (!options.nolog && options.user !== undefined) {
  try {
    connection = await connect(options.user, options.password ?? '', options.sysdba);
  } catch (error) {
    fail(errorLine(error));
  }
}

for (const statement of statements(readFileSync(options.file, 'utf8'))) {
  const connectMatch = /^CONNECT\s+("(?:[^"]|"")*"|[^\s/]+)\s*\/\s*("(?:[^"]|"")*"|\S+?)(\s+AS\s+SYSDBA)?$/is.exec(statement);
  if (connectMatch) {
    const unquote = (s) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
    await connection?.close().catch(() => {});
    connection = undefined;
    try {
      connection = await connect(unquote(connectMatch[1]), unquote(connectMatch[2]), Boolean(connectMatch[3]));
      process.stdout.write('Connect success.\n');
    } catch (error) {
      fail(errorLine(error));
    }
    continue;
  }
  if (/^(EXIT|QUIT)$/i.test(statement)) break;
  if (/^DISCONNECT$/i.test(statement)) {
    await connection?.close().catch(() => {});
    connection = undefined;
    continue;
  }
  if (!connection) {
    fail('[ERR-91020 : No Connection State]');
    continue;
  }
  try {
    const rows = await connection.query(statement, 0);
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  } catch (error) {
    fail(errorLine(error));
  }
}
await connection?.close().catch(() => {});
process.exit(failed ? 1 : 0);
