import type { PodAction } from '../lifecycle/index.js';

export type { PodAction };

/** `-p` values: the documented `start | end | clean`, and `stop`, which the original's help screen used for `end`. */

export const POD_ACTIONS: readonly PodAction[] = ['start', 'end', 'clean'];

export class PodActionError extends Error {}

export function parsePodAction(value: string): PodAction {
  if (value === 'stop') return 'end';
  if ((POD_ACTIONS as readonly string[]).includes(value)) return value as PodAction;
  throw new PodActionError(
    `unknown pod action "${value}"; expected one of: ${POD_ACTIONS.join(', ')} (stop is accepted for end)`,
  );
}
