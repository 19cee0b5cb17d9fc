import { readFileSync } from 'node:fs';

/**
 * The optional monitoring login of `aku status` (docs/status.md, "Logins"). aku.conf and the
 * Altibase manuals are silent on one; aku's choice:
 *
 *   AKU_MONITOR_USER           a database user status logs in as, without SYSDBA, so that it
 *                              never takes a server's one SYSDBA session (ERR-41041);
 *   AKU_MONITOR_PASSWORD_FILE  a file holding that user's password (a mounted Secret). There is
 *                              no plain-value variable: a password is never an environment value.
 *                              For AKU_MONITOR_USER = SYS it may be left out: SYS's password is used.
 *
 * Both come from the environment only: they belong to whoever runs status (a probe, the
 * `helm test` pod), not to the pods' lifecycle, so aku.conf and `aku -i` stay as they are.
 * A server with ADMIN_MODE = 1 refuses every login but SYSDBA (ERR-4106E): status then falls
 * back to SYSDBA, bounded, as if no monitoring user were set.
 */
export interface MonitorLogin {
  user: string;
  password: string;
}

export class MonitorLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MonitorLoginError';
  }
}

export function monitorLoginFromEnv(env: NodeJS.ProcessEnv, sysPassword: string): MonitorLogin | undefined {
  const user = env.AKU_MONITOR_USER?.trim();
  const file = env.AKU_MONITOR_PASSWORD_FILE?.trim();
  if (!user) {
    if (file) throw new MonitorLoginError('AKU_MONITOR_PASSWORD_FILE is set but AKU_MONITOR_USER is not; set both, or neither');
    return undefined;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,127}$/.test(user)) {
    throw new MonitorLoginError(`AKU_MONITOR_USER = ${user} is not an Altibase user name (a letter or _, then letters, digits, _ or $)`);
  }
  const upper = user.toUpperCase();
  if (!file) {
    if (upper === 'SYS') return { user: upper, password: sysPassword };
    throw new MonitorLoginError(`AKU_MONITOR_USER = ${user} needs AKU_MONITOR_PASSWORD_FILE, the path of a file holding its password`);
  }
  let password: string;
  try {
    password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MonitorLoginError(`cannot read ${file} (${code}); AKU_MONITOR_PASSWORD_FILE must name a readable file holding the password of ${upper}`);
  }
  if (password.length === 0) throw new MonitorLoginError(`${file} (AKU_MONITOR_PASSWORD_FILE) is empty`);
  return { user: upper, password };
}
