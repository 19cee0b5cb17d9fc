import { AltibaseCode, DbError } from '../db/errors.js';
import type { Server } from './server.js';
import { CREATE_RECOVERY_TABLE, DELETE_RECOVERY, insertRecovery, MARK_RECOVERY_DONE, SELECT_RECOVERY } from '../sql/index.js';

/**
 * The MASTER's record of an `aku recover` (SYS.AKU_RECOVERY, one row, on the MASTER's volume).
 * Written as the first change of `recover --yes`, marked DONE as the last. While it says RUNNING:
 *   - the history the recovery gave the MASTER's pairs is the recovery's own doing, so a rerun
 *     after a failure resumes instead of refusing a MASTER that "holds history";
 *   - the MASTER's own `-p start` refuses (start.ts): between the source's RESET and its SYNC no
 *     pair holds history on either side, and a start then would put an emptied MASTER in service.
 */

export interface RecoveryRecord {
  startedAt: string;
  source: number;
  state: 'RUNNING' | 'DONE';
}

export async function readRecord(master: Server): Promise<RecoveryRecord | undefined> {
  try {
    const rows = await master.read(SELECT_RECOVERY);
    const row = rows[0];
    if (row === undefined) return undefined;
    return { startedAt: String(row.STARTED_AT), source: Number(row.SOURCE_ORDINAL), state: String(row.STATE) === 'DONE' ? 'DONE' : 'RUNNING' };
  } catch (error) {
    if (error instanceof DbError && error.isCode(AltibaseCode.TABLE_NOT_FOUND)) return undefined;
    throw error;
  }
}

export async function writeRunningRecord(master: Server, source: number, at: Date): Promise<RecoveryRecord> {
  await master.changeTolerating(CREATE_RECOVERY_TABLE, [AltibaseCode.DUPLICATE_OBJECT]);
  await master.change(DELETE_RECOVERY);
  const startedAt = at.toISOString();
  await master.change(insertRecovery(startedAt, source));
  return { startedAt, source, state: 'RUNNING' };
}

export async function markRecordDone(master: Server): Promise<void> {
  await master.change(MARK_RECOVERY_DONE);
}
