/**
 * What `send` says when the wallet cannot pay: how to fund it (a block mined to its address, then coinbase
 * maturity), or how many blocks until enough of its coins mature.
 */
import { coinbaseSpendableFrom, type NetworkParams } from '../consensus/index.ts';
import type { WalletUtxo } from '../wallet/wallet.ts';

/** An unspent output as GET /address/:addr/utxos lists it. */
export interface NodeUtxo extends WalletUtxo {
  readonly coinbase: boolean;
  readonly spentBy: string | null;
}

export interface FundingHintOptions {
  readonly address: string;
  readonly utxos: readonly NodeUtxo[];
  /** The node's tip height. */
  readonly height: number;
  /** Amount plus fee. */
  readonly needed: bigint;
  readonly params: NetworkParams;
  /** The node's base URL. */
  readonly node: string;
}

/** The tip height from which a coinbase output mined at `height` can be spent in the next block. */
export function matureAt(height: number, params: NetworkParams): number {
  return coinbaseSpendableFrom(height, params) - 1;
}

export function fundingHint(o: FundingHintOptions): string {
  const m = o.params.coinbaseMaturity;
  const rule = `on the ${o.params.name} network a coinbase output can be spent once it has ${m} confirmations`;
  const immature = o.utxos
    .filter((u) => u.coinbase && u.height !== null && !u.spendable && u.spentBy === null)
    .map((u) => ({ value: BigInt(u.value), at: matureAt(u.height!, o.params) }))
    .sort((a, b) => a.at - b.at);
  let total = o.utxos.filter((u) => u.spendable).reduce((n, u) => n + BigInt(u.value), 0n);
  for (const coin of immature) {
    total += coin.value;
    if (total >= o.needed) {
      const blocks = coin.at - o.height;
      return (
        `Not enough of its mined coins are mature yet (${rule}): ` +
        `it can pay this after ${blocks} more block(s) on the node's chain.`
      );
    }
  }
  const fund =
    `mine a block that pays its address,\n  curl "${o.node}/mine?address=${o.address}"\n` +
    `then ${m - 1} more on top of it (${rule}; GET /mine mines one, \`chainsim simulate --mine\` mines ` +
    'continuously), and send again.';
  return o.utxos.length === 0
    ? `The wallet has no coins yet. To fund it, ${fund}`
    : `Even once all its coins are spendable it holds ${total} units. To fund it, ${fund}`;
}
