import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { helpScreen } from '../../src/cli/help-screen.js';
import { altibaseHome, runAku } from '../helpers/cli.js';
import { minimal } from '../helpers/conf.js';

const packageVersion = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

describe('bin/aku (the built CLI)', () => {
  const home = altibaseHome({ fixture: 'sample-one-group.conf' });
  const env = { ALTIBASE_HOME: home, AKU_POD_NAME: 'altibase-sts-1' };

  it('-i prints the parsed aku.conf with the password masked, exit 0', async () => {
    const result = await runAku(['-i'], env);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.match(String(result.stdout), /^ #{25}\n \[ Server \]\n  Server ID        : 1\n  Host             : altibase-sts-1\.altibase-svc\n/);
    assert.match(String(result.stdout), /Password         : \*{8}/);
    assert.doesNotMatch(String(result.stdout), /manager/);
  });

  it('--info --json prints the same facts as JSON', async () => {
    const result = await runAku(['--info', '--json'], env);
    const report = JSON.parse(String(result.stdout));
    assert.equal(report.server.host, 'altibase-sts-1.altibase-svc');
    assert.deepEqual(report.replications[1].names, ['AKU_REP_01', 'AKU_REP_12', 'AKU_REP_13']);
    assert.equal(report.server.password, '********');
  });

  it('-i --show-password shows it; the environment wins over the file', async () => {
    const result = await runAku(['-i', '--show-password'], { ...env, AKU_SYS_PASSWORD: 'fromenv', AKU_PORT_NO: '21000' });
    assert.match(String(result.stdout), /Password         : fromenv\n  Port             : 21000\n/);
  });

  it('-v and --version print the package version', async () => {
    for (const flag of ['-v', '--version']) {
      const result = await runAku([flag]);
      assert.equal(String(result.stdout), `aku version ${packageVersion}`);
      assert.equal(result.exitCode, 0);
    }
  });

  it('-h and --help print the help screen, exit 0; no option prints it with exit 2', async () => {
    for (const flag of ['-h', '--help']) {
      const result = await runAku([flag]);
      assert.equal(String(result.stdout), helpScreen());
      assert.equal(result.exitCode, 0);
    }
    const none = await runAku([]);
    assert.equal(String(none.stdout), helpScreen());
    assert.equal(none.exitCode, 2);
  });

  it('refuses a bad -p value, listing the allowed ones, exit 2', async () => {
    const result = await runAku(['-p', 'restart'], env);
    assert.equal(result.exitCode, 2);
    assert.match(String(result.stderr), /unknown pod action "restart"; expected one of: start, end, clean \(stop is accepted for end\)/);
    const missing = await runAku(['-p'], env);
    assert.equal(missing.exitCode, 2);
    assert.match(String(missing.stderr), /--pod expects a value: one of start, end, clean/);
  });

  it('refuses stray arguments and unknown flags without a stack trace, exit 2', async () => {
    for (const args of [['extra'], ['status', 'extra'], ['--nope'], ['-i', '-p', 'start'], ['-p', 'start', '--show-password']]) {
      const result = await runAku(args, env);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.doesNotMatch(String(result.stderr), /\n\s+at /, 'no stack trace');
    }
  });

  it('needs ALTIBASE_HOME, exit 2', async () => {
    const result = await runAku(['-i'], { AKU_POD_NAME: 'altibase-sts-0' });
    assert.equal(result.exitCode, 2);
    assert.match(String(result.stderr), /ALTIBASE_HOME is not set/);
  });

  it('reports a configuration error with file, line and column, exit 2', async () => {
    const bad = altibaseHome({ text: minimal('AKU_SERVER_COUNT = 7') });
    const result = await runAku(['-i'], { ALTIBASE_HOME: bad, AKU_POD_NAME: 'altibase-sts-0' });
    assert.equal(result.exitCode, 2);
    assert.equal(String(result.stderr), `aku: ${bad}/conf/aku.conf:4:20: AKU_SERVER_COUNT = 7 is out of range; expected an integer from 1 to 6`);
  });

  it('-s refuses options that do not go with it, and its options without it, exit 2 with the help screen', async () => {
    const cases: [string[], RegExp][] = [
      [['-s', '--dry-run'], /--dry-run does not go with status \(-s\) \(--dry-run goes with -p or reconcile\)/],
      [['status', '--show-password'], /--show-password does not go with status \(-s\) \(--show-password goes with -i\)/],
      [['-s', '-i'], /use one action at a time, not -i and status \(-s\)/],
      [['status', '-p', 'start'], /use one action at a time, not -p and status \(-s\)/],
      [['--replicas', '2'], /^aku: --replicas goes with status \(-s\)/],
      [['-i', '--fail-on', 'warn'], /--fail-on does not go with -i \(--fail-on goes with status \(-s\)\)/],
      [['-s', '--fail-on', 'maybe'], /Expected --fail-on=maybe to be one of: fail, warn/],
      [['-s', '--replicas', '7'], /--replicas 7 is not allowed; expected an integer from 1 to 6/],
      [['-s', '--replicas', 'two'], /--replicas two is not allowed/],
      [['stats'], /Expected stats to be one of: status, reconcile, metrics, recover/],
    ];
    for (const [args, message] of cases) {
      const result = await runAku(args, env);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.match(String(result.stderr), message, args.join(' '));
    }
  });

  it('reconcile takes --replicas, --dry-run and --json only, exit 2 with the help screen for anything else', async () => {
    const cases: [string[], RegExp][] = [
      [['reconcile', '--fail-on', 'warn'], /--fail-on does not go with reconcile \(--fail-on goes with status \(-s\)\)/],
      [['reconcile', '--show-password'], /--show-password does not go with reconcile \(--show-password goes with -i\)/],
      [['reconcile', '-s'], /use one action at a time, not status \(-s\) and reconcile/],
      [['reconcile', '-p', 'end'], /use one action at a time, not -p and reconcile/],
      [['reconcile', '--replicas', '9'], /--replicas 9 is not allowed; expected an integer from 1 to 6/],
      [['--dry-run'], /^aku: --dry-run goes with -p or reconcile/],
      [['--replicas', '2'], /^aku: --replicas goes with status \(-s\) or reconcile/],
    ];
    for (const [args, message] of cases) {
      const result = await runAku(args, env);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.match(String(result.stderr), message, args.join(' '));
      assert.equal(String(result.stdout), helpScreen(), args.join(' '));
    }
    // What the parser refuses: one line, no help screen, no stack trace.
    for (const args of [['reconcile', 'now'], ['reconcile', '--replicas']]) {
      const result = await runAku(args, env);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.match(String(result.stderr), /^aku: .*\nSee `aku --help`\.$/, args.join(' '));
    }
  });

  it('reconcile with a configuration error changes nothing, exit 2', async () => {
    const bad = altibaseHome({ text: minimal('AKU_SERVER_COUNT = 7') });
    const result = await runAku(['reconcile', '--replicas', '2'], { ALTIBASE_HOME: bad, AKU_DRIVER: 'altisim' });
    assert.equal(result.exitCode, 2);
    assert.match(String(result.stderr), /AKU_SERVER_COUNT = 7 is out of range/);
  });

  it('metrics refuses options that do not go with it, and --port without it, exit 2 with the help screen', async () => {
    const cases: [string[], RegExp][] = [
      [['metrics', '--json'], /--json does not go with metrics \(--json goes with -i or -p or status \(-s\) or reconcile or recover\)/],
      [['metrics', '--fail-on', 'warn'], /--fail-on does not go with metrics \(--fail-on goes with status \(-s\)\)/],
      [['--port', '9000'], /^aku: --port goes with metrics$/],
      [['status', '--port', '9000'], /--port does not go with status \(-s\) \(--port goes with metrics\)/],
      [['metrics', '-s'], /use one action at a time, not status \(-s\) and metrics/],
      [['metrics', '--port', '65536'], /--port 65536 is not allowed; expected an integer from 1 to 65535/],
      [['metrics', '--port', 'http'], /--port http is not allowed/],
      [['metrics', '--replicas', '0'], /--replicas 0 is not allowed; expected an integer from 1 to 6/],
      [['metrics', 'status'], /Unexpected argument: status/],
    ];
    for (const [args, message] of cases) {
      const result = await runAku(args, env);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.match(String(result.stderr), message, args.join(' '));
      if (!/Unexpected/.test(String(message))) assert.equal(String(result.stdout), helpScreen(), args.join(' '));
    }
  });

  it('metrics with a configuration error or a bad AKU_METRICS_* value serves nothing, exit 2', async () => {
    const bad = altibaseHome({ text: minimal('AKU_SERVER_COUNT = 7') });
    const conf = await runAku(['metrics', '--port', '1'], { ALTIBASE_HOME: bad, AKU_DRIVER: 'altisim' });
    assert.equal(conf.exitCode, 2);
    assert.match(String(conf.stderr), /AKU_SERVER_COUNT = 7 is out of range/);
    const timeout = await runAku(['metrics'], { ...env, AKU_DRIVER: 'altisim', AKU_METRICS_READ_TIMEOUT_SEC: '0' });
    assert.equal(timeout.exitCode, 2);
    assert.equal(String(timeout.stderr), 'aku: AKU_METRICS_READ_TIMEOUT_SEC = 0 is not allowed; expected a number of seconds from 1 to 3600');
  });

  it('metrics on a port already taken: exit 1, naming the port and --port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = await runAku(['metrics', '--port', String(port)], { ...env, AKU_DRIVER: 'altisim' });
      assert.equal(result.exitCode, 1, String(result.stdout) + String(result.stderr));
      assert.match(String(result.stdout), new RegExp(`\\[ERROR\\]\\[akuMetrics:listen\\]\\[-\\]\\[-\\] Cannot listen on port ${port} \\(EADDRINUSE\\); give another with --port`));
    } finally {
      taken.close();
      }
    });

  it('recover: --from must be a slave\'s ordinal, it runs in the MASTER\'s pod, and its options go with it only; exit 2 naming the value', async () => {
    const master = { ALTIBASE_HOME: home, AKU_POD_NAME: 'altibase-sts-0', AKU_DRIVER: 'altisim' };
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['recover'], master, /^aku: recover needs --from <ordinal>: the slave to restore the MASTER from$/],
      [['recover', '--from', 'one'], master, /^aku: --from one is not an ordinal; expected the ordinal of a slave/],
      [['recover', '--from', '0'], master, /^aku: --from 0 is not allowed: expected the ordinal of a slave, 1 to 3 \(AKU_SERVER_COUNT = 4\); 0 is the MASTER being restored$/],
      [['recover', '--from', '4', '--yes'], master, /^aku: --from 4 is not allowed: expected the ordinal of a slave, 1 to 3 \(AKU_SERVER_COUNT = 4\)$/],
      [['recover', '--from', '1'], env, /^aku: aku recover runs in the MASTER's pod altibase-sts-0, not in altibase-sts-1: kubectl exec altibase-sts-0 -- aku recover --from 1$/],
      [['--yes'], master, /^aku: --yes goes with recover$/],
      [['-p', 'start', '--from', '1'], master, /^aku: --from does not go with -p \(--from goes with recover\)/],
      [['recover', '--from', '1', '--dry-run'], master, /^aku: --dry-run does not go with recover \(--dry-run goes with -p or reconcile\)/],
      [['status', '--accept-loss'], master, /^aku: --accept-loss does not go with status \(-s\) \(--accept-loss goes with recover\)/],
    ];
    for (const [args, environment, message] of cases) {
      const result = await runAku(args, environment);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.match(String(result.stderr), message, args.join(' '));
    }
  });

  it('-s with a configuration error reads nothing, exit 2', async () => {
    const bad = altibaseHome({ text: minimal('AKU_SERVER_COUNT = 7') });
    const result = await runAku(['-s'], { ALTIBASE_HOME: bad, AKU_DRIVER: 'altisim' });
    assert.equal(result.exitCode, 2);
    assert.match(String(result.stderr), /AKU_SERVER_COUNT = 7 is out of range/);
  });

  it('needs a pod ordinal for -i, suggesting AKU_POD_NAME, exit 2', async () => {
    const result = await runAku(['-i'], { ALTIBASE_HOME: home, HOSTNAME: 'laptop' });
    assert.equal(result.exitCode, 2);
    assert.match(String(result.stderr), /set AKU_POD_NAME/);
  });
});
