import assert from 'node:assert/strict';
import { CI_VALUES, helmLint, kubeconform, helmTemplateText, tools } from './tools.js';

describe('chart: helm lint --strict and kubeconform -strict', function () {
  this.timeout(60_000);

  before(() => {
    tools(); // fails with the installer hint when the tooling is missing
  });

  it('the ci/ matrix holds at least the chart\'s own cases', () => {
    for (const file of ['default', 'one-group', 'three-groups', 'existing-secret', 'persistence-off', 'overrides', 'simulator']) {
      assert.ok(CI_VALUES.includes(`ci/${file}-values.yaml`), file);
    }
  });

  it('lints clean with the default values', async () => {
    const { exitCode, output } = await helmLint();
    assert.equal(exitCode, 0, output);
    assert.doesNotMatch(output, /\[(WARNING|ERROR)\]/, output);
  });

  for (const file of CI_VALUES) {
    it(`lints clean with ${file}`, async () => {
      const { exitCode, output } = await helmLint([file]);
      assert.equal(exitCode, 0, output);
      assert.doesNotMatch(output, /\[(WARNING|ERROR)\]/, output);
    });

    it(`renders only objects valid against the Kubernetes ${'schemas'} (kubeconform -strict) with ${file}`, async () => {
      const manifests = await helmTemplateText({ valuesFiles: [file] });
      const result = await kubeconform(manifests);
      const bad = result.resources.filter((r) => r.status !== 'statusValid');
      assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
      assert.equal(result.exitCode, 0);
      assert.ok(result.resources.length >= 6, `only ${result.resources.length} objects validated`);
    });
  }

  it('kubeconform, as the tests run it, rejects an unknown field in a pod template', async () => {
    const manifests = (await helmTemplateText()).replace('enableServiceLinks: false', 'enableServiceLinks: false\n      enableServiceLink: false');
    const result = await kubeconform(manifests);
    const invalid = result.resources.filter((r) => r.status === 'statusInvalid');
    assert.equal(invalid.length, 1, JSON.stringify(result.resources, null, 2));
    assert.match(invalid[0]!.msg, /enableServiceLink/);
  });
});
