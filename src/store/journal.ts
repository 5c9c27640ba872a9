/**
 * What changed in a chain since it was last written: the records a store writes as ONE atomic batch, so a
 * crash at any point leaves either the state before or the state after (never half a block, never UTXO
 * changes without their undo data and tip).
 */
import type { Block, Coin, CoinChanges, BlockHeader, DisplayHash } from '../consensus/index.ts';

export type EntryStatusRecord = 'valid-header' | 'valid' | 'invalid';

export interface JournalEntry {
  readonly header: BlockHeader;
  readonly height: number;
  readonly status: EntryStatusRecord;
  /** Set when the block's data became known since the last write. */
  readonly block?: Block;
}

export interface ChainJournal {
  /** Index records to (re)write, by hash. */
  readonly entries: ReadonlyMap<string, JournalEntry>;
  /** UTXO puts (a coin) and deletes (null), the net effect of every connect and disconnect. */
  readonly coins: CoinChanges;
  readonly undoPut: ReadonlyMap<string, readonly Coin[][]>;
  readonly undoDelete: ReadonlySet<string>;
  /** The active tip after these changes, when it moved. */
  readonly tip: DisplayHash | null;
}

/** The state a store hands back on start-up. */
export interface StoredChain {
  readonly tip: DisplayHash;
  readonly entries: ReadonlyArray<{ hash: string } & JournalEntry>;
  readonly coins: ReadonlyArray<readonly [string, Coin]>;
  readonly undo: ReadonlyMap<string, Coin[][]>;
}
