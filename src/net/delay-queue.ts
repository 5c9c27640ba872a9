/**
 * The delays the network model asks for, in one queue per node: a min-heap of due times under a single timer set
 * for the earliest, so a thousand messages in flight cost one timer, not a thousand. A delay of 0 (or less) runs at
 * once, without a timer (the fast path when no latency is configured). `cancelAll` (shutdown) drops everything
 * queued, telling each waiter so.
 */

export interface DelayTimers {
  /** ms clock (any origin: only differences count). */
  now(): number;
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: DelayTimers = {
  now: () => performance.now(),
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Job {
  readonly due: number;
  /** Order of scheduling: jobs due at the same time run in the order they were queued. */
  readonly seq: number;
  readonly run: () => void;
  readonly cancel: () => void;
}

/** What a cancelled wait rejects with. */
export class DelayCancelledError extends Error {
  override readonly name = 'DelayCancelledError';
}

export class DelayQueue {
  private readonly heap: Job[] = [];
  private seq = 0;
  private timer: unknown = null;
  private timerDue = Infinity;
  private closed = false;

  constructor(private readonly timers: DelayTimers = REAL_TIMERS) {}

  /** Jobs waiting. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Runs `run` after `delayMs` (at once, synchronously, when it is 0 or less). `cancel` is called instead when
   * the queue is cancelled first (or at once, when it already was).
   */
  schedule(delayMs: number, run: () => void, cancel: () => void = () => undefined): void {
    if (this.closed) return cancel();
    if (!(delayMs > 0)) return run();
    this.push({ due: this.timers.now() + delayMs, seq: this.seq++, run, cancel });
    this.arm();
  }

  /** Resolves after `delayMs` (at once when 0); rejects with DelayCancelledError when the queue is cancelled. */
  wait(delayMs: number): Promise<void> {
    if (!(delayMs > 0) && !this.closed) return Promise.resolve();
    return new Promise((resolve, reject) =>
      this.schedule(delayMs, resolve, () => reject(new DelayCancelledError('the node is shutting down'))),
    );
  }

  /** Drops every queued job (calling its `cancel`); later ones are cancelled at once. */
  cancelAll(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
    const jobs = this.heap.splice(0);
    for (const j of jobs) j.cancel();
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.due >= this.timerDue) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timerDue = first.due;
    this.timer = this.timers.set(() => this.fire(), Math.max(0, first.due - this.timers.now()));
  }

  private fire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    // A timer may fire a little early (its ms are whole); what is due within a millisecond runs now.
    const now = this.timers.now() + 1;
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const job = this.pop();
      try {
        job.run();
      } catch {
        // A job's failure is its own (each reports through its promise); the others still run.
      }
    }
    this.arm();
  }

  // --- binary min-heap by (due, seq) ---

  private push(job: Job): void {
    const h = this.heap;
    h.push(job);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Job {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Job, b: Job): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
