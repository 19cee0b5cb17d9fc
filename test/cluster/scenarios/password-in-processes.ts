/**
 * The password is never on a container's command line or in its environment (issue 12, item 2):
 * the chart mounts it as a file and every script reads it from there. While the suite scales
 * 1 → 3 (SYNC joins), runs `aku -i` and scales back to 1 (preStop `aku -p end`), every process of
 * the node is sampled from /proc for the release's Secret values. Only on the local cluster, whose
 * containers are this host's processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ctx } from '../context.js';
import { waitFor } from '../helpers.js';
import { ProcessWatch, scanProcesses } from '../process-watch.js';

let watch: ProcessWatch | undefined;

/**
 * Every value of the release's Secrets (the SYS password, the initial password), except
 * Altibase's documented default `manager` (auth.initialSysPassword): it is no secret, and every
 * node runs a kube-controller-manager.
 */
async function secretValues(): Promise<string[]> {
  const { cluster, release } = ctx();
  const list = await cluster.json(['get', 'secrets', '-l', `app.kubernetes.io/instance=${release}`]);
  const values = list.items.flatMap((s: any) => Object.values(s.data ?? {}).map((v) => Buffer.from(String(v), 'base64').toString('utf8')));
  return values.filter((v: string) => v.length >= 6 && v !== ALTIBASE_DEFAULT_PASSWORD);
}

const ALTIBASE_DEFAULT_PASSWORD = 'manager';

export function startPasswordWatch(): void {
  it('the watch finds a secret planted on a command line (so it can fail)', async () => {
    const planted = `planted-${randomBytes(8).toString('hex')}`;
    // bash stays alive (a second command after sleep) with the planted word as its $0
    const child = spawn('bash', ['-c', 'sleep 30; true', planted], { stdio: 'ignore' });
    try {
      // Until the child has exec'd sleep (before that its command line is node's), bounded.
      const found = await waitFor('the planted process to show in /proc', 10_000, async () => {
        const hits = scanProcesses([planted]);
        return hits.some((e) => e.pid === child.pid && e.where === 'command line') ? hits : undefined;
      }, 100);
      assert.ok(!found.some((e) => e.command.includes(planted)), 'the report must mask the secret');
    } finally {
      child.kill();
    }
  });

  it('starts sampling every process of the node for the release\'s Secret values', async () => {
    const secrets = await secretValues();
    assert.ok(secrets.length >= 1, 'the release has no Secret value to look for');
    watch = new ProcessWatch(secrets);
    watch.start();
  });
}

export function checkPasswordWatch(): void {
  it('no process had the password on its command line or in its environment meanwhile', () => {
    assert.ok(watch, 'the watch did not start');
    const exposures = watch.stop();
    assert.ok(watch.samples > 50, `only ${watch.samples} samples were taken`);
    assert.deepEqual(exposures, [], exposures.map((e) => `pid ${e.pid} (${e.where}): ${e.command}`).join('\n'));
  });
}
