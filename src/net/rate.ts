/**
 * Token buckets by key (a peer id, or a sender's connection address): at most `burst` at once, refilled at
 * `perSecond`. The table is bounded: past `maxKeys` the least recently used key is forgotten (it starts full again,
 * which only ever lets through more, never less, than the limit says).
 */
export interface RateLimiter {
  /** Takes one token for `key` at time `nowMs`; false when its bucket is empty. */
  take(key: string, nowMs: number): boolean;
}

export function createRateLimiter(opts: {
  readonly perSecond: number;
  readonly burst: number;
  readonly maxKeys?: number;
}): RateLimiter {
  const maxKeys = opts.maxKeys ?? 1024;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, nowMs) {
      const b = buckets.get(key) ?? { tokens: opts.burst, at: nowMs };
      buckets.delete(key);
      b.tokens = Math.min(opts.burst, b.tokens + ((nowMs - b.at) / 1000) * opts.perSecond);
      b.at = nowMs;
      const ok = b.tokens >= 1;
      if (ok) b.tokens -= 1;
      buckets.set(key, b);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      return ok;
    },
  };
}
