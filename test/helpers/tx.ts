/** Test helpers: deterministic keys, signed spends and an in-memory coin view. */
import {
  type Coin,
  type CoinView,
  keyScript,
  outpointKey,
  publicKeyOf,
  sha256,
  signTransaction,
  type Transaction,
  type TxOutput,
} from '../../src/consensus/index.ts';
import { utf8 } from '../../src/util/bytes.ts';

export interface TestKey {
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly script: Uint8Array;
}

/** A key from a seed string (sha256 of it: a valid secp256k1 scalar for any seed used here). */
export function testKey(seed: string): TestKey {
  const secret = sha256(utf8(`chainsim-test-key:${seed}`));
  const key = publicKeyOf(secret);
  return { secret, key, script: keyScript(key) };
}

export const ZERO_AUX = new Uint8Array(32);

export interface SpendInput {
  readonly txid: string;
  readonly vout: number;
  readonly coin: { value: bigint; script: Uint8Array };
  readonly signer: TestKey;
  readonly sequence?: number;
}

/** A version-2 transaction spending `inputs`, signed by each input's signer. */
export function spendTx(
  inputs: readonly SpendInput[],
  outputs: readonly TxOutput[],
  lockTime = 0,
): Transaction {
  const unsigned: Transaction = {
    version: 2,
    inputs: inputs.map((i) => ({
      prevout: { txid: i.txid as never, vout: i.vout },
      script: new Uint8Array(0),
      sequence: i.sequence ?? 0xffffffff,
    })),
    outputs,
    lockTime,
  };
  return signTransaction(
    unsigned,
    inputs.map((i) => i.coin),
    (i) => inputs[i]!.signer.secret,
    () => ZERO_AUX,
  );
}

/** A coin view over a plain map (keys `txid:vout`). */
export function mapView(
  entries: Iterable<readonly [string, Coin]> = [],
): CoinView & { map: Map<string, Coin> } {
  const map = new Map<string, Coin>(entries);
  return { map, getCoin: (key) => map.get(key) };
}

export function coin(value: bigint, script: Uint8Array, height = 1, coinbase = false): Coin {
  return { value, script, height, coinbase };
}

export { outpointKey };
