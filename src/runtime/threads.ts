/**
 * Thread priorities in the simulator's process (Linux applies nice per thread).
 *
 * Besides the main thread, a Node.js process starts with helper threads: V8's platform workers, which compile
 * optimised code and mark and sweep the heap concurrently for every isolate (every node worker), and libuv's
 * pool, which does file-system work (LevelDB, log files). In the first seconds of mining they optimise the same
 * hot code in every isolate and a request waits behind them; at a lower priority they use the gaps instead (see
 * docs/decisions.md, "V8's and libuv's helper threads at nice 10"). Their work still gets done: V8 does not
 * block on a helper that has not started (the thread that waits for a parallel job does the work itself).
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';

/**
 * Sets nice `nice` on every thread of this process that exists now, except the main thread, and returns how
 * many it set (0 where /proc is missing). Threads started later (node workers, the proof-of-work pool) are
 * not affected: a thread inherits the nice value of the thread that creates it, here the main thread.
 */
export function lowerHelperThreads(nice: number): number {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tids) {
    if (Number(tid) === process.pid) continue;
    try {
      setPriority(Number(tid), nice);
      lowered++;
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return lowered;
}

/** The nice value of the process's helper threads while a simulation runs. */
const HELPER_NICE = 10;

/**
 * The process's threads while a simulation runs, set before the first node worker starts: V8 flags for the
 * isolates still to come, and V8's and libuv's helper threads at a lower priority.
 */
export function tuneThreads(log: Logger): void {
  // Isolates set up from here on run without V8's memory reducer, whose own full GCs of a quiet heap pause a
  // node that has requests to answer (see docs/decisions.md, "Node workers run without V8's memory reducer").
  // Heaps still shrink at their ordinary full GCs.
  setFlagsFromString('--no-memory-reducer');
  // V8's and libuv's helper threads give way to the nodes.
  const helpers = lowerHelperThreads(HELPER_NICE);
  log.debug({ threads: helpers, nice: HELPER_NICE }, `helper threads at nice ${HELPER_NICE}`);
}
