/**
 * The altisim service protocol, shared by aku's altisim driver (client) and `altisim serve`
 * (server): newline-delimited JSON over TCP, one session per connection, each request answered
 * in order by a reply carrying the same id.
 *
 * Also here because both ends need them: the client-side (Altibase CLI, "UL") diagnostics a real
 * ODBC driver would produce, and host-name resolution through an `ALTISIM_HOSTS` hosts file.
 *
 * This file ships inside aku and must not import from src/altisim/.
 */
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import type { Diagnostic } from '../driver.js';

export const WIRE_PROTOCOL_VERSION = 1;

// ------------------------------------------------------------------ messages

export type WireRow = Record<string, string | number | null>;

export interface LoginRequestMessage {
  id: number;
  op: 'login';
  /** WIRE_PROTOCOL_VERSION of the client; the server refuses another. */
  protocol: number;
  user: string;
  password: string;
  sysdba: boolean;
  /** Session QUERY_TIMEOUT; 0 = the server property. */
  queryTimeoutSec: number;
  nlsUse?: string;
}

export interface QueryRequestMessage {
  id: number;
  op: 'query';
  sql: string;
  /** Statement time limit; 0 = the session's QUERY_TIMEOUT. */
  timeoutSec: number;
}

export interface AdminRequestMessage {
  id: number;
  op: 'admin';
  action: AdminAction;
  args: Record<string, string | number | boolean | undefined>;
}

/** End the session (the server frees it, e.g. the SYSDBA slot, before replying). */
export interface LogoutRequestMessage {
  id: number;
  op: 'logout';
}

export type RequestMessage = LoginRequestMessage | QueryRequestMessage | AdminRequestMessage | LogoutRequestMessage;
/** A request before the channel numbers it. */
export type RequestBody =
  | Omit<LoginRequestMessage, 'id'>
  | Omit<QueryRequestMessage, 'id'>
  | Omit<AdminRequestMessage, 'id'>
  | Omit<LogoutRequestMessage, 'id'>;

export type ReplyMessage =
  | { id: number; ok: true; rows?: WireRow[]; result?: unknown }
  | { id: number; ok: false; error: Diagnostic };

/**
 * Fault and lifecycle operations of `altisim serve`, reachable without logging in:
 * - `status`: name, addresses, up/down
 * - `kill`: crash the whole process (like kill -9: no snapshot, data dir intact)
 * - `shutdown`: orderly stop and exit
 * - `stop-server` / `start-server` / `restart`: take the database down / up inside the process
 * - `cut` / `heal` {peer: address, path: service|replication|both}: refuse traffic with that address
 * - `delay` {peer, ms}: delay replication messages sent to that address
 * - `fail` {count, match, code, state, message}: make the next statements fail
 * - `stall` {count, match, ms}: make the next statements wait first
 * - `clear-faults`
 */
export const ADMIN_ACTIONS = [
  'status',
  'kill',
  'shutdown',
  'stop-server',
  'start-server',
  'restart',
  'cut',
  'heal',
  'delay',
  'fail',
  'stall',
  'clear-faults',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export function encodeMessage(message: RequestMessage | ReplyMessage | object): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a byte stream into JSON messages, one per line. */
export class LineDecoder {
  private buffer = '';

  /** Feed a chunk; returns the complete messages it finished. Throws on a malformed line. */
  push(chunk: Buffer | string): unknown[] {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const messages: unknown[] = [];
    for (let newline = this.buffer.indexOf('\n'); newline >= 0; newline = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.trim().length > 0) messages.push(JSON.parse(line));
    }
    return messages;
  }
}

/**
 * Reads a socket as JSON lines: every decoded message goes to `onMessage`, in order; a malformed
 * line calls `onMalformed` once and nothing after it is read.
 */
export function readMessages<T>(socket: Socket, onMessage: (message: T) => void, onMalformed: () => void): void {
  const decoder = new LineDecoder();
  let broken = false;
  socket.on('data', (chunk) => {
    if (broken) return;
    let messages: unknown[];
    try {
      messages = decoder.push(chunk);
    } catch {
      broken = true;
      onMalformed();
      return;
    }
    for (const message of messages) onMessage(message as T);
  });
}

// ------------------------------------------------------------------ client-side diagnostics

/** errno the Altibase CLI reports for a refused TCP connect. */
export const ECONNREFUSED_ERRNO = 111;

export const clientDiagnostics = {
  /** 08001 / 0x50032: the server cannot be reached. */
  cannotConnect(reason: string): Diagnostic {
    return { state: '08001', code: 0x50032, message: `Client unable to establish connection. (${reason})` };
  },
  connectRefused(): Diagnostic {
    return clientDiagnostics.cannotConnect(`Failed to invoke the connect() system function, errno=${ECONNREFUSED_ERRNO}`);
  },
  /** altisim choice: the reference does not give the text for an unresolvable name (odbc.md §8 q1). */
  hostNotResolved(host: string): Diagnostic {
    return clientDiagnostics.cannotConnect(`Failed to resolve the host name: ${host}`);
  },
  /** 08S01 / 0x51043: the connection broke (server died, network cut). */
  linkFailure(detail: string): Diagnostic {
    return { state: '08S01', code: 0x51043, message: `Communication link failure. ${detail}`.trim() };
  },
  connectionTimeout(): Diagnostic {
    return { state: 'HYT01', code: 0x5104d, message: 'Connection timeout.' };
  },
  /** 08003 / 0x51036: using a closed connection. */
  noConnection(): Diagnostic {
    return { state: '08003', code: 0x51036, message: 'Connection does not exist.' };
  },
};

// ------------------------------------------------------------------ name resolution

export interface HostsFileEntry {
  address: string;
  names: string[];
}

/** Parse hosts(5) text: `address name [alias...]`, `#` comments. */
export function parseHostsFile(text: string): HostsFileEntry[] {
  const entries: HostsFileEntry[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line.length === 0) continue;
    const [address, ...names] = line.split(/\s+/);
    if (address && isIP(address) !== 0 && names.length > 0) entries.push({ address, names });
  }
  return entries;
}

/**
 * Resolve a host the way every altisim component does: IP literals as they are; with
 * `ALTISIM_HOSTS=<file>` the file first (read at each call, so tests can add names as DNS would);
 * then the system resolver. Returns undefined when the name does not resolve.
 */
export async function resolveHost(host: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (isIP(host) !== 0) return host;
  const hostsFile = env.ALTISIM_HOSTS;
  if (hostsFile) {
    let text = '';
    try {
      text = readFileSync(hostsFile, 'utf8');
    } catch {
      // A missing file resolves nothing; the system resolver still may.
    }
    const lower = host.toLowerCase();
    for (const entry of parseHostsFile(text)) {
      if (entry.names.some((name) => name.toLowerCase() === lower)) return entry.address;
    }
  }
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return undefined;
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
