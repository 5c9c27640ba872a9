/**
 * A node's keys, behind a small interface: in memory for now; persistence (issue 7) will implement the same
 * interface over the node's data directory. Randomness lives here, never in consensus/.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { keyScript, publicKeyOf } from '../consensus/index.ts';

export interface MiningKey {
  /** The BIP-340 x-only public key the node's coinbases pay. */
  readonly publicKey: Uint8Array;
  /** `OP_1 0x20 <publicKey>`. */
  readonly script: Uint8Array;
}

export interface KeyStore {
  miningKey(): MiningKey;
}

/** A store holding one mining key: `secret` when given (32 bytes), else a fresh random one. */
export function createMemoryKeyStore(secret?: Uint8Array): KeyStore {
  const sk = secret ?? schnorr.utils.randomSecretKey();
  if (sk.length !== 32) throw new RangeError(`a secret key is 32 bytes, got ${sk.length}`);
  const publicKey = publicKeyOf(sk);
  // The node never signs with it (it has no wallet); the secret stays here for persistence to save.
  const key: MiningKey = Object.freeze({ publicKey, script: keyScript(publicKey) });
  return { miningKey: () => key };
}
