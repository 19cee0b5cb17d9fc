/**
 * altisim as real processes: three `altisim serve` children on loopback addresses, each with its
 * own data directory, reaching each other by name through an ALTISIM_HOSTS file. Faults use the
 * admin protocol (cut/heal/delay) and real signals (kill -9, then a new process on the same data
 * directory), so persistence is exercised for real.
 *
 * The children run from source through tsx (no build step needed); `altisim-cli.test.ts` checks
 * the built bin/altisim separately.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { altisimAdmin, altisimDriver } from '../../src/db/drivers/altisim.js';
import { CONTRACT_PROPERTIES, type ContractTarget, type FaultControl, type TargetFactory } from './targets.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const SERVER_COUNT = 3;

export interface ProcessServerSpec {
  name: string;
  address: string;
  port: number;
  replicationPort: number;
  dataDir: string;
}

/** Spawns and supervises `altisim serve` processes (also used by the bench and the CLI tests). */
export class AltisimProcesses {
  readonly dir = mkdtempSync(join(tmpdir(), 'altisim-procs-'));
  readonly hostsFile = join(this.dir, 'hosts');
  readonly specs: ProcessServerSpec[];
  private readonly children = new Map<number, ChildProcess>();

  constructor(
    count: number,
    private readonly properties: Record<string, number | string> = {},
    private readonly command: string[] = ['--import', 'tsx', join(REPO_ROOT, 'src/altisim/main.ts')],
  ) {
    // Random ports on 127.0.0.<10+i>: parallel runs on one machine do not collide.
    const base = 21000 + 2 * Math.floor(Math.random() * 9000);
    this.specs = Array.from({ length: count }, (_, i) => ({
      name: `pod${i}`,
      address: `127.0.0.${10 + i}`,
      port: base,
      replicationPort: base + 1,
      dataDir: join(this.dir, `data${i}`),
    }));
    writeFileSync(this.hostsFile, this.specs.map((spec) => `${spec.address} ${spec.name}.altisim`).join('\n') + '\n');
  }

  hostName(index: number): string {
    return `${(this.specs[index] as ProcessServerSpec).name}.altisim`;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.specs.map((_, i) => this.start(i)));
  }

  isRunning(index: number): boolean {
    return this.children.has(index);
  }

  /** Start server `index` (again) on its data directory; resolves when it listens. */
  start(index: number): Promise<void> {
    const spec = this.specs[index] as ProcessServerSpec;
    const args = [
      ...this.command,
      'serve',
      '--host', spec.address,
      '--port', String(spec.port),
      '--replication-port', String(spec.replicationPort),
      '--data-dir', spec.dataDir,
      '--name', spec.name,
      ...Object.entries(this.properties).flatMap(([name, value]) => ['--property', `${name}=${value}`]),
    ];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ALTISIM_HOSTS: this.hostsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(index, child);
    child.once('exit', () => {
      if (this.children.get(index) === child) this.children.delete(index);
    });
    return new Promise((resolvePromise, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`altisim ${spec.name} did not start: ${output}`)), 20000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('listening on')) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          resolvePromise();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`altisim ${spec.name} exited (${code}) before listening: ${output}`));
      });
    });
  }

  /** kill -9 and wait for the exit. */
  async kill(index: number): Promise<void> {
    const child = this.children.get(index);
    if (!child) return;
    await new Promise<void>((resolvePromise) => {
      child.once('exit', () => resolvePromise());
      child.kill('SIGKILL');
    });
  }

  /** SIGTERM (orderly shutdown) and wait for the exit code. */
  async terminate(index: number): Promise<number | null> {
    const child = this.children.get(index);
    if (!child) return null;
    return new Promise((resolvePromise) => {
      child.once('exit', (code) => resolvePromise(code));
      child.kill('SIGTERM');
    });
  }

  admin(index: number, action: Parameters<typeof altisimAdmin>[2], args: Record<string, string | number> = {}): Promise<unknown> {
    const spec = this.specs[index] as ProcessServerSpec;
    return altisimAdmin(spec.address, spec.port, action, args);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.children.keys()].map((index) => this.kill(index)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function processTarget(): TargetFactory {
  return {
    label: 'altisim processes',
    async create(): Promise<ContractTarget> {
      const processes = new AltisimProcesses(SERVER_COUNT, CONTRACT_PROPERTIES);
      await processes.startAll();
      const peerAddress = (i: number): string => (processes.specs[i] as ProcessServerSpec).address;
      const both = async (a: number, b: number, action: 'cut' | 'heal', extra: Record<string, string> = {}): Promise<void> => {
        await processes.admin(a, action, { peer: peerAddress(b), ...extra });
        await processes.admin(b, action, { peer: peerAddress(a), ...extra });
      };
      const faults: FaultControl = {
        restart: async (i) => {
          await processes.kill(i);
          await processes.start(i);
        },
        kill: (i) => processes.kill(i),
        start: (i) => processes.start(i),
        cutReplication: (a, b) => both(a, b, 'cut', { path: 'replication' }),
        healReplication: (a, b) => both(a, b, 'heal', { path: 'replication' }),
        delayReplication: async (a, b, ms) => {
          await processes.admin(a, 'delay', { peer: peerAddress(b), ms });
          await processes.admin(b, 'delay', { peer: peerAddress(a), ms });
        },
      };
      return {
        label: 'altisim processes',
        servers: processes.specs.map((spec, i) => ({
          host: spec.address,
          port: spec.port,
          replicationHost: processes.hostName(i),
          replicationPort: spec.replicationPort,
        })),
        driver: altisimDriver,
        sysPassword: 'manager',
        faults,
        deadPeer: { host: '127.0.0.1', port: 1 },
        async reset(cleanBySql) {
          for (let i = 0; i < SERVER_COUNT; i++) if (!processes.isRunning(i)) await processes.start(i);
          for (let i = 0; i < SERVER_COUNT; i++) {
            await processes.admin(i, 'clear-faults');
            for (let j = 0; j < SERVER_COUNT; j++) {
              if (i === j) continue;
              await processes.admin(i, 'heal', { peer: peerAddress(j) });
              await processes.admin(i, 'delay', { peer: peerAddress(j), ms: 0 });
            }
          }
          await cleanBySql();
        },
        dispose: () => processes.dispose(),
      };
    },
  };
}
