import { AltibaseCode, DbError } from '../db/errors.js';
import type { Row } from '../db/driver.js';
import type { LifecycleContext, SqlSession, StatementOptions } from './context.js';
import { LifecycleError } from './errors.js';
import type { ServerNode } from '../topology/index.js';

/**
 * Reaching servers and running statements on them, shared by `-p start`, `-p end`, `-p clean`
 * and `aku reconcile`.
 */

/** The pod name of a server's DNS name (`altibase-sts-1.altibase-svc` → `altibase-sts-1`). */
export function podOf(host: string): string {
  return host.split('.')[0] || host;
}

/**
 * One reached server: reads always run; changes run, or in a dry run are printed as the plan.
 * Every change is logged at DEBUG with its server, so `AKU_LOG_LEVEL=DEBUG` shows the whole plan
 * as it happens.
 */
export class Server {
  constructor(
    readonly node: ServerNode,
    readonly session: SqlSession,
    private readonly ctx: Pick<LifecycleContext, 'dryRun' | 'logger'>,
  ) {}

  get host(): string {
    return this.node.host;
  }

  get ordinal(): number {
    return this.node.ordinal;
  }

  /** The pod name, for the `[pod]` field of log lines. */
  get pod(): string {
    return podOf(this.node.host);
  }

  /** Lets other runs use this server's one SYSDBA slot until the next statement here. */
  release(): Promise<void> {
    return this.session.release();
  }

  read(sql: string, options: StatementOptions = {}): Promise<Row[]> {
    return this.session.query(sql, options);
  }

  async change(sql: string, options: StatementOptions = {}): Promise<void> {
    if (this.ctx.dryRun) {
      this.ctx.logger.info('plan', sql, { pod: this.pod });
      return;
    }
    this.ctx.logger.debug('sql', sql, { pod: this.pod });
    await this.session.query(sql, options);
  }

  /** A change whose listed Altibase errors mean "already so" (e.g. STOP of a stopped object). */
  async changeTolerating(sql: string, codes: number[], options: StatementOptions = {}): Promise<'done' | 'already'> {
    try {
      await this.change(sql, options);
      return 'done';
    } catch (error) {
      if (error instanceof DbError && error.isCode(...codes)) {
        this.ctx.logger.debug('sql', `${sql}: ${error.altibaseCode} (already so)`, { pod: this.pod });
        return 'already';
      }
      throw error;
    }
  }
}

export interface Reached {
  /** Servers whose session opened, by ordinal. */
  servers: Map<number, Server>;
  /** Servers that could not be reached, with why. */
  unreachable: Map<number, { node: ServerNode; error: unknown }>;
}

/**
 * Opens sessions to many servers at once. Each attempt is bounded by the connect timeout, so
 * five absent pods cost one timeout, not five. Unreachable servers are normal (pods that do not
 * exist yet) and are only reported.
 */
export async function reachServers(
  ctx: LifecycleContext,
  nodes: readonly ServerNode[],
  where: string,
  options: { deadline?: number; busyRetries?: number } = {},
): Promise<Reached> {
  const bounded = options.deadline === undefined ? {} : { deadline: options.deadline };
  const busy = options.busyRetries === undefined ? bounded : { ...bounded, retry: options.busyRetries };
  const results = await Promise.all(
    nodes.map(async (node) => {
      const session = ctx.session(node.host);
      try {
        // Pods that do not exist yet are the normal case: one attempt each, all at once. A server
        // that answered "another SYSDBA session is running" exists, though: that one is worth
        // the configured retries.
        await session.open({ retry: false, ...bounded }).catch((error: unknown) => {
          if (error instanceof DbError && error.isCode(AltibaseCode.ANOTHER_SYSDBA_SESSION, AltibaseCode.CLIENT_ANOTHER_SYSDBA_SESSION)) return session.open(busy);
          throw error;
        });
        return { node, server: new Server(node, session, ctx) };
      } catch (error) {
        return { node, error };
      }
    }),
  );
  const reached: Reached = { servers: new Map(), unreachable: new Map() };
  for (const result of results) {
    if ('server' in result && result.server) {
      reached.servers.set(result.node.ordinal, result.server);
    } else {
      reached.unreachable.set(result.node.ordinal, { node: result.node, error: result.error });
      ctx.logger.info(where, `${result.node.host} is not reachable (${shortReason(result.error)}).`, { pod: podOf(result.node.host) });
    }
  }
  return reached;
}

export function shortReason(error: unknown): string {
  if (error instanceof DbError) return `${error.altibaseCode} : ${error.primary.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * This pod's own server must answer; without it nothing can be done. With `local` (`-p end`), the
 * server is reached on ctx.localServerAddress first, the name only if that fails: an end needs no
 * DNS (helm uninstall deletes the headless Service while the preStop hooks run), and a lookup of
 * the pod's own name in its last seconds would leave that name's old address in the cluster's DNS
 * cache, which the pod's replacement then waits out in its address check (measured: ~2.5 s of a
 * resumed start that otherwise takes 0.04 s).
 */
export async function reachSelf(
  ctx: LifecycleContext,
  where: string,
  options: { deadline?: number; retry?: number; local?: boolean } = {},
): Promise<Server> {
  const node = { ordinal: ctx.topology.self.ordinal, host: ctx.topology.self.host };
  const { local: preferLocal, ...open } = options;
  const local = preferLocal ? ctx.localServerAddress : undefined;
  if (local !== undefined) {
    const session = ctx.session(local);
    try {
      await session.open({ ...open, retry: false });
      return new Server(node, session, ctx);
    } catch (error) {
      ctx.logger.info(where, `This pod's server does not answer on ${local} (${shortReason(error)}); reaching it as ${node.host}.`);
    }
  }
  const session = ctx.session(node.host);
  try {
    await session.open(open);
  } catch (error) {
    throw new LifecycleError(
      `cannot reach this pod's own server at ${node.host}:${ctx.config.portNo} (${shortReason(error)}). ` +
        'Is the server running, started with REMOTE_SYSDBA_ENABLE=1, and is no other SYSDBA session open?',
      where,
    );
  }
  return new Server(node, session, ctx);
}

/** The client's "cannot resolve the host name" (ODBC and altisim both say so in the message). */
export function isNameNotResolved(error: unknown): boolean {
  return error instanceof DbError && error.isCode(AltibaseCode.CLIENT_CANNOT_CONNECT) && /resolve/i.test(error.primary.message);
}
