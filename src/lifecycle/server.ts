import { AltibaseCode, DbError } from '../db/errors.js';
import type { Row } from '../db/driver.js';
import type { LifecycleContext, SqlSession } from './context.js';
import type { ServerNode } from '../topology/index.js';

/**
 * One reached server: reads always run; changes run, or in a dry run are printed as the plan.
 * Every change is logged at DEBUG with its server, so `AKU_LOG_LEVEL=DEBUG` shows the whole plan
 * as it happens.
 */
export class Server {
  constructor(
    readonly node: ServerNode,
    readonly session: SqlSession,
    private readonly ctx: LifecycleContext,
  ) {}

  get host(): string {
    return this.node.host;
  }

  get ordinal(): number {
    return this.node.ordinal;
  }

  /** The pod name, for the `[pod]` field of log lines. */
  get pod(): string {
    return this.node.host.split('.')[0] ?? this.node.host;
  }

  read(sql: string): Promise<Row[]> {
    return this.session.query(sql);
  }

  async change(sql: string, options: { timeoutSec?: number; retry?: boolean | number } = {}): Promise<void> {
    if (this.ctx.dryRun) {
      this.ctx.logger.info('plan', sql, { pod: this.pod });
      return;
    }
    this.ctx.logger.debug('sql', sql, { pod: this.pod });
    await this.session.query(sql, options);
  }

  /** A change whose listed Altibase errors mean "already so" (e.g. STOP of a stopped object). */
  async changeTolerating(sql: string, codes: number[], options: { timeoutSec?: number } = {}): Promise<'done' | 'already'> {
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
export async function reachServers(ctx: LifecycleContext, nodes: readonly ServerNode[], where: string): Promise<Reached> {
  const results = await Promise.all(
    nodes.map(async (node) => {
      const session = ctx.session(node.host);
      try {
        // Pods that do not exist yet are the normal case: one attempt each, all at once. A server
        // that answered "another SYSDBA session is running" exists, though: that one is worth
        // the configured retries.
        await session.open({ retry: false }).catch((error: unknown) => {
          if (error instanceof DbError && error.isCode(AltibaseCode.ANOTHER_SYSDBA_SESSION, AltibaseCode.CLIENT_ANOTHER_SYSDBA_SESSION)) return session.open();
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
      const pod = result.node.host.split('.')[0];
      ctx.logger.info(where, `${result.node.host} is not reachable (${shortReason(result.error)}); replication with it starts when it starts.`, { ...(pod ? { pod } : {}) });
    }
  }
  return reached;
}

export function shortReason(error: unknown): string {
  if (error instanceof DbError) return `${error.altibaseCode} : ${error.primary.message}`;
  return error instanceof Error ? error.message : String(error);
}
