/** aku's log line: `[AKU][YYYY/MM/DD HH:MM:SS.uuuuuu][thread] [LEVEL][where][pod][replication] message`. */

export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface LogFields {
  level: Level;
  /** A stable operation and step, e.g. `akuRunStart:sync` (the original printed C function:line). */
  where: string;
  /** Target pod, `-` when the line is not about one. */
  pod?: string;
  /** Replication object, `-` when the line is not about one. */
  replication?: string;
  message: string;
}

export function formatLogLine(fields: LogFields, epochMicros: number, thread: number): string {
  return `[AKU][${formatTimestamp(epochMicros)}][${thread}] [${fields.level}][${fields.where}][${fields.pod ?? '-'}][${fields.replication ?? '-'}] ${fields.message}`;
}

/** Local time with microseconds, as the original prints it. */
export function formatTimestamp(epochMicros: number): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const micros = Math.floor(epochMicros % 1_000_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}/${two(date.getMonth() + 1)}/${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(micros).padStart(6, '0')}`
  );
}

/** Wall-clock time in microseconds, from the high-resolution timer. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
