/**
 * A sweep's worker thread (Piscina, simulate-sweep.ts): one point of the sweep, the very run `simulate --virtual`
 * makes with those flags. It returns the summary and block rows (structured clone); the main thread writes them.
 */
import type { BlockRow } from '../results/ledger.ts';
import type { RunSummary } from '../results/results.ts';
import { computeVirtual, type VirtualArgs } from './simulate-virtual.ts';

export interface SweepTaskResult {
  readonly summary: RunSummary;
  readonly rows: BlockRow[];
}

export default function runPoint(args: VirtualArgs): SweepTaskResult {
  const { summary, rows } = computeVirtual(args);
  return { summary, rows };
}
