import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { Rng } from './types.ts';
import { badValue, shown } from './errors.ts';

/** murmur3's 32-bit finaliser: a bijection on 32-bit words with full avalanche. */
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/** Low and high 32-bit words of a safe integer (two's complement for negatives). */
function words(n: number): [number, number] {
  return [n >>> 0, Math.floor(n / 2 ** 32) >>> 0];
}

/** Steps thrown away after seeding, so the first draws do not reflect the structure of the seed words. */
const WARM_UP = 16;

/**
 * Stream `stream` of the run's `seed`: a xoroshiro128+ generator (pure-rand) whose 128-bit state is the seed's
 * and the stream's 64 bits each, every word through a bijective mixer, so two different (seed, stream) pairs
 * never start from the same state, and neighbouring streams start far apart in a way no simple relation ties
 * together. Streams are made by mixing rather than by `jump()` (2^64 steps each) because stream i would need i
 * jumps, and the virtual-time engine makes thousands of streams. Each draw takes 53 bits (two 32-bit outputs).
 */
export function createRng(seed: number, stream: number): Rng {
  if (!Number.isSafeInteger(seed)) throw badValue(`seed must be a whole number, got ${shown(seed)}`);
  if (!Number.isSafeInteger(stream) || stream < 0)
    throw badValue(`stream must be a whole number of 0 or more, got ${shown(stream)}`);
  const [seedLo, seedHi] = words(seed);
  const [streamLo, streamHi] = words(stream);
  const state: number[] = [
    fmix32(seedLo ^ 0x243f6a88),
    fmix32(seedHi ^ 0x85a308d3),
    fmix32(streamLo ^ 0x13198a2e),
    fmix32(streamHi ^ 0x03707344),
  ];
  if (!state.some((w) => w !== 0)) state[3] = 1; // the one state xoroshiro never leaves
  const generator = xoroshiro128plusFromState(state);
  for (let i = 0; i < WARM_UP; i++) generator.next();
  return () => uniformFloat64(generator);
}
