import type { LifecycleContext } from './context.js';
import { LifecycleError } from './errors.js';

const WHERE = 'akuRunStart:address';

/**
 * A try lasts a second (AKU_ADDRESS_CHECK_COUNT counts them, as the original does), and within it
 * the name is looked up every 200 ms: after a pod is deleted and back, its name turns to the new
 * address as soon as the endpoints and the DNS cache catch up, and a start that resumes takes
 * about a second in all, so waiting out whole seconds would be most of it.
 */
const LOOKS_PER_TRY = 5;
const LOOK_INTERVAL_MS = 1000 / LOOKS_PER_TRY;

/**
 * Waits until this pod's own DNS name (`<pod>.<svc>`) resolves to an address of this machine:
 * peers reach the pod by that name, and the headless Service publishes it (not-ready addresses
 * included) only once the pod exists. AKU_ADDRESS_CHECK_COUNT tries of a second each.
 */
export async function waitForOwnAddress(ctx: LifecycleContext): Promise<void> {
  const host = ctx.topology.self.host;
  const tries = ctx.config.addressCheckCount;
  let last = 'no answer';
  for (let attempt = 1; attempt <= tries; attempt++) {
    for (let look = 1; look <= LOOKS_PER_TRY; look++) {
      try {
        const addresses = await ctx.resolve(host);
        if (addresses.some((a) => ctx.isLocalAddress(a))) {
          if (attempt > 1 || look > 1) ctx.logger.info(WHERE, `${host} resolves to this pod (try ${attempt}/${tries}).`);
          return;
        }
        last = `resolves to ${addresses.join(', ')}, not to this pod`;
      } catch (error) {
        last = (error as NodeJS.ErrnoException).code ?? String(error);
      }
      if (look === 1 && (attempt === 1 || attempt % 5 === 0)) ctx.logger.info(WHERE, `Waiting for ${host} to resolve to this pod (${last}; try ${attempt}/${tries}).`);
      if (attempt < tries || look < LOOKS_PER_TRY) await ctx.sleep(LOOK_INTERVAL_MS);
    }
  }
  throw new LifecycleError(
    `${host} did not resolve to this pod after ${tries} tries (${last}). Check that the headless Service ` +
      `${ctx.config.svcName} selects this pod and has publishNotReadyAddresses: true.`,
    WHERE,
  );
}
