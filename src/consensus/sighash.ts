/**
 * Signatures: BIP-340 Schnorr over secp256k1 (@noble/curves), on a signature hash that is BIP-341's for
 * SIGHASH_DEFAULT on a key path with no annex (BIP-341 "Common signature message"):
 *
 *   TaggedHash("TapSighash", 0x00 epoch || 0x00 hash_type || version u32 || lockTime u32 || sha_prevouts
 *     || sha_amounts || sha_scriptpubkeys || sha_sequences || sha_outputs || 0x00 spend_type || input_index u32)
 *
 * where each sha_* is one SHA-256 over the concatenated serialisations. So a signature commits to the version,
 * the lock time, every input's outpoint, the amount and script of every output it spends (taken from the UTXO
 * set, not from the transaction), every sequence, every output, and which input it signs. The amounts make a
 * lie about the fee impossible for an offline signer; the index stops a signature moving to another input.
 *
 * Pure: signing takes its auxiliary randomness (BIP-340 `a`) as an argument; the caller supplies it.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { ByteWriter } from './encoding.ts';
import { internalFromDisplay, sha256 } from './hash.ts';
import { classifyScript, SIGNATURE_SIZE } from './script.ts';
import type { Transaction } from './tx.ts';

/** What a signature needs to know about each output being spent. */
export interface SpentOutput {
  readonly value: bigint;
  readonly script: Uint8Array;
}

const SIGHASH_DEFAULT = 0x00;
const EPOCH = 0x00;

/**
 * The sighash of every input of `tx`, with `spent[i]` the output input i spends. The five per-transaction
 * digests are computed once, so signing or checking n inputs hashes O(size) bytes, not O(n * size).
 */
export function sighashes(tx: Transaction, spent: readonly SpentOutput[]): Uint8Array[] {
  if (spent.length !== tx.inputs.length) {
    throw new RangeError(`${tx.inputs.length} input(s) but ${spent.length} spent output(s)`);
  }
  const prevouts = new ByteWriter(36 * tx.inputs.length);
  const sequences = new ByteWriter(4 * tx.inputs.length);
  for (const input of tx.inputs) {
    prevouts.bytes(internalFromDisplay(input.prevout.txid)).u32(input.prevout.vout);
    sequences.u32(input.sequence);
  }
  const amounts = new ByteWriter(8 * spent.length);
  const scripts = new ByteWriter(35 * spent.length);
  for (const s of spent) {
    amounts.i64(s.value);
    scripts.varbytes(s.script);
  }
  const outputs = new ByteWriter(43 * tx.outputs.length);
  for (const o of tx.outputs) outputs.i64(o.value).varbytes(o.script);

  const common = new ByteWriter(1 + 1 + 4 + 4 + 5 * 32 + 1);
  common.u8(EPOCH).u8(SIGHASH_DEFAULT).u32(tx.version).u32(tx.lockTime);
  for (const part of [prevouts, amounts, scripts, sequences, outputs]) common.bytes(sha256(part.finish()));
  common.u8(0); // spend_type: key path, no annex
  const head = common.finish();
  return tx.inputs.map((_, index) => {
    const msg = new Uint8Array(head.length + 4);
    msg.set(head);
    new DataView(msg.buffer).setUint32(head.length, index, true);
    return schnorr.utils.taggedHash('TapSighash', msg);
  });
}

/** A BIP-340 verifier: whether `signature` signs `message` for the x-only `key`; false, never a throw, on bad input. */
export type SchnorrVerify = (signature: Uint8Array, message: Uint8Array, key: Uint8Array) => boolean;

/**
 * BIP-340 verification by @noble/curves (pure JavaScript): the reference, and what consensus code uses unless
 * its caller passes a faster verifier. Never throws.
 */
export function verifySchnorr(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_SIZE || key.length !== 32) return false;
  try {
    return schnorr.verify(signature, message, key);
  } catch {
    return false;
  }
}

/**
 * A verifier that sends 32-byte messages (every sighash) to `fast32` and any other length to `verifySchnorr`.
 * Nodes build theirs from libsecp256k1 (chain/verify.ts), whose wasm binding takes 32-byte messages only.
 */
export function withFastPath(fast32: SchnorrVerify): SchnorrVerify {
  return (signature, message, key) => {
    if (signature.length !== SIGNATURE_SIZE || key.length !== 32) return false;
    return message.length === 32 ? fast32(signature, message, key) : verifySchnorr(signature, message, key);
  };
}

/** BIP-340 signing; `auxRand` is the 32 bytes of auxiliary randomness BIP-340 recommends (pass fresh ones). */
export function signSchnorr(message: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array): Uint8Array {
  return schnorr.sign(message, secretKey, auxRand);
}

/** The x-only public key of a secret key (BIP-340 PubKey). */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return schnorr.getPublicKey(secretKey);
}

/** One signature to verify: what input i of a transaction claims (BIP-340 signature, sighash, key). */
export interface SignatureCheck {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  /** The x-only key the spent output pays; empty when that output is not pay-to-key (so it cannot verify). */
  readonly key: Uint8Array;
}

/**
 * The signature checks of every input of `tx`, in input order, with `spent[i]` the output input i spends. Pure
 * data, so they can be verified elsewhere (a worker thread, many checks to a task).
 */
export function signatureChecks(tx: Transaction, spent: readonly SpentOutput[]): SignatureCheck[] {
  const hashes = sighashes(tx, spent);
  return tx.inputs.map((input, i) => {
    const kind = classifyScript(spent[i]!.script);
    return { signature: input.script, message: hashes[i]!, key: kind.type === 'key' ? kind.key : NO_KEY };
  });
}

const NO_KEY = new Uint8Array(0);

/** Index of the first check that fails, or -1 when all pass. */
export function firstFailedCheck(
  checks: readonly SignatureCheck[],
  verify: SchnorrVerify = verifySchnorr,
): number {
  return checks.findIndex((c) => !verify(c.signature, c.message, c.key));
}

/**
 * Index of the first input whose script is not a valid signature by the key its spent output pays, or -1 when
 * every input is signed. An output that is not pay-to-key cannot be spent.
 */
export function firstBadSignature(
  tx: Transaction,
  spent: readonly SpentOutput[],
  verify: SchnorrVerify = verifySchnorr,
): number {
  return firstFailedCheck(signatureChecks(tx, spent), verify);
}

/**
 * Signs every input with the secret key for its spent output: `keyFor(i)` returns it. `auxRand(i)` gives each
 * signature its 32 bytes of auxiliary randomness. Returns the signed transaction (input scripts replaced).
 */
export function signTransaction(
  tx: Transaction,
  spent: readonly SpentOutput[],
  keyFor: (index: number) => Uint8Array,
  auxRand: (index: number) => Uint8Array,
): Transaction {
  const hashes = sighashes(tx, spent);
  return {
    ...tx,
    inputs: tx.inputs.map((input, i) => ({
      ...input,
      script: signSchnorr(hashes[i]!, keyFor(i), auxRand(i)),
    })),
  };
}
