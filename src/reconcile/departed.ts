import { Session } from '../db/session.js';
import { isConnectFailure, openOnce, shortError } from '../lifecycle/sysdba-slot.js';
import type { PodLook } from '../kube/set-facts.js';
import { serverHost } from '../topology/index.js';
import { podName, W, type ReconcileContext } from './context.js';
import type { DepartedReport } from './model.js';

/**
 * Is a departed ordinal really gone? Its objects on the survivors are reset only when no Pod
 * object exists for it (when the API was read: settle.ts) and its server does not answer. A pod
 * still running is left to its own `aku -p end`, which flushes what it can and decommissions its
 * pairs — better than anything reconcile could do from outside.
 *
 * The server is asked with one login as SYS *without* SYSDBA: any answer, a refusal included
 * (ADMIN_MODE = 1 refuses it with ERR-4106E), proves the server runs, and no SYSDBA session is
 * taken from a departing pod's `-p end`.
 */
export async function checkDeparted(ctx: ReconcileContext, ordinal: number, look: PodLook | undefined): Promise<DepartedReport> {
  const pod = podName(ctx.config, ordinal);
  const running = (reason: string): DepartedReport => {
    ctx.logger.warn(W.departed, `${pod} is still running (${reason}); its aku -p end decommissions it; run aku reconcile again once it is gone.`, { pod });
    return { ordinal, pod, state: 'running', reason };
  };
  if (look?.kind === 'present') return running(look.deleting ? 'its Pod is terminating' : 'its Pod exists');
  if (look?.kind === 'unknown') {
    ctx.logger.warn(W.departed, `Whether ${pod} still exists is unknown (${look.why}); its objects are left alone. Run aku reconcile again.`, { pod });
    return { ordinal, pod, state: 'unknown', reason: look.why };
  }
  const host = serverHost(ctx.config, ordinal);
  const session = new Session(ctx.slot.driver, host, { ...ctx.slot.sysdba, sysdba: false }, { logger: ctx.slot.dbLogger });
  const failure = await openOnce(session);
  await session.close();
  if (failure === undefined) return running(`its server at ${host} answers`);
  if (!isConnectFailure(failure)) return running(`its server at ${host} answers (${shortError(failure)})`);
  const reason = `${look?.kind === 'absent' ? 'no Pod object; ' : ''}its server at ${host} does not answer (${shortError(failure)})`;
  ctx.logger.info(W.departed, `${pod} is gone: ${reason}.`, { pod });
  return { ordinal, pod, state: 'gone', reason };
}
