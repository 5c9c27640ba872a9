/**
 * `simulate --virtual`: the same network model and results as a live run, through the discrete-event engine
 * (src/engine/) instead of worker threads. Its options are checked here (a live-only flag is refused with the
 * reason), the run reports progress on stderr, and its results go where a live run's go. Loaded only for a
 * virtual run (commands/simulate.ts imports it on demand), so a virtual run never loads the live simulator.
 */
import { createHash } from 'node:crypto';
import chalk from 'chalk';
import { isNetworkName, NETWORK_NAMES, type NetworkName, networks } from '../consensus/index.ts';
import { createStrategy, type EngineProgress, type EngineResult, runEngine } from '../engine/index.ts';
import {
  bitcoin2019Settings,
  buildBitcoin2019,
  describeLink,
  describeTopology,
  makeSettings,
  type NetworkSettings,
  type RegionalNetwork,
} from '../net/model/index.ts';
import type { BlockRow } from '../results/ledger.ts';
import { buildSummary, type RunSummary, writeResults } from '../results/results.ts';
import type { ModelOptions } from '../sim/types.ts';
import { wholeNumberOption } from './args.ts';
import { printFields, UsageError } from './output.ts';
import { age } from './live-table.ts';
import { parseHashPower } from './simulate-args.ts';
import { modelOptionsFrom, runLengthFrom } from './simulate-model-args.ts';
import { strategyEntries } from './strategy-results.ts';
import { compileEvents, type ScenarioEvent, type StrategicMiner } from './virtual-timeline.ts';

/** The most nodes a virtual run takes (memory grows with nodes x blocks by 4 bytes each, plus the links). */
export const MAX_VIRTUAL_NODES = 100_000;

/** Flags that only mean something for live nodes (worker threads, HTTP, proof of work, storage). */
const LIVE_ONLY: Readonly<Record<string, string>> = {
  port: 'a virtual run has no HTTP API',
  'base-port': 'virtual nodes have no ports: they are numbered 0..N-1',
  host: 'a virtual run has no HTTP API',
  advertise: 'a virtual run has no HTTP API',
  token: 'a virtual run has no HTTP API',
  kernel: 'virtual blocks are not mined with proof of work',
  threads: 'virtual blocks are not mined with proof of work',
  relay: 'virtual nodes talk through the engine, not ports or HTTP',
  'data-dir': 'a virtual run keeps nothing between runs',
  'in-memory': 'a virtual run keeps nothing between runs',
  fresh: 'a virtual run keeps nothing between runs',
  reindex: 'a virtual run keeps nothing between runs',
  mine: 'virtual nodes always mine, by their hash-power share',
};

/** The network models a virtual run knows by name (src/net/model/bitcoin-2019*.ts). */
export const MODEL_NAMES = ['bitcoin-2019'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Flags a named model sets itself. */
const MODEL_SETS: Readonly<Record<string, string>> = {
  topology: 'its links follow its outbound degree distribution',
  latency: "it draws each message's latency from its region matrix",
  bandwidth: 'its bandwidth is per region',
  jitter: 'its latency draws already vary',
  loss: 'it models no loss (SimBlock does not)',
  links: 'its links are its own',
};

export interface VirtualArgs {
  readonly nodes: number;
  /** A named network model, or none (the generic model of the flags). */
  readonly modelName: ModelName | null;
  readonly network: NetworkName;
  /** Percent per node; null: equal shares, or the named model's mining power. */
  readonly shares: readonly number[] | null;
  readonly model: ModelOptions & { seed: number };
  readonly results: string | null;
  readonly blocks: number | undefined;
  readonly virtualSeconds: number | undefined;
  readonly intervalMs: number | undefined;
  /** Miners with a strategy from the start (a scenario's `miners`); the others are honest. */
  readonly strategies?: readonly StrategicMiner[];
  /** A scenario's timeline. */
  readonly events?: readonly ScenarioEvent[];
  /** Display names by node number (a scenario's node list). */
  readonly names?: readonly string[];
}

/** Checks a virtual run's options; `given` holds the flags written on the command line (kebab-case). */
export function checkVirtualArgs(raw: Record<string, unknown>, given: ReadonlySet<string>): VirtualArgs {
  for (const flag of Object.keys(LIVE_ONLY)) {
    if (given.has(flag)) throw new UsageError(`--${flag} does not apply to --virtual: ${LIVE_ONLY[flag]}`);
  }
  const nodes = wholeNumberOption('nodes', raw.nodes, 1, MAX_VIRTUAL_NODES, 6);
  let modelName: ModelName | null = null;
  if (raw.model !== undefined) {
    const name = typeof raw.model === 'string' ? raw.model : JSON.stringify(raw.model);
    if (!(MODEL_NAMES as readonly string[]).includes(name))
      throw new UsageError(
        `--model: unknown model ${JSON.stringify(name)}; known models: ${MODEL_NAMES.join(', ')}`,
      );
    modelName = name as ModelName;
    for (const flag of Object.keys(MODEL_SETS)) {
      if (given.has(flag))
        throw new UsageError(`--${flag} does not go with --model ${name}: ${MODEL_SETS[flag]}`);
    }
  }
  // Virtual time makes Bitcoin's 10-minute blocks cheap, so it is the default here.
  const network = given.has('network') ? String(raw.network) : 'bitcoin';
  if (!isNetworkName(network))
    throw new UsageError(
      `--network must be one of ${NETWORK_NAMES.join(', ')}, got ${JSON.stringify(network)}`,
    );
  const shares =
    typeof raw.hashPower === 'string' || typeof raw.hashPower === 'number'
      ? parseHashPower(String(raw.hashPower), nodes)
      : null;
  const { results, stopAfter } = runLengthFrom(raw);
  if (stopAfter === undefined)
    throw new UsageError(
      '--virtual needs an end: --blocks N (a best chain N blocks long) or --duration S (S virtual seconds)',
    );
  const ids = Array.from({ length: nodes }, (_, i) => i);
  const model = modelOptionsFrom(raw, ids);
  let intervalMs: number | undefined;
  if (raw.interval !== undefined) {
    const s = typeof raw.interval === 'string' ? Number(raw.interval) : raw.interval;
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0)
      throw new UsageError(
        `--interval is the mean time between blocks in seconds, more than 0, got ${JSON.stringify(raw.interval)}`,
      );
    intervalMs = s * 1000;
  }
  return {
    nodes,
    modelName,
    network,
    shares,
    model,
    results,
    blocks: stopAfter.blocks,
    virtualSeconds: stopAfter.durationS,
    intervalMs,
  };
}

/** The network a virtual run starts with (node i is named by its number), and a named model's own network. */
export function virtualNetwork(args: VirtualArgs): {
  settings: NetworkSettings;
  regional: RegionalNetwork | null;
} {
  const m = args.model;
  const nodes = Array.from({ length: args.nodes }, (_, i) => String(i));
  if (args.modelName === 'bitcoin-2019') {
    const regional = buildBitcoin2019(args.nodes, m.seed);
    return { settings: bitcoin2019Settings(regional, m.seed, m.partition ?? null), regional };
  }
  const settings = makeSettings({
    seed: m.seed,
    nodes,
    topology: m.topology ?? { kind: 'random', k: 8 },
    ...(m.fileEdges ? { fileEdges: m.fileEdges } : {}),
    defaults: m.defaults ?? {},
    links: m.links ?? [],
    partition: m.partition ?? null,
  });
  return { settings, regional: null };
}

/**
 * The run's name: the same options give the same name (and the same results, byte for byte but wallSeconds),
 * so running a virtual experiment again overwrites it with itself.
 */
export function virtualRunId(args: VirtualArgs): string {
  const { results: _where, ...what } = args;
  const hash = createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 10);
  return `virtual-seed${args.model.seed}-${args.nodes}n-${hash}`;
}

/** One progress line on stderr: rewritten in place on a terminal, every 5 s otherwise. */
function progressReporter(args: VirtualArgs, started: number): (p: EngineProgress, last?: boolean) => void {
  const tty = Boolean(process.stderr.isTTY);
  let printed = 0;
  return (p, last = false) => {
    const now = performance.now();
    if (!last && now - printed < (tty ? 200 : 5000)) return;
    printed = now;
    const wall = (now - started) / 1000;
    const rate = wall > 0 ? p.events / wall : 0;
    const done =
      args.blocks !== undefined
        ? p.bestHeight / args.blocks
        : args.virtualSeconds !== undefined
          ? p.virtualMs / (args.virtualSeconds * 1000)
          : 0;
    const eta = done > 0 && done < 1 ? ` · ETA ${Math.ceil((wall * (1 - done)) / done)} s` : '';
    const line =
      `virtual ${age(p.virtualMs)} · height ${p.bestHeight} · mined ${p.blocksMined} · ` +
      `${Math.round(rate).toLocaleString('en')} events/s${eta}`;
    if (tty) process.stderr.write(`\r${line}\x1b[K${last ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}

export interface VirtualOutcome {
  readonly summary: RunSummary;
  readonly rows: BlockRow[];
  readonly run: EngineResult;
}

/** Runs a virtual simulation to its end and gathers its results; prints nothing (a sweep runs it in a worker). */
export function computeVirtual(args: VirtualArgs, onProgress?: (p: EngineProgress) => void): VirtualOutcome {
  const { settings, regional } = virtualNetwork(args);
  const params = networks[args.network];
  // Percent per node: as given, the named model's mining power, or equal.
  const shares =
    args.shares ??
    (regional
      ? Array.from(regional.miningPower)
      : Array.from({ length: args.nodes }, () => 100 / args.nodes));
  const total = shares.reduce((s, x) => s + x, 0);
  const percent = shares.map((x) => (100 * x) / total);
  const changes = compileEvents(args.events ?? [], settings);
  const wallStart = performance.now();
  const run = runEngine({
    params,
    settings,
    shares: percent,
    strategies: new Map((args.strategies ?? []).map((m) => [m.node, createStrategy(m.spec, m.node)])),
    changes,
    ...(regional ? { network: { kind: 'bitcoin-2019' as const, net: regional } } : {}),
    ...(args.intervalMs === undefined ? {} : { intervalMs: args.intervalMs }),
    stop: {
      ...(args.blocks === undefined ? {} : { blocks: args.blocks }),
      ...(args.virtualSeconds === undefined ? {} : { virtualSeconds: args.virtualSeconds }),
    },
    ...(onProgress ? { onProgress } : {}),
  });
  const wallSeconds = Math.round(performance.now() - wallStart) / 1000;
  const metrics = run.ledger.metrics(run.bestTip.hash, new Map(percent.map((s, i) => [i, s / 100])));
  const summary = buildSummary({
    mode: 'virtual',
    runId: virtualRunId(args),
    seed: settings.seed,
    nodes: args.nodes,
    network: args.network,
    settings: {
      seed: settings.seed,
      topology: {
        spec: modelLabel(args, settings),
        edgeCount: settings.edges.length,
        // The edge list itself only for networks a live run could have (a 10,000-node one has 80,000 edges).
        ...(args.nodes <= 256 ? { edges: settings.edges } : {}),
      },
      partition: settings.partition,
      links: {
        defaults: describeLink(settings.defaults),
        overrides: settings.links.map((l) => ({ from: l.a, to: l.b })),
      },
      ...(args.modelName ? { model: args.modelName } : {}),
      shares: percent.map((share, node) => ({ node, share: Math.round(share * 1000) / 1000 })),
      intervalSeconds: (args.intervalMs ?? params.targetSpacing * 1000) / 1000,
    },
    startedAt: run.epochMs(0),
    endedAt: run.epochMs(run.virtualMs),
    endedBy: run.endedBy,
    metrics,
    wallSeconds,
    virtual: { virtualSeconds: Math.round(run.virtualMs) / 1000, events: run.events },
    strategies: strategyEntries(
      run.strategies,
      percent,
      metrics.revenue,
      (i) => args.names?.[i] ?? `node ${i}`,
    ),
  });
  return { summary, rows: run.ledger.rows(run.bestTip.hash), run };
}

function modelLabel(args: VirtualArgs, settings: NetworkSettings): string {
  return args.modelName ?? describeTopology(settings.topology);
}

/** Runs a virtual simulation to its end with progress on stderr, prints what it measured, writes its results. */
export async function runVirtual(args: VirtualArgs): Promise<VirtualOutcome> {
  const label = args.modelName ?? describeTopology(args.model.topology ?? { kind: 'random', k: 8 });
  console.log(
    chalk.bold(
      `chainsim: a virtual run of ${args.nodes} node(s) on the ${args.network} network, ${label}, seed ${args.model.seed}…`,
    ),
  );
  const report = progressReporter(args, performance.now());
  const outcome = computeVirtual(args, (p) => report(p));
  const { summary, run } = outcome;
  report(
    {
      virtualMs: run.virtualMs,
      bestHeight: run.bestTip.height,
      blocksMined: run.ledger.minedTotal(),
      events: run.events,
    },
    true,
  );
  const p = summary.propagation;
  const ms = (v: number | null): string => (v === null ? '-' : `${Math.round(v)} ms`);
  printFields('virtual run', [
    ['best chain', `height ${run.bestTip.height} (${run.bestTip.hash})`],
    ['blocks mined', String(summary.blocksMined)],
    ['stale', `${summary.staleBlocks} (${(summary.staleRate * 100).toFixed(2)}%)`],
    ['reorgs', `${summary.reorgs.count}, deepest ${summary.reorgs.maxDepth}`],
    ['propagation p50', `t50 ${ms(p.t50Ms.p50)}, t90 ${ms(p.t90Ms.p50)}, t100 ${ms(p.t100Ms.p50)}`],
    ['virtual time', age(run.virtualMs)],
    ['events', `${run.events.toLocaleString('en')} in ${summary.wallSeconds} s`],
    ...(summary.strategies ?? []).map((e): [string, string] => [
      e.name,
      `${e.strategy}${Object.entries(e.params)
        .map(([k, v]) => ` ${k}=${v}`)
        .join('')}, share ` +
        `${(e.share * 100).toFixed(1)}%, revenue ${(e.revenueShare * 100).toFixed(2)}%` +
        (e.attempts === undefined
          ? ''
          : `, ${e.successes} of ${e.attempts} attempts won (${((e.successRate ?? 0) * 100).toFixed(2)}%)`),
    ]),
  ]);
  if (args.results !== null) {
    const dir = await writeResults(args.results, summary, outcome.rows);
    console.log(`results: ${dir}/summary.json, blocks.csv, report.html`);
  }
  return outcome;
}
