/**
 * Thread priorities in the simulator's process (Linux applies nice per thread).
 *
 * Besides the main thread, a Node.js process starts with helper threads: V8's platform workers, which compile
 * optimised code and mark and sweep the heap concurrently for every isolate (every node worker), and libuv's
 * pool, which does file-system work (LevelDB, log files). In the first seconds of mining, blocks come several
 * times a second, all six nodes take each one at once, and V8's helpers used about as much CPU as the node
 * threads themselves while they optimised the same hot code in each isolate; on two cores, a request then
 * waited behind them. At a lower priority they use the gaps instead. `GET /node/id` p99 at 500 req/s in the
 * first 4 s of mining, 6 nodes on the 2-core machine, six alternating pairs of runs: 4.4 to 6.4 ms with them
 * at nice 10, 5.7 to 8.1 ms at nice 0; five of the six pairs favoured nice 10 (a noisy, shared machine).
 * Their work still gets done, in the gaps: V8 does not block on a helper that has not started (the thread
 * that waits for a parallel job does the work itself).
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
  // Threads created from here on run without V8's memory reducer (V8 reads the flag when it sets up an
  // isolate's heap). The reducer starts full GCs of its own in a heap that has gone quiet after allocating,
  // to shrink it: each paused a mining node for 6 to 18 ms while it had requests to answer (measured with
  // 6 nodes on the 2-core machine). Heaps still shrink at their ordinary full GCs.
  setFlagsFromString('--no-memory-reducer');
  // V8's and libuv's helper threads give way to the nodes.
  const helpers = lowerHelperThreads(HELPER_NICE);
  log.debug({ threads: helpers, nice: HELPER_NICE }, `helper threads at nice ${HELPER_NICE}`);
}
