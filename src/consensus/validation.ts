/**
 * Contextual header rules (Core ContextualCheckBlockHeader, GetNextWorkRequired, GetMedianTimePast).
 * The chain is seen through `ChainView`, a linked list of ancestors, so these stay pure: no index, no store,
 * and `now` is an argument.
 */
import { ConsensusError } from './errors.ts';
import type { BlockHeader } from './header.ts';
import type { NetworkParams } from './params.ts';
import { retargetBits } from './pow.ts';

/** What the rules need to know about a block already in the chain. */
export interface ChainView {
  readonly height: number;
  readonly time: number;
  readonly bits: number;
  readonly prev: ChainView | null;
}

export function ancestorOf(view: ChainView, height: number): ChainView {
  if (height > view.height || height < 0)
    throw new RangeError(`no ancestor at height ${height} of block ${view.height}`);
  let cur: ChainView | null = view;
  while (cur && cur.height > height) cur = cur.prev;
  if (!cur) throw new RangeError(`ancestor at height ${height} is missing`);
  return cur;
}

/** Median of the last `medianTimeSpan` block times ending at `view` (Core CBlockIndex::GetMedianTimePast). */
export function medianTimePast(view: ChainView, params: NetworkParams): number {
  // Insertion sort while walking back: for 11 values it beats Array#sort with a comparator (see
  // docs/decisions.md, "Verifying headers without allocating").
  const times: number[] = [];
  for (let cur: ChainView | null = view; cur && times.length < params.medianTimeSpan; cur = cur.prev) {
    const t = cur.time;
    let i = times.length;
    times.push(t);
    for (; i > 0 && times[i - 1]! > t; i--) times[i] = times[i - 1]!;
    times[i] = t;
  }
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Bits the block after `prev` must carry (Core GetNextWorkRequired without testnet's special rule): the
 * parent's bits, except every `retargetInterval` blocks, where the window is block h-interval .. h-1.
 */
export function nextWorkRequired(prev: ChainView, params: NetworkParams): number {
  if (params.noRetarget) return prev.bits;
  const height = prev.height + 1;
  if (height % params.retargetInterval !== 0) return prev.bits;
  const first = ancestorOf(prev, height - params.retargetInterval);
  return retargetBits({ lastBits: prev.bits, firstTime: first.time, lastTime: prev.time }, params);
}

/** Core ContextualCheckBlockHeader: required bits, time above median-time-past, time not too far ahead. */
export function checkHeaderContext(
  header: BlockHeader,
  prev: ChainView,
  params: NetworkParams,
  now: number,
): void {
  const required = nextWorkRequired(prev, params);
  if (header.bits !== required) {
    throw new ConsensusError(
      'bad-diffbits',
      `bits 0x${header.bits.toString(16).padStart(8, '0')} at height ${prev.height + 1}, required 0x${required.toString(16).padStart(8, '0')}`,
    );
  }
  const mtp = medianTimePast(prev, params);
  if (header.time <= mtp) {
    throw new ConsensusError('time-too-old', `time ${header.time} is not above the median time past ${mtp}`);
  }
  if (header.time > now + params.maxFutureBlockTime) {
    throw new ConsensusError(
      'time-too-new',
      `time ${header.time} is more than ${params.maxFutureBlockTime} s ahead of ${now}`,
    );
  }
}
