/**
 * Login admission (altibase-odbc.md §4, altibase-replication.md §0.13), in the server's order:
 * remote SYSDBA gate (before the password), user and password, SYSDBA only for SYS,
 * ADMIN_MODE, and at most one SYSDBA session per server.
 */
import { simError } from '../errors.js';
import type { UserRecord } from './catalog.js';
import type { PropertySet } from './properties.js';
import type { LoginRequest } from './session.js';

export const LOCAL_CLIENT_ADDRESS = '127.0.0.1';

export interface AdmissionContext {
  properties: PropertySet;
  users: ReadonlyMap<string, UserRecord>;
  sysdbaSessionOpen: boolean;
}

/** Returns the normalised user name, or throws the login error. */
export function admitLogin(request: LoginRequest, context: AdmissionContext): string {
  const user = request.user.toUpperCase();
  const { properties } = context;
  if (request.sysdba && properties.getNumber('REMOTE_SYSDBA_ENABLE') === 0 && request.clientAddress !== LOCAL_CLIENT_ADDRESS) {
    throw simError('MM_REMOTE_SYSDBA_NOT_ALLOWED');
  }
  const record = context.users.get(user);
  if (!record) throw simError('MM_NO_USER');
  if (record.password !== request.password) throw simError('MM_INVALID_PASSWORD');
  if (request.sysdba && user !== 'SYS') throw simError('MM_ACCESS_MODE');
  if (properties.getNumber('ADMIN_MODE') === 1 && !request.sysdba) throw simError('MM_ADMIN_MODE');
  if (request.sysdba && context.sysdbaSessionOpen) throw simError('MM_ADMIN_ALREADY_RUNNING');
  return user;
}
