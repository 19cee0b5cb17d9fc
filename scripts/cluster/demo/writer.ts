/**
 * The demo's writer: a Pod in the release's namespace, on the product image, that inserts one row
 * after another through the chart's client Service with the image's own SQL client (aku-sql → isql,
 * a new connection per row, so kube-proxy spreads the rows over the Ready pods as it would any
 * client's), and logs `ack <id>` only after the client reported success. Those lines are the record
 * of acknowledged writes the verdict checks every pod against.
 *
 * The password reaches it as the database pods get it: the chart's Secret mounted as a file
 * (or the same secretKeyRef when auth.usePasswordFiles is false), copied from the StatefulSet's spec.
 */

export const WRITER_STOP_FILE = '/tmp/stop';

/**
 * Run by bash with HOST, PORT, TABLE, PAUSE and STOP_FILE in the environment and aku-sql on PATH.
 * One statement per id; a failed write is logged with the server's error (else the client's last
 * output line) and is never
 * retried under the same id (it may have committed without the answer arriving: such an id is not
 * acknowledged, and the verdict does not count it). The loop ends once STOP_FILE exists, or on
 * SIGTERM (namespace deleted), after the write in flight.
 */
export const WRITER_SCRIPT = `set -u
stop=0
trap 'stop=1' TERM INT
echo "writer: inserting into $TABLE through $HOST:$PORT"
id=0
while ((stop == 0)) && [[ ! -e $STOP_FILE ]]; do
  id=$((id + 1))
  if out=$(aku-sql --host "$HOST" --port "$PORT" "INSERT INTO $TABLE (ID, V) VALUES ($id, 'row $id')" 2>&1); then
    echo "ack $id"
  else
    # The server's error when there is one (aku-sql's own last line only says the client failed).
    reason=$(grep -o -m1 '\\[ERR-[^]]*\\]' <<<"$out" || printf '%s' "$out" | tail -n 1)
    echo "fail $id \${reason:0:200}"
    sleep 1
  fi
  sleep "$PAUSE"
done
echo "writer: stopped after $id attempts"
`;

export interface WriterOptions {
  name: string;
  /** The client Service (host name inside the namespace) and its port. */
  host: string;
  port: number;
  table: string;
  /** Seconds between two writes (the machine has 2 cores; each write starts the SQL client). */
  pauseSeconds: number;
}

const COPIED_ENV = new Set(['ALTIBASE_HOME', 'ALTIBASE_NLS_USE', 'AKU_SYS_PASSWORD_FILE', 'AKU_SYS_PASSWORD']);

/** The writer Pod, built from the release's StatefulSet (image, security context, password source). */
export function writerPod(statefulSet: any, opts: WriterOptions): any {
  const template = statefulSet?.spec?.template?.spec;
  const db = template?.containers?.find((c: any) => c.name === 'altibase');
  if (!db) throw new Error(`statefulset/${statefulSet?.metadata?.name}: no container named altibase in spec.template.spec.containers`);
  const passwordMounts = (db.volumeMounts ?? []).filter((m: any) => m.name === 'passwords');
  const passwordVolumes = (template.volumes ?? []).filter((v: any) => v.name === 'passwords');
  const env = (db.env ?? []).filter((e: any) => COPIED_ENV.has(e.name));
  if (!env.some((e: any) => e.name.startsWith('AKU_SYS_PASSWORD'))) {
    throw new Error(`statefulset/${statefulSet.metadata.name}: container altibase has neither AKU_SYS_PASSWORD_FILE nor AKU_SYS_PASSWORD in its env`);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name,
      namespace: statefulSet.metadata.namespace,
      // The chart's NetworkPolicy admits pods with this label when allowExternal is false.
      labels: { 'app.kubernetes.io/name': 'aku-demo-writer', [`${opts.host}-client`]: 'true' },
    },
    spec: {
      restartPolicy: 'Never',
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 30,
      ...(template.securityContext ? { securityContext: template.securityContext } : {}),
      ...(template.imagePullSecrets ? { imagePullSecrets: template.imagePullSecrets } : {}),
      containers: [
        {
          name: 'writer',
          image: db.image,
          imagePullPolicy: db.imagePullPolicy,
          command: ['/bin/bash', '-c', WRITER_SCRIPT],
          env: [
            ...env,
            { name: 'HOST', value: opts.host },
            { name: 'PORT', value: String(opts.port) },
            { name: 'TABLE', value: opts.table },
            { name: 'PAUSE', value: String(opts.pauseSeconds) },
            { name: 'STOP_FILE', value: WRITER_STOP_FILE },
          ],
          ...(db.securityContext ? { securityContext: db.securityContext } : {}),
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...passwordMounts],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }, ...passwordVolumes],
    },
  };
}

export interface WriterLog {
  acknowledged: number[];
  failed: number[];
}

/** The writer's record: ids it logged `ack` (acknowledged) or `fail` for. */
export function parseWriterLog(text: string): WriterLog {
  const acknowledged: number[] = [];
  const failed: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^(ack|fail) (\d+)\b/.exec(line.trim());
    if (!match) continue;
    (match[1] === 'ack' ? acknowledged : failed).push(Number(match[2]));
  }
  return { acknowledged, failed };
}
