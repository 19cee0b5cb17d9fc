/**
 * The chart has no special case for the local cluster: its values file only names the image that
 * cluster holds (and that it is never pulled). Runs without root.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LOCAL_VALUES } from './helpers.js';

describe('chart/ci/local-cluster-values.yaml', () => {
  it('sets nothing but the image: the chart and its defaults are what users install', () => {
    const values = parse(readFileSync(LOCAL_VALUES, 'utf8'));
    assert.deepEqual(Object.keys(values), ['image']);
    assert.deepEqual(Object.keys(values.image).sort(), ['pullPolicy', 'repository']);
    assert.equal(values.image.pullPolicy, 'Never');
    assert.match(values.image.repository, /^localhost\//);
  });
});
