import { readFileSync } from 'node:fs';
import { ConfigError, ConfigErrors, missingPropertyProblem, type SourcePosition } from './errors.js';
import { MAX_OBJECT_NAME_BYTES, normaliseIdentifier } from './identifiers.js';
import type { AkuConfig, LoadedConfig, ReplicationGroup, ReplicationItem } from './model.js';
import {
  GROUP_PARALLEL_KEY,
  GROUP_PREFIX_KEY,
  KNOWN_MISSPELLINGS,
  MAX_PREFIX_BYTES,
  PROPERTY_BY_NAME,
  SCALAR_PROPERTIES,
  SYNC_PARALLEL_RANGE,
  type PropertyDefinition,
} from './properties.js';
import { closestName } from './suggest.js';
import type { ConfigDocument, GroupNode, ItemNode, Located, ReplicationsAssignment, ScalarAssignment } from './syntax.js';

/**
 * Gives the syntax tree its meaning: every property checked against its definition, the
 * environment applied on top, groups and items validated. Collects every problem before
 * failing, so one run tells an operator everything that is wrong.
 */
export function validateDocument(document: ConfigDocument, file: string, env: NodeJS.ProcessEnv): LoadedConfig {
  return new Validator(file, env).run(document);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RANGE_WORDS = (min: number, max: number): string => `an integer from ${min} to ${max}`;

/** Which group first listed a table or partition. */
interface ItemClaim {
  position: SourcePosition;
  prefix: string;
}

/** A value with where it came from, for messages. */
interface Origin {
  file: string;
  position?: SourcePosition;
}

class Validator {
  private readonly errors: ConfigError[] = [];

  constructor(
    private readonly file: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  run(document: ConfigDocument): LoadedConfig {
    const scalars = new Map<string, ScalarAssignment>();
    let replications: ReplicationsAssignment | undefined;

    for (const assignment of document.assignments) {
      const key = assignment.key;
      if (assignment.kind === 'replications') {
        if (replications) {
          this.report(key.position, `REPLICATIONS is given twice (first on line ${replications.key.position.line}); list every group in one REPLICATIONS = (…), (…) assignment`, 'REPLICATIONS');
        } else {
          replications = assignment;
        }
        continue;
      }
      if (!this.isKnownScalar(key)) continue;
      const first = scalars.get(key.value);
      if (first) {
        this.report(key.position, `${key.value} is set twice (first on line ${first.key.position.line})`, key.value);
        continue;
      }
      scalars.set(key.value, assignment);
    }

    const fromEnvironment: string[] = [];
    const values = new Map<string, number | boolean | string>();
    for (const definition of SCALAR_PROPERTIES) {
      const fromEnv = this.environmentValue(definition);
      const written = scalars.get(definition.name);
      if (fromEnv) {
        fromEnvironment.push(definition.name);
        const value = this.convert(definition, fromEnv.raw, { file: fromEnv.where });
        if (value !== undefined) values.set(definition.name, value);
      } else if (written) {
        const value = this.convert(definition, written.value.value, { file: this.file, position: written.value.position });
        if (value !== undefined) values.set(definition.name, value);
      } else if ('default' in definition && definition.default !== undefined) {
        values.set(definition.name, definition.default);
      } else {
        this.errors.push(new ConfigError({ file: this.file, property: definition.name, problem: missingPropertyProblem(definition.name) }));
      }
    }

    const groups = replications ? this.groups(replications) : [];
    if (!replications) {
      this.errors.push(new ConfigError({ file: this.file, property: 'REPLICATIONS', problem: missingPropertyProblem('REPLICATIONS') }));
    }

    this.crossCheck(values, scalars);

    if (this.errors.length === 1) throw this.errors[0];
    if (this.errors.length > 1) throw new ConfigErrors(this.errors);

    const config = { replications: groups } as Partial<AkuConfig> as Record<string, unknown>;
    for (const definition of SCALAR_PROPERTIES) config[definition.field] = values.get(definition.name);
    return { config: config as unknown as AkuConfig, source: { file: this.file, fromEnvironment } };
  }

  /**
   * The environment's value of a property: `NAME`, or for a secret `NAME_FILE`, the path of a file
   * holding it (a mounted Kubernetes Secret, so the value is on no command line and in no plain
   * environment value). `NAME` wins when both are set. One trailing newline of the file is dropped.
   */
  private environmentValue(definition: PropertyDefinition): { raw: string; where: string } | undefined {
    const direct = this.env[definition.name];
    if (direct !== undefined && direct !== '') return { raw: direct, where: `environment variable ${definition.name}` };
    const fileVariable = `${definition.name}_FILE`;
    const path = definition.kind === 'text' && definition.syntax === 'secret' ? this.env[fileVariable] : undefined;
    if (path === undefined || path === '') return undefined;
    try {
      return { raw: readFileSync(path, 'utf8').replace(/\r?\n$/, ''), where: `file ${path} (${fileVariable})` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      this.errors.push(new ConfigError({ file: `environment variable ${fileVariable}`, property: definition.name, problem: `cannot read ${path} (${code}); ${fileVariable} must name a readable file holding ${definition.name}` }));
      return undefined;
    }
  }

  private isKnownScalar(key: Located<string>): boolean {
    const name = key.value;
    if (PROPERTY_BY_NAME.has(name)) return true;
    const upper = name.toUpperCase();
    let problem: string;
    if (PROPERTY_BY_NAME.has(upper) || upper === 'REPLICATIONS') {
      problem = `property names are upper case: write ${upper}, not ${name}`;
    } else if (KNOWN_MISSPELLINGS.has(upper)) {
      problem = `unknown property ${name}; did you mean ${KNOWN_MISSPELLINGS.get(upper)}? (old aku.conf samples misspell it)`;
    } else if (upper === GROUP_PREFIX_KEY || upper === GROUP_PARALLEL_KEY) {
      problem = `${upper} belongs inside a REPLICATIONS group: REPLICATIONS = ( ${GROUP_PREFIX_KEY} = … ( USER.TABLE, … ) )`;
    } else {
      const suggestion = closestName(upper, [...PROPERTY_BY_NAME.keys(), 'REPLICATIONS']);
      problem = `unknown property ${name}` + (suggestion ? `; did you mean ${suggestion}?` : '; see `aku.conf.sample` for the properties aku reads');
    }
    this.report(key.position, problem, name);
    return false;
  }

  private convert(definition: PropertyDefinition, raw: string, origin: Origin): number | boolean | string | undefined {
    const name = definition.name;
    switch (definition.kind) {
      case 'integer': {
        const value = this.integer(raw, name, definition.min, definition.max, origin);
        return value;
      }
      case 'flag': {
        if (raw !== '0' && raw !== '1') return this.fail(origin, name, `${name} = ${raw} is not allowed; expected 0 or 1`);
        return raw === '1';
      }
      case 'text': {
        if (definition.syntax === 'secret') {
          // Never echo a password back, not even a malformed one.
          return raw.length > 0 ? raw : this.fail(origin, name, missingPropertyProblem(name));
        }
        const bytes = Buffer.byteLength(raw, 'utf8');
        if (definition.maxBytes !== undefined && bytes > definition.maxBytes) {
          return this.fail(origin, name, `${name} = ${raw} is ${bytes} bytes long; the maximum is ${definition.maxBytes}`);
        }
        const labels = definition.syntax === 'dns-name' ? raw.split('.') : [raw];
        if (!labels.every((label) => DNS_LABEL.test(label))) {
          const what = definition.syntax === 'dns-name' ? 'a DNS name' : 'a DNS label';
          return this.fail(origin, name, `${name} = ${raw} is not ${what} (lower-case letters, digits and "-", starting and ending with a letter or digit), as Kubernetes object names are`);
        }
        return raw;
      }
    }
  }

  private integer(raw: string, name: string, min: number, max: number, origin: Origin): number | undefined {
    if (!/^[0-9]+$/.test(raw)) return this.fail(origin, name, `${name} = ${raw} is not an integer; expected ${RANGE_WORDS(min, max)}`);
    const digits = raw.replace(/^0+(?=\d)/, '');
    const value = digits.length > 16 ? Number.POSITIVE_INFINITY : Number(digits);
    if (value < min || value > max) {
      return this.fail(origin, name, `${name} = ${raw} is out of range; expected ${RANGE_WORDS(min, max)}`);
    }
    return value;
  }

  private groups(assignment: ReplicationsAssignment): ReplicationGroup[] {
    const groups: ReplicationGroup[] = [];
    const prefixes = new Map<string, SourcePosition>();
    const tables = new Map<string, ItemClaim>();
    for (const node of assignment.groups) {
      const group = this.group(node);
      if (!group) continue;
      const firstPrefix = prefixes.get(group.prefix);
      if (firstPrefix) {
        this.report(node.position, `replication prefix ${group.prefix} is used by two groups (first on line ${firstPrefix.line}); each group needs its own prefix`, GROUP_PREFIX_KEY);
      } else {
        prefixes.set(group.prefix, node.position);
      }
      this.checkOverlaps(group, node, tables);
      groups.push(group);
    }
    return groups;
  }

  private group(node: GroupNode): ReplicationGroup | undefined {
    let prefix: string | undefined;
    let syncParallelCount: number = SYNC_PARALLEL_RANGE.default;
    const seen = new Map<string, SourcePosition>();
    let valid = true;
    for (const setting of node.settings) {
      const key = setting.key.value;
      const origin = { file: this.file, position: setting.value.position };
      if (key !== GROUP_PREFIX_KEY && key !== GROUP_PARALLEL_KEY) {
        const suggestion = closestName(key.toUpperCase(), [GROUP_PREFIX_KEY, GROUP_PARALLEL_KEY]);
        this.report(setting.key.position, `unknown REPLICATIONS setting ${key}; expected ${GROUP_PREFIX_KEY} or ${GROUP_PARALLEL_KEY}` + (suggestion ? ` (did you mean ${suggestion}?)` : ''), key);
        valid = false;
        continue;
      }
      const first = seen.get(key);
      if (first) {
        this.report(setting.key.position, `${key} is set twice in this group (first on line ${first.line})`, key);
        valid = false;
        continue;
      }
      seen.set(key, setting.key.position);
      if (key === GROUP_PREFIX_KEY) {
        const result = normaliseIdentifier(setting.value.value, MAX_PREFIX_BYTES);
        if (result.ok) prefix = result.name;
        else {
          const why = result.problem.startsWith('is ') && result.problem.includes('bytes long')
            ? `${result.problem}; replication names are at most 40 bytes (prefix + "_" + two ordinals), so the prefix may have at most ${MAX_PREFIX_BYTES}`
            : result.problem;
          this.report(setting.value.position, `${GROUP_PREFIX_KEY} ${setting.value.value} ${why}`, key);
          valid = false;
        }
      } else {
        const value = this.integer(setting.value.value, key, SYNC_PARALLEL_RANGE.min, SYNC_PARALLEL_RANGE.max, origin);
        if (value === undefined) valid = false;
        else syncParallelCount = value;
      }
    }
    if (!seen.has(GROUP_PREFIX_KEY)) {
      this.report(node.position, missingPropertyProblem(GROUP_PREFIX_KEY), GROUP_PREFIX_KEY);
      valid = false;
    }
    if (node.items.length === 0) {
      this.report(node.itemsPosition, 'this REPLICATIONS group has no items; list at least one USER.TABLE', 'REPLICATIONS');
      valid = false;
    }
    const items: ReplicationItem[] = [];
    for (const itemNode of node.items) {
      const item = this.item(itemNode);
      if (item) items.push(item);
      else valid = false;
    }
    return valid && prefix !== undefined ? { prefix, syncParallelCount, items } : undefined;
  }

  private item(node: ItemNode): ReplicationItem | undefined {
    const user = this.name(node.user, 'user name');
    const table = this.name(node.table, 'table name');
    const partition = node.partition ? this.name(node.partition, 'partition name') : undefined;
    if (user === undefined || table === undefined || (node.partition && partition === undefined)) return undefined;
    return partition === undefined ? { user, table } : { user, table, partition };
  }

  private name(located: Located<string>, what: string): string | undefined {
    const result = normaliseIdentifier(located.value, MAX_OBJECT_NAME_BYTES);
    if (result.ok) return result.name;
    this.report(located.position, `${what} ${located.value} ${result.problem}`, 'REPLICATIONS');
    return undefined;
  }

  /** A table (or partition) replicated twice would be applied twice on every peer. */
  private checkOverlaps(group: ReplicationGroup, node: GroupNode, seen: Map<string, ItemClaim>): void {
    group.items.forEach((item, index) => {
      const position = node.items[index]?.position ?? node.position;
      const table = `${item.user}.${item.table}`;
      const own = item.partition === undefined ? table : `${table} PARTITION ${item.partition}`;
      // A whole table clashes with anything on that table; a partition with the whole table or itself.
      const clash = item.partition === undefined
        ? seen.get(table) ?? seen.get(`${table} PARTITION *`)
        : seen.get(table) ?? seen.get(own);
      if (clash) {
        const where = clash.prefix === group.prefix ? 'in this group' : `in group ${clash.prefix}`;
        this.report(position, `${own} is already replicated ${where} (line ${clash.position.line}); each table or partition may be listed once`, 'REPLICATIONS');
        return;
      }
      const claim = { position, prefix: group.prefix };
      if (item.partition === undefined) {
        seen.set(table, claim);
      } else {
        seen.set(own, claim);
        if (!seen.has(`${table} PARTITION *`)) seen.set(`${table} PARTITION *`, claim);
      }
    });
  }

  private crossCheck(values: Map<string, unknown>, scalars: Map<string, ScalarAssignment>): void {
    if (values.has('AKU_PORT_NO') && values.get('AKU_PORT_NO') === values.get('AKU_REPLICATION_PORT_NO')) {
      const position = scalars.get('AKU_REPLICATION_PORT_NO')?.value.position;
      this.errors.push(new ConfigError({
        file: this.file,
        ...(position ? { position } : {}),
        property: 'AKU_REPLICATION_PORT_NO',
        problem: `AKU_REPLICATION_PORT_NO = ${String(values.get('AKU_REPLICATION_PORT_NO'))} is the same as AKU_PORT_NO; the service and replication ports must differ`,
      }));
    }
  }

  private report(position: SourcePosition, problem: string, property?: string): void {
    this.errors.push(new ConfigError({ file: this.file, position, problem, ...(property ? { property } : {}) }));
  }

  private fail(origin: Origin, property: string, problem: string): undefined {
    this.errors.push(new ConfigError({ file: origin.file, ...(origin.position ? { position: origin.position } : {}), property, problem }));
    return undefined;
  }
}
