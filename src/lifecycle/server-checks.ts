import { selectProperty, type ServerProperty } from '../sql/index.js';
import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';
import type { ReplicationStates } from './replication-state.js';
import type { Server } from './server.js';

const WHERE = 'akuRunStart:check';

export async function readProperty(server: Server, name: ServerProperty): Promise<string | undefined> {
  const rows = await server.read(selectProperty(name));
  const value = rows[0]?.VALUE1;
  return value === null || value === undefined ? undefined : String(value);
}

/**
 * What the server must allow before aku creates anything, checked up front so a start never
 * stops half-way through creating objects: several groups need REPLICATION_ALLOW_DUPLICATE_HOSTS
 * (each peer appears in one object per group), and every object must fit REPLICATION_MAX_COUNT.
 */
export async function checkServerAllows(ctx: LifecycleContext, self: Server, states: ReplicationStates, missing: number): Promise<void> {
  const groups = ctx.config.replications.length;
  if (groups > 1) {
    const duplicates = await readProperty(self, 'REPLICATION_ALLOW_DUPLICATE_HOSTS');
    if (duplicates !== '1') {
      throw new LifecycleError(
        `aku.conf has ${groups} REPLICATIONS groups, so every peer appears in ${groups} replication objects, but ` +
          `REPLICATION_ALLOW_DUPLICATE_HOSTS is ${duplicates ?? 'not set'} on ${self.host}; the server would refuse the second ` +
          'object (ERR-6110C). Start the server with REPLICATION_ALLOW_DUPLICATE_HOSTS=1 (the chart sets it when there are several groups).',
        WHERE,
      );
    }
  }
  const max = Number(await readProperty(self, 'REPLICATION_MAX_COUNT'));
  if (Number.isFinite(max) && states.size + missing > max) {
    throw new LifecycleError(
      `${self.host} has ${states.size} replication objects and aku needs ${missing} more, but REPLICATION_MAX_COUNT is ${max}. ` +
        `Raise REPLICATION_MAX_COUNT to at least ${states.size + missing}, or lower AKU_SERVER_COUNT or the number of groups.`,
      WHERE,
    );
  }
}
