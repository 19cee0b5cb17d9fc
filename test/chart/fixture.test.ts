/**
 * The manifest the default values render is checked in (test/fixtures/chart/default-manifest.yaml)
 * so a reviewer sees what a chart change does to it. The test regenerates it and compares;
 * `UPDATE_CHART_FIXTURES=1 npx mocha test/chart/fixture.test.ts` rewrites the file after an
 * intended change. The generated password is replaced by a placeholder.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { helmTemplateText, REPO_ROOT } from './tools.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'chart', 'default-manifest.yaml');

function normalise(manifests: string): string {
  return manifests.replace(/^(  sys-password: )"[A-Za-z0-9+/=]+"$/m, '$1"<generated>"');
}

describe('chart: default manifest fixture', function () {
  this.timeout(30_000);

  it('matches test/fixtures/chart/default-manifest.yaml', async () => {
    const rendered = normalise(await helmTemplateText());
    assert.match(rendered, /sys-password: "<generated>"/);
    if (process.env.UPDATE_CHART_FIXTURES === '1') writeFileSync(FIXTURE, rendered);
    const expected = readFileSync(FIXTURE, 'utf8');
    assert.equal(rendered, expected, 'the default render changed: review it, then rerun with UPDATE_CHART_FIXTURES=1');
  });
});
