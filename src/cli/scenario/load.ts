/**
 * Scenario files: YAML (the `yaml` package, keeping every node's place) checked against the JSON Schema shipped
 * in scenarios/scenario.schema.json (ajv), then against what the schema cannot say (shares that sum above 1, an
 * event after the stop, a node that does not exist). Every problem is a UsageError naming FILE:LINE:COL and what
 * was expected; nothing runs.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError } from '../output.ts';

/** A scenario as written (validated by the schema). */
export interface ScenarioFile {
  readonly description?: string;
  readonly mode?: 'virtual' | 'live';
  readonly seed?: number;
  readonly nodes?: number | ReadonlyArray<{ readonly name?: string; readonly share?: number }>;
  readonly blocks?: number;
  readonly duration?: number;
  readonly interval?: number;
  readonly chain?: string;
  readonly network?: Readonly<Record<string, string | number>>;
  readonly hashPower?: string;
  readonly miners?: ReadonlyArray<MinerEntry>;
  readonly timeline?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly results?: string | boolean;
  readonly sweep?: readonly string[];
  readonly [flag: string]: unknown;
}

export interface MinerEntry {
  readonly node: number;
  readonly share?: number;
  readonly strategy?: string;
  readonly gamma?: number;
  readonly confirmations?: number;
  readonly giveUpBehind?: number;
  readonly victim?: number;
}

/** Where a value sits in the file: `FILE:LINE:COL`, for messages. */
export type Locate = (path: ReadonlyArray<string | number>) => string;

export interface LoadedScenario {
  readonly file: string;
  readonly data: ScenarioFile;
  readonly at: Locate;
}

const SCHEMA_URL = new URL('../../../scenarios/scenario.schema.json', import.meta.url);
let validate: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  }
  return validate;
}

function locator(file: string, doc: Document, lines: LineCounter): Locate {
  return (path) => {
    // The deepest node the path reaches (a missing property: its parent).
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line, col } = lines.linePos(node.range[0]);
        return `${file}:${line}:${col}`;
      }
    }
    return `${file}:1:1`;
  };
}

/** What ajv's error says, in words a scenario's author reads. */
function explain(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the scenario' : e.instancePath.slice(1).replaceAll('/', '.');
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field ${JSON.stringify(p.additionalProperty)}`;
    case 'enum':
      return `${where}: expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'required':
      return `${where}: missing ${JSON.stringify(p.missingProperty)}`;
    case 'maxProperties':
    case 'minProperties':
      return `${where}: an event is { at, <one action> } with one of partition, heal, links, stop, start, share, strategy, transactions`;
    case 'const':
      return `${where}: expected ${JSON.stringify(p.allowedValue)}`;
    default:
      return `${where}: ${e.message ?? 'is not valid'}`;
  }
}

/** The errors worth showing: for a oneOf, its branches' errors say less than the oneOf itself. */
function mainErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOf = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  return errors.filter(
    (e) =>
      e.keyword === 'oneOf' ||
      !oneOf.some((path) => e.instancePath === path || e.schemaPath.includes('/oneOf/')),
  );
}

/** Reads, parses and checks a scenario file against the schema. */
export function loadScenario(file: string, text?: string): LoadedScenario {
  let source: string;
  try {
    source = text ?? readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new UsageError(`${file}:${line}:${col}: YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  const at = locator(file, doc, lines);
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`${at([])}: a scenario is a YAML mapping (fields such as nodes, blocks, miners)`);
  const check = schemaValidator();
  if (!check(data)) {
    const errors = mainErrors(check.errors ?? []);
    const path = (e: ErrorObject): Array<string | number> => [
      ...e.instancePath
        .split('/')
        .slice(1)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~'))),
      // An unknown field: point at it, not at the mapping that holds it.
      ...(e.keyword === 'additionalProperties' ? [String(e.params.additionalProperty)] : []),
    ];
    throw new UsageError(
      errors
        .slice(0, 5)
        .map((e) => `${at(path(e))}: ${explain(e)}`)
        .join('\n'),
    );
  }
  return { file, data: data as ScenarioFile, at };
}

/** A scenario made in code (a sweep's point) checked against the schema; `what` names it in the message. */
export function checkScenarioData(data: ScenarioFile, what: string): ScenarioFile {
  const check = schemaValidator();
  if (!check(data))
    throw new UsageError(
      mainErrors(check.errors ?? [])
        .slice(0, 5)
        .map((e) => `${what}: ${explain(e)}`)
        .join('\n'),
    );
  return data;
}
