/** The chaos run's own lines, in the shape of the entrypoint's: `[chaos] 2026/01/02 03:04:05 [round 3] message`. */
export function timestamp(date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}/${two(date.getMonth() + 1)}/${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export type Say = (scope: string, message: string) => void;

export function consoleSay(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Say {
  return (scope, message) => write(`[chaos] ${timestamp()} [${scope}] ${message}`);
}
