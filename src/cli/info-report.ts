import type { AkuConfig, LoadedConfig, ReplicationItem } from '../config/index.js';
import { replicationNamesOf, type Topology } from '../topology/index.js';

/** What `aku -i` shows, as data: the text layout and `--json` are two renderings of it. */
export interface InfoReport {
  server: {
    id: number;
    host: string;
    user: 'SYS';
    password: string;
    port: number;
    replicationPort: number;
    maxServerCount: number;
  };
  replications: { serverId: number; names: string[] }[];
  groups: { prefix: string; syncParallelCount: number; items: ReplicationItem[] }[];
  source: { file: string; fromEnvironment: string[] };
}

const PASSWORD_MASK = '********';

export function buildInfoReport(loaded: LoadedConfig, topology: Topology, showPassword: boolean): InfoReport {
  const config: AkuConfig = loaded.config;
  return {
    server: {
      id: topology.self.ordinal,
      host: topology.self.host,
      user: 'SYS',
      password: showPassword ? config.sysPassword : PASSWORD_MASK,
      port: config.portNo,
      replicationPort: config.replicationPortNo,
      maxServerCount: config.serverCount,
    },
    replications: topology.servers.map((server) => ({
      serverId: server.ordinal,
      names: replicationNamesOf(config, server.ordinal).flatMap((g) => g.names),
    })),
    groups: config.replications.map((g) => ({ prefix: g.prefix, syncParallelCount: g.syncParallelCount, items: g.items })),
    source: { file: loaded.source.file, fromEnvironment: loaded.source.fromEnvironment },
  };
}

const SEPARATOR = ' #########################';
const field = (label: string, value: string | number) => `  ${label.padEnd(17)}: ${value}`;

/**
 * The original's layout, line for line (the newest manual's, with partition lines). With more
 * than one group, each group's items get the `#### Replication [Prefix:…] item list ####` header
 * the English manual shows.
 */
export function renderInfoText(report: InfoReport): string {
  const lines = [
    SEPARATOR,
    ' [ Server ]',
    field('Server ID', report.server.id),
    field('Host', report.server.host),
    field('User', report.server.user),
    field('Password', report.server.password),
    field('Port', report.server.port),
    field('Replication Port', report.server.replicationPort),
    field('Max Server Count', report.server.maxServerCount),
    SEPARATOR,
    ' [ Replications ]',
  ];
  for (const server of report.replications) {
    lines.push(` #### Serve[ID:${server.serverId}] Replication list ####`);
    for (const name of server.names) lines.push(field('Replication Name', name));
  }
  lines.push(SEPARATOR, ' [ Replication Items ]');
  const withHeaders = report.groups.length > 1;
  report.groups.forEach((group, groupIndex) => {
    if (groupIndex > 0) lines.push('');
    if (withHeaders) lines.push(`  #### Replication [Prefix:${group.prefix}] item list ####`);
    group.items.forEach((item, itemIndex) => {
      if (itemIndex > 0) lines.push('');
      lines.push(field('User Name', item.user), field('Table Name', item.table));
      if (item.partition !== undefined) lines.push(field('Partition Name', item.partition));
    });
  });
  lines.push(SEPARATOR);
  return lines.join('\n');
}
