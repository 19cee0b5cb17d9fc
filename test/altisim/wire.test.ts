import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientDiagnostics, LineDecoder, parseHostsFile, plainAddress, resolveHost } from '../../src/db/drivers/altisim-wire.js';

describe('altisim wire helpers', () => {
  it('splits a byte stream into JSON messages across chunk boundaries', () => {
    const decoder = new LineDecoder();
    assert.deepEqual(decoder.push('{"id":1}\n{"id"'), [{ id: 1 }]);
    assert.deepEqual(decoder.push(':2}\n\n{"id":3}\n'), [{ id: 2 }, { id: 3 }]);
    assert.throws(() => decoder.push('not json\n'));
  });

  it('parses hosts files: comments, aliases, invalid addresses ignored', () => {
    assert.deepEqual(parseHostsFile('# pods\n127.0.0.10 pod0.svc pod0 # first\n\nnot-an-ip name\n127.0.0.11\tpod1.svc\n'), [
      { address: '127.0.0.10', names: ['pod0.svc', 'pod0'] },
      { address: '127.0.0.11', names: ['pod1.svc'] },
    ]);
  });

  it('resolves through ALTISIM_HOSTS (re-read each time), IP literals as they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'altisim-hosts-'));
    try {
      const file = join(dir, 'hosts');
      writeFileSync(file, '127.0.0.10 pod0.altisim\n');
      const env = { ALTISIM_HOSTS: file };
      assert.equal(await resolveHost('POD0.altisim', env), '127.0.0.10');
      assert.equal(await resolveHost('10.1.2.3', env), '10.1.2.3');
      writeFileSync(file, '127.0.0.10 pod0.altisim\n127.0.0.11 pod1.altisim\n');
      assert.equal(await resolveHost('pod1.altisim', env), '127.0.0.11');
      assert.equal(await resolveHost('localhost', env), '127.0.0.1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the Altibase client diagnostics', () => {
    assert.deepEqual(clientDiagnostics.connectRefused(), {
      state: '08001',
      code: 0x50032,
      message: 'Client unable to establish connection. (Failed to invoke the connect() system function, errno=111)',
    });
    assert.equal(clientDiagnostics.linkFailure('(x)').state, '08S01');
    assert.equal(clientDiagnostics.noConnection().code, 0x51036);
    assert.equal(plainAddress('::ffff:127.0.0.1'), '127.0.0.1');
  });
});
