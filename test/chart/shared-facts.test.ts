/**
 * One source for the facts aku, the chart and the pod scripts share: src/ (item 5). The generated
 * files must match src/, the chart and the scripts must take the facts from them (a fact changed
 * in the generated file changes the chart's verdict), and no consumer may repeat a fact literally.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FACT_FILES, renderImageExitCodes, renderJson, renderShell, sharedFacts } from '../../scripts/generate-shared-facts.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { DEFAULT_COMPLETION_FILE } from '../../src/cli/server-access.js';
import { replicationName, serverHost } from '../../src/topology/topology.js';
import { CHART_DIR, REPO_ROOT, tools } from './tools.js';

describe('shared facts: generated from src/, used by the chart and the pod scripts', function () {
  this.timeout(60_000);

  it('chart/files/aku-facts.json and aku-facts.sh are what src/ says (`npm run generate:facts`)', async () => {
    assert.equal(readFileSync(FACT_FILES.json, 'utf8'), renderJson(sharedFacts()));
    assert.equal(readFileSync(FACT_FILES.shell, 'utf8'), renderShell(sharedFacts()));
    const check = await execa('npx', ['tsx', 'scripts/generate-shared-facts.ts', '--check'], { cwd: REPO_ROOT, reject: false, all: true });
    assert.equal(check.exitCode, 0, check.all);
  });

  it('--check names a generated file that drifted from src/', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'aku-facts-'));
    try {
      for (const dir of ['scripts', 'src', 'chart']) cpSync(join(REPO_ROOT, dir), join(copy, dir), { recursive: true });
      cpSync(join(REPO_ROOT, 'package.json'), join(copy, 'package.json'));
      const json = join(copy, 'chart', 'files', 'aku-facts.json');
      writeFileSync(json, readFileSync(json, 'utf8').replace('"maxPrefixBytes": 37', '"maxPrefixBytes": 36'));
      const check = await execa(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/generate-shared-facts.ts', '--check'], { cwd: copy, reject: false, all: true });
      assert.equal(check.exitCode, 1);
      assert.match(check.all ?? '', /chart\/files\/aku-facts\.json differs from what src\/ says/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the chart takes its limits from aku-facts.json: a changed fact changes helm\'s verdict', async () => {
    const { helm } = tools();
    const copy = mkdtempSync(join(tmpdir(), 'aku-facts-chart-'));
    try {
      cpSync(CHART_DIR, join(copy, 'chart'), { recursive: true });
      const json = join(copy, 'chart', 'files', 'aku-facts.json');
      const prefix37 = ['--set', `aku.replications[0].prefix=${'P'.repeat(37)}`, '--set', 'aku.replications[0].items[0].user=SYS', '--set', 'aku.replications[0].items[0].table=T1'];
      const before = await execa(helm, ['template', 't', join(copy, 'chart'), ...prefix37], { reject: false, all: true });
      assert.equal(before.exitCode, 0, before.all);
      const facts = JSON.parse(readFileSync(json, 'utf8'));
      writeFileSync(json, JSON.stringify({ ...facts, maxPrefixBytes: 36, maxReplicationHostBytes: 30 }));
      const after = await execa(helm, ['template', 't', join(copy, 'chart'), ...prefix37], { reject: false, all: true });
      assert.equal(after.exitCode, 1);
      assert.match(after.all ?? '', /prefix may have at most 36/);
      assert.match(after.all ?? '', /Altibase keeps at most 30 bytes of a replication host/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the shell functions agree with aku\'s own', async () => {
    const out = await execa('bash', ['-c', `. "${FACT_FILES.shell}"; aku_replication_name AKU_REP 3 1; echo; aku_pod_host db 5 db-hl; echo; aku_completion_file; echo; AKU_START_COMPLETED_FILE=/x/y aku_completion_file`]);
    assert.deepEqual(out.stdout.split('\n'), [
      replicationName({ prefix: 'AKU_REP' }, 3, 1),
      serverHost({ stsName: 'db', svcName: 'db-hl' }, 5),
      DEFAULT_COMPLETION_FILE,
      '/x/y',
    ]);
  });

  it('no template or pod script repeats a fact literally', () => {
    const files = [
      ...readdirSync(join(CHART_DIR, 'templates')).filter((f) => f.endsWith('.tpl') || f.endsWith('.yaml') || f.endsWith('.txt')).map((f) => join(CHART_DIR, 'templates', f)),
      ...readdirSync(join(CHART_DIR, 'files')).filter((f) => f.endsWith('.sh') && f !== 'aku-facts.sh').map((f) => join(CHART_DIR, 'files', f)),
    ];
    const repeated: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (text.includes(DEFAULT_COMPLETION_FILE)) repeated.push(`${file}: ${DEFAULT_COMPLETION_FILE}`);
      if (/\bPOWID\b|\bDISJOIN\b|\bCONJOIN\b/.test(text)) repeated.push(`${file}: reserved words`);
      if (/printf '%s_%d%d'|"%s-%d\.%s"/.test(text)) repeated.push(`${file}: a name format`);
    }
    assert.deepEqual(repeated, []);
  });

  it('the pod scripts and the image\'s scripts take their exit statuses from the facts, never a literal', () => {
    assert.equal(readFileSync(FACT_FILES.imageExitCodes, 'utf8'), renderImageExitCodes(sharedFacts()));
    const dirs = [join(CHART_DIR, 'files'), join(REPO_ROOT, 'docker'), join(REPO_ROOT, 'docker', 'lib')];
    const literal: string[] = [];
    for (const dir of dirs) {
      for (const name of readdirSync(dir).filter((f) => f.endsWith('.sh') && f !== 'aku-facts.sh' && f !== 'exit-codes.sh')) {
        readFileSync(join(dir, name), 'utf8').split('\n').forEach((line, i) => {
          // `return 0` from a helper is bash's "true"; a status the process ends with is a fact.
          if (/\bexit [1-9]|\breturn [1-9]/.test(line.replace(/#.*$/, ''))) literal.push(`${join(dir, name)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    assert.deepEqual(literal, []);
  });

  it('the shell names carry aku\'s own exit statuses', async () => {
    const out = await execa('bash', ['-c', `. "${FACT_FILES.shell}"; echo $AKU_EXIT_OK $AKU_EXIT_FAILURE $AKU_EXIT_USAGE; . "${FACT_FILES.imageExitCodes}"; echo $EXIT_OK $EXIT_FAILURE $EXIT_USAGE`]);
    const aku = `${EXIT.ok} ${EXIT.operationFailed} ${EXIT.usage}`;
    assert.deepEqual(out.stdout.split('\n'), [aku, aku]);
  });
});
