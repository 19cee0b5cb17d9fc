/**
 * kube-score v1.20.0, an outside judge, on the default render and every chart/ci values file: no
 * CRITICAL finding but the two the chart cannot avoid —
 *   - container-image-pull-policy: IfNotPresent is the right default for a pinned tag or digest;
 *   - service-targets-pod for the master Service: it selects pod-0 by the label the StatefulSet
 *     controller adds to each pod (statefulset.kubernetes.io/pod-name), which no template carries.
 * Before issue 12 the default render had 23 CRITICAL findings (21 besides pull policy).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { CI_VALUES, helmTemplateText, tools } from './tools.js';

const ACCEPTED = [/ImagePullPolicy is not set to Always/, /-master\/\S+ v1\/Service: The services selector does not match any pods/];

async function criticals(valuesFiles: string[]): Promise<{ all: string[]; unexpected: string[] }> {
  const manifests = await helmTemplateText({ valuesFiles });
  const result = await execa(tools().kubeScore, ['score', '--output-format', 'ci', '-'], { input: manifests, reject: false });
  // exit 1 when anything is CRITICAL; the lines say what
  const all = result.stdout.split('\n').filter((l) => l.startsWith('[CRITICAL]'));
  return { all, unexpected: all.filter((l) => !ACCEPTED.some((re) => re.test(l))) };
}

describe('chart: kube-score v1.20.0', function () {
  this.timeout(120_000);

  it('is the pinned version (the module version in the binary\'s Go build info)', async () => {
    const result = await execa('go', ['version', '-m', tools().kubeScore]);
    assert.match(result.stdout, /^\s*mod\s+github\.com\/zegl\/kube-score\s+v1\.20\.0\s/m);
  });

  for (const file of [undefined, ...CI_VALUES]) {
    it(`${file ?? 'default values'}: no CRITICAL but pull policy and the master Service's selector`, async () => {
      const { all, unexpected } = await criticals(file ? [file] : []);
      assert.deepEqual(unexpected, []);
      // the pull policy of the StatefulSet, the test Pod and the reconcile Job, and the master Service
      if (!file) assert.equal(all.length, 4, all.join('\n'));
    });
  }
});
