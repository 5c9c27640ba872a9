/**
 * Where nonce ranges run. `createInlineExecutor` runs a kernel on the calling thread (tests, a standalone
 * node on one core); `createPoolExecutor` runs them in a Piscina pool (pool.ts), whose task file
 * (pow-task.ts) calls `scanTask` below.
 */
import type { Kernel } from './kernels/types.ts';
import type { RangeExecutor, RangeResult, RangeTask } from './scheduler.ts';

/** With a stop flag, a range is scanned in this many slices, checking the flag before each. */
export const RANGE_SLICES = 8;
/** ...of at least this many nonces (a kernel call recomputes the midstate: keep that cost negligible). */
export const MIN_SLICE = 2048;

/**
 * Scans one range with `kernel`. When the task carries a stop flag, the range is scanned in slices and
 * ends early, with the hashes done so far, once the flag is raised: a cancelled job's ranges in flight
 * stop after about 1/RANGE_SLICES of a range instead of running to the end (see docs/decisions.md, "Short
 * nonce ranges, cooperative cancellation, a stop flag"). Slices are scanned in order, so a found nonce is
 * still the lowest in the range.
 */
export function scanTask(kernel: Kernel, task: RangeTask): RangeResult {
  const t0 = performance.now();
  const { header, target, startNonce, count, stop } = task;
  if (!stop) {
    const r = kernel.scan(header, target, startNonce, count);
    return { nonce: r.nonce, hashes: r.hashes, elapsedMs: performance.now() - t0 };
  }
  const slice = Math.max(MIN_SLICE, Math.ceil(count / RANGE_SLICES));
  let hashes = 0;
  for (let done = 0; done < count; done += slice) {
    if (Atomics.load(stop, 0) !== 0) {
      return { nonce: null, hashes, elapsedMs: performance.now() - t0, stopped: true };
    }
    const r = kernel.scan(header, target, startNonce + done, Math.min(slice, count - done));
    hashes += r.hashes;
    if (r.nonce !== null) return { nonce: r.nonce, hashes, elapsedMs: performance.now() - t0 };
  }
  return { nonce: null, hashes, elapsedMs: performance.now() - t0 };
}

/** Runs ranges one at a time on this thread, yielding to the event loop between them. */
export function createInlineExecutor(kernel: Kernel): RangeExecutor {
  return {
    threads: 1,
    run(task: RangeTask): Promise<RangeResult> {
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(scanTask(kernel, task));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
    },
    close: () => Promise.resolve(),
  };
}
