/**
 * The targets the contract suite runs on in this environment: altisim in-process always, altisim
 * processes unless ALTISIM_CONTRACT_PROCESS=0, a real Altibase when ALTIBASE_TEST_SERVERS is set.
 */
import { processTarget } from './process-target.js';
import { inProcessTarget, realAltibaseTarget, type TargetFactory } from './targets.js';

export function contractTargetFactories(env: NodeJS.ProcessEnv = process.env): TargetFactory[] {
  const factories: TargetFactory[] = [inProcessTarget()];
  if (env.ALTISIM_CONTRACT_PROCESS !== '0') factories.push(processTarget());
  const real = realAltibaseTarget(env);
  if (real) factories.push(real);
  return factories;
}
