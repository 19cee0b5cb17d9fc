import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAkuConf } from '../../src/config/index.js';
import { fixtureText } from '../helpers/conf.js';

/** AKU_SYS_PASSWORD_FILE: the password from a mounted Secret file, never a command line or plain env value. */
describe('config: AKU_SYS_PASSWORD_FILE', () => {
  const text = fixtureText('sample-one-group.conf').replace(/^AKU_SYS_PASSWORD.*$/m, '');
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aku-pwfile-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the password from the file (one trailing newline dropped) and names it as the source', () => {
    writeFileSync(join(dir, 'sys-password'), 'FromFile1\n');
    const loaded = parseAkuConf(text, 'aku.conf', { AKU_SYS_PASSWORD_FILE: join(dir, 'sys-password') });
    assert.equal(loaded.config.sysPassword, 'FromFile1');
    assert.ok(loaded.source.fromEnvironment.includes('AKU_SYS_PASSWORD'));
  });

  it('AKU_SYS_PASSWORD wins over the file', () => {
    writeFileSync(join(dir, 'sys-password'), 'FromFile1');
    const loaded = parseAkuConf(text, 'aku.conf', { AKU_SYS_PASSWORD: 'Direct1', AKU_SYS_PASSWORD_FILE: join(dir, 'sys-password') });
    assert.equal(loaded.config.sysPassword, 'Direct1');
  });

  it('an unreadable file is an error naming the variable and the path', () => {
    const missing = join(dir, 'absent');
    assert.throws(
      () => parseAkuConf(text, 'aku.conf', { AKU_SYS_PASSWORD_FILE: missing }),
      (error: unknown) => error instanceof Error && /AKU_SYS_PASSWORD_FILE/.test(String(error)) && String(error).includes(missing) && /ENOENT/.test(String(error)),
    );
  });

  it('only secrets have a _FILE form', () => {
    writeFileSync(join(dir, 'port'), '21000');
    const loaded = parseAkuConf(fixtureText('sample-one-group.conf'), 'aku.conf', { AKU_PORT_NO_FILE: join(dir, 'port') });
    assert.equal(loaded.config.portNo, 20300);
  });
});
