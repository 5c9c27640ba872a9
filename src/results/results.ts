/**
 * A run's results files: `<results>/<runId>/summary.json` (what the run measured, with its seed and settings) and
 * `blocks.csv` (one row per block of the run), and report.html (report.ts: charts, readable offline). Both
 * formats are documented field by field in docs/results.md; other tools read them (and the virtual-time engine writes the same), so names change only with `schema`.
 * Each file is written to a temporary name and renamed, so a reader never sees half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockRow, LedgerMetrics } from './ledger.ts';
import { renderReport } from './report.ts';
import type { RunSummary, StrategyEntry } from './summary.ts';

/** The version of both formats; bumped when a field changes meaning or goes away (new fields do not bump it). */
export const RESULTS_SCHEMA = 1;

export type { RunSummary, StrategyEntry } from './summary.ts';

export interface SummaryInput {
  readonly runId: string;
  readonly seed: number | null;
  readonly nodes: number;
  readonly network: string;
  readonly settings: Record<string, unknown>;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly endedBy: string;
  readonly metrics: LedgerMetrics;
  /** Default `live`. A virtual run's startedAt/endedAt are virtual (its genesis time on), so it passes these. */
  readonly mode?: 'live' | 'virtual';
  readonly wallSeconds?: number;
  readonly virtual?: { readonly virtualSeconds: number; readonly events: number };
  readonly strategies?: readonly StrategyEntry[];
}

/** summary.json's content: the run's identity and settings, then the ledger's metrics. */
export function buildSummary(o: SummaryInput): RunSummary {
  return {
    schema: RESULTS_SCHEMA,
    mode: o.mode ?? 'live',
    runId: o.runId,
    seed: o.seed,
    nodes: o.nodes,
    network: o.network,
    settings: o.settings,
    startedAt: new Date(o.startedAt).toISOString(),
    endedAt: new Date(o.endedAt).toISOString(),
    wallSeconds: o.wallSeconds ?? Math.round(o.endedAt - o.startedAt) / 1000,
    ...(o.virtual ?? {}),
    endedBy: o.endedBy,
    ...o.metrics,
    ...(o.strategies && o.strategies.length > 0 ? { strategies: o.strategies } : {}),
  };
}

export const CSV_COLUMNS = [
  'hash',
  'height',
  'parent',
  'miner',
  'minedAt',
  't50Ms',
  't90Ms',
  't100Ms',
  'bestChain',
] as const;

/** blocks.csv: a header line, then one line per block; an empty cell for a level the block never reached. */
export function blocksCsv(rows: readonly BlockRow[]): string {
  const ms = (v: number | null): string => (v === null ? '' : String(Math.round(v * 1000) / 1000));
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows)
    lines.push(
      [
        r.hash,
        String(r.height),
        r.parent,
        String(r.miner),
        new Date(r.minedAt).toISOString(),
        ms(r.t50Ms),
        ms(r.t90Ms),
        ms(r.t100Ms),
        String(r.bestChain),
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}

/** Writes `file` atomically: a temporary file beside it, then a rename over it. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Writes summary.json and blocks.csv into `<root>/<runId>/`; returns that folder. */
export async function writeResults(
  root: string,
  summary: RunSummary,
  rows: readonly BlockRow[],
): Promise<string> {
  const dir = join(root, summary.runId);
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, 'blocks.csv'), blocksCsv(rows));
  await writeAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeAtomic(
    join(dir, 'report.html'),
    renderReport({ title: `chainsim run ${summary.runId}`, summaries: [summary], rows }),
  );
  return dir;
}
