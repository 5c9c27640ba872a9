/**
 * libsecp256k1, Bitcoin Core's own secp256k1 library, compiled to WebAssembly (the `tiny-secp256k1` package of
 * bitcoinjs), for BIP-340 verification: 5 to 6 times faster than @noble/curves' pure-JS big-integer arithmetic
 * on this kind of machine (`npm run bench -- tx`), which is what lets one node accept thousands of signed
 * transactions a second.
 *
 * The module is loaded on the first verification, synchronously, through its CommonJS build: instantiating its
 * 1.2 MB of WebAssembly costs about 15 ms, which a simulator worker that never sees a transaction should not pay
 * at start-up. Signing and key derivation stay with @noble/curves (consensus/sighash.ts), which also verifies
 * messages that are not 32 bytes long (BIP-340 allows any length; libsecp256k1's binding takes 32).
 */
import { createRequire } from 'node:module';

interface TinySecp256k1 {
  verifySchnorr(hash: Uint8Array, xOnlyKey: Uint8Array, signature: Uint8Array): boolean;
}

let lib: TinySecp256k1 | undefined;

function load(): TinySecp256k1 {
  lib ??= createRequire(import.meta.url)('tiny-secp256k1') as TinySecp256k1;
  return lib;
}

/**
 * BIP-340 verification of a 64-byte signature of a 32-byte message by a 32-byte x-only key. False for any
 * malformed input (a key that is not on the curve, r ≥ p, s ≥ n): the binding throws on those, and a verifier
 * must not. Throws only when the library itself cannot be loaded.
 */
export function libsecp256k1VerifySchnorr(
  signature: Uint8Array,
  message: Uint8Array,
  key: Uint8Array,
): boolean {
  // Outside the try: a library that cannot load is a broken install, to report, not a signature to refuse.
  const secp = load();
  try {
    return secp.verifySchnorr(message, key, signature);
  } catch {
    return false;
  }
}
