/**
 * Altibase identifier rules, applied to every name that reaches SQL (user, table, partition,
 * replication prefix). aku never quotes names from aku.conf: it only accepts names that are
 * valid unquoted identifiers, stores them upper-cased as Altibase does, and refuses reserved
 * words. Nothing from the file can therefore change the shape of a statement.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Words Altibase reserves; as unquoted names they would break (or change) a statement.
 * Taken from the reserved-word list of Altibase's SQL reference.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  '_PROWID', 'ACCESS', 'ADD', 'AFTER', 'AGER', 'ALL', 'ALTER', 'AND', 'ANY', 'APPLY', 'ARCHIVE',
  'ARCHIVELOG', 'AS', 'ASC', 'AT', 'BACKUP', 'BEFORE', 'BEGIN', 'BETWEEN', 'BODY', 'BULK', 'BY',
  'CASCADE', 'CASE', 'CAST', 'CHECK', 'CHECKPOINT', 'CLOSE', 'COALESCE', 'COLUMN', 'COMMENT',
  'COMMIT', 'COMPILE', 'COMPRESS', 'COMPRESSED', 'CONJOIN', 'CONNECT', 'CONSTANT', 'CONSTRAINT',
  'CONSTRAINTS', 'CONTINUE', 'CREATE', 'CROSS', 'CUBE', 'CURSOR', 'CYCLE', 'DATABASE', 'DECLARE',
  'DECRYPT', 'DEFAULT', 'DELAUDIT', 'DELETE', 'DEQUEUE', 'DESC', 'DETERMINISTIC', 'DIRECTORY',
  'DISABLE', 'DISASTER', 'DISCONNECT', 'DISJOIN', 'DISTINCT', 'DROP', 'EACH', 'ELSE', 'ELSEIF',
  'ELSIF', 'ENABLE', 'END', 'ENQUEUE', 'ESCAPE', 'EXCEPTION', 'EXEC', 'EXECUTE', 'EXISTS', 'EXIT',
  'EXTENT', 'EXTENTSIZE', 'FALSE', 'FETCH', 'FIFO', 'FIXED', 'FLASHBACK', 'FLUSH', 'FLUSHER',
  'FOLLOWING', 'FOR', 'FOREIGN', 'FROM', 'FULL', 'FUNCTION', 'GOTO', 'GRANT', 'GROUP', 'HAVING',
  'IF', 'IN', 'INITRANS', 'INNER', 'INSERT', 'INSTEAD', 'INTERSECT', 'INTO', 'IS', 'ISOLATION',
  'JOIN', 'KEY', 'LEFT', 'LESS', 'LEVEL', 'LIFO', 'LIKE', 'LIMIT', 'LOCAL', 'LOCK', 'LOGANCHOR',
  'LOOP', 'MAXROWS', 'MAXTRANS', 'MERGE', 'MINUS', 'MODE', 'MOVE', 'MOVEMENT', 'NEW', 'NOARCHIVELOG',
  'NOCOPY', 'NOCYCLE', 'NOLOGGING', 'NOT', 'NULL', 'NULLS', 'OF', 'OFF', 'OFFLINE', 'OLD', 'ON',
  'ONLINE', 'OPEN', 'OR', 'ORDER', 'OTHERS', 'OUT', 'OUTER', 'OVER', 'PACKAGE', 'PARALLEL',
  'PARTITION', 'PIVOT', 'PRECEDING', 'PRIMARY', 'PRIOR', 'PRIVILEGES', 'PROCEDURE', 'PURGE',
  'QUEUE', 'RAISE', 'READ', 'REBUILD', 'RECOVER', 'REFERENCES', 'REFERENCING', 'REMOVE', 'RENAME',
  'REPLACE', 'RETURN', 'RETURNING', 'REVOKE', 'RIGHT', 'ROLLBACK', 'ROLLUP', 'ROW', 'ROWCOUNT',
  'ROWNUM', 'ROWTYPE', 'SAVEPOINT', 'SEGMENT', 'SELECT', 'SEQUENCE', 'SESSION', 'SET', 'SHARD',
  'SOME', 'SPLIT', 'SQLCODE', 'SQLERRM', 'START', 'STEP', 'STORAGE', 'STORE', 'SYNONYM', 'TABLE',
  'THAN', 'THEN', 'TO', 'TOP', 'TRIGGER', 'TRUE', 'TYPE', 'TYPESET', 'UNION', 'UNIQUE', 'UNLOCK',
  'UNPIVOT', 'UNTIL', 'UPDATE', 'USING', 'VALUES', 'VARIABLE', 'VARIABLES', 'VIEW', 'VOLATILE',
  'WAIT', 'WHEN', 'WHENEVER', 'WHERE', 'WHILE', 'WITH', 'WITHIN', 'WORK', 'WRITE',
]);

/** Maximum byte lengths Altibase allows (UTF-8 bytes, as the meta tables count them). */
export const MAX_OBJECT_NAME_BYTES = 128;
export const MAX_REPLICATION_NAME_BYTES = 40;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Checks a name written in aku.conf and returns it as Altibase stores it (upper case), or
 * explains what is wrong with it.
 */
export function normaliseIdentifier(
  raw: string,
  maxBytes: number,
): { ok: true; name: string } | { ok: false; problem: string } {
  if (raw.length === 0) return { ok: false, problem: 'is empty' };
  if (!IDENTIFIER.test(raw)) {
    return {
      ok: false,
      problem:
        'is not a valid Altibase identifier; expected a letter or _ followed by letters, digits, _ or $',
    };
  }
  const name = raw.toUpperCase();
  if (RESERVED_WORDS.has(name)) {
    return { ok: false, problem: `is an Altibase reserved word; rename the object or choose another name` };
  }
  const bytes = byteLength(name);
  if (bytes > maxBytes) return { ok: false, problem: `is ${bytes} bytes long; the maximum is ${maxBytes}` };
  return { ok: true, name };
}

/** True for a name that needs no further checking before it is placed in SQL. */
export function isSafeIdentifier(name: string, maxBytes = MAX_OBJECT_NAME_BYTES): boolean {
  const result = normaliseIdentifier(name, maxBytes);
  return result.ok && result.name === name;
}
