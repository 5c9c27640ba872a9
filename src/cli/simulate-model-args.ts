/**
 * The `simulate` command's network-model options (--topology, --latency, --bandwidth, --loss, --jitter, --links,
 * --partition, --seed) and its run-length and results options (--results, --duration, --blocks), checked here at
 * the edge: files are read here, values parsed by the model's own parsers, and the whole model built once with the
 * run's seed, so every problem is a UsageError naming the option (and the file and line) before anything starts.
 */
import { readFileSync } from 'node:fs';
import {
  type Edge,
  type LinkOverride,
  type LinkSettings,
  makeSettings,
  ModelError,
  parseBandwidth,
  parseDurationMs,
  parseEdgeFile,
  parseLatency,
  parseLinkOverrides,
  parsePartition,
  parseProbability,
  parseTopology,
  type TopologySpec,
} from '../net/model/index.ts';
import { DEFAULT_TOPOLOGY, randomSeed } from '../sim/network-control.ts';
import type { ModelOptions } from '../sim/types.ts';
import { wholeNumberOption } from './args.ts';
import { UsageError } from './output.ts';

export interface RunLengthArgs {
  /** Root of the results files; null: --no-results. */
  readonly results: string | null;
  readonly stopAfter: { readonly durationS?: number; readonly blocks?: number } | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A model option's value through the model's parser; a ModelError becomes a UsageError naming the option. */
function option<T>(name: string, value: unknown, parse: (text: string) => T): T {
  if (Array.isArray(value)) throw new UsageError(`--${name} was given ${value.length} times: give it once`);
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new UsageError(`--${name} needs a value (see --help)`);
  try {
    return parse(String(value));
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(`--${name}: ${err.message}`);
    throw err;
  }
}

function readOptionFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.message;
    throw new UsageError(
      name === 'topology'
        ? `--topology ${path}: ${why} (expected full, random:K, ring, line, star, or a file of edges)`
        : `--${name} ${path}: ${why}`,
    );
  }
}

/** A file's contents through a model parser; its errors ("line 3: ...") are prefixed with the option and file. */
function parseFile<T>(name: string, path: string, parse: (text: string) => T): T {
  const text = readOptionFile(name, path);
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(`--${name} ${path}: ${err.message}`);
    throw err;
  }
}

/** The model options from the command line; `ports` are the nodes' ports, by index. */
export function modelOptionsFrom(
  raw: Record<string, unknown>,
  ports: readonly number[],
): ModelOptions & { seed: number } {
  const given = (name: string): boolean => raw[name] !== undefined;
  const seed = given('seed') ? wholeNumberOption('seed', raw.seed, 0, Number.MAX_SAFE_INTEGER) : randomSeed();
  const topologyText = given('topology') ? raw.topology : undefined;
  const topology: TopologySpec =
    topologyText === undefined ? DEFAULT_TOPOLOGY : option('topology', topologyText, parseTopology);
  let fileEdges: Edge[] | undefined;
  let links: LinkOverride[] = [];
  if (topology.kind === 'file') {
    const parsed = parseFile('topology', topology.path, (text) => parseEdgeFile(text, ports));
    fileEdges = parsed.edges;
    links = parsed.links;
  }
  const defaults: Mutable<Partial<LinkSettings>> = {};
  if (given('latency')) defaults.latency = option('latency', raw.latency, parseLatency);
  if (given('bandwidth')) defaults.bandwidth = option('bandwidth', raw.bandwidth, (t) => parseBandwidth(t));
  if (given('loss')) defaults.loss = option('loss', raw.loss, (t) => parseProbability(t));
  if (given('jitter')) defaults.jitterMs = option('jitter', raw.jitter, (t) => parseDurationMs(t, 'jitter'));
  const linksPath = given('links') ? option('links', raw.links, (t) => t) : undefined;
  const fileLinks = linksPath ? parseFile('links', linksPath, (text) => parseLinkOverrides(text, ports)) : [];
  const partition = given('partition')
    ? option('partition', raw.partition, (t) => parsePartition(t, ports))
    : null;

  // Build it as the simulation will, with the same seed, one option at a time so a refusal names its option:
  // a random:K that cannot be connected, or a --links line for a pair the topology does not link.
  const nodes = ports.map(String);
  const build = (name: string, extra: Parameters<typeof makeSettings>[0]): void => {
    try {
      makeSettings(extra);
    } catch (err) {
      if (err instanceof ModelError) throw new UsageError(`--${name}: ${err.message}`);
      throw err;
    }
  };
  const base = { seed, nodes, topology, ...(fileEdges ? { fileEdges } : {}), links };
  build('topology', base);
  if (fileLinks.length > 0) build('links', { ...base, links: [...links, ...fileLinks] });
  return {
    seed,
    topology,
    ...(fileEdges ? { fileEdges } : {}),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...(links.length + fileLinks.length > 0 ? { links: [...links, ...fileLinks] } : {}),
    partition,
  };
}

/** --results DIR (default results/; --no-results writes none), --duration S, --blocks N. */
export function runLengthFrom(raw: Record<string, unknown>): RunLengthArgs {
  let results: string | null;
  if (raw.results === false) results = null;
  else if (raw.results === undefined || raw.results === true) results = 'results';
  else if (typeof raw.results === 'string' && raw.results.trim() !== '') results = raw.results;
  else throw new UsageError(`--results needs a folder, like --results results (or --no-results for none)`);
  let durationS: number | undefined;
  if (raw.duration !== undefined) {
    const d =
      typeof raw.duration === 'string' && raw.duration.trim() !== '' ? Number(raw.duration) : raw.duration;
    if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > 2_147_483)
      throw new UsageError(
        `--duration is the run's length in seconds, more than 0 (like 60 or 0.5), got ${JSON.stringify(raw.duration)}`,
      );
    durationS = d;
  }
  const blocks = raw.blocks === undefined ? undefined : wholeNumberOption('blocks', raw.blocks, 1, 1_000_000);
  const stopAfter =
    durationS === undefined && blocks === undefined
      ? undefined
      : { ...(durationS === undefined ? {} : { durationS }), ...(blocks === undefined ? {} : { blocks }) };
  return { results, stopAfter };
}
