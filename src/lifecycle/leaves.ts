import { AltibaseCode, DbError } from '../db/errors.js';
import { CREATE_LEAVES_TABLE, deleteLeave, insertLeave, SELECT_LEAVES } from '../sql/index.js';
import type { Server } from './server.js';

/**
 * Deliberate leaves. `-p clean` drops this pod's objects and resets the peers' sides it can
 * reach; a peer it cannot reach keeps history for a pair whose other side is gone, which its
 * next start would take for a failed server. So clean also writes the names it dropped into
 * SYS.AKU_LEFT_PAIRS on its own server, which every other pod's start reads when it finds such
 * a pair: the MASTER then goes on without the cleaned slave (warning), a slave whose MASTER was
 * cleaned rejoins by TRUNCATE + SYNC instead of being refused. A pod that lost its objects by
 * accident has no such row, and the refusals still fire. A start that recreates an object
 * deletes its row.
 */

export async function recordLeaves(server: Server, names: string[], at: Date): Promise<void> {
  if (names.length === 0) return;
  await server.changeTolerating(CREATE_LEAVES_TABLE, [AltibaseCode.DUPLICATE_OBJECT]);
  for (const name of names) {
    await server.change(deleteLeave(name));
    await server.change(insertLeave(name, at.toISOString()));
  }
}

/** Names this server left deliberately, with when; empty when the table does not exist. */
export async function readLeaves(server: Server): Promise<Map<string, string>> {
  try {
    const rows = await server.read(SELECT_LEAVES);
    return new Map(rows.map((r) => [String(r.REPLICATION_NAME), String(r.LEFT_AT)]));
  } catch (error) {
    if (error instanceof DbError && error.isCode(AltibaseCode.TABLE_NOT_FOUND)) return new Map();
    throw error;
  }
}

/** The pod rejoins these pairs: they are no longer left. */
export async function forgetLeaves(server: Server, names: string[], leaves: Map<string, string>): Promise<void> {
  for (const name of names.filter((n) => leaves.has(n))) {
    await server.change(deleteLeave(name));
    leaves.delete(name);
  }
}
