/**
 * The shared proof-of-work pool: Piscina threads at lowered priority running kernel ranges.
 *
 * Each thread also moves itself to Linux's SCHED_IDLE class (pow-task.ts), so that a node thread woken by a
 * request preempts mining at once rather than after the few ms EEVDF lets a nice-19 thread keep its core.
 *
 * Nice 19 matters: with the pool saturated, a busy HTTP server kept p99 3 ms and 14.8k req/s against 6 ms
 * and 9k req/s at nice 0 (measured on the 2-core target machine). Piscina lowers the priority only when the
 * optional `@napi-rs/nice` package is installed, and says nothing otherwise, so the pool checks a thread's
 * nice value at start-up and reports a warning once.
 */
import { createFixedPool } from '../runtime/fixed-pool.ts';
import { workerModuleUrl } from '../runtime/modules.ts';
import type { KernelName } from './kernels/types.ts';
import type { PowTask } from './pow-task.ts';
import type { RangeExecutor, RangeResult, RangeTask } from './scheduler.ts';

/** Linux's SCHED_IDLE policy number, as pow-task.ts sets it (not imported: that file runs only in threads). */
const SCHED_IDLE = 5;

export interface PoolOptions {
  readonly kernel: KernelName;
  /** Default: one per core. */
  readonly threads?: number;
  /** Default 19 (lowest priority). */
  readonly niceIncrement?: number;
  /** Called once with a human-readable warning (the caller logs it). */
  readonly onWarning?: (message: string) => void;
}

export interface PoolExecutor extends RangeExecutor {
  readonly kernel: KernelName;
  /** The nice value measured on a pool thread. */
  readonly niceness: number;
  /** Whether the pool threads run in Linux's SCHED_IDLE class (pow-task.ts), below every ordinary thread. */
  readonly idleClass: boolean;
}

export async function createPoolExecutor(opts: PoolOptions): Promise<PoolExecutor> {
  const niceIncrement = opts.niceIncrement ?? 19;
  const { piscina, threads } = createFixedPool(workerModuleUrl(import.meta.url, './pow-task'), {
    threads: opts.threads,
    what: 'threads',
    niceIncrement,
  });
  // Load the kernel in a thread now, so a failure surfaces at start-up and the first range is not slow.
  await piscina.run({
    kernel: opts.kernel,
    header: new Uint8Array(80),
    target: new Uint8Array(32),
    startNonce: 0,
    count: 1,
  });
  const niceness = (await piscina.run(null, { name: 'threadPriority' })) as number;
  const idleClass = ((await piscina.run(null, { name: 'threadPolicy' })) as number) === SCHED_IDLE;
  if (niceIncrement > 0 && niceness < niceIncrement) {
    opts.onWarning?.(
      `pool threads run at nice ${niceness}, not ${niceIncrement}: mining will compete with request handling ` +
        '(install the optional @napi-rs/nice package, e.g. `npm ci` without --omit=optional)',
    );
  }
  return {
    threads,
    kernel: opts.kernel,
    niceness,
    idleClass,
    run(task: RangeTask): Promise<RangeResult> {
      const job: PowTask = { kernel: opts.kernel, ...task };
      return piscina.run(job) as Promise<RangeResult>;
    },
    close: () => piscina.destroy(),
  };
}
