import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completionFileExists, containerIdentity, writeCompletionFile } from '../../src/lifecycle/completion-file.js';

/** The completion file carries the identity of the container that wrote it (a pod's /tmp outlives its container). */
describe('completion file: this container\'s identity', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aku-completion-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the identity is the boot id and the init process\'s start time (field 22 of /proc/<pid>/stat)', () => {
    const identity = containerIdentity({});
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync('/proc/1/stat', 'utf8');
    assert.equal(identity, `${bootId} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`);
    // another "init" process (AKU_CONTAINER_INIT_PID, for tests) has another identity
    assert.notEqual(containerIdentity({ AKU_CONTAINER_INIT_PID: String(process.pid) }), identity);
  });

  it('a file written in this container counts; one an earlier container left does not', () => {
    const file = join(dir, 'aku_start_completed');
    writeCompletionFile(file, 'boot-a 100');
    assert.equal(readFileSync(file, 'utf8'), 'boot-a 100\n');
    assert.equal(completionFileExists(file, 'boot-a 100'), true);
    assert.equal(completionFileExists(file, 'boot-a 200'), false);
    assert.equal(completionFileExists(join(dir, 'absent'), 'boot-a 100'), false);
    // an empty file (written where no identity could be read) counts, as before
    writeFileSync(file, '');
    assert.equal(completionFileExists(file, 'boot-a 200'), true);
  });
});
