/** The rehearsal worker that makes the V8 code cache every node worker of a simulation starts from. */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RehearsalWorkerData, WorkerMessage } from '../node/worker.ts';
import { NODE_WORKER_URL } from './node-worker.ts';

/**
 * The code cache, from a throwaway worker that compiles the node bundle and rehearses a node's start-up and
 * block path (rehearsal.ts), copied once into shared memory; undefined if that worker fails (every node
 * then compiles the bundle itself, which is slower but works).
 */
export function makeCodeCache(log: Logger, warn: (message: string) => void): Promise<Uint8Array | undefined> {
  const worker = new Worker(NODE_WORKER_URL, {
    workerData: { rehearsal: true } satisfies RehearsalWorkerData,
    execArgv: [],
  });
  return new Promise((resolve) => {
    let settled = false;
    const done = (cache: Uint8Array | undefined, problem?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (problem) warn(`nodes start without a rehearsed code cache: ${problem}`);
      resolve(cache);
    };
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type !== 'code-cache') return;
      const shared = new Uint8Array(new SharedArrayBuffer(msg.data.byteLength));
      shared.set(msg.data);
      if (msg.rehearsalFailed) {
        // Start-up is still in the cache; only the first block costs every node more.
        warn(`the block path rehearsal failed (${msg.rehearsalFailed}); the nodes start anyway`);
      } else {
        log.info(
          { bytes: shared.byteLength },
          `node code cache ready (${Math.round(shared.byteLength / 1024)} KB), block path rehearsed`,
        );
      }
      done(shared);
    });
    worker.on('error', (err) => done(undefined, err.message));
    worker.on('exit', (code) => done(undefined, `the rehearsal worker exited (${code}) without one`));
    const timer = setTimeout(() => {
      void worker.terminate();
      done(undefined, 'the rehearsal worker did not answer within 10 s');
    }, 10_000);
  });
}
