/**
 * `simulate --virtual --sweep KEY=VALUES`: one virtual run per value, in parallel on worker threads (one per core,
 * or --jobs), each exactly the run its flag would make (same run id, same files). Each point's results are
 * written as a single run's are; then `<results>/sweep-<id>/sweep.csv` (one row per point) and `sweep.json` (the
 * rows, and each metric's mean, sd, min and max over the points), and a table of that spread.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import type { BlockRow } from '../results/ledger.ts';
import { type RunSummary, writeResults } from '../results/results.ts';
import { createFixedPool } from '../runtime/fixed-pool.ts';
import { workerModuleUrl } from '../runtime/modules.ts';
import { printTable } from './output.ts';
import type { VirtualArgs } from './simulate-virtual.ts';
import { type Sweep, sweepPoint } from './sweep-spec.ts';

/** The figures of each point that a sweep's table and files report, by column name. */
const METRICS = {
  blocksMined: (s: RunSummary) => s.blocksMined,
  staleBlocks: (s: RunSummary) => s.staleBlocks,
  staleRate: (s: RunSummary) => s.staleRate,
  t50MsP50: (s: RunSummary) => s.propagation.t50Ms.p50,
  t90MsP50: (s: RunSummary) => s.propagation.t90Ms.p50,
  t100MsP50: (s: RunSummary) => s.propagation.t100Ms.p50,
  reorgs: (s: RunSummary) => s.reorgs.count,
  maxReorgDepth: (s: RunSummary) => s.reorgs.maxDepth,
  events: (s: RunSummary) => s.events ?? null,
  virtualSeconds: (s: RunSummary) => s.virtualSeconds ?? null,
  wallSeconds: (s: RunSummary) => s.wallSeconds,
} as const satisfies Record<string, (s: RunSummary) => number | null>;
type Metric = keyof typeof METRICS;

export interface Spread {
  readonly mean: number | null;
  readonly sd: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** Mean, sample standard deviation, min and max of the non-null values (null when there are none). */
export function spread(values: ReadonlyArray<number | null>): Spread {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return { mean: null, sd: null, min: null, max: null };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** The sweep's name: the base options and the sweep, so the same sweep goes to the same folder. */
function sweepId(base: VirtualArgs, sweep: Sweep): string {
  const { results: _where, ...what } = base;
  const hash = createHash('sha256').update(JSON.stringify({ what, sweep })).digest('hex').slice(0, 10);
  return `sweep-${sweep.key}-${sweep.values.length}x-${hash}`;
}

const cell = (v: number | null): string => (v === null ? '' : String(Math.round(v * 1e6) / 1e6));

export async function runSweep(base: VirtualArgs, sweep: Sweep, jobs?: number): Promise<void> {
  // Every point is checked before any runs.
  const points = sweep.values.map((value) => ({ value, args: sweepPoint(base, sweep.key, value) }));
  const { piscina, threads } = createFixedPool(workerModuleUrl(import.meta.url, './sweep-task'), {
    threads: Math.min(jobs ?? Number.POSITIVE_INFINITY, points.length, defaultJobs()),
    what: 'jobs',
  });
  console.log(
    chalk.bold(
      `chainsim: a sweep of ${points.length} virtual run(s) over ${sweep.key}, ${threads} at a time…`,
    ),
  );
  const started = performance.now();
  let done = 0;
  const tty = Boolean(process.stderr.isTTY);
  const note = (): void => {
    const wall = (performance.now() - started) / 1000;
    const eta =
      done > 0 && done < points.length ? ` · ETA ${Math.ceil((wall * (points.length - done)) / done)} s` : '';
    const line = `sweep ${done} of ${points.length} done · ${wall.toFixed(1)} s${eta}`;
    process.stderr.write(tty ? `\r${line}\x1b[K${done === points.length ? '\n' : ''}` : `${line}\n`);
  };
  let results: Array<{ value: number; summary: RunSummary }>;
  try {
    results = await Promise.all(
      points.map(async ({ value, args }) => {
        const { summary, rows } = (await piscina.run(args)) as { summary: RunSummary; rows: BlockRow[] };
        if (base.results !== null) await writeResults(base.results, summary, rows);
        done++;
        note();
        return { value, summary };
      }),
    );
  } finally {
    await piscina.destroy();
  }
  const names = Object.keys(METRICS) as Metric[];
  const rows = results.map(({ value, summary }) => ({
    [sweep.key]: value,
    runId: summary.runId,
    ...Object.fromEntries(names.map((m) => [m, METRICS[m](summary)])),
  }));
  const spreads = Object.fromEntries(
    names.map((m) => [m, spread(results.map((r) => METRICS[m](r.summary)))]),
  );
  printTable(
    `${points.length} runs over ${sweep.key} (${sweep.values[0]} to ${sweep.values.at(-1)})`,
    ['metric', 'mean', 'sd', 'min', 'max'],
    names.map((m) => {
      const s = spreads[m]!;
      return [m, cell(s.mean), cell(s.sd), cell(s.min), cell(s.max)];
    }),
  );
  if (base.results !== null) {
    const dir = join(base.results, sweepId(base, sweep));
    await mkdir(dir, { recursive: true });
    const header = [sweep.key, 'runId', ...names];
    const csv = [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(','))].join('\n');
    await writeFile(join(dir, 'sweep.csv'), `${csv}\n`);
    await writeFile(
      join(dir, 'sweep.json'),
      `${JSON.stringify({ key: sweep.key, values: sweep.values, points: rows, spread: spreads }, null, 2)}\n`,
    );
    console.log(`sweep: ${dir}/sweep.csv, sweep.json; each run in ${base.results}/<runId>/`);
  }
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' ? cell(v) : typeof v === 'string' ? v : JSON.stringify(v);
}

function defaultJobs(): number {
  return availableParallelism();
}
