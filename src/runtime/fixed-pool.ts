/**
 * A Piscina pool of a fixed number of threads that never idle out, running a compiled task file
 * (modules.ts). The proof-of-work pool (mining/pool.ts) and the signature pool (node/verifier-pool.ts)
 * are both one.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

export interface FixedPoolOptions {
  /** Default: one per core. */
  readonly threads?: number | undefined;
  /** What the thread count is called in the error for a bad one (`threads`, `verify threads`). */
  readonly what: string;
  /** Lowers the threads' priority (Piscina's option; needs the optional @napi-rs/nice). */
  readonly niceIncrement?: number;
}

export function createFixedPool(task: URL, opts: FixedPoolOptions): { piscina: Piscina; threads: number } {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`${opts.what} must be a positive integer, got ${threads}`);
  const piscina = new Piscina({
    filename: task.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    ...(opts.niceIncrement === undefined ? {} : { niceIncrement: opts.niceIncrement }),
    // The task file is compiled JS; a loader the parent was started with (tsx in tests) is not needed there.
    execArgv: [],
  });
  return { piscina, threads };
}
