import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DRIVER_NAMES, UnknownDriverError, loadDriver } from '../../src/db/drivers/index.js';

const altisimModule = fileURLToPath(new URL('../../src/db/drivers/altisim.ts', import.meta.url));

describe('driver selection', () => {
  const saved = process.env.AKU_DRIVER;
  afterEach(() => {
    if (saved === undefined) delete process.env.AKU_DRIVER;
    else process.env.AKU_DRIVER = saved;
  });

  it('defaults to odbc', async () => {
    delete process.env.AKU_DRIVER;
    assert.equal((await loadDriver()).name, 'odbc');
  });

  it('follows AKU_DRIVER, case-insensitively', async () => {
    process.env.AKU_DRIVER = 'ODBC';
    assert.equal((await loadDriver()).name, 'odbc');
  });

  it('rejects an unknown name and lists the allowed ones', async () => {
    await assert.rejects(loadDriver('mysql'), (e: unknown) => {
      assert.ok(e instanceof UnknownDriverError);
      assert.equal(e.message, "unknown database driver 'mysql' (AKU_DRIVER); allowed: odbc, altisim");
      return true;
    });
    assert.deepEqual([...DRIVER_NAMES], ['odbc', 'altisim']);
  });

  it('loads the simulator driver lazily from src/db/drivers/altisim.ts', async () => {
    if (existsSync(altisimModule)) {
      const driver = await loadDriver('altisim');
      assert.equal(typeof driver.connect, 'function');
    } else {
      // The simulator's driver is written separately; until it exists, choosing it fails at load time, not at import time.
      await assert.rejects(loadDriver('altisim'), /altisim/);
    }
  });
});
