import type { ReplicationGroup } from '../config/model.js';
import { AltibaseCode } from '../db/errors.js';
import { createReplication, resetReplication, stopReplication } from '../sql/index.js';
import { replicationName, serverHost } from '../topology/index.js';
import type { LifecycleContext } from './context.js';
import { readStates, type ReplicationStates } from './replication-state.js';
import type { Server } from './server.js';

/**
 * Creates, on `server`, the object it shares with `peerOrdinal` for `group`, unless one of that
 * name exists already (a restarted pod keeps its objects).
 */
export async function ensureObject(
  ctx: LifecycleContext,
  server: Server,
  states: ReplicationStates,
  group: ReplicationGroup,
  peerOrdinal: number,
): Promise<'created' | 'existed'> {
  const name = replicationName(group, server.ordinal, peerOrdinal);
  if (states.has(name)) return 'existed';
  const peerHost = serverHost(ctx.config, peerOrdinal);
  await server.change(createReplication(name, peerHost, ctx.config.replicationPortNo, group.items));
  states.set(name, { name, xsn: -1, started: false });
  ctx.logger.debug('akuRunStart:create', `Created ${name} toward ${peerHost}.`, { pod: server.pod, replication: name });
  return 'created';
}

/**
 * STOP then RESET one object: it then holds no history and keeps no log for its peer.
 * STOP of an object that is not running is already what we want (ERR-61027).
 */
export async function stopAndReset(server: Server, name: string, states: ReplicationStates, timeoutSec?: number): Promise<void> {
  const options = timeoutSec === undefined ? {} : { timeoutSec };
  await server.changeTolerating(stopReplication(name), [AltibaseCode.REPLICATION_NOT_STARTED], options);
  await server.change(resetReplication(name), options);
  const state = states.get(name);
  if (state) states.set(name, { ...state, xsn: -1, started: false });
}

/** Reads the replication objects of every reached server, by ordinal. */
export async function readAllStates(servers: Iterable<Server>): Promise<Map<number, ReplicationStates>> {
  const entries = await Promise.all([...servers].map(async (s) => [s.ordinal, await readStates(s)] as const));
  return new Map(entries);
}
