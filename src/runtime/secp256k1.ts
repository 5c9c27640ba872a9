/**
 * libsecp256k1, Bitcoin Core's own secp256k1 library, for BIP-340 verification, in one of two builds:
 *
 * - native: the system's libsecp256k1 (Debian's libsecp256k1-dev, with its schnorrsig module) through a small
 *   N-API addon, `chainsim_secp256k1` in the optional `chainsim-native` package (native/), built by `npm ci`
 *   when the library's headers are installed.
 * - wasm: the `tiny-secp256k1` package of bitcoinjs, libsecp256k1 compiled to WebAssembly, which works
 *   everywhere.
 *
 * Both are several times faster than @noble/curves' pure-JS arithmetic, which is what lets one node accept
 * thousands of signed transactions a second (see docs/decisions.md, "libsecp256k1 for verification, noble for
 * signing"). The first verification loads the native build if it is there and the wasm one otherwise,
 * synchronously, so a simulator worker that never sees a transaction does not pay for the wasm at start-up.
 * Signing and key derivation stay with @noble/curves (consensus/sighash.ts), which also verifies messages that
 * are not 32 bytes long (BIP-340 allows any length; the wasm binding takes 32).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Libsecp256k1 {
  /** `libsecp256k1 (native)` or `libsecp256k1 (wasm)`. */
  readonly name: string;
  /** False for any malformed input too (a key off the curve, r ≥ p, s ≥ n, wrong sizes); never throws. */
  verify(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean;
}

const requireCjs = createRequire(import.meta.url);

type Verify = Libsecp256k1['verify'];

/** The bindings throw on malformed keys and signatures (the wasm one) or sizes (both); a verifier must not. */
function falseOnThrow(verify: Verify): Verify {
  return (signature, message, key) => {
    try {
      return verify(signature, message, key);
    } catch {
      return false;
    }
  };
}

let native: Libsecp256k1 | null | undefined;
let wasm: Libsecp256k1 | undefined;
let chosen: Libsecp256k1 | undefined;

/** The native build, or null when the addon was not built here (no libsecp256k1 headers, no compiler). */
export function nativeLibsecp256k1(): Libsecp256k1 | null {
  if (native !== undefined) return native;
  try {
    const dir = dirname(requireCjs.resolve('chainsim-native/package.json'));
    const addon = requireCjs(join(dir, 'build', 'Release', 'chainsim_secp256k1.node')) as {
      verifySchnorr(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean;
    };
    native = {
      name: 'libsecp256k1 (native)',
      verify: falseOnThrow((s, m, k) => addon.verifySchnorr(s, m, k)),
    };
  } catch {
    native = null;
  }
  return native;
}

/** The WebAssembly build (always available: a regular dependency). */
export function wasmLibsecp256k1(): Libsecp256k1 {
  if (wasm) return wasm;
  const lib = requireCjs('tiny-secp256k1') as {
    verifySchnorr(hash: Uint8Array, xOnlyKey: Uint8Array, signature: Uint8Array): boolean;
  };
  wasm = { name: 'libsecp256k1 (wasm)', verify: falseOnThrow((s, m, k) => lib.verifySchnorr(m, k, s)) };
  return wasm;
}

/** The build nodes verify with: native when built, wasm otherwise. */
export function libsecp256k1(): Libsecp256k1 {
  chosen ??= nativeLibsecp256k1() ?? wasmLibsecp256k1();
  return chosen;
}

/**
 * BIP-340 verification of a 64-byte signature of a 32-byte message by a 32-byte x-only key, false for any
 * malformed input. Throws only when no build of the library can be loaded: a broken install, to report, not a
 * signature to refuse.
 */
export function libsecp256k1VerifySchnorr(
  signature: Uint8Array,
  message: Uint8Array,
  key: Uint8Array,
): boolean {
  return libsecp256k1().verify(signature, message, key);
}
