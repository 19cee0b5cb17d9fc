/**
 * Killing a pod's processes the way a crash or a lost node does — with no chance to run `aku -p
 * end` — on the local cluster, whose node is this host: the pod's cgroup is frozen (every process
 * in it, and any process exec'd into it later such as the preStop hook, stops where it is), every
 * process in it gets SIGKILL while frozen, and the thaw lets the kills land before any of them
 * runs another instruction. cgroup v1 (the freezer hierarchy) and v2 (cgroup.freeze).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V2_ROOT = '/sys/fs/cgroup';
const V1_FREEZER = '/sys/fs/cgroup/freezer';

export interface FrozenPod {
  /** SIGKILL to every process in the pod (those exec'd since the freeze included), then thaw. */
  killAndThaw(): number;
  /** Thaw without killing (cleanup). */
  thaw(): void;
}

function isV2(): boolean {
  return existsSync(join(V2_ROOT, 'cgroup.controllers'));
}

/** The pod's own cgroup directory: `pod<uid>` (cgroupfs driver) or `…pod<uid with _>.slice` (systemd). */
function podCgroup(uid: string): string {
  const root = isV2() ? V2_ROOT : V1_FREEZER;
  const names = [`pod${uid}`, `pod${uid.replace(/-/g, '_')}.slice`];
  const search = (dir: string, depth: number): string | undefined => {
    if (depth > 4) return undefined;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (names.some((n) => entry.name === n || entry.name.endsWith(`-${n}`))) return path;
      const found = search(path, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const found = search(root, 0);
  if (!found) throw new Error(`no cgroup of pod ${uid} under ${root}`);
  return found;
}

/** Every pid in a cgroup and the cgroups below it. */
function pids(dir: string): number[] {
  const file = join(dir, isV2() ? 'cgroup.procs' : 'tasks');
  const own = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
  const below = readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory()).flatMap((e) => pids(join(dir, e)));
  return [...own, ...below];
}

function frozen(dir: string): boolean {
  return isV2() ? /^frozen 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8')) : readFileSync(join(dir, 'freezer.state'), 'utf8').trim() === 'FROZEN';
}

/** Freezes every process of the pod with this uid; bounded wait for the freeze to take. */
export async function freezePod(uid: string): Promise<FrozenPod> {
  const dir = podCgroup(uid);
  const set = (on: boolean) => (isV2() ? writeFileSync(join(dir, 'cgroup.freeze'), on ? '1' : '0') : writeFileSync(join(dir, 'freezer.state'), on ? 'FROZEN' : 'THAWED'));
  set(true);
  const deadline = Date.now() + 10_000;
  while (!frozen(dir)) {
    if (Date.now() > deadline) throw new Error(`the cgroup ${dir} did not freeze within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    killAndThaw() {
      const victims = pids(dir);
      for (const pid of victims) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      set(false);
      return victims.length;
    },
    thaw: () => set(false),
  };
}
