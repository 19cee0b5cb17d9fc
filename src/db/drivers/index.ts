/**
 * Which `Driver` aku talks through: `odbc` (real Altibase over unixODBC, the default) or `altisim`
 * (the simulator). Both are imported only when chosen, so neither the native odbc addon nor the
 * simulator is loaded by a run that does not use it.
 */
import type { Driver } from '../driver.js';

export const DRIVER_NAMES = ['odbc', 'altisim'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

export class UnknownDriverError extends Error {
  constructor(name: string) {
    super(`unknown database driver '${name}' (AKU_DRIVER); allowed: ${DRIVER_NAMES.join(', ')}`);
    this.name = 'UnknownDriverError';
  }
}

export function isDriverName(name: string): name is DriverName {
  return (DRIVER_NAMES as readonly string[]).includes(name);
}

function asDriver(candidate: unknown): candidate is Driver {
  return typeof candidate === 'object' && candidate !== null && typeof (candidate as Driver).connect === 'function';
}

async function loadAltisim(): Promise<Driver> {
  // A literal specifier, so that the CLI bundle (scripts/bundle-cli.mjs) carries the client
  // driver as a chunk of its own, loaded only when AKU_DRIVER=altisim.
  const loaded = (await import('./altisim.js')) as { default?: unknown; altisimDriver?: unknown };
  const driver = loaded.altisimDriver ?? loaded.default;
  if (!asDriver(driver)) throw new Error("the altisim driver module exports no Driver (expected 'altisimDriver' or a default export)");
  return driver;
}

export async function loadDriver(name: string = process.env.AKU_DRIVER?.trim() || 'odbc'): Promise<Driver> {
  const normalised = name.trim().toLowerCase();
  if (!isDriverName(normalised)) throw new UnknownDriverError(name);
  switch (normalised) {
    case 'odbc': {
      const { odbcDriver } = await import('./odbc.js');
      return odbcDriver;
    }
    case 'altisim':
      return loadAltisim();
  }
}
