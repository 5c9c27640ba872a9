/**
 * `chainsim scenario validate|run`: a scenario file through the same checks and runs as `simulate` (virtual or
 * live), its sweeps through simulate's sweep pool. Loaded only when a scenario command runs.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import chalk from 'chalk';
import type { Argv } from 'yargs';
import { wholeNumberOption } from '../args.ts';
import { UsageError } from '../output.ts';
import { checkVirtualArgs, runVirtual, type VirtualArgs, virtualNetwork } from '../simulate-virtual.ts';
import { compileEvents } from '../virtual-timeline.ts';
import { runSweep, type SweepPlan } from '../simulate-sweep.ts';
import { SWEEP_KEYS, sweepPoints, type SweepKeys } from '../sweep-spec.ts';
import { compileScenario, type ScenarioPlan } from './compile.ts';
import { checkScenarioData, type LoadedScenario, loadScenario, type ScenarioFile } from './load.ts';

/** Command-line flags of `scenario run`, as yargs gives them, and which were written. */
export interface ScenarioFlags {
  readonly file: string;
  readonly raw: Record<string, unknown>;
  readonly given: ReadonlySet<string>;
}

/** The flags that are the command's own, not overrides of the file's. */
const OWN = new Set(['virtual', 'live', 'sweep', 'jobs']);

function overrides(f: ScenarioFlags): { values: Record<string, unknown>; written: Set<string> } {
  const values: Record<string, unknown> = {};
  const written = new Set<string>();
  for (const flag of f.given) {
    if (OWN.has(flag)) continue;
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    values[key] = f.raw[key];
    written.add(flag);
  }
  if (f.raw.live === true && f.raw.virtual === true)
    throw new UsageError('give --virtual or --live, not both');
  if (f.raw.live === true) values.mode = 'live';
  if (f.raw.virtual === true) values.mode = 'virtual';
  return { values, written };
}

/** The scenario (read once by the caller, `loaded`), with `data` in place of the file's for a sweep's point. */
function plan(
  f: ScenarioFlags,
  loaded: LoadedScenario = loadScenario(f.file),
  data?: ScenarioFile,
): ScenarioPlan {
  const o = overrides(f);
  return compileScenario(data ? { ...loaded, data } : loaded, o.values, o.written);
}

function virtualArgs(p: ScenarioPlan): VirtualArgs {
  return {
    ...checkVirtualArgs(p.raw, p.given),
    strategies: p.strategies,
    events: p.events,
    ...(p.names ? { names: p.names } : {}),
  };
}

/** What a scenario would run, in one paragraph. */
function describe(p: ScenarioPlan): string {
  const r = Object.fromEntries(
    Object.entries(p.raw).map(([k, v]) => [
      k,
      typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v),
    ]),
  );
  const stop = r.blocks !== undefined ? `${String(r.blocks)} blocks` : `${String(r.duration)} s`;
  const net = [r.model, r.topology, r.latency && `latency ${String(r.latency)}`].filter(Boolean).join(', ');
  const miners = p.strategies
    .map(
      (m) =>
        `node ${m.node} ${m.spec.strategy}${Object.entries(m.spec)
          .filter(([k]) => k !== 'strategy')
          .map(([k, v]) => ` ${k}=${String(v)}`)
          .join('')}`,
    )
    .join('; ');
  return (
    `${p.file}: a ${p.mode} run of ${String(r.nodes)} node(s) until ${stop}` +
    (net ? ` on ${net}` : '') +
    (r.seed !== undefined ? `, seed ${String(r.seed)}` : '') +
    (miners ? `; strategic miners: ${miners}` : '; every miner honest') +
    (p.events.length > 0 ? `; ${p.events.length} timeline event(s)` : '') +
    '.'
  );
}

export function validateScenario(f: ScenarioFlags): void {
  const p = plan(f);
  if (p.mode === 'virtual') {
    const args = virtualArgs(p);
    // Timeline edits over the run's network (a link where the topology has none is found here).
    compileEvents(args.events ?? [], virtualNetwork(args).settings);
  } else liveTokens(p);
  console.log(`${chalk.green('valid')}: ${describe(p)}`);
}

/**
 * Sweep keys: simulate's; the aliases alpha (the first strategic miner's share), gamma, confirmations and
 * giveUpBehind (its parameters), latency (ms) and loss (the network's); or any numeric field by its path in the
 * file, such as miners.1.share, network.jitter or timeline.0.at.
 */
const ALIASES = ['alpha', 'gamma', 'confirmations', 'giveUpBehind', 'latency', 'loss'];
const SCENARIO_SWEEP_KEYS: SweepKeys = {
  accepts: (key) =>
    (SWEEP_KEYS as readonly string[]).includes(key) ||
    ALIASES.includes(key) ||
    /^[A-Za-z]\w*(\.\w+)+$/.test(key),
  described: `${SWEEP_KEYS.join(', ')}, ${ALIASES.join(', ')}, or a field's path (miners.0.share, network.jitter, timeline.0.at)`,
};

type Tree = Record<string, unknown> | unknown[];

/** The scenario with one sweep point's values in place. */
function withPoint(
  data: ScenarioFile,
  point: ReadonlyArray<readonly [string, number]>,
  file: string,
): ScenarioFile {
  const d = structuredClone(data) as unknown as Record<string, unknown>;
  for (const [key, value] of point) {
    let path: string[];
    if (['alpha', 'gamma', 'confirmations', 'giveUpBehind'].includes(key)) {
      const miners = (d.miners ?? []) as Array<Record<string, unknown>>;
      const index = miners.findIndex((x) => x.strategy !== undefined && x.strategy !== 'honest');
      if (index < 0)
        throw new UsageError(
          `--sweep ${key}: ${file} has no strategic miner (a miners entry with a strategy)`,
        );
      path = ['miners', String(index), key === 'alpha' ? 'share' : key];
    } else if (key === 'latency' || key === 'loss') path = ['network', key];
    else path = key.split('.');
    let node: Tree = d;
    for (const [n, part] of path.slice(0, -1).entries()) {
      const next: unknown = (node as Record<string, unknown>)[part];
      if (next === undefined && n === 0 && part === 'network') (node as Record<string, unknown>)[part] = {};
      else if (next === null || typeof next !== 'object')
        throw new UsageError(`--sweep ${key}: ${file} has no ${path.slice(0, n + 1).join('.')} to vary`);
      node = (node as Record<string, unknown>)[part] as Tree;
    }
    (node as Record<string, unknown>)[path[path.length - 1]!] = key === 'latency' ? `${value}ms` : value;
  }
  return d;
}

async function sweepScenario(f: ScenarioFlags, loaded: LoadedScenario, base: ScenarioPlan): Promise<void> {
  const specs = (Array.isArray(f.raw.sweep) ? f.raw.sweep : [f.raw.sweep]).map(String);
  const { axes, points } = sweepPoints(specs, SCENARIO_SWEEP_KEYS);
  const first = virtualArgs(base);
  // One seed for every point (the file's, the flag's, or one drawn now), unless the seed is swept.
  const data: ScenarioFile = { ...loaded.data, seed: first.model.seed };
  const planned = points.map((at) => {
    const point = withPoint(data, at, f.file);
    const p = plan(
      f,
      loaded,
      checkScenarioData(point, `${f.file} with --sweep ${at.map(([k, v]) => `${k}=${v}`).join(' ')}`),
    );
    // Swept flags win over the command line's.
    for (const [key, value] of at)
      if ((SWEEP_KEYS as readonly string[]).includes(key)) {
        p.raw[key] = value;
        p.given.add(key);
      }
    return { at, args: virtualArgs(p) };
  });
  const jobs = Math.min(
    f.raw.jobs === undefined ? availableParallelism() : wholeNumberOption('jobs', f.raw.jobs, 1, 256),
    points.length,
  );
  const id = createHash('sha256')
    .update(JSON.stringify({ file: loaded.data, specs, seed: first.model.seed, over: [...f.given].sort() }))
    .digest('hex')
    .slice(0, 10);
  const sweep: SweepPlan = { axes, points: planned, jobs, results: first.results, id: `sweep-${id}` };
  await runSweep(sweep);
}

/** The simulate command line a live scenario is (run through simulate itself, so its defaults and checks). */
function liveTokens(p: ScenarioPlan): string[] {
  if (p.strategies.length > 0)
    throw new UsageError(
      `${p.file}: strategic miners run in virtual mode only so far (live nodes have no strategies yet); run it with --virtual`,
    );
  for (const e of p.events) {
    if (e.action.kind === 'strategy')
      throw new UsageError(
        `${p.file}: strategy events run in virtual mode only so far; run it with --virtual`,
      );
    if (e.action.kind === 'transactions')
      throw new UsageError(
        `${p.file}: transactions at a rate are not built yet (use chainsim send against the nodes meanwhile)`,
      );
  }
  for (const flag of ['interval', 'model', 'sweep', 'jobs'])
    if (p.raw[flag] !== undefined) throw new UsageError(`${flag} applies to virtual runs only`);
  // A scenario is an experiment: its nodes mine from the start.
  const raw: Record<string, unknown> = { mine: true, ...p.raw };
  const tokens = ['simulate'];
  for (const [key, value] of Object.entries(raw)) {
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (value === true) tokens.push(`--${flag}`);
    else if (value === false) tokens.push(`--no-${flag}`);
    else tokens.push(`--${flag}`, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return tokens;
}

export async function runScenario(f: ScenarioFlags, cli?: (argv: string[]) => Argv): Promise<void> {
  const loaded = loadScenario(f.file);
  const p = plan(f, loaded);
  if (p.mode === 'virtual') {
    if (f.raw.sweep !== undefined) return sweepScenario(f, loaded, p);
    if (f.raw.jobs !== undefined) throw new UsageError('--jobs applies to --sweep runs only');
    console.log(chalk.dim(describe(p)));
    await runVirtual(virtualArgs(p));
    return;
  }
  if (f.raw.sweep !== undefined) throw new UsageError('--sweep runs virtual scenarios only');
  const tokens = liveTokens(p);
  console.log(chalk.dim(`${describe(p)}\n  as: chainsim ${tokens.join(' ')}`));
  if (cli === undefined) throw new Error('a live scenario needs the command line to run simulate with');
  const run = cli(tokens).parseAsync();
  if (p.events.length === 0) return void (await run);
  // The manager and the nodes' ports, as simulate picks them (its defaults: 4999, 5000 + i).
  const managerPort = Number(p.raw.port ?? 4999);
  const basePort = Number(p.raw.basePort ?? 5000);
  const { driveLiveTimeline } = await import('./live-timeline.ts');
  await Promise.all([
    run,
    driveLiveTimeline(
      p.events,
      {
        manager: `http://127.0.0.1:${managerPort}`,
        port: (i) => basePort + i,
        log: (l) => console.log(chalk.cyan(l)),
      },
      run,
    ),
  ]);
}
