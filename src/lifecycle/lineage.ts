import { randomUUID } from 'node:crypto';
import { AltibaseCode, DbError } from '../db/errors.js';
import { CREATE_LINEAGE_TABLE, DELETE_LINEAGE, insertLineage, SELECT_LINEAGE } from '../sql/index.js';
import type { Server } from './server.js';

/**
 * Lineage: which database a server's data descends from. The MASTER makes an id for its database
 * the first time aku starts it (SYS.AKU_LINEAGE, on its volume); a slave records the MASTER's id
 * each time it synchronises from it. A MASTER whose replicated tables are empty and whose pairs
 * hold no history is then told apart: the same id as a slave's means the same database, emptied
 * by ordinary deletes (a SYNC from it is what the user asked for); another id, or none, means a
 * MASTER made anew — a lost volume — and a SYNC from it would empty the slave.
 */

/** The server's lineage id, or undefined when it has none (no table, or no row). */
export async function readLineage(server: Server): Promise<string | undefined> {
  try {
    const rows = await server.read(SELECT_LINEAGE);
    return rows.length === 1 ? String(rows[0]?.LINEAGE_ID) : undefined;
  } catch (error) {
    if (error instanceof DbError && error.isCode(AltibaseCode.TABLE_NOT_FOUND)) return undefined;
    throw error;
  }
}

/** On the MASTER: its lineage id, made now if it has none. */
export async function ensureLineage(server: Server, now: Date): Promise<string> {
  const existing = await readLineage(server);
  if (existing !== undefined) return existing;
  const id = randomUUID();
  await writeLineage(server, id, now);
  return id;
}

/** On a slave after its SYNC: it now holds the data of the MASTER with this id. */
export async function writeLineage(server: Server, id: string, now: Date): Promise<void> {
  await server.changeTolerating(CREATE_LINEAGE_TABLE, [AltibaseCode.DUPLICATE_OBJECT]);
  await server.change(DELETE_LINEAGE);
  await server.change(insertLineage(id, now.toISOString()));
}
