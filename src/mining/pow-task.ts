/**
 * The Piscina task file: one proof-of-work range per task. A kernel is loaded once per pool thread. The
 * task's stop flag, if any, arrives as shared memory (structured clone shares a SharedArrayBuffer), so the
 * scheduler can end a range early without aborting the task (which would kill the thread).
 */
import { getPriority } from 'node:os';
import { scanTask } from './executors.ts';
import { loadKernel } from './kernels/index.ts';
import type { Kernel, KernelName } from './kernels/types.ts';
import type { RangeResult, RangeTask } from './scheduler.ts';

export interface PowTask extends RangeTask {
  readonly kernel: KernelName;
}

let kernel: Kernel | undefined;

export default function scanRange(task: PowTask): RangeResult {
  if (kernel?.name !== task.kernel) kernel = loadKernel(task.kernel);
  return scanTask(kernel, task);
}

/** This pool thread's nice value (Linux applies nice per thread), to check that lowering it worked. */
export function threadPriority(): number {
  return getPriority();
}
