/**
 * The SYS password reaches the pods only as a mounted Secret file (auth.usePasswordFiles): no other
 * rendered object holds it, in clear or base64, no env entry carries a password value, no command
 * or script in the chart passes one on a command line. (At run time: test/chart/scripts.test.ts
 * greps every process's command line while isql runs and every entrypoint log line.)
 */
import assert from 'node:assert/strict';
import { CI_VALUES, render, renderNotes, type K8sObject } from './tools.js';

const PASSWORD = 'DistinctSysPassword97';
const INITIAL = 'DistinctInitial53';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every string anywhere inside an object, with its path. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

function containers(o: K8sObject): any[] {
  const spec = o.kind === 'StatefulSet' || o.kind === 'Job' ? o.spec.template.spec : o.kind === 'Pod' ? o.spec : undefined;
  return spec ? [...(spec.initContainers ?? []), ...spec.containers] : [];
}

/** Where a password shows outside the Secrets: in clear or base64, as an env value, on a command line. */
function leaksIn(objects: K8sObject[]): string[] {
  const leaks: string[] = [];
  for (const o of objects) {
    if (o.kind === 'Secret') continue;
    for (const [path, text] of strings(o)) {
      for (const secret of [PASSWORD, INITIAL]) {
        if (text.includes(secret) || text.includes(b64(secret))) leaks.push(`${o.kind}/${o.metadata.name} ${path}`);
      }
    }
    for (const c of containers(o)) {
      for (const e of c.env ?? []) {
        if (/PASSWORD/.test(e.name) && !/_FILE$/.test(e.name)) leaks.push(`${o.kind}/${o.metadata.name} ${c.name} env ${e.name} (a password in the environment)`);
      }
      for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
        if (/(^|\s)-p\s|--password|PASSWORD/i.test(arg)) leaks.push(`${o.kind}/${o.metadata.name} ${c.name} command ${arg}`);
      }
    }
    if (o.kind === 'ConfigMap') {
      for (const [key, text] of Object.entries<string>(o.data ?? {})) {
        // a client given a password on its command line (isql -p, altisim --password)
        if (/isql[^\n]*\s-p\s|--password\s/.test(text)) leaks.push(`ConfigMap/${o.metadata.name} ${key} passes a password on a command line`);
      }
    }
  }
  return leaks;
}

describe('chart: the password only as a Secret file', function () {
  this.timeout(60_000);

  for (const file of [undefined, ...CI_VALUES]) {
    it(`${file ?? 'defaults'}: only the Secrets hold it; no env value, command or script carries a password`, async () => {
      const set: Record<string, string> = file === 'ci/existing-secret-values.yaml' ? { 'auth.initialSysPassword': INITIAL } : { 'auth.sysPassword': PASSWORD, 'auth.initialSysPassword': INITIAL };
      const objects = await render({ valuesFiles: file ? [file] : [], set });
      const leaks = leaksIn(objects);
      assert.deepEqual(leaks, []);
      const secrets = objects.filter((o) => o.kind === 'Secret');
      assert.ok(secrets.some((s) => Object.values<string>(s.data).includes(b64(INITIAL))), 'the initial password is in its Secret');
      if (file !== 'ci/existing-secret-values.yaml') assert.ok(secrets.some((s) => Object.values<string>(s.data).includes(b64(PASSWORD))));
    });
  }

  for (const file of [undefined, ...CI_VALUES]) {
    it(`${file ?? 'defaults'}: every pod mounting the 0440 password files can read them (fsGroup or its own group)`, async () => {
      const objects = await render({ valuesFiles: file ? [file] : [] });
      for (const o of objects.filter((x) => x.kind === 'StatefulSet' || x.kind === 'Pod')) {
        const spec = o.kind === 'StatefulSet' ? o.spec.template.spec : o.spec;
        const volume = spec.volumes?.find((v: any) => v.name === 'passwords');
        if (!volume) continue;
        assert.equal(volume.projected.defaultMode, 0o440);
        assert.ok(spec.securityContext?.fsGroup !== undefined, `${o.kind}/${o.metadata.name} mounts the password files without an fsGroup: its UID cannot read them`);
      }
    });
  }

  it('the check finds a leak when there is one (a password put in extraEnvVars)', async () => {
    const objects = await render({ values: { auth: { sysPassword: PASSWORD }, extraEnvVars: [{ name: 'MY_PASSWORD', value: PASSWORD }] } });
    const leaks = leaksIn(objects);
    assert.ok(leaks.some((l) => /StatefulSet\/t-aku-altibase .*env\[\d+\]\.value/.test(l)), leaks.join('\n'));
    assert.ok(leaks.some((l) => /env MY_PASSWORD \(a password in the environment\)/.test(l)), leaks.join('\n'));
  });

  it('NOTES never print a command line with the password', async () => {
    const notes = await renderNotes({ set: { 'auth.sysPassword': PASSWORD } });
    assert.doesNotMatch(notes, new RegExp(PASSWORD));
    assert.doesNotMatch(notes, /isql[^\n]*\s-p\s/);
    assert.match(notes, /aku-sql 'SELECT REPLICATION_NAME, XSN FROM SYSTEM_\.SYS_REPLICATIONS_'/);
  });

  it('turning usePasswordFiles off is visible: the value then comes from secretKeyRef, never a literal', async () => {
    const objects = await render({ set: { 'auth.sysPassword': PASSWORD, 'auth.usePasswordFiles': false } });
    for (const o of objects.filter((x) => x.kind !== 'Secret')) assert.doesNotMatch(JSON.stringify(o), new RegExp(PASSWORD));
  });
});
