/**
 * Transactions against the UTXO set (Core consensus/tx_verify.cpp CheckTxInputs and validation.cpp
 * ConnectBlock / DisconnectBlock), pure: the set is read through `CoinView`, and connecting a block returns a
 * change-set and its undo data instead of writing anything. The caller commits the change-set only when the
 * whole block is valid, so a block that fails halfway leaves nothing behind.
 */
import { ConsensusError } from './errors.ts';
import type { NetworkParams } from './params.ts';
import { checkOutputScripts, isUnspendable } from './script.ts';
import { firstBadSignature, type SchnorrVerify, type SpentOutput } from './sighash.ts';
import { blockSubsidy, isCoinbase, moneyRange, type OutPoint, type Transaction, txid } from './tx.ts';
import type { Block } from './block.ts';

/** An unspent output (Core's Coin): the output plus where it was created. */
export interface Coin extends SpentOutput {
  /** Height of the block that created it. */
  readonly height: number;
  readonly coinbase: boolean;
}

/** The UTXO set as the rules read it. Keys are `outpointKey`s. */
export interface CoinView {
  getCoin(key: string): Coin | undefined;
}

/** `txid:vout`, the key of an outpoint in every UTXO map. */
export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

export function keyOf(p: OutPoint): string {
  return outpointKey(p.txid, p.vout);
}

export function parseOutpointKey(key: string): OutPoint {
  const i = key.indexOf(':');
  return { txid: key.slice(0, i) as OutPoint['txid'], vout: Number(key.slice(i + 1)) };
}

/** Changes to the UTXO set: a coin added, or `null` for a coin spent. */
export type CoinChanges = Map<string, Coin | null>;

export interface TxInputsResult {
  readonly fee: bigint;
  /** The coins the inputs spend, in input order. */
  readonly spent: Coin[];
}

/**
 * Whether a coin may be spent by a transaction in the block at `spendHeight`: a coinbase output needs
 * `coinbaseMaturity` confirmations first (Core's COINBASE_MATURITY check in Consensus::CheckTxInputs).
 */
export function isMatureAt(
  coin: Pick<Coin, 'coinbase' | 'height'>,
  spendHeight: number,
  params: Pick<NetworkParams, 'coinbaseMaturity'>,
): boolean {
  return !coin.coinbase || spendHeight >= coinbaseSpendableFrom(coin.height, params);
}

/** The first block height whose transactions may spend a coinbase output of the block at `height`. */
export function coinbaseSpendableFrom(
  height: number,
  params: Pick<NetworkParams, 'coinbaseMaturity'>,
): number {
  return height + params.coinbaseMaturity;
}

/**
 * Core Consensus::CheckTxInputs: every input exists and is unspent, coinbase outputs are mature at
 * `spendHeight` (the height of the block the transaction goes into), values and their sum are in range (in
 * bigint: CVE-2010-5139), and the outputs do not exceed the inputs. Returns the fee and the spent coins.
 */
export function checkTxInputs(
  tx: Transaction,
  view: CoinView,
  spendHeight: number,
  params: Pick<NetworkParams, 'coinbaseMaturity'>,
): TxInputsResult {
  const spent: Coin[] = [];
  for (const [i, input] of tx.inputs.entries()) {
    const coin = view.getCoin(keyOf(input.prevout));
    if (!coin) {
      throw new ConsensusError(
        'bad-txns-inputs-missingorspent',
        `input ${i} spends ${keyOf(input.prevout)}, which is not in the UTXO set`,
      );
    }
    spent.push(coin);
  }
  let valueIn = 0n;
  for (const [i, coin] of spent.entries()) {
    if (!isMatureAt(coin, spendHeight, params)) {
      throw new ConsensusError(
        'bad-txns-premature-spend-of-coinbase',
        `input ${i} spends a coinbase of height ${coin.height} at height ${spendHeight}: needs ${params.coinbaseMaturity} confirmations`,
      );
    }
    valueIn += coin.value;
    if (!moneyRange(coin.value) || !moneyRange(valueIn)) {
      throw new ConsensusError('bad-txns-inputvalues-outofrange', `input ${i}`);
    }
  }
  let valueOut = 0n;
  for (const o of tx.outputs) valueOut += o.value;
  if (valueIn < valueOut) {
    throw new ConsensusError('bad-txns-in-belowout', `value in ${valueIn} < value out ${valueOut}`);
  }
  const fee = valueIn - valueOut;
  if (!moneyRange(fee)) throw new ConsensusError('bad-txns-fee-outofrange', `fee ${fee}`);
  return { fee, spent };
}

/**
 * Throws `mandatory-script-verify-flag-failed` unless every input is signed by the key it spends. `verify`
 * defaults to @noble/curves; a node passes libsecp256k1 (chain/verify.ts).
 */
export function checkSignatures(
  tx: Transaction,
  spent: readonly SpentOutput[],
  verify?: SchnorrVerify,
): void {
  const bad = firstBadSignature(tx, spent, verify);
  if (bad >= 0) {
    throw new ConsensusError(
      'mandatory-script-verify-flag-failed',
      `input ${bad}: invalid Schnorr signature (${txid(tx)})`,
    );
  }
}

export interface ConnectOptions {
  /**
   * Checks the signatures of one transaction; throws ConsensusError. Defaults to `checkSignatures`; a node
   * passes one with a cache of transactions it has already verified (the txid commits to the signatures and,
   * through the outpoints, to the outputs they spend, so a verified txid stays verified).
   */
  readonly verify?: (tx: Transaction, spent: readonly Coin[], id: string) => void;
}

export interface BlockConnection {
  /** What to write to the UTXO set: created coins, and `null` for spent ones. */
  readonly changes: CoinChanges;
  /** Core's CBlockUndo: for each non-coinbase transaction in order, the coins its inputs spent. */
  readonly undo: Coin[][];
  readonly fees: bigint;
  readonly txids: string[];
}

/**
 * Core ConnectBlock, for a block already through checkBlock: the output templates (script.ts; Core checks
 * scripts here too, when it runs them), BIP-30, then for each transaction in order
 * CheckTxInputs against the set as the earlier transactions of the block left it (so an output may be spent by
 * a later transaction, and no outpoint twice), its signatures, the fee sum, and finally that the coinbase claims
 * at most subsidy plus fees. Nothing is written: the result is the change-set and the undo data.
 */
export function connectBlock(
  block: Block,
  height: number,
  view: CoinView,
  params: NetworkParams,
  opts: ConnectOptions = {},
): BlockConnection {
  const changes: CoinChanges = new Map();
  const local: CoinView = {
    getCoin: (key) => {
      const c = changes.get(key);
      return c === null ? undefined : (c ?? view.getCoin(key));
    },
  };
  const verify = opts.verify ?? ((tx, spent) => checkSignatures(tx, spent));
  const undo: Coin[][] = [];
  const txids: string[] = [];
  let fees = 0n;
  for (const [t, tx] of block.txs.entries()) {
    const id = txid(tx);
    txids.push(id);
    checkOutputScripts(tx.outputs);
    // BIP-30: no transaction may overwrite outputs of an earlier one that are still unspent.
    for (let o = 0; o < tx.outputs.length; o++) {
      if (local.getCoin(outpointKey(id, o))) {
        throw new ConsensusError('bad-txns-BIP30', `transaction ${t} (${id}) has unspent outputs already`);
      }
    }
    if (!isCoinbase(tx)) {
      for (const [i, input] of tx.inputs.entries()) {
        const key = keyOf(input.prevout);
        if (changes.get(key) === null) {
          throw new ConsensusError(
            'bad-txns-inputs-missingorspent',
            `transaction ${t} input ${i} spends ${key}, already spent earlier in this block`,
          );
        }
      }
      const { fee, spent } = checkTxInputs(tx, local, height, params);
      fees += fee;
      if (!moneyRange(fees)) throw new ConsensusError('bad-txns-accumulated-fee-outofrange');
      verify(tx, spent, id);
      for (const input of tx.inputs) changes.set(keyOf(input.prevout), null);
      undo.push(spent);
    }
    for (const [o, output] of tx.outputs.entries()) {
      if (isUnspendable(output.script)) continue;
      changes.set(outpointKey(id, o), {
        value: output.value,
        script: output.script,
        height,
        coinbase: t === 0,
      });
    }
  }
  let claimed = 0n;
  for (const o of block.txs[0]!.outputs) claimed += o.value;
  const allowed = blockSubsidy(height, params) + fees;
  if (claimed > allowed) {
    throw new ConsensusError(
      'bad-cb-amount',
      `coinbase pays ${claimed}, limit is subsidy ${blockSubsidy(height, params)} + fees ${fees} = ${allowed}`,
    );
  }
  // A change that adds and then spends the same coin within the block nets to nothing in the set.
  for (const [key, coin] of changes) if (coin === null && !view.getCoin(key)) changes.delete(key);
  return { changes, undo, fees, txids };
}

/**
 * Core DisconnectBlock: the inverse of `connectBlock` given its undo data. Outputs the block created are
 * removed (an output the block itself spent is already absent, and deleting it again is harmless), coins its
 * inputs spent come back. Throws an Error (a bug, not a consensus failure) when the undo data
 * does not match the block.
 */
export function disconnectBlock(block: Block, undo: readonly Coin[][]): CoinChanges {
  const changes: CoinChanges = new Map();
  const spending = block.txs.length - 1;
  if (undo.length !== spending) {
    throw new Error(`undo data has ${undo.length} transaction(s), the block spends in ${spending}`);
  }
  for (let t = block.txs.length - 1; t >= 0; t--) {
    const tx = block.txs[t]!;
    const id = txid(tx);
    for (const [o, output] of tx.outputs.entries()) {
      if (isUnspendable(output.script)) continue;
      const key = outpointKey(id, o);
      // An output spent later in the same block is already absent: deleting it again is harmless.
      changes.set(key, null);
    }
    if (t === 0) break;
    const coins = undo[t - 1]!;
    if (coins.length !== tx.inputs.length) throw new Error(`undo data for transaction ${t} does not match`);
    for (const [i, input] of tx.inputs.entries()) changes.set(keyOf(input.prevout), coins[i]!);
  }
  return changes;
}
