/**
 * The original's help screen (BUG-50005), with `end` as the documented action word, and aku's
 * additions (options, and the command words: `status`, also `-s`; `reconcile`; `metrics`;
 * `recover`) listed under it. Lines are padded to the original's 79 columns.
 */
const WIDTH = 79;
const RULE = '='.repeat(WIDTH);

const LINES = [
  RULE,
  '              Altibase Kubernetes Utility Help Screen',
  RULE,
  '   Usage   : aku        [-h]',
  '                        [--help]',
  '                        [-v ]',
  '                        [--version ]',
  '                        [-i ]',
  '                        [--info ]',
  '                        [-p pod_action ]',
  '                        [--pod pod_action]',
  '             -h, --help    : this screen',
  '             -v, --version : version information',
  '             -i, --info    : option information',
  '             -p, --pod     : [start | end | clean] specify pod_action',
  '                             (stop is accepted for end)',
  '   Options : --show-password : with -i, print the SYS password in clear',
  '             --json          : with -i, the information as JSON;',
  '                               with -p or reconcile, the outcome as',
  '                               JSON; with -s, the status as JSON;',
  '                               with recover, the plan and outcome',
  '                               as JSON',
  '             --dry-run       : with -p or reconcile, print the plan;',
  '                               change nothing',
  '   Commands: aku status [--replicas N] [--fail-on warn|fail] [--json]',
  '             status, -s      : every pair of every pod: replication,',
  '                               XSN, gap, sender/receiver; read-only.',
  '                               Exit 0 ok, 1 fail (warn too with',
  '                               --fail-on warn), 2 usage',
  '             aku reconcile [--replicas N] [--dry-run] [--discard-kept]',
  '                           [--json]',
  '             reconcile       : stop and reset the objects that keep',
  '                               log for pods gone without -p end',
  '                               (N: default the StatefulSet\'s',
  '                               spec.replicas). Exit 0 done, 1 some',
  '                               skipped or failed (named), 2 usage',
  '             aku metrics [--port N] [--replicas N]',
  '             metrics         : the status as Prometheus metrics on',
  '                               :N/metrics (default 9187), /healthz;',
  '                               runs until SIGTERM',
  '             aku recover --from ordinal [--yes] [--accept-loss] [--json]',
  '             recover         : in the MASTER pod: restore a MASTER that',
  '                               lost its data from slave <ordinal>.',
  '                               Prints the plan and changes nothing',
  '                               without --yes (docs/recover.md).',
  '                               Exit 0 planned or done, 1 refused or',
  '                               a step failed (run it again), 2 usage',
  RULE,
];

export function helpScreen(): string {
  return LINES.map((line) => line.padEnd(WIDTH)).join('\n');
}
