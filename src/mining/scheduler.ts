/**
 * The proof-of-work scheduler: shares the pool's threads between miners in proportion to their hash-power
 * share, in short nonce ranges.
 *
 * - Fairness is stride scheduling: each client carries a "pass" that grows by (nonces issued / share); the
 *   next free thread goes to the active client with the smallest pass. Over time client i gets share_i of
 *   all hashes, so (at equal templates) share_i of the blocks.
 * - Cancellation is cooperative (aborting a running Piscina task kills its thread): ranges are sized to
 *   about `targetRangeMs` at the measured per-thread rate, and a cancelled job simply gets no more ranges.
 *   Its `mine()` promise settles once its in-flight ranges have drained, so callers can measure how long
 *   stale work really ran; a new job does not wait for that.
 * - Each job also carries a stop flag in shared memory, raised the moment the job settles (cancelled, or
 *   a nonce found): a range in flight checks it between slices of itself (executors.ts `scanTask`) and
 *   returns early. Range size alone bounds drain time only in CPU time; pool threads run at nice 19, so on
 *   a busy machine a 10 ms range can take far longer in wall time. Measured (2 cores, native kernel, two
 *   threads at nice 19, 200 aborts per run, builds alternated, load average 3.3-4 from other work): abort
 *   until settled p50 10-13 ms and p99 166-201 ms with ranges alone, p50 1.7-4.7 ms and p99 66-108 ms
 *   with the flag; the next job's first range p99 15-27 ms before, 2-4 ms after. The tail that remains
 *   is a nice-19 thread waiting for the CPU at all; in quiet moments the flag gave p99 4.5-5 ms.
 */

export interface RangeTask {
  readonly header: Uint8Array;
  readonly target: Uint8Array;
  readonly startNonce: number;
  readonly count: number;
  /**
   * The job's stop flag (an Int32Array over a SharedArrayBuffer, so it reaches pool threads as shared
   * memory): once element 0 is non-zero the range may end early, between slices.
   */
  readonly stop?: Int32Array;
}

export interface RangeResult {
  readonly nonce: number | null;
  readonly hashes: number;
  /** Time the kernel spent, measured where it ran. */
  readonly elapsedMs: number;
  /** True when the range ended early because its job's stop flag was raised. */
  readonly stopped?: boolean;
}

/** Runs one range somewhere: a Piscina pool, or inline for tests. */
export interface RangeExecutor {
  readonly threads: number;
  run(task: RangeTask): Promise<RangeResult>;
  close(): Promise<void>;
}

export interface MineJob {
  /** 80-byte header; the nonce field is ignored. */
  readonly header: Uint8Array;
  /** 32-byte target, internal (little-endian) order. */
  readonly target: Uint8Array;
  readonly startNonce?: number;
}

export type MineOutcome =
  | { readonly found: true; readonly nonce: number; readonly hashes: number }
  | { readonly found: false; readonly reason: 'exhausted' | 'cancelled'; readonly hashes: number };

export interface PowClient {
  readonly name: string;
  /** Searches the job's nonce space until a nonce meets the target, the space runs out, or `signal` aborts. */
  mine(job: MineJob, signal?: AbortSignal): Promise<MineOutcome>;
  /** Hashes per second over the last few seconds. */
  hashRate(): number;
  readonly share: number;
  setShare(share: number): void;
  /** Cancels any job and leaves the scheduler. */
  close(): void;
}

export interface SchedulerOptions {
  readonly executor: RangeExecutor;
  /** Wall time one range should take; bounds how long stale work runs after a cancel. */
  readonly targetRangeMs?: number;
  readonly minRange?: number;
  readonly maxRange?: number;
  /** Milliseconds clock (injected for tests). */
  readonly now?: () => number;
}

export interface SchedulerStats {
  readonly threads: number;
  readonly busy: number;
  /** Nonces per range currently issued. */
  readonly rangeSize: number;
  /** Measured hashes per second of one thread (0 until measured). */
  readonly perThreadRate: number;
  readonly clients: ReadonlyArray<{ name: string; share: number; hashes: number; hashRate: number }>;
}

const NONCE_END = 2 ** 32;
const RATE_WINDOW_MS = 5000;
/**
 * A client with no job for this long hashes at 0. Without it the rate decayed over the whole window after mining
 * stopped (about 75% of the mining rate 1 s later, 20% after 4 s, measured on 2 nodes), so the table and
 * /metrics showed nodes hashing that had stopped; the grace covers the gap between one block and the next job.
 */
const IDLE_ZERO_MS = 1000;

interface Job {
  readonly spec: MineJob;
  /** Raised (set to 1) when the job settles, so ranges in flight stop early. */
  readonly stop: Int32Array;
  nextNonce: number;
  inflight: number;
  hashes: number;
  done: boolean;
  outcome: MineOutcome | null;
  readonly resolve: (o: MineOutcome) => void;
  readonly reject: (err: unknown) => void;
}

interface Client {
  readonly name: string;
  share: number;
  pass: number;
  totalHashes: number;
  readonly samples: Array<[number, number]>;
  readonly jobs: Job[];
  /** When its last job ended (none is left), or null while it has one. */
  idleSince: number | null;
  closed: boolean;
}

export interface PowScheduler {
  addClient(opts: { name: string; share?: number }): PowClient;
  stats(): SchedulerStats;
  close(): Promise<void>;
}

export function createPowScheduler(opts: SchedulerOptions): PowScheduler {
  const executor = opts.executor;
  const targetRangeMs = opts.targetRangeMs ?? 10;
  const minRange = opts.minRange ?? 256;
  const maxRange = opts.maxRange ?? 1 << 24;
  const now = opts.now ?? (() => performance.now());
  const clients = new Set<Client>();
  let busy = 0;
  let perThreadRate = 0;
  let closed = false;

  const rangeSize = (): number => {
    if (perThreadRate === 0) return Math.max(minRange, Math.min(maxRange, 16_384));
    return Math.max(minRange, Math.min(maxRange, Math.round((perThreadRate * targetRangeMs) / 1000)));
  };

  const activeJob = (c: Client): Job | undefined => c.jobs.find((j) => !j.done && j.nextNonce < NONCE_END);

  const settle = (client: Client, job: Job, outcome: MineOutcome): void => {
    if (job.outcome) return;
    job.done = true;
    job.outcome = outcome;
    Atomics.store(job.stop, 0, 1);
    if (job.inflight === 0) finish(client, job);
  };

  const finish = (client: Client, job: Job): void => {
    const i = client.jobs.indexOf(job);
    if (i >= 0) client.jobs.splice(i, 1);
    if (client.jobs.length === 0) client.idleSince = now();
    job.resolve({ ...job.outcome!, hashes: job.hashes });
  };

  const record = (client: Client, hashes: number): void => {
    const t = now();
    client.totalHashes += hashes;
    client.samples.push([t, hashes]);
    while (client.samples.length > 0 && client.samples[0]![0] < t - RATE_WINDOW_MS) client.samples.shift();
  };

  const rateOf = (client: Client): number => {
    const t = now();
    if (client.idleSince !== null && t - client.idleSince >= IDLE_ZERO_MS) return 0;
    let sum = 0;
    let first = t;
    for (const [at, h] of client.samples) {
      if (at < t - RATE_WINDOW_MS) continue;
      sum += h;
      if (at < first) first = at;
    }
    return sum === 0 ? 0 : (sum * 1000) / Math.max(1000, t - first);
  };

  const pump = (): void => {
    while (!closed && busy < executor.threads) {
      let pick: Client | undefined;
      let job: Job | undefined;
      for (const c of clients) {
        // A share of 0 (POST /nodes/:port/hash-power) gets no ranges: its jobs wait for a share or a cancel.
        if (c.share === 0) continue;
        const j = activeJob(c);
        if (j && (!pick || c.pass < pick.pass)) {
          pick = c;
          job = j;
        }
      }
      if (!pick || !job) return;
      const count = Math.min(rangeSize(), NONCE_END - job.nextNonce);
      const task: RangeTask = {
        header: job.spec.header,
        target: job.spec.target,
        startNonce: job.nextNonce,
        count,
        stop: job.stop,
      };
      job.nextNonce += count;
      job.inflight++;
      pick.pass += count / pick.share;
      busy++;
      const client = pick;
      const running = job;
      executor.run(task).then(
        (result) => onDone(client, running, result),
        (err: unknown) => onFail(client, running, err),
      );
    }
  };

  const onDone = (client: Client, job: Job, result: RangeResult): void => {
    busy--;
    job.inflight--;
    job.hashes += result.hashes;
    record(client, result.hashes);
    if (result.elapsedMs > 0 && result.hashes >= minRange) {
      const rate = (result.hashes * 1000) / result.elapsedMs;
      perThreadRate = perThreadRate === 0 ? rate : perThreadRate * 0.8 + rate * 0.2;
    }
    if (job.outcome) {
      if (job.inflight === 0) finish(client, job);
    } else if (result.nonce !== null) {
      settle(client, job, { found: true, nonce: result.nonce, hashes: 0 });
    } else if (job.nextNonce >= NONCE_END && job.inflight === 0) {
      settle(client, job, { found: false, reason: 'exhausted', hashes: 0 });
    }
    pump();
  };

  const onFail = (client: Client, job: Job, err: unknown): void => {
    busy--;
    job.inflight--;
    if (!job.outcome) {
      // Surface the executor failure to the miner; it decides whether to retry.
      job.done = true;
      Atomics.store(job.stop, 0, 1);
      job.outcome = { found: false, reason: 'cancelled', hashes: 0 };
      const i = client.jobs.indexOf(job);
      if (i >= 0) client.jobs.splice(i, 1);
      if (client.jobs.length === 0) client.idleSince = now();
      job.reject(err);
    } else if (job.inflight === 0) {
      finish(client, job);
    }
    pump();
  };

  const addClient = ({ name, share = 1 }: { name: string; share?: number }): PowClient => {
    checkShare(share);
    const minPass = Math.min(...[...clients].map((c) => c.pass), Number.POSITIVE_INFINITY);
    const client: Client = {
      name,
      share,
      pass: Number.isFinite(minPass) ? minPass : 0,
      totalHashes: 0,
      samples: [],
      jobs: [],
      idleSince: null,
      closed: false,
    };
    clients.add(client);
    return {
      name,
      get share() {
        return client.share;
      },
      setShare(s: number) {
        checkShare(s);
        // Back from 0, it rejoins at the current minimum pass instead of spending the credit it never used.
        if (client.share === 0 && s > 0) {
          const others = [...clients].filter((c) => c !== client && c.share > 0);
          if (others.length > 0) client.pass = Math.max(client.pass, Math.min(...others.map((c) => c.pass)));
        }
        client.share = s;
        pump();
      },
      mine(spec: MineJob, signal?: AbortSignal): Promise<MineOutcome> {
        if (client.closed || closed) return Promise.reject(new Error(`pow client ${name} is closed`));
        const start = spec.startNonce ?? 0;
        return new Promise<MineOutcome>((resolve, reject) => {
          const job: Job = {
            spec,
            stop: new Int32Array(new SharedArrayBuffer(4)),
            nextNonce: start,
            inflight: 0,
            hashes: 0,
            done: false,
            outcome: null,
            resolve,
            reject,
          };
          if (signal?.aborted) {
            resolve({ found: false, reason: 'cancelled', hashes: 0 });
            return;
          }
          // A client that was idle does not bank credit: it rejoins at the current minimum pass.
          if (!client.jobs.some((j) => !j.done)) {
            const others = [...clients].filter((c) => c !== client && c.jobs.some((j) => !j.done));
            if (others.length > 0)
              client.pass = Math.max(client.pass, Math.min(...others.map((c) => c.pass)));
          }
          client.jobs.push(job);
          client.idleSince = null;
          signal?.addEventListener(
            'abort',
            () => settle(client, job, { found: false, reason: 'cancelled', hashes: 0 }),
            {
              once: true,
            },
          );
          pump();
        });
      },
      hashRate: () => rateOf(client),
      close(): void {
        client.closed = true;
        for (const job of [...client.jobs])
          settle(client, job, { found: false, reason: 'cancelled', hashes: 0 });
        clients.delete(client);
      },
    };
  };

  return {
    addClient,
    stats(): SchedulerStats {
      return {
        threads: executor.threads,
        busy,
        rangeSize: rangeSize(),
        perThreadRate,
        clients: [...clients].map((c) => ({
          name: c.name,
          share: c.share,
          hashes: c.totalHashes,
          hashRate: rateOf(c),
        })),
      };
    },
    async close(): Promise<void> {
      closed = true;
      for (const c of clients)
        for (const job of [...c.jobs]) settle(c, job, { found: false, reason: 'cancelled', hashes: 0 });
      await executor.close();
    },
  };
}

/** A share is a weight: any finite number >= 0 (0: the client mines nothing until its share rises). */
function checkShare(share: number): void {
  if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) {
    throw new RangeError(`a hash-power share must be a number >= 0, got ${String(share)}`);
  }
}
