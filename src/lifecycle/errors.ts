/** A lifecycle step that cannot complete; the message says what to do. Exit status 1. */
export class LifecycleError extends Error {
  constructor(
    message: string,
    /** The `[where]` tag of the step that failed. */
    readonly where: string,
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}
