/**
 * chart/README.md's parameter tables are generated from the `## @param` lines of values.yaml by
 * @bitnami/readme-generator-for-helm (the pinned devDependency). The test regenerates a copy and
 * compares: a value without `## @param`, a stale description or a stale default fails here.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CHART_DIR, REPO_ROOT } from './tools.js';

const GENERATOR = join(REPO_ROOT, 'node_modules', '.bin', 'readme-generator');

describe('chart: README.md generated from values.yaml', function () {
  this.timeout(60_000);

  it('the generator is the pinned devDependency', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.match(pkg.devDependencies['@bitnami/readme-generator-for-helm'], /^\d+\.\d+\.\d+$/);
  });

  it('regenerating it changes nothing (`npm run chart:readme` after editing values.yaml)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aku-readme-'));
    try {
      const copy = join(dir, 'README.md');
      copyFileSync(join(CHART_DIR, 'README.md'), copy);
      const result = await execa(GENERATOR, ['-v', join(CHART_DIR, 'values.yaml'), '-r', copy], { reject: false, all: true });
      assert.equal(result.exitCode, 0, result.all);
      assert.equal(readFileSync(copy, 'utf8'), readFileSync(join(CHART_DIR, 'README.md'), 'utf8'), 'chart/README.md is stale: run `npm run chart:readme`');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a value without `## @param` fails the generation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aku-readme-'));
    try {
      const values = join(dir, 'values.yaml');
      const readme = join(dir, 'README.md');
      copyFileSync(join(CHART_DIR, 'README.md'), readme);
      const text = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8').replace(/^clusterDomain: cluster\.local$/m, 'clusterDomain: cluster.local\nundocumentedValue: 1');
      writeFileSync(values, text);
      const result = await execa(GENERATOR, ['-v', values, '-r', readme], { reject: false, all: true });
      assert.notEqual(result.exitCode, 0);
      assert.match(result.all ?? '', /Missing metadata for key: undocumentedValue/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
