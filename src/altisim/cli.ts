/**
 * `altisim` — run simulated Altibase servers as processes, and talk to them.
 *
 *   altisim serve --host ADDR --port P --replication-port R --data-dir DIR
 *                 [--sys-password X] [--property NAME=VALUE ...] [--name NAME] [--fsync]
 *   altisim sql   --host ADDR --port P [--user U] [--password X] [--sysdba] [--timeout S] "STATEMENT" ...
 *   altisim admin --host ADDR --port P <action> [--peer ADDR] [--path service|replication|both]
 *                 [--ms N] [--count N] [--match REGEX] [--code HEX] [--state S] [--message TEXT]
 *
 * Exit status: 0 success, 1 a statement or request failed, 2 usage error.
 * bin/altisim (and src/altisim/main.ts, for running from source) call `main`.
 */
import { parseArgs } from 'node:util';
import { DriverError } from '../db/driver.js';
import { altisimAdmin, altisimDriver } from '../db/drivers/altisim.js';
import { ADMIN_ACTIONS, type AdminAction } from '../db/drivers/altisim-wire.js';
import { ProcessHost } from './net/process-host.js';

const USAGE = `usage:
  altisim serve --host ADDR --port P --replication-port R --data-dir DIR [--sys-password X]
                [--property NAME=VALUE ...] [--name NAME] [--fsync]
  altisim sql   --host ADDR --port P [--user U] [--password X] [--sysdba] [--timeout SEC] "STATEMENT" ...
  altisim admin --host ADDR --port P <${ADMIN_ACTIONS.join('|')}> [--peer ADDR] [--path service|replication|both]
                [--ms N] [--count N] [--match REGEX] [--code HEX] [--state SQLSTATE] [--message TEXT]
`;

class UsageError extends Error {}

function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

function port(value: string | undefined, name: string): number {
  const parsed = Number(requireOption(value, name));
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new UsageError(`--${name} must be a port number`);
  return parsed;
}

function parseProperties(assignments: string[]): Record<string, number | string> {
  const properties: Record<string, number | string> = {};
  for (const assignment of assignments) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(assignment);
    if (!match) throw new UsageError(`--property expects NAME=VALUE, got ${assignment}`);
    const value = match[2] as string;
    properties[(match[1] as string).toUpperCase()] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return properties;
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'replication-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'sys-password': { type: 'string', default: 'manager' },
      property: { type: 'string', multiple: true, default: [] },
      name: { type: 'string' },
      fsync: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const host = requireOption(values.host, 'host');
  const servicePort = port(values.port, 'port');
  const replicationPort = port(values['replication-port'], 'replication-port');
  const host_ = new ProcessHost({
    name: values.name ?? `${host}:${servicePort}`,
    host,
    port: servicePort,
    replicationPort,
    dataDir: requireOption(values['data-dir'], 'data-dir'),
    sysPassword: values['sys-password'] as string,
    properties: parseProperties(values.property as string[]),
    fsync: values.fsync as boolean,
  });
  await host_.start();
  process.stdout.write(`altisim ${host_.database.name} listening on ${host}:${servicePort} (replication ${replicationPort})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void host_.shutdown().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  // Senders' retry timers and the like must not keep a stopped server alive.
  process.exit(0);
}

function errName(code: number): string {
  return `ERR-${code.toString(16).toUpperCase().padStart(5, '0')}`;
}

async function sql(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string', default: 'SYS' },
      password: { type: 'string', default: 'manager' },
      sysdba: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '0' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError('no statement given');
  const connection = await altisimDriver.connect({
    host: requireOption(values.host, 'host'),
    port: port(values.port, 'port'),
    user: values.user as string,
    password: values.password as string,
    sysdba: values.sysdba as boolean,
    connectTimeoutSec: 10,
    queryTimeoutSec: 0,
  });
  try {
    for (const statement of positionals) {
      const rows = await connection.query(statement, Number(values.timeout));
      for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    await connection.close();
  }
  return 0;
}

async function admin(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      peer: { type: 'string' },
      path: { type: 'string' },
      ms: { type: 'string' },
      count: { type: 'string' },
      match: { type: 'string' },
      code: { type: 'string' },
      state: { type: 'string' },
      message: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const action = positionals[0];
  if (positionals.length !== 1 || !(ADMIN_ACTIONS as readonly string[]).includes(action ?? '')) {
    throw new UsageError(`expected one admin action: ${ADMIN_ACTIONS.join(', ')}`);
  }
  const { host, port: portValue, ...args } = values;
  const result = await altisimAdmin(requireOption(host, 'host'), port(portValue, 'port'), action as AdminAction, args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'sql':
        return await sql(rest);
      case 'admin':
        return await admin(rest);
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'no command given');
    }
  } catch (error) {
    if (error instanceof DriverError) {
      for (const diagnostic of error.diagnostics) {
        process.stderr.write(`${errName(diagnostic.code)} : ${diagnostic.message}\nSQLSTATE : ${diagnostic.state}\n`);
      }
      return 1;
    }
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`altisim: ${error.message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`altisim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
