/**
 * The BIP-340 verifier nodes use: libsecp256k1 (runtime/secp256k1.ts: native when built, wasm otherwise) for
 * 32-byte messages, which every sighash is, and @noble/curves for any other length. Kept out of consensus/,
 * which stays pure: loading libsecp256k1 reads a file or opens a native addon, so consensus functions take a
 * verifier as an argument and default to noble.
 */
import { type SchnorrVerify, withFastPath } from '../consensus/index.ts';
import { libsecp256k1VerifySchnorr } from '../runtime/secp256k1.ts';

export const fastVerifySchnorr: SchnorrVerify = withFastPath(libsecp256k1VerifySchnorr);
