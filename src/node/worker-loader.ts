/**
 * The entry of a node worker thread (bundled to dist/node/worker-loader.cjs by `npm run build:worker`): it
 * compiles the bundled node (worker.bundle.cjs, whose entry is worker.ts) with the V8 code cache the manager
 * hands over in `workerData.codeCache`, and runs it.
 *
 * Every worker is a new V8 isolate that would otherwise parse and compile the same 0.8 MB of JavaScript again,
 * function by function as start-up reaches them. The manager starts the first node without a cache, asks it
 * for one once it is up (`code-cache`: `Script.createCachedData()` after the run, so it holds every function
 * start-up compiled), and gives that to every other node: ~125 -> ~65-75 ms of CPU per node (measured on the
 * 2-core machine). A cache V8 does not accept (another Node.js build) is ignored and the bundle compiles as
 * usual.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { ManagerMessage, NodeWorkerData, WorkerMessage } from './worker.ts';

const file = fileURLToPath(new URL('./worker.bundle.cjs', import.meta.url));
const data = workerData as NodeWorkerData;
// CommonJS's own wrapper, so that the bundle's `require` resolves its external packages from dist/node/.
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
  { filename: file, ...(data.codeCache ? { cachedData: data.codeCache } : {}) },
);
parentPort?.on('message', (msg: ManagerMessage) => {
  if (msg.type !== 'code-cache') return;
  const cache = script.createCachedData();
  parentPort!.postMessage({
    type: 'code-cache',
    data: new Uint8Array(cache.buffer, cache.byteOffset, cache.byteLength),
  } satisfies WorkerMessage);
});
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;
const module = { exports: {} };
run(module.exports, createRequire(file), module, file, dirname(file));
