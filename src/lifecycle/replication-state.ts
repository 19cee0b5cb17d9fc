import { SELECT_REPLICATIONS } from '../sql/index.js';
import type { StatementOptions } from './context.js';
import type { Server } from './server.js';

/** One replication object as the server's meta table shows it. */
export interface ObjectState {
  name: string;
  /** -1 (or NULL) after CREATE and RESET: the object holds no replication history. */
  xsn: number;
  started: boolean;
}

export type ReplicationStates = Map<string, ObjectState>;

/** Reads SYSTEM_.SYS_REPLICATIONS_ of one server. */
export async function readStates(server: Server, options: StatementOptions = {}): Promise<ReplicationStates> {
  const rows = await server.read(SELECT_REPLICATIONS, options);
  const states: ReplicationStates = new Map();
  for (const row of rows) {
    const name = String(row.REPLICATION_NAME ?? '');
    // iSQL shows a NULL restart point as -1; treat both as "no history".
    const xsn = row.XSN === null || row.XSN === undefined ? -1 : Number(row.XSN);
    states.set(name, { name, xsn, started: Number(row.IS_STARTED ?? 0) === 1 });
  }
  return states;
}

/** An object that exists and holds replication history (XSN is not -1). */
export function hasHistory(states: ReplicationStates, name: string): boolean {
  const state = states.get(name);
  return state !== undefined && state.xsn !== -1;
}
