/** The original's plain console lines. */
export const BANNER = {
  started: (option: 'START' | 'END' | 'CLEAN' | 'RECOVER') => `AKU started with ${option} option.`,
  success: 'AKU run successfully.',
  failure: 'AKU failed to run.',
} as const;
