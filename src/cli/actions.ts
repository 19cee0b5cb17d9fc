/**
 * aku's actions and the options that go with each. The original's actions are options (`-i`,
 * `-p`); aku's own are command words (`aku status`, `aku reconcile`, ...), `-s` kept as the short
 * form of `status`. One table, so that the check of a command line and its error messages (the
 * option, the action, and where the option does go) come from the same facts.
 */

/** The options some actions take; `--version` and `--help` stand alone and are not listed. */
export type ActionOption = 'show-password' | 'json' | 'dry-run' | 'replicas' | 'fail-on' | 'discard-kept' | 'port' | 'from' | 'yes' | 'accept-loss';

export type ActionName = 'info' | 'pod' | 'status' | 'reconcile' | 'metrics' | 'recover';

export interface ActionSpec {
  /** How the command line names it in messages. */
  label: string;
  options: readonly ActionOption[];
}

export const ACTIONS: Record<ActionName, ActionSpec> = {
  info: { label: '-i', options: ['show-password', 'json'] },
  pod: { label: '-p', options: ['dry-run', 'json'] },
  status: { label: 'status (-s)', options: ['replicas', 'fail-on', 'json'] },
  reconcile: { label: 'reconcile', options: ['replicas', 'dry-run', 'json', 'discard-kept'] },
  metrics: { label: 'metrics', options: ['port', 'replicas'] },
  recover: { label: 'recover', options: ['from', 'yes', 'accept-loss', 'json'] },
};

/** The command words, in the order the help screen lists them. */
export const COMMAND_WORDS = ['status', 'reconcile', 'metrics', 'recover'] as const satisfies readonly ActionName[];
export type CommandWord = (typeof COMMAND_WORDS)[number];

/**
 * The one action a command line asks for, or why it is not one: none asked, two asked, or an
 * option given that does not go with the action (the message says where it does go).
 */
export function chooseAction(asked: readonly ActionName[], given: readonly ActionOption[]): { action: ActionName } | { problem?: string } {
  if (asked.length > 1) return { problem: `use one action at a time, not ${asked.map((a) => ACTIONS[a].label).join(' and ')}` };
  const action = asked[0];
  const misplaced = given.find((option) => action === undefined || !ACTIONS[action].options.includes(option));
  if (misplaced !== undefined) {
    const homes = (Object.keys(ACTIONS) as ActionName[]).filter((a) => ACTIONS[a].options.includes(misplaced)).map((a) => ACTIONS[a].label);
    const where = `--${misplaced} goes with ${homes.join(' or ')}`;
    return { problem: action === undefined ? where : `--${misplaced} does not go with ${ACTIONS[action].label} (${where})` };
  }
  return action === undefined ? {} : { action };
}
