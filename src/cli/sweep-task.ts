/**
 * One point of a sweep, in a worker thread of simulate-sweep.ts's pool: the virtual run and its results
 * (structured-cloned back to the main thread, which writes them). Prints nothing.
 */
import type { BlockRow } from '../results/ledger.ts';
import type { RunSummary } from '../results/results.ts';
import { computeVirtual, type VirtualArgs } from './simulate-virtual.ts';

export default function runPoint(args: VirtualArgs): { summary: RunSummary; rows: BlockRow[] } {
  const { summary, rows } = computeVirtual(args);
  return { summary, rows };
}
