/** Walks over a strategy's private chain. */
import type { VirtualBlock } from '../store.ts';

/** The blocks of `tip`'s chain above `fromHeight` up to `toHeight` (inclusive), parent first. */
export function chainSlice(tip: VirtualBlock, fromHeight: number, toHeight: number): VirtualBlock[] {
  const out: VirtualBlock[] = [];
  let b: VirtualBlock | null = tip;
  while (b !== null && b.height > toHeight) b = b.prev;
  while (b !== null && b.height > fromHeight) {
    out.push(b);
    b = b.prev;
  }
  return out.reverse();
}
