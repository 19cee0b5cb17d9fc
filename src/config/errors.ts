/** A position in aku.conf, 1-based, in characters. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Any problem with the configuration. The message always says where (file:line:column, or the
 * environment variable) and what was expected, so an operator can fix it without reading code.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly position: SourcePosition | undefined;
  readonly property: string | undefined;
  /** The bare problem, without the location prefix. */
  readonly problem: string;

  constructor(options: { file: string; position?: SourcePosition; property?: string; problem: string }) {
    const where = options.position
      ? `${options.file}:${options.position.line}:${options.position.column}`
      : options.file;
    super(`${where}: ${options.problem}`);
    this.name = 'ConfigError';
    this.file = options.file;
    this.position = options.position;
    this.property = options.property;
    this.problem = options.problem;
  }
}

/** The original's exact wording for a missing required property. */
export function missingPropertyProblem(name: string): string {
  return `Property [${name}] should be specified by configuration.`;
}

/** Several configuration problems found in one pass, reported together. */
export class ConfigErrors extends Error {
  readonly errors: ConfigError[];

  constructor(errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

export function isConfigError(error: unknown): error is ConfigError | ConfigErrors {
  return error instanceof ConfigError || error instanceof ConfigErrors;
}
