/** The signature pool of node/verifier.ts: verification off the HTTP thread, in small batches. */
import { firstFailedCheck, type SignatureCheck } from '../consensus/index.ts';
import { createFixedPool } from '../runtime/fixed-pool.ts';
import { workerModuleUrl } from '../runtime/modules.ts';
import { fastVerifySchnorr, type SignatureVerifier } from './verifier.ts';

/** One check packed as signature (64) | message (32) | key (32) | has-key flag (1). */
export const CHECK_BYTES = 129;

/** What the pool's task (verify-task.ts) receives: the checks of several transactions, packed. */
export interface VerifyTask {
  readonly packed: Uint8Array;
  /** How many checks each transaction has, in order. */
  readonly counts: readonly number[];
}

export interface PoolVerifierOptions {
  /** Default: one per core. */
  readonly threads?: number;
  /** Checks packed into one task at most (a transaction's checks are never split). Default 256. */
  readonly maxBatch?: number;
}

interface Waiting {
  readonly checks: readonly SignatureCheck[];
  readonly resolve: (index: number) => void;
  readonly reject: (err: unknown) => void;
}

/** The pool failed this batch (a thread died): verify it here instead; a transaction is never lost. */
function verifyHere(items: readonly Waiting[]): void {
  for (const w of items) {
    try {
      w.resolve(firstFailedCheck(w.checks, fastVerifySchnorr));
    } catch (err) {
      w.reject(err);
    }
  }
}

function pack(items: readonly Waiting[]): VerifyTask {
  const total = items.reduce((n, w) => n + w.checks.length, 0);
  const packed = new Uint8Array(total * CHECK_BYTES);
  let at = 0;
  for (const { checks } of items) {
    for (const c of checks) {
      // A malformed signature or key cannot be packed as it is; a zero signature never verifies.
      if (c.signature.length === 64) packed.set(c.signature, at);
      packed.set(c.message.length === 32 ? c.message : new Uint8Array(32), at + 64);
      if (c.key.length === 32 && c.signature.length === 64 && c.message.length === 32) {
        packed.set(c.key, at + 96);
        packed[at + 128] = 1;
      }
      at += CHECK_BYTES;
    }
  }
  return { packed, counts: items.map((w) => w.checks.length) };
}

export function createPoolVerifier(opts: PoolVerifierOptions = {}): SignatureVerifier {
  const { piscina: pool, threads } = createFixedPool(workerModuleUrl(import.meta.url, './verify-task'), {
    threads: opts.threads,
    what: 'verify threads',
  });
  const maxBatch = opts.maxBatch ?? 256;
  let queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  // A task costs far more to hand over than one signature costs to check (see docs/decisions.md, "A signature
  // pool for standalone nodes, inline verification in the simulator"), so a thread gets everything that has
  // queued up while it was busy: when the pool is idle a transaction goes at once (after the current turn of
  // the event loop, so that one burst travels together); under load, batches grow by themselves.
  const pump = (): void => {
    scheduled = false;
    while (inFlight < threads && queue.length > 0) {
      let take = 0;
      let checks = 0;
      while (take < queue.length && (take === 0 || checks + queue[take]!.checks.length <= maxBatch)) {
        checks += queue[take]!.checks.length;
        take++;
      }
      const items = queue.slice(0, take);
      queue = queue.slice(take);
      const task = pack(items);
      inFlight++;
      void (pool.run(task, { transferList: [task.packed.buffer as ArrayBuffer] }) as Promise<number[]>)
        .then(
          (results) => items.forEach((w, i) => w.resolve(results[i]!)),
          () => verifyHere(items),
        )
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return {
    kind: `pool of ${threads} thread(s)`,
    firstInvalid(checks) {
      if (checks.length === 0) return Promise.resolve(-1);
      return new Promise<number>((resolve, reject) => {
        queue.push({ checks, resolve, reject });
        if (!scheduled && inFlight < threads) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    close: () => pool.destroy(),
  };
}
