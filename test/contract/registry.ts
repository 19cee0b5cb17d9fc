/** The targets the contract suite runs on in this environment. */
import { inProcessTarget, realAltibaseTarget, type TargetFactory } from './targets.js';

export function contractTargetFactories(env: NodeJS.ProcessEnv = process.env): TargetFactory[] {
  const factories: TargetFactory[] = [inProcessTarget()];
  const real = realAltibaseTarget(env);
  if (real) factories.push(real);
  return factories;
}
