/**
 * The two output script templates chainsim knows, byte for byte Bitcoin's:
 *
 * - pay-to-key: `OP_1 OP_PUSHBYTES_32 <32-byte x-only key>`, exactly the form of a P2TR scriptPubKey (BIP-341
 *   "witness version 1, 32-byte program"). The key is the BIP-340 key that must sign; chainsim does not tweak it
 *   (it has no script path), so the output key is the signing key;
 * - data: `OP_RETURN <one push of 1..80 bytes>` (Core's MAX_OP_RETURN_RELAY of 83 bytes of script), value 0,
 *   never spendable and never added to the UTXO set (Core's CScript::IsUnspendable).
 *
 * Anything else in an output is `bad-txns-vout-script`. The spending side is the 64-byte BIP-340 signature in the
 * input script (sighash.ts); where Bitcoin carries it in the witness, chainsim keeps Bitcoin's legacy
 * serialisation and carries it in the script, so the txid commits to it.
 */
import { ConsensusError } from './errors.ts';

export const OP_RETURN = 0x6a;
export const OP_1 = 0x51;
export const OP_PUSHDATA1 = 0x4c;
/**
 * Most bytes a data output may carry: Core's default -datacarriersize before v30 (83 bytes of script) less
 * OP_RETURN and the push.
 */
export const MAX_DATA_BYTES = 80;
export const KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;

export type OutputScript =
  | { readonly type: 'key'; readonly key: Uint8Array }
  | { readonly type: 'data'; readonly data: Uint8Array }
  | { readonly type: 'unknown' };

/** `OP_1 0x20 <key>`. */
export function keyScript(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_SIZE) {
    throw new RangeError(`an x-only key is ${KEY_SIZE} bytes, got ${key?.length}`);
  }
  const out = new Uint8Array(2 + KEY_SIZE);
  out[0] = OP_1;
  out[1] = KEY_SIZE;
  out.set(key, 2);
  return out;
}

/** `OP_RETURN <push>` with the minimal push opcode (a direct push up to 75 bytes, OP_PUSHDATA1 above). */
export function dataScript(data: Uint8Array): Uint8Array {
  if (data.length < 1 || data.length > MAX_DATA_BYTES) {
    throw new RangeError(`a data output carries 1..${MAX_DATA_BYTES} bytes, got ${data.length}`);
  }
  const head = data.length < OP_PUSHDATA1 ? [OP_RETURN, data.length] : [OP_RETURN, OP_PUSHDATA1, data.length];
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

export function isKeyScript(script: Uint8Array): boolean {
  return script.length === 2 + KEY_SIZE && script[0] === OP_1 && script[1] === KEY_SIZE;
}

/** Which template `script` follows; a data push must be minimal, as `dataScript` writes it. */
export function classifyScript(script: Uint8Array): OutputScript {
  if (isKeyScript(script)) return { type: 'key', key: script.subarray(2) };
  if (script[0] === OP_RETURN && script.length >= 3) {
    const direct = script[1]!;
    if (direct >= 1 && direct < OP_PUSHDATA1 && script.length === 2 + direct) {
      return { type: 'data', data: script.subarray(2) };
    }
    const len = script[2]!;
    if (
      direct === OP_PUSHDATA1 &&
      len >= OP_PUSHDATA1 &&
      len <= MAX_DATA_BYTES &&
      script.length === 3 + len
    ) {
      return { type: 'data', data: script.subarray(3) };
    }
  }
  return { type: 'unknown' };
}

/** Core CScript::IsUnspendable, for our templates: a data output never enters the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return script[0] === OP_RETURN;
}

/**
 * The output rule, checked when a block is connected and when the mempool takes a transaction (not in
 * checkTransaction, which stays Core's: the genesis coinbase pays a bare public key and passes it): every
 * output is pay-to-key, or a data output of value 0, and at most one output is data.
 */
export function checkOutputScripts(outputs: ReadonlyArray<{ value: bigint; script: Uint8Array }>): void {
  let data = 0;
  for (const [i, output] of outputs.entries()) {
    const kind = classifyScript(output.script);
    if (kind.type === 'unknown') {
      throw new ConsensusError(
        'bad-txns-vout-script',
        `output ${i} is neither OP_1 <32-byte key> nor OP_RETURN <1..${MAX_DATA_BYTES} bytes>`,
      );
    }
    if (kind.type === 'data') {
      if (output.value !== 0n)
        throw new ConsensusError('bad-txns-vout-script', `data output ${i} has value ${output.value}, not 0`);
      if (++data > 1) throw new ConsensusError('bad-txns-vout-script', 'more than one data output');
    }
  }
}
