import { hostname as systemHostname } from 'node:os';

/** Which pod aku runs in: its name and its StatefulSet ordinal. */
export interface PodIdentity {
  name: string;
  ordinal: number;
  /** Where the name came from, for messages. */
  source: 'AKU_POD_NAME' | 'HOSTNAME' | 'system host name';
}

/** The pod cannot be identified: a usage problem (exit 2), not an operation failure. */
export class PodIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PodIdentityError';
  }
}

/**
 * The pod name comes from AKU_POD_NAME (the chart sets it from the downward API), else HOSTNAME
 * (a StatefulSet pod's host name is its name), else the system host name. The ordinal is the
 * number after the last `-`, as in every StatefulSet pod name.
 */
export function resolvePodIdentity(env: NodeJS.ProcessEnv = process.env, hostname: () => string = systemHostname): PodIdentity {
  const candidates: [PodIdentity['source'], string | undefined][] = [
    ['AKU_POD_NAME', env.AKU_POD_NAME],
    ['HOSTNAME', env.HOSTNAME],
  ];
  const [source, name] = candidates.find(([, value]) => value !== undefined && value !== '') ?? ['system host name', hostname()];
  const match = /-(\d+)$/.exec(name ?? '');
  if (!name || !match) {
    throw new PodIdentityError(
      `cannot tell this pod's ordinal: the pod name "${name ?? ''}" (from ${source}) does not end in -<number>. ` +
        'aku runs in a StatefulSet pod such as altibase-sts-0; outside one, set AKU_POD_NAME=<statefulset>-<ordinal>.',
    );
  }
  return { name, ordinal: Number(match[1]), source };
}

/**
 * The set's pod a command runs in, if it runs in one: its name must be `<stsName>-<n>` with n
 * inside AKU_SERVER_COUNT. Anywhere else (a test pod, a Job, a laptop) it is an outside observer.
 */
export function podInSet(env: NodeJS.ProcessEnv, stsName: string, serverCount: number): { name: string; ordinal: number } | undefined {
  try {
    const pod = resolvePodIdentity(env);
    return pod.name === `${stsName}-${pod.ordinal}` && pod.ordinal < serverCount ? pod : undefined;
  } catch {
    return undefined;
  }
}
