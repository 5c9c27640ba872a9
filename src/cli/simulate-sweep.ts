/**
 * `simulate --virtual --sweep SPEC`: independent virtual runs, one per point of the spec (sweep-spec.ts), in
 * parallel on worker threads (one per core, or --jobs N). Each point is exactly the run `simulate --virtual` makes
 * with the point's flags (same runId, byte-identical results but wallSeconds): its options go through
 * checkVirtualArgs with the swept flags replaced, and the seed is fixed once for every point when none is given.
 * The workers run the points (sweep-task.ts); this thread writes each point's results, the progress line on
 * stderr, `<results>/sweep-<hash>/sweep.csv` and `sweep.json`, and a table of each metric's spread.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import Table from 'cli-table3';
import { renderReport, theoryFor } from '../results/report.ts';
import { writeResults } from '../results/results.ts';
import type { RunSummary } from '../results/results.ts';
import { createFixedPool } from '../runtime/fixed-pool.ts';
import { workerModuleUrl } from '../runtime/modules.ts';
import { wholeNumberOption } from './args.ts';
import { checkVirtualArgs, type VirtualArgs } from './simulate-virtual.ts';
import { type SweepAxis, type SweepPoint, sweepPoints } from './sweep-spec.ts';
import type { SweepTaskResult } from './sweep-task.ts';

/** The most threads --jobs takes. */
const MAX_JOBS = 256;

export interface SweepPlan {
  readonly axes: readonly SweepAxis[];
  readonly points: ReadonlyArray<{ readonly at: SweepPoint; readonly args: VirtualArgs }>;
  readonly jobs: number;
  readonly results: string | null;
  /** The sweep's folder name: sweep-<hash of the base options and the specs>. */
  readonly id: string;
}

/** The metrics a sweep reports per point, in sweep.csv's column order. */
export const SWEEP_METRICS = [
  'blocksMined',
  'staleBlocks',
  'staleRate',
  't50MsP50',
  't90MsP50',
  't100MsP50',
  'reorgs',
  'reorgMaxDepth',
  'events',
  'virtualSeconds',
  'wallSeconds',
] as const;
type Metric = (typeof SWEEP_METRICS)[number];

export type SweepRow = Record<string, number | string | null>;

/** Checks a sweep's options; every point's options are checked before any runs. */
export function checkSweep(raw: Record<string, unknown>, given: ReadonlySet<string>): SweepPlan {
  const specs = (Array.isArray(raw.sweep) ? raw.sweep : [raw.sweep]).map(String);
  const { axes, points } = sweepPoints(specs);
  const base = checkVirtualArgs(raw, given);
  // No --seed: one random seed for every point, as if --seed had been written.
  const baseRaw = { ...raw, seed: base.model.seed };
  const baseGiven = new Set([...given, 'seed']);
  const planned = points.map((at) => {
    const r: Record<string, unknown> = { ...baseRaw };
    const g = new Set(baseGiven);
    for (const [key, value] of at) {
      r[key] = value;
      g.add(key);
    }
    return { at, args: checkVirtualArgs(r, g) };
  });
  // No more threads than points.
  const jobs = Math.min(
    raw.jobs === undefined ? availableParallelism() : wholeNumberOption('jobs', raw.jobs, 1, MAX_JOBS),
    points.length,
  );
  const { results: _where, model, ...what } = base;
  const id = createHash('sha256')
    .update(JSON.stringify({ what, model: { ...model, seed: base.model.seed }, specs }))
    .digest('hex')
    .slice(0, 10);
  return { axes, points: planned, jobs, results: base.results, id: `sweep-${id}` };
}

function rowOf(at: SweepPoint, s: RunSummary): SweepRow {
  const row: SweepRow = {};
  for (const [key, value] of at) row[key] = value;
  const metrics: Record<Metric, number | null> = {
    blocksMined: s.blocksMined,
    staleBlocks: s.staleBlocks,
    staleRate: s.staleRate,
    t50MsP50: s.propagation.t50Ms.p50,
    t90MsP50: s.propagation.t90Ms.p50,
    t100MsP50: s.propagation.t100Ms.p50,
    reorgs: s.reorgs.count,
    reorgMaxDepth: s.reorgs.maxDepth,
    events: s.events ?? null,
    virtualSeconds: s.virtualSeconds ?? null,
    wallSeconds: s.wallSeconds,
  };
  return { ...row, runId: s.runId, ...metrics, ...theoryColumns(s) };
}

/** With a strategic miner: its measured revenue share or success rate, and the theory beside it. */
export const THEORY_COLUMNS = ['strategy', 'share', 'measured', 'theory', 'nakamoto'] as const;

function theoryColumns(s: RunSummary): SweepRow {
  const e = s.strategies?.[0];
  if (e === undefined) return {};
  const t = theoryFor(e);
  return {
    strategy: e.strategy,
    share: e.share,
    measured: e.strategy === 'double-spend' ? (e.successRate ?? null) : e.revenueShare,
    theory: t?.theory ?? null,
    nakamoto: t?.nakamoto ?? null,
  };
}

export interface Spread {
  readonly mean: number | null;
  readonly sd: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** Mean, sample standard deviation (n - 1; 0 for one point), min and max over the points that have the metric. */
export function spreadOf(values: ReadonlyArray<number | null>): Spread {
  const xs = values.filter((v): v is number => typeof v === 'number');
  if (xs.length === 0) return { mean: null, sd: null, min: null, max: null };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

function csvOf(columns: readonly string[], rows: readonly SweepRow[]): string {
  const cell = (v: number | string | null | undefined): string =>
    v === null || v === undefined ? '' : String(v);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

function fmt(v: number | null): string {
  if (v === null) return '-';
  return Number.isInteger(v) ? v.toLocaleString('en') : Number(v.toPrecision(4)).toLocaleString('en');
}

/** Runs the sweep's points on the worker threads; prints progress, writes results, prints the spread. */
export async function runSweep(plan: SweepPlan): Promise<{ rows: SweepRow[]; dir: string | null }> {
  const total = plan.points.length;
  const swept = plan.axes.map((a) => `${a.key} (${a.values.length})`).join(' x ');
  const seed = plan.axes.some((a) => a.key === 'seed') ? '' : `, seed ${plan.points[0]!.args.model.seed}`;
  console.log(
    chalk.bold(
      `chainsim: a sweep of ${total} virtual run(s) over ${swept}${seed} on ${plan.jobs} thread(s)…`,
    ),
  );
  const { piscina } = createFixedPool(workerModuleUrl(import.meta.url, './sweep-task'), {
    threads: plan.jobs,
    what: 'jobs',
  });
  const started = performance.now();
  const rows: SweepRow[] = new Array<SweepRow>(total);
  const summaries: RunSummary[] = new Array<RunSummary>(total);
  let done = 0;
  const tty = Boolean(process.stderr.isTTY);
  const progress = (): void => {
    const wall = (performance.now() - started) / 1000;
    const eta = done < total ? ` · ETA ${Math.ceil((wall * (total - done)) / done)} s` : '';
    const line = `sweep ${done}/${total} points · ${wall.toFixed(1)} s${eta}`;
    if (tty) process.stderr.write(`\r${line}\x1b[K${done === total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
  try {
    await Promise.all(
      plan.points.map(async ({ at, args }, i) => {
        const { summary, rows: blocks } = (await piscina.run(args)) as SweepTaskResult;
        if (plan.results !== null) await writeResults(plan.results, summary, blocks);
        rows[i] = rowOf(at, summary);
        summaries[i] = summary;
        done++;
        progress();
      }),
    );
  } finally {
    await piscina.destroy();
  }
  const strategic = rows.some((r) => 'strategy' in r);
  const columns = [
    ...plan.axes.map((a) => a.key),
    'runId',
    ...SWEEP_METRICS,
    ...(strategic ? THEORY_COLUMNS : []),
  ];
  const spread = Object.fromEntries(
    SWEEP_METRICS.map((m) => [m, spreadOf(rows.map((r) => r[m] as number | null))]),
  ) as Record<Metric, Spread>;
  const table = new Table({
    head: ['metric', 'mean', 'sd', 'min', 'max'].map((h) => chalk.bold(h)),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const m of SWEEP_METRICS) {
    const s = spread[m];
    table.push([m, fmt(s.mean), fmt(s.sd), fmt(s.min), fmt(s.max)]);
  }
  console.log(table.toString());
  if (plan.results === null) return { rows, dir: null };
  const dir = join(plan.results, plan.id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'sweep.csv'), csvOf(columns, rows));
  const json = { sweep: plan.axes.map((a) => ({ key: a.key, values: a.values })), rows, spread };
  await writeFile(join(dir, 'sweep.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(dir, 'report.html'), renderReport({ title: `chainsim sweep ${plan.id}`, summaries }));
  console.log(`results: ${total} run(s) in ${plan.results}/, ${dir}/sweep.csv, sweep.json, report.html`);
  return { rows, dir };
}
