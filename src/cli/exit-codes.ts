/** aku's exit statuses (decisions #5). */
export const EXIT = {
  ok: 0,
  /** An operation on a database failed; the next run resumes from where this one stopped. */
  operationFailed: 1,
  /** The command line or the configuration is wrong; nothing was changed. */
  usage: 2,
} as const;
