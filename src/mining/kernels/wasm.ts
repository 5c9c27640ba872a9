/**
 * The wasm-simd kernel: a thin wrapper over build/pow.wasm, compiled from assembly/pow.ts by
 * `npm run build` (see that file for the algorithm and its contract with this wrapper).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkScanArgs, type Kernel, type ScanResult } from './types.ts';

/** build/ sits at the repo root, three levels above both src/mining/kernels/ and dist/mining/kernels/. */
export const DEFAULT_WASM_URL = new URL('../../../build/pow.wasm', import.meta.url);

export interface WasmKernelOptions {
  /** Where the compiled module is; defaults to DEFAULT_WASM_URL. */
  readonly wasmUrl?: URL;
}

/**
 * The slice of the WebAssembly JS API used here, typed locally: the project's `lib` (ES2023, no DOM) and
 * @types/node 20 declare no WebAssembly global, and an ambient declaration could clash with one later.
 */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasmApi = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;

/** The exports of assembly/pow.ts. */
interface PowExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  headerPtr(): number;
  targetPtr(): number;
  /** Scans [first, last] inclusive; u32 arguments (values >= 2^31 arrive wrapped, as intended). */
  scan(first: number, last: number): number;
  foundNonce(): number;
}

function load(url: URL): PowExports {
  try {
    const module = new wasmApi.Module(readFileSync(fileURLToPath(url)));
    const exports = new wasmApi.Instance(module, {}).exports as PowExports;
    for (const f of ['headerPtr', 'targetPtr', 'scan', 'foundNonce'] as const) {
      if (typeof exports[f] !== 'function') throw new Error(`export ${f} missing`);
    }
    if (!(exports.memory?.buffer instanceof ArrayBuffer)) throw new Error('export memory missing');
    return exports;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `wasm-simd kernel: cannot load ${url.href} (${why}). Run \`npm run build\` to compile assembly/pow.ts.`,
      { cause: e },
    );
  }
}

export function createWasmKernel(options: WasmKernelOptions = {}): Kernel {
  const pow = load(options.wasmUrl ?? DEFAULT_WASM_URL);
  const headerPtr = pow.headerPtr();
  const targetPtr = pow.targetPtr();
  return {
    name: 'wasm-simd',
    scan(header: Uint8Array, target: Uint8Array, startNonce: number, count: number): ScanResult {
      checkScanArgs(header, target, startNonce, count);
      if (count === 0) return { nonce: null, hashes: 0 };
      // Views are made per call: cheap, and never stale even if the memory were to grow.
      new Uint8Array(pow.memory.buffer, headerPtr, 80).set(header);
      new Uint8Array(pow.memory.buffer, targetPtr, 32).set(target);
      if (pow.scan(startNonce, startNonce + count - 1) === 0) return { nonce: null, hashes: count };
      const nonce = pow.foundNonce() >>> 0; // an i32 on the way out
      return { nonce, hashes: nonce - startNonce + 1 };
    },
  };
}
