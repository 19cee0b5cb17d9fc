import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAltisimDriver } from '../../src/db/drivers/altisim.js';
import { hostResolver } from '../../src/lifecycle/host-resolution.js';

describe('host resolution for the own-address check comes from the driver', () => {
  it('uses the driver\'s own resolution when it has one (the altisim driver: its ALTISIM_HOSTS file)', async () => {
    const hosts = join(mkdtempSync(join(tmpdir(), 'aku-hosts-')), 'hosts');
    writeFileSync(hosts, '127.77.0.12 altibase-sts-2.altibase-svc\n');
    const saved = process.env.ALTISIM_HOSTS;
    process.env.ALTISIM_HOSTS = hosts;
    try {
      assert.deepEqual(await hostResolver(createAltisimDriver())('altibase-sts-2.altibase-svc'), ['127.77.0.12']);
      await assert.rejects(hostResolver(createAltisimDriver())('altibase-sts-9.altibase-svc.invalid'), { code: 'ENOTFOUND' });
    } finally {
      if (saved === undefined) delete process.env.ALTISIM_HOSTS;
      else process.env.ALTISIM_HOSTS = saved;
    }
  });

  it('uses the system resolver for a driver without one (odbc)', async () => {
    assert.ok((await hostResolver({})('localhost')).some((a) => a === '127.0.0.1' || a === '::1'));
  });
});
