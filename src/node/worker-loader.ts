/**
 * The entry of a node worker thread (bundled to dist/node/worker-loader.cjs by `npm run build:worker`): it
 * compiles the bundled node (worker.bundle.cjs, whose entry is worker.ts) with the V8 code cache the manager
 * hands over in `workerData.codeCache`, and runs it.
 *
 * Every worker is a new V8 isolate that would otherwise parse and compile the same 0.8 MB of JavaScript again,
 * function by function as its work reaches them. So before any node starts, the manager runs this loader once
 * as a throwaway worker with `workerData.rehearsal`: it compiles the bundle, rehearses a node's start-up and
 * block path on scratch nodes (rehearsal.ts), hands over `Script.createCachedData()` (which holds every
 * function compiled so far) and ends. Every node starts from that cache: less CPU at start-up (~125 -> ~65-75
 * ms per node, measured on the 2-core machine), and no node compiles the block path when the first block
 * arrives. A throwaway worker rather than the first node, so that the rehearsal's garbage dies with it. A
 * cache V8 does not accept (another Node.js build) is ignored and the bundle compiles as usual.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { NodeWorkerData, RehearsalWorkerData, WorkerMessage } from './worker.ts';

const file = fileURLToPath(new URL('./worker.bundle.cjs', import.meta.url));
const data = workerData as NodeWorkerData | RehearsalWorkerData;
// CommonJS's own wrapper, so that the bundle's `require` resolves its external packages from dist/node/.
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
  { filename: file, ...('codeCache' in data && data.codeCache ? { cachedData: data.codeCache } : {}) },
);
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;
const module = { exports: {} };
run(module.exports, createRequire(file), module, file, dirname(file));

if ('rehearsal' in data) void rehearseAndCache();

/** The rehearsal worker's job: rehearse, then send the cache (and why the rehearsal failed, if it did). */
async function rehearseAndCache(): Promise<void> {
  let failure: string | undefined;
  try {
    await (module.exports as { rehearseBlockPath: () => Promise<void> }).rehearseBlockPath();
  } catch (err) {
    // The cache still holds start-up; only the first block would cost more.
    failure = (err as Error).message;
  }
  const cache = script.createCachedData();
  parentPort!.postMessage({
    type: 'code-cache',
    data: new Uint8Array(cache.buffer, cache.byteOffset, cache.byteLength),
    ...(failure ? { rehearsalFailed: failure } : {}),
  } satisfies WorkerMessage);
  parentPort!.close();
}
