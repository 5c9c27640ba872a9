/**
 * A node's mining key, behind a small interface. The key store holds it in memory; openNode (open.ts) keeps
 * the pair in the store's meta records, so a restarted node pays to the same key. Randomness lives here,
 * never in consensus/.
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

/**
 * A store holding one mining key: `secret` when given (32 bytes), else a fresh random one. `knownPublicKey`,
 * when given, is the one derived from `secret` earlier (kept beside it): deriving it builds noble's table,
 * which every node worker would pay again (see docs/decisions.md, "What else a node does not pay at start-up").
 */
export function createMemoryKeyStore(secret?: Uint8Array, knownPublicKey?: Uint8Array): KeyStore {
  const sk = secret ?? schnorr.utils.randomSecretKey();
  if (sk.length !== 32) throw new RangeError(`a secret key is 32 bytes, got ${sk.length}`);
  if (knownPublicKey && knownPublicKey.length !== 32) throw new RangeError('a public key is 32 bytes');
  const publicKey = knownPublicKey ?? publicKeyOf(sk);
  // The node never signs with it (it has no wallet), so only the public key is kept; openNode stores the
  // secret.
  const key: MiningKey = Object.freeze({ publicKey, script: keyScript(publicKey) });
  return { miningKey: () => key };
}

/** A fresh mining key pair (secret and x-only public key), for a node being created. */
export function generateMiningKey(): { secret: Uint8Array; publicKey: Uint8Array } {
  const secret = schnorr.utils.randomSecretKey();
  return { secret, publicKey: publicKeyOf(secret) };
}
