/**
 * Where a node verifies the signatures of the transactions it is sent (mempool acceptance).
 *
 * - `inlineVerifier` verifies in the calling thread (libsecp256k1, about 0.3 ms a signature here): the
 *   simulator's nodes use it, since 64 nodes with a pool each would mean hundreds of threads.
 * - `createPoolVerifier` (verifier-pool.ts, apart so that a simulator worker never loads Piscina) verifies in
 *   a Piscina pool of its own, off the thread that serves HTTP, in small batches: requests that arrive in the
 *   same turn of the event loop are packed into one task per thread. Signatures then cost the HTTP thread
 *   nothing but the packing. A standalone node (`chainsim node run`) uses it. If the pool fails, the batch is
 *   verified inline: a dead thread never loses a transaction.
 *
 * Not the proof-of-work pool: that one runs at nice 19 and is saturated while mining; a transaction should
 * not wait behind a mining slice.
 */
import {
  firstFailedCheck,
  type SchnorrVerify,
  type SignatureCheck,
  withFastPath,
} from '../consensus/index.ts';
import { libsecp256k1VerifySchnorr } from '../runtime/secp256k1.ts';

/**
 * The BIP-340 verifier a node gives its chain, mempool and verifiers: libsecp256k1 (runtime/secp256k1.ts:
 * native when built, wasm otherwise) for 32-byte messages, which every sighash is, and @noble/curves for any
 * other length. Chosen here, at the composition, because loading libsecp256k1 reads a file or opens an addon:
 * consensus/, chain/ and mempool/ take a verifier as an argument.
 */
export const fastVerifySchnorr: SchnorrVerify = withFastPath(libsecp256k1VerifySchnorr);

export interface SignatureVerifier {
  /** How it verifies, for logs and reports. */
  readonly kind: string;
  /** Index of the first check that fails, or -1 when every one passes. */
  firstInvalid(checks: readonly SignatureCheck[]): Promise<number>;
  close(): Promise<void>;
}

export const inlineVerifier: SignatureVerifier = {
  kind: 'inline',
  firstInvalid: (checks) => Promise.resolve(firstFailedCheck(checks, fastVerifySchnorr)),
  close: () => Promise.resolve(),
};
