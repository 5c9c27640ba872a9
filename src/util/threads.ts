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
