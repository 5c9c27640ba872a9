/**
 * The PoW service across a MessagePort: node workers mine through the manager's shared pool.
 * The node side is a `PowClient` like any other; the manager side serves one port per node with the
 * scheduler client that carries that node's hash-power share.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MineJob, MineOutcome, PowClient } from './scheduler.ts';

type ToPool =
  | { type: 'mine'; id: number; header: Uint8Array; target: Uint8Array; startNonce?: number }
  | { type: 'cancel'; id: number }
  | { type: 'share'; share: number };

type FromPool =
  | { type: 'done'; id: number; outcome: MineOutcome }
  | { type: 'failed'; id: number; message: string }
  | { type: 'rate'; hashesPerSecond: number; share: number };

const RATE_INTERVAL_MS = 1000;

/** Manager side: runs jobs from `port` on `client` and reports the hash rate once a second. */
export function servePowPort(port: MessagePort, client: PowClient): { close(): void } {
  const running = new Map<number, AbortController>();
  port.on('message', (msg: ToPool) => {
    if (msg.type === 'mine') {
      const ac = new AbortController();
      running.set(msg.id, ac);
      const job: MineJob = {
        header: msg.header,
        target: msg.target,
        ...(msg.startNonce === undefined ? {} : { startNonce: msg.startNonce }),
      };
      client.mine(job, ac.signal).then(
        (outcome) => {
          running.delete(msg.id);
          port.postMessage({ type: 'done', id: msg.id, outcome } satisfies FromPool);
        },
        (err: unknown) => {
          running.delete(msg.id);
          port.postMessage({
            type: 'failed',
            id: msg.id,
            message: (err as Error).message,
          } satisfies FromPool);
        },
      );
    } else if (msg.type === 'cancel') {
      running.get(msg.id)?.abort();
    } else if (msg.type === 'share') {
      client.setShare(msg.share);
    }
  });
  const timer = setInterval(() => {
    port.postMessage({
      type: 'rate',
      hashesPerSecond: client.hashRate(),
      share: client.share,
    } satisfies FromPool);
  }, RATE_INTERVAL_MS);
  timer.unref();
  return {
    close(): void {
      clearInterval(timer);
      for (const ac of running.values()) ac.abort();
      port.close();
    },
  };
}

/** Node side: a PowClient whose jobs run in the manager's pool. */
export function createPortPowClient(port: MessagePort, name: string, initialShare = 1): PowClient {
  let nextId = 1;
  let rate = 0;
  let share = initialShare;
  let closed = false;
  const pending = new Map<number, { resolve: (o: MineOutcome) => void; reject: (e: Error) => void }>();
  port.on('message', (msg: FromPool) => {
    if (msg.type === 'rate') {
      rate = msg.hashesPerSecond;
      share = msg.share;
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.type === 'done') p.resolve(msg.outcome);
    else p.reject(new Error(`proof-of-work pool: ${msg.message}`));
  });
  // Do not keep the worker alive for the port alone.
  port.unref();
  return {
    name,
    get share() {
      return share;
    },
    setShare(s: number) {
      share = s;
      port.postMessage({ type: 'share', share: s } satisfies ToPool);
    },
    mine(job: MineJob, signal?: AbortSignal): Promise<MineOutcome> {
      if (closed) return Promise.reject(new Error('the proof-of-work port is closed'));
      const id = nextId++;
      return new Promise<MineOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        port.ref();
        const settle = (): void => {
          if (pending.size === 0) port.unref();
        };
        const wrapped = pending.get(id)!;
        pending.set(id, {
          resolve: (o) => {
            settle();
            wrapped.resolve(o);
          },
          reject: (e) => {
            settle();
            wrapped.reject(e);
          },
        });
        port.postMessage({
          type: 'mine',
          id,
          header: job.header,
          target: job.target,
          ...(job.startNonce === undefined ? {} : { startNonce: job.startNonce }),
        } satisfies ToPool);
        if (signal) {
          if (signal.aborted) port.postMessage({ type: 'cancel', id } satisfies ToPool);
          else
            signal.addEventListener(
              'abort',
              () => port.postMessage({ type: 'cancel', id } satisfies ToPool),
              { once: true },
            );
        }
      });
    },
    hashRate: () => rate,
    close(): void {
      closed = true;
      for (const p of pending.values()) p.reject(new Error('the proof-of-work port closed'));
      pending.clear();
      port.close();
    },
  };
}
