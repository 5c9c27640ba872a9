/**
 * A node's chain: the block tree, the active chain, the UTXO set with undo data per block, and the events.
 * Stateful, no I/O; time comes in as `now`. Everything a node learns goes through `acceptBlock`.
 *
 * The tree chooses candidates (most work); the chain moves to them as Core's ActivateBestChain does: it
 * disconnects the old branch with each block's undo data and connects the new one, all on an overlay of the
 * UTXO set. If a block fails to connect (a double spend, a bad signature, an overpaying coinbase), nothing is
 * committed: the block is marked invalid in the tree (with its descendants), the previous active chain stays
 * exactly as it was, and the next best candidate is tried.
 *
 * Every change is also journalled (`takeJournal`): new index entries and status changes, the UTXO puts and
 * deletes, undo data and the tip, which a store writes as one atomic batch.
 */
import {
  type Block,
  ConsensusError,
  type Coin,
  type CoinChanges,
  checkSignatures,
  connectBlock,
  disconnectBlock,
  type DisplayHash,
  type NetworkParams,
  type SchnorrVerify,
  type Transaction,
  txid,
} from '../consensus/index.ts';
import { type BlockEntry, BlockTree, type ChainTip, type ReorgPath } from './block-tree.ts';
import type { ChainJournal, JournalEntry, StoredChain } from '../store/journal.ts';
import { SignatureCache, UtxoOverlay, UtxoSet } from './utxo.ts';

export interface AcceptResult {
  readonly entry: BlockEntry;
  /** False when the block was already known (valid). */
  readonly accepted: boolean;
  /** Set when the active tip moved: what was disconnected and connected. */
  readonly reorg: ReorgPath | null;
}

export interface ConnectedBlock {
  readonly entry: BlockEntry;
  readonly block: Block;
}

/** One move of the active chain, with the blocks themselves (what the mempool needs). */
export interface ChainUpdate {
  readonly tip: BlockEntry;
  readonly path: ReorgPath;
  /** Tip first. */
  readonly disconnected: readonly ConnectedBlock[];
  /** Lowest first. */
  readonly connected: readonly ConnectedBlock[];
}

export type TipListener = (tip: BlockEntry, path: ReorgPath) => void;
export type UpdateListener = (update: ChainUpdate) => void;

/** Where a confirmed transaction is. */
export interface TxLocation {
  readonly block: DisplayHash;
  readonly height: number;
  readonly index: number;
}

export interface ChainOptions {
  readonly params: NetworkParams;
  /**
   * BIP-340 verification of the signatures in connected blocks. Chosen by the composition (a node passes
   * libsecp256k1, node/verifier.ts `fastVerifySchnorr`); consensus' own `verifySchnorr` (noble) works too.
   */
  readonly verifySchnorr: SchnorrVerify;
  /** Shared with the mempool, so a transaction verified on arrival is not verified again in its block. */
  readonly signatureCache?: SignatureCache;
}

export class Chain {
  readonly tree: BlockTree;
  readonly utxos = new UtxoSet();
  readonly signatureCache: SignatureCache;
  readonly verifySchnorr: SchnorrVerify;
  private readonly tipListeners = new Set<TipListener>();
  private readonly updateListeners = new Set<UpdateListener>();
  private active: BlockEntry[];
  /** Core's CBlockUndo for each block of the active chain (genesis has none: its coinbase is never spendable). */
  private readonly undo = new Map<string, Coin[][]>();
  private readonly txIndex = new Map<string, TxLocation>();

  /** Changes not yet written to a store (see takeJournal). */
  private journal = emptyJournal();

  constructor(opts: ChainOptions) {
    this.tree = new BlockTree({ params: opts.params });
    this.signatureCache = opts.signatureCache ?? new SignatureCache();
    this.verifySchnorr = opts.verifySchnorr;
    this.active = [this.tree.genesis];
    this.tree.onChange = (entry, block) => this.noteEntry(entry, block);
  }

  /**
   * A chain rebuilt from this node's store: index entries (parents first), the UTXO set, undo data and the
   * tip, without validating again what was validated before it was written.
   */
  static restore(opts: ChainOptions, stored: StoredChain): Chain {
    const chain = new Chain(opts);
    const tree = chain.tree;
    tree.onChange = null;
    const sorted = [...stored.entries].sort((a, b) => a.height - b.height);
    for (const e of sorted) {
      if (e.hash === tree.genesis.hash) continue;
      tree.restoreEntry(e.hash as DisplayHash, e.header, e.status, e.block);
    }
    const tip = tree.get(stored.tip);
    if (!tip) throw new Error(`the stored tip ${stored.tip} is not in the stored block index`);
    tree.restoreTip(tip);
    chain.utxos.apply(new Map(stored.coins));
    chain.active = [];
    for (let e: BlockEntry | null = tip; e; e = e.prev) chain.active.push(e);
    chain.active.reverse();
    for (const e of chain.active) {
      if (e.height === 0) continue;
      const undo = stored.undo.get(e.hash);
      if (!undo) throw new Error(`undo data of active block ${e.hash} (height ${e.height}) is missing`);
      chain.undo.set(e.hash, undo);
      chain
        .blockOf(e)
        .txs.forEach((tx, index) => chain.txIndex.set(txid(tx), { block: e.hash, height: e.height, index }));
    }
    tree.onChange = (entry, block) => chain.noteEntry(entry, block);
    return chain;
  }

  private noteEntry(entry: BlockEntry, block?: Block): void {
    const before = this.journal.entries.get(entry.hash);
    this.journal.entries.set(entry.hash, { entry, block: block ?? before?.block });
  }

  /** The changes since the last call, for a store to write as one batch; null when nothing changed. */
  takeJournal(): ChainJournal | null {
    const j = this.journal;
    if (j.entries.size === 0 && j.coins.size === 0 && j.tip === null && j.undoDelete.size === 0) return null;
    this.journal = emptyJournal();
    const entries = new Map<string, JournalEntry>();
    for (const [hash, { entry, block }] of j.entries) {
      entries.set(hash, {
        header: entry.header,
        height: entry.height,
        status: entry.status,
        ...(block && entry.status === 'valid' ? { block } : {}),
      });
    }
    return { entries, coins: j.coins, undoPut: j.undoPut, undoDelete: j.undoDelete, tip: j.tip };
  }

  get params(): NetworkParams {
    return this.tree.params;
  }

  get tip(): BlockEntry {
    return this.active[this.active.length - 1]!;
  }

  get height(): number {
    return this.active.length - 1;
  }

  get genesis(): BlockEntry {
    return this.tree.genesis;
  }

  /** Called after the tip moves (after the update listeners). */
  onTip(listener: TipListener): () => void {
    this.tipListeners.add(listener);
    return () => this.tipListeners.delete(listener);
  }

  /** Called first when the tip moves, with the blocks disconnected and connected (the mempool listens here). */
  onUpdate(listener: UpdateListener): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /**
   * Validates and adds a block; moves the tip if it now has the most work. Throws ConsensusError, including
   * when the block (or an ancestor it needs) fails to connect to the UTXO set; the chain is then unchanged.
   */
  acceptBlock(block: Block, now: number): AcceptResult {
    const { entry, isNew } = this.tree.addBlock(block, now);
    if (!isNew) return { entry, accepted: false, reorg: null };
    const reorg = this.activateBestChain(entry);
    return { entry, accepted: true, reorg };
  }

  /**
   * Core ActivateBestChain: move to the tree's best candidate; when a block on the way fails, invalidate it and
   * try again with the next best. Throws the failure if it struck `entry` or one of its ancestors.
   */
  private activateBestChain(entry: BlockEntry): ReorgPath | null {
    const start = this.tip;
    let failure: ConsensusError | null = null;
    for (;;) {
      const best = this.tree.tip;
      if (best === this.tip) break;
      const failed = this.tryReorg(this.tree.reorgPath(this.tip, best));
      if (!failed) break;
      this.tree.invalidate(failed.entry);
      if (entry.status === 'invalid' && !failure) failure = failed.error;
    }
    const path = this.tip === start ? null : this.tree.reorgPath(start, this.tip);
    if (path) this.emit(path);
    if (failure) throw failure;
    return path;
  }

  /** Applies a reorg path on an overlay; commits it all, or nothing and returns the block that failed. */
  private tryReorg(path: ReorgPath): { entry: BlockEntry; error: ConsensusError } | null {
    const overlay = new UtxoOverlay(this.utxos);
    for (const e of path.disconnect) {
      overlay.apply(disconnectBlock(this.blockOf(e), this.undo.get(e.hash)!));
    }
    const connected: Array<{ entry: BlockEntry; undo: Coin[][]; txids: string[] }> = [];
    for (const e of path.connect) {
      try {
        const r = connectBlock(this.blockOf(e), e.height, overlay, this.params, {
          verify: (tx, spent, id) => this.verify(tx, spent, id),
        });
        overlay.apply(r.changes);
        connected.push({ entry: e, undo: r.undo, txids: r.txids });
      } catch (err) {
        if (err instanceof ConsensusError) return { entry: e, error: err };
        throw err;
      }
    }
    // Commit: nothing below can fail.
    this.utxos.apply(overlay.changes);
    for (const e of path.disconnect) {
      this.undo.delete(e.hash);
      for (const tx of this.blockOf(e).txs) {
        const id = txid(tx);
        if (this.txIndex.get(id)?.block === e.hash) this.txIndex.delete(id);
      }
    }
    for (const [key, coin] of overlay.changes) this.journal.coins.set(key, coin);
    for (const e of path.disconnect) {
      this.journal.undoPut.delete(e.hash);
      this.journal.undoDelete.add(e.hash);
    }
    for (const c of connected) {
      this.journal.undoDelete.delete(c.entry.hash);
      this.journal.undoPut.set(c.entry.hash, c.undo);
    }
    this.journal.tip = path.connect.at(-1)?.hash ?? path.fork.hash;
    for (const c of connected) {
      this.undo.set(c.entry.hash, c.undo);
      c.txids.forEach((id, index) =>
        this.txIndex.set(id, { block: c.entry.hash, height: c.entry.height, index }),
      );
    }
    this.active.length = path.fork.height + 1;
    for (const e of path.connect) this.active.push(e);
    return null;
  }

  private verify(tx: Transaction, spent: readonly Coin[], id: string): void {
    if (this.signatureCache.has(id)) return;
    checkSignatures(tx, spent, this.verifySchnorr);
    this.signatureCache.add(id);
  }

  private blockOf(entry: BlockEntry): Block {
    const block = this.tree.getBlock(entry.hash);
    if (!block) throw new Error(`block data of ${entry.hash} (height ${entry.height}) is missing`);
    return block;
  }

  private emit(path: ReorgPath): void {
    const update: ChainUpdate = {
      tip: this.tip,
      path,
      disconnected: path.disconnect.map((entry) => ({ entry, block: this.blockOf(entry) })),
      connected: path.connect.map((entry) => ({ entry, block: this.blockOf(entry) })),
    };
    for (const l of this.updateListeners) l(update);
    for (const l of this.tipListeners) l(this.tip, path);
  }

  /** The active-chain entry at `height`, if any. */
  at(height: number): BlockEntry | undefined {
    return this.active[height];
  }

  get(hash: string): BlockEntry | undefined {
    return this.tree.get(hash);
  }

  getBlock(hash: string): Block | undefined {
    return this.tree.getBlock(hash);
  }

  isActive(entry: BlockEntry): boolean {
    return this.active[entry.height] === entry;
  }

  /** Where a transaction sits in the active chain, if it is confirmed there. */
  findTx(txid: string): TxLocation | undefined {
    return this.txIndex.get(txid);
  }

  /** The undo data of an active block (for persistence and tests). */
  undoOf(hash: string): readonly Coin[][] | undefined {
    return this.undo.get(hash);
  }

  /** Active entries from `from` (inclusive), at most `limit`. */
  range(from = 0, limit = Number.POSITIVE_INFINITY): BlockEntry[] {
    return this.active.slice(from, limit === Number.POSITIVE_INFINITY ? undefined : from + limit);
  }

  locator(): DisplayHash[] {
    return this.tree.locator(this.tip);
  }

  /**
   * The fork point for a peer's locator (Core FindForkInGlobalIndex): the first locator hash on our active
   * chain, else genesis.
   */
  forkPoint(locator: readonly string[]): BlockEntry {
    for (const hash of locator) {
      const e = this.tree.get(hash);
      if (e && this.isActive(e)) return e;
    }
    return this.tree.genesis;
  }

  /** Every chain tip (Core getchaintips); costs the tips and their branch lengths, not the whole tree. */
  tips(): ChainTip[] {
    return this.tree.tips((leaf) => {
      let e: BlockEntry = leaf;
      while (!this.isActive(e)) e = e.prev!;
      return e;
    });
  }
}

interface MutableJournal {
  entries: Map<string, { entry: BlockEntry; block: Block | undefined }>;
  coins: CoinChanges;
  undoPut: Map<string, Coin[][]>;
  undoDelete: Set<string>;
  tip: DisplayHash | null;
}

function emptyJournal(): MutableJournal {
  return { entries: new Map(), coins: new Map(), undoPut: new Map(), undoDelete: new Set(), tip: null };
}

export function createChain(opts: ChainOptions): Chain {
  return new Chain(opts);
}
