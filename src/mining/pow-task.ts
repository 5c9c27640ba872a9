/**
 * The Piscina task file: one proof-of-work range per task. A kernel is loaded once per pool thread.
 */
import { getPriority } from 'node:os';
import { loadKernel } from './kernels/index.ts';
import type { Kernel, KernelName } from './kernels/types.ts';

export interface PowTask {
  readonly kernel: KernelName;
  readonly header: Uint8Array;
  readonly target: Uint8Array;
  readonly startNonce: number;
  readonly count: number;
}

let kernel: Kernel | undefined;

export default function scanRange(task: PowTask): {
  nonce: number | null;
  hashes: number;
  elapsedMs: number;
} {
  if (kernel?.name !== task.kernel) kernel = loadKernel(task.kernel);
  const t0 = performance.now();
  const r = kernel.scan(task.header, task.target, task.startNonce, task.count);
  return { nonce: r.nonce, hashes: r.hashes, elapsedMs: performance.now() - t0 };
}

/** This pool thread's nice value (Linux applies nice per thread), to check that lowering it worked. */
export function threadPriority(): number {
  return getPriority();
}
