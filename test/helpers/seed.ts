import fc from 'fast-check';

/**
 * Seeds for randomised tests: `CHAINSIM_SEED=<n>` replays a run; otherwise each call picks one. Tests put the
 * seed in their assertion messages (and fast-check prints it too), so a failure can be reproduced.
 */
export function testSeed(): number {
  const fromEnv = process.env.CHAINSIM_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isSafeInteger(n)) throw new Error(`CHAINSIM_SEED must be an integer, got ${fromEnv}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** A small seeded generator (mulberry32): uniform floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeds every fast-check property of this test file (node:test runs each file in its own process) from
 * testSeed(), and makes a failure's report end with the variable that replays it. Returns the seed, for the
 * file's own assertion messages.
 */
export function seedProperties(): number {
  const seed = testSeed();
  fc.configureGlobal({
    seed,
    reporter: (details) => {
      if (details.failed)
        throw new Error(`${fc.defaultReportMessage(details)}\nCHAINSIM_SEED=${seed} replays it`);
    },
  });
  return seed;
}
