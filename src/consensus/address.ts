/**
 * Addresses: the pay-to-key program (a 32-byte x-only key) as a bech32m segwit address of witness version 1
 * (BIP-350), with the network's human-readable prefix: `bc1p…`, `sim1p…`, `bcrt1p…`. The same key gives the
 * same string as a Bitcoin P2TR address whose output key it is.
 */
import { bech32m } from '@scure/base';
import type { NetworkParams } from './params.ts';
import { classifyScript, KEY_SIZE, keyScript } from './script.ts';

const WITNESS_VERSION = 1;
/** BIP-173's length limit for a segwit address. */
const MAX_ADDRESS_LENGTH = 90;

export function addressFromKey(key: Uint8Array, params: Pick<NetworkParams, 'addressPrefix'>): string {
  if (key.length !== KEY_SIZE) throw new RangeError(`an x-only key is ${KEY_SIZE} bytes, got ${key.length}`);
  return bech32m.encode(params.addressPrefix, [WITNESS_VERSION, ...bech32m.toWords(key)]);
}

/**
 * The key an address pays. Throws a RangeError saying what is wrong: not bech32m (bad checksum, mixed case,
 * bech32 instead of bech32m), another network's prefix, not witness version 1, or not a 32-byte program.
 */
export function keyFromAddress(
  address: string,
  params: Pick<NetworkParams, 'addressPrefix' | 'name'>,
): Uint8Array {
  if (typeof address !== 'string') throw new TypeError(`an address is a string, got ${typeof address}`);
  const decoded = bech32m.decodeUnsafe(address, MAX_ADDRESS_LENGTH);
  if (!decoded) throw new RangeError(`${JSON.stringify(address)} is not a bech32m address`);
  if (decoded.prefix !== params.addressPrefix) {
    throw new RangeError(
      `${address} is for prefix "${decoded.prefix}", not ${params.name}'s "${params.addressPrefix}"`,
    );
  }
  const [version, ...words] = decoded.words;
  if (version !== WITNESS_VERSION) throw new RangeError(`${address} is not witness version 1 (pay-to-key)`);
  const program = bech32m.fromWordsUnsafe(words);
  if (!program || program.length !== KEY_SIZE) {
    throw new RangeError(`${address} does not carry a ${KEY_SIZE}-byte key`);
  }
  return program;
}

export function isAddress(address: unknown, params: Pick<NetworkParams, 'addressPrefix' | 'name'>): boolean {
  try {
    keyFromAddress(address as string, params);
    return true;
  } catch {
    return false;
  }
}

/** The output script an address stands for (`OP_1 0x20 <key>`). */
export function scriptFromAddress(
  address: string,
  params: Pick<NetworkParams, 'addressPrefix' | 'name'>,
): Uint8Array {
  return keyScript(keyFromAddress(address, params));
}

/** The address of a pay-to-key script, or null for a data or unknown script. */
export function addressFromScript(
  script: Uint8Array,
  params: Pick<NetworkParams, 'addressPrefix'>,
): string | null {
  const kind = classifyScript(script);
  return kind.type === 'key' ? addressFromKey(kind.key, params) : null;
}
