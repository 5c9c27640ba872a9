/**
 * The simulator's shared proof-of-work pool with the scheduler that shares it out (the process's V8 flags and
 * thread priorities are runtime/threads.ts).
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { fallbackWarning, type KernelName, selectKernel } from '../mining/kernels/index.ts';
import { createPoolExecutor, type PoolExecutor } from '../mining/pool.ts';
import { createPowScheduler, type PowScheduler } from '../mining/scheduler.ts';

export interface PowPoolOptions {
  readonly kernel: KernelName | 'auto';
  /** Pool threads; default one per core. */
  readonly threads?: number | undefined;
  readonly log: Logger;
  readonly warn: (message: string) => void;
}

export interface PowPool {
  readonly kernelName: KernelName;
  /** Hands each node's nonce ranges to the pool; ranges issued before the pool is ready wait for it. */
  readonly scheduler: PowScheduler;
  /** Settles once the pool's threads are up (or could not start). */
  readonly ready: Promise<PoolExecutor>;
}

/** Picks the proof-of-work kernel, starts the pool and puts the scheduler in front of it. */
export function startPowPool(o: PowPoolOptions): PowPool {
  const selection = selectKernel(o.kernel);
  const warning = fallbackWarning(selection);
  // Said once, on the terminal and in the log: e.g. native not built (no compiler) -> wasm-simd.
  if (warning) o.warn(warning);
  const kernelName = selection.kernel.name;
  // The pool starts while the nodes start (nodes do not mine before they are introduced): ranges issued
  // early wait for it.
  const threads = o.threads ?? availableParallelism();
  const poolReady = createPoolExecutor({
    kernel: kernelName,
    threads,
    onWarning: (m) => o.warn(m),
  });
  poolReady.then(
    (pool) => {
      o.log.info(
        { kernel: kernelName, threads, nice: pool.niceness, schedIdle: pool.idleClass },
        `proof-of-work pool: ${threads} thread(s), ${kernelName} kernel`,
      );
    },
    () => undefined,
  );
  const scheduler = createPowScheduler({
    executor: {
      threads,
      run: (task) => poolReady.then((pool) => pool.run(task)),
      close: () =>
        poolReady.then(
          (pool) => pool.close(),
          () => undefined,
        ),
    },
  });
  return { kernelName, scheduler, ready: poolReady };
}
