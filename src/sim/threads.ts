/**
 * The process's threads while a simulation runs: V8 flags for the isolates still to come, V8's and libuv's
 * helper threads at a lower priority, and the shared proof-of-work pool with the scheduler that shares it out.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';
import { fallbackWarning, type KernelName, selectKernel } from '../mining/kernels/index.ts';
import { createPoolExecutor, type PoolExecutor } from '../mining/pool.ts';
import { createPowScheduler, type PowScheduler } from '../mining/scheduler.ts';
import { lowerHelperThreads } from '../util/threads.ts';

/** The nice value of the process's helper threads while a simulation runs. */
const HELPER_NICE = 10;

/** Before the first node worker starts. */
export function tuneThreads(log: Logger): void {
  // Threads created from here on run without V8's memory reducer (V8 reads the flag when it sets up an
  // isolate's heap). The reducer starts full GCs of its own in a heap that has gone quiet after allocating,
  // to shrink it: each paused a mining node for 6 to 18 ms while it had requests to answer (measured with
  // 6 nodes on the 2-core machine). Heaps still shrink at their ordinary full GCs.
  setFlagsFromString('--no-memory-reducer');
  // V8's and libuv's helper threads give way to the nodes (util/threads.ts).
  const helpers = lowerHelperThreads(HELPER_NICE);
  log.debug({ threads: helpers, nice: HELPER_NICE }, `helper threads at nice ${HELPER_NICE}`);
}

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
