import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';

const WHERE = 'akuRunStart:address';

/**
 * Waits until this pod's own DNS name (`<pod>.<svc>`) resolves to an address of this machine:
 * peers reach the pod by that name, and the headless Service publishes it (not-ready addresses
 * included) only once the pod exists. One try a second, AKU_ADDRESS_CHECK_COUNT tries.
 */
export async function waitForOwnAddress(ctx: LifecycleContext): Promise<void> {
  const host = ctx.topology.self.host;
  const tries = ctx.config.addressCheckCount;
  let last = 'no answer';
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      const addresses = await ctx.resolve(host);
      if (addresses.some((a) => ctx.isLocalAddress(a))) {
        if (attempt > 1) ctx.logger.info(WHERE, `${host} resolves to this pod (try ${attempt}/${tries}).`);
        return;
      }
      last = `resolves to ${addresses.join(', ')}, not to this pod`;
    } catch (error) {
      last = (error as NodeJS.ErrnoException).code ?? String(error);
    }
    if (attempt === 1 || attempt % 5 === 0) ctx.logger.info(WHERE, `Waiting for ${host} to resolve to this pod (${last}; try ${attempt}/${tries}).`);
    if (attempt < tries) await ctx.sleep(1000);
  }
  throw new LifecycleError(
    `${host} did not resolve to this pod after ${tries} tries (${last}). Check that the headless Service ` +
      `${ctx.config.svcName} selects this pod and has publishNotReadyAddresses: true.`,
    WHERE,
  );
}
