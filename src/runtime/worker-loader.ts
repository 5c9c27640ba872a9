/**
 * The entry of a worker thread that runs a CommonJS bundle (built to dist/runtime/worker-loader.cjs by `npm run
 * build:worker`): it compiles `workerData.bundle` (the simulator's: dist/node/worker.bundle.cjs, whose entry is
 * node/worker.ts) with the V8 code cache handed over in `workerData.codeCache`, and runs it.
 *
 * Every worker is a new V8 isolate that would otherwise parse and compile the same JavaScript again, function
 * by function as its work reaches them. So before any node starts, the manager runs this loader once as a
 * throwaway worker with `workerData.rehearsal`: it compiles the bundle, rehearses a node's start-up and block
 * path on scratch nodes (the bundle's `rehearse` export: node/rehearsal.ts), hands over
 * `Script.createCachedData()` (which holds every function compiled so far) and ends. Every node starts from
 * that cache, and none compiles the block path when the first block arrives (see docs/decisions.md, "Every
 * node starts from one V8 code cache, made by a rehearsal"). A throwaway worker rather than the first node, so
 * that the rehearsal's garbage dies with it. A cache V8 does not accept (another Node.js build) is ignored and
 * the bundle compiles as usual.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';

/** What a worker started on this loader gets (the bundle's own data may add more). */
export interface LoaderData {
  /** The bundle's file path. */
  readonly bundle: string;
  /** V8's code cache for the bundle (from a rehearsal), if there is one. */
  readonly codeCache?: Uint8Array;
  /** Run the bundle's `rehearse` export, send the cache (a `code-cache` message) and end. */
  readonly rehearsal?: true;
}

/** The rehearsal worker's one message. */
export interface CodeCacheMessage {
  readonly type: 'code-cache';
  readonly data: Uint8Array;
  /** Why the rehearsal failed (the cache then holds start-up only). */
  readonly rehearsalFailed?: string;
}

const data = workerData as LoaderData;
const file = data.bundle;
// CommonJS's own wrapper, so that the bundle's `require` resolves its external packages from its own folder.
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
  { filename: file, ...(data.codeCache ? { cachedData: data.codeCache } : {}) },
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

if (data.rehearsal) void rehearseAndCache();

/** The rehearsal worker's job: rehearse, then send the cache (and why the rehearsal failed, if it did). */
async function rehearseAndCache(): Promise<void> {
  let failure: string | undefined;
  try {
    await (module.exports as { rehearse: () => Promise<void> }).rehearse();
  } catch (err) {
    // The cache still holds start-up; only the first block would cost more.
    failure = (err as Error).message;
  }
  const cache = script.createCachedData();
  parentPort!.postMessage({
    type: 'code-cache',
    data: new Uint8Array(cache.buffer, cache.byteOffset, cache.byteLength),
    ...(failure ? { rehearsalFailed: failure } : {}),
  } satisfies CodeCacheMessage);
  parentPort!.close();
}
