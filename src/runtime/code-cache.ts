/** The rehearsal worker that makes the V8 code cache every worker on a bundle starts from (worker-loader.ts). */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CodeCacheMessage, LoaderData } from './worker-loader.ts';

/**
 * The code cache, from a throwaway worker on `loader` that compiles `bundle` and runs its rehearsal (for the
 * node bundle: a node's start-up and block path, node/rehearsal.ts), copied once into shared memory; undefined
 * if that worker fails (every worker then compiles the bundle itself, which is slower but works).
 */
export function makeCodeCache(
  loader: URL,
  bundle: string,
  log: Logger,
  warn: (message: string) => void,
): Promise<Uint8Array | undefined> {
  const worker = new Worker(loader, {
    workerData: { bundle, rehearsal: true } satisfies LoaderData,
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
    worker.on('message', (msg: CodeCacheMessage) => {
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
