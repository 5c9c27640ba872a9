/**
 * Where nonce ranges run. `createInlineExecutor` runs a kernel on the calling thread (tests, a standalone
 * node on one core); `createPoolExecutor` runs them in a Piscina pool (pool.ts).
 */
import type { Kernel } from './kernels/types.ts';
import type { RangeExecutor, RangeResult, RangeTask } from './scheduler.ts';

/** Runs ranges one at a time on this thread, yielding to the event loop between them. */
export function createInlineExecutor(kernel: Kernel): RangeExecutor {
  return {
    threads: 1,
    run(task: RangeTask): Promise<RangeResult> {
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          try {
            const t0 = performance.now();
            const r = kernel.scan(task.header, task.target, task.startNonce, task.count);
            resolve({ nonce: r.nonce, hashes: r.hashes, elapsedMs: performance.now() - t0 });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
    },
    close: () => Promise.resolve(),
  };
}
