/**
 * The UTXO set in memory, and an overlay that collects changes on top of it.
 *
 * A coin lives under its outpoint key (`txid:vout`), as in the store; every change is a `CoinChanges` map (a
 * coin to put, or `null` to delete), which the chain's journal hands the store as part of one batch. A reorg or
 * a block is applied to a `UtxoOverlay` first and committed to the set only when it has succeeded in full, so a
 * block that fails halfway leaves no partial writes.
 */
import { bytesToHex } from '../util/bytes.ts';
import type { Coin, CoinChanges, CoinView } from '../consensus/index.ts';

/** What reads the set: the consensus rules (`getCoin`) and the node's queries. */
export interface UtxoView extends CoinView {
  has(key: string): boolean;
}

export class UtxoSet implements UtxoView {
  private readonly coins = new Map<string, Coin>();
  /** Script (hex) -> outpoint keys paying it, for address balances without a scan. */
  private readonly byScript = new Map<string, Set<string>>();
  private total = 0n;

  get size(): number {
    return this.coins.size;
  }

  /** Sum of every unspent value: the supply in circulation (less what data outputs burnt: nothing, they are 0). */
  get totalValue(): bigint {
    return this.total;
  }

  getCoin(key: string): Coin | undefined {
    return this.coins.get(key);
  }

  has(key: string): boolean {
    return this.coins.has(key);
  }

  entries(): IterableIterator<[string, Coin]> {
    return this.coins.entries();
  }

  /** The unspent outputs paying `script`, as [outpoint key, coin]. */
  coinsForScript(script: Uint8Array): Array<[string, Coin]> {
    const keys = this.byScript.get(bytesToHex(script));
    if (!keys) return [];
    return [...keys].map((k) => [k, this.coins.get(k)!]);
  }

  /** Applies a change-set (the same changes the store writes). */
  apply(changes: CoinChanges): void {
    for (const [key, coin] of changes) {
      const old = this.coins.get(key);
      if (old) {
        this.coins.delete(key);
        this.total -= old.value;
        const hex = bytesToHex(old.script);
        const set = this.byScript.get(hex);
        set?.delete(key);
        if (set?.size === 0) this.byScript.delete(hex);
      }
      if (coin) {
        this.coins.set(key, coin);
        this.total += coin.value;
        const hex = bytesToHex(coin.script);
        let set = this.byScript.get(hex);
        if (!set) this.byScript.set(hex, (set = new Set()));
        set.add(key);
      }
    }
  }
}

/** Changes on top of a base view; `changes` is the batch to commit to the base. */
export class UtxoOverlay implements UtxoView {
  readonly changes: CoinChanges = new Map();

  constructor(private readonly base: CoinView) {}

  getCoin(key: string): Coin | undefined {
    const c = this.changes.get(key);
    return c === null ? undefined : (c ?? this.base.getCoin(key));
  }

  has(key: string): boolean {
    return this.getCoin(key) !== undefined;
  }

  apply(changes: CoinChanges): void {
    for (const [key, coin] of changes) this.changes.set(key, coin);
  }
}

/**
 * Txids whose signatures have been verified. The txid commits to the signatures and, through the outpoints, to
 * the outputs they spend (an outpoint's txid commits to that output's value and script), so a verified txid
 * stays verified in any context: Core's script cache, keyed the same way for the same reason. Bounded; the
 * oldest entries go first.
 */
export class SignatureCache {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 100_000) {}

  has(txid: string): boolean {
    return this.ids.has(txid);
  }

  add(txid: string): void {
    if (this.ids.has(txid)) return;
    this.ids.add(txid);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }
}
