/**
 * The proof-of-work service a process owns: the kernel chosen (with a warning when it falls back), the Piscina
 * pool running it and the stride scheduler that shares the pool out among PoW clients. The simulator's manager
 * has one for all its nodes; `chainsim node run` has one for its node.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { fallbackWarning, type KernelName, selectKernel } from './kernels/index.ts';
import { createPoolExecutor, type PoolExecutor } from './pool.ts';
import { createPowScheduler, type PowScheduler } from './scheduler.ts';

export interface PowServiceOptions {
  readonly kernel: KernelName | 'auto';
  /** Pool threads; default one per core. */
  readonly threads?: number | undefined;
  /** Gets the `proof-of-work pool: ...` line once the pool is up. */
  readonly log?: Logger;
  /** Said once each: the kernel's fallback, a pool that could not lower its priority. */
  readonly warn: (message: string) => void;
}

export interface PowService {
  readonly kernelName: KernelName;
  /** Hands each client's nonce ranges to the pool; ranges issued before the pool is ready wait for it. */
  readonly scheduler: PowScheduler;
  /** Settles once the pool's threads are up (or could not start). */
  readonly ready: Promise<PoolExecutor>;
  /** Closes the scheduler and the pool (also when the pool never started). */
  close(): Promise<void>;
}

/** Picks the proof-of-work kernel, starts the pool and puts the scheduler in front of it. */
export function createPowService(o: PowServiceOptions): PowService {
  const selection = selectKernel(o.kernel);
  const warning = fallbackWarning(selection);
  // Said once, on the terminal and in the log: e.g. native not built (no compiler) -> wasm-simd.
  if (warning) o.warn(warning);
  const kernelName = selection.kernel.name;
  // The pool starts while the nodes start (nodes do not mine before they are introduced): ranges issued
  // early wait for it.
  const threads = o.threads ?? availableParallelism();
  const ready = createPoolExecutor({ kernel: kernelName, threads, onWarning: (m) => o.warn(m) });
  ready.then(
    (pool) => {
      o.log?.info(
        { kernel: kernelName, threads, nice: pool.niceness, schedIdle: pool.idleClass },
        `proof-of-work pool: ${threads} thread(s), ${kernelName} kernel`,
      );
    },
    () => undefined,
  );
  const scheduler = createPowScheduler({
    executor: {
      threads,
      run: (task) => ready.then((pool) => pool.run(task)),
      close: () =>
        ready.then(
          (pool) => pool.close(),
          () => undefined,
        ),
    },
  });
  return { kernelName, scheduler, ready, close: () => scheduler.close() };
}
