/**
 * The Piscina task file: one proof-of-work range per task. A kernel is loaded once per pool thread, and each
 * thread moves itself to the SCHED_IDLE class when it starts. The task's stop flag, if any, arrives as shared
 * memory (structured clone shares a SharedArrayBuffer), so the scheduler can end a range early without
 * aborting the task (which would kill the thread). Only ever loaded in pool threads.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { scanTask } from './executors.ts';
import { loadKernel } from './kernels/index.ts';
import type { Kernel, KernelName } from './kernels/types.ts';
import type { RangeResult, RangeTask } from './scheduler.ts';

export interface PowTask extends RangeTask {
  readonly kernel: KernelName;
}

let kernel: Kernel | undefined;

/**
 * Puts this pool thread in Linux's SCHED_IDLE class: it then runs only when no ordinary thread wants the CPU,
 * and a node thread woken by a request takes the core at once. Nice 19 (set by Piscina) is not enough: under
 * the kernel's EEVDF scheduler a nice-19 thread keeps its core for a few ms after a wake-up (see
 * docs/decisions.md, "The pool runs at nice 19, in SCHED_IDLE"). Node has no call for it, so util-linux's
 * `chrt` sets it by thread id; where that fails (not Linux, no chrt), nice 19 stays.
 */
function enterIdleClass(): void {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // Reported by threadPolicy(): the pool checks it at start-up.
  }
}
enterIdleClass();

export default function scanRange(task: PowTask): RangeResult {
  if (kernel?.name !== task.kernel) kernel = loadKernel(task.kernel);
  return scanTask(kernel, task);
}

/** This pool thread's nice value (Linux applies nice per thread), to check that lowering it worked. */
export function threadPriority(): number {
  return getPriority();
}

/** This pool thread's scheduling policy (0 normal, 5 SCHED_IDLE), or -1 where /proc does not tell. */
export function threadPolicy(): number {
  try {
    // Field 41 of /proc/<tid>/stat; the fields after the command name (which may hold spaces) start at 3.
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  } catch {
    return -1;
  }
}
