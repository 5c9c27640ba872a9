/**
 * The node's write queue and its durable tip. The chain changes in memory first (the miner must leave a stale
 * template at once); each `persist()` writes the changes since the last one as ONE store batch and only then moves
 * the durable tip to the tip that batch holds. Everything that reports a tip follows the durable one, so nothing
 * acknowledges a block before it is stored (docs/persistence.md).
 */
import type { Logger } from 'pino';
import type { BlockEntry, ReorgPath } from '../chain/block-tree.ts';
import type { Chain } from '../chain/chain.ts';
import type { BlockHeader } from '../consensus/index.ts';
import type { ChainJournal } from '../store/journal.ts';
import type { ChainStore } from '../store/store.ts';

export type DurableTipListener = (tip: BlockEntry, path: ReorgPath) => void;

/** A block whose data has just been written (on any branch). */
export interface StoredBlockInfo {
  readonly hash: string;
  readonly header: BlockHeader;
  readonly height: number;
}

export type StoredBlockListener = (block: StoredBlockInfo) => void;

export class ChainWriter {
  private readonly chain: Chain;
  private readonly store: ChainStore | null;
  private readonly log: Logger;
  private writing: Promise<void> = Promise.resolve();
  private durable: BlockEntry;
  private readonly listeners = new Set<DurableTipListener>();
  private readonly storedListeners = new Set<StoredBlockListener>();

  constructor(opts: { chain: Chain; store: ChainStore | null; log: Logger }) {
    this.chain = opts.chain;
    this.store = opts.store;
    this.log = opts.log;
    this.durable = opts.chain.tip;
  }

  /** The best tip whose block is stored. */
  get tip(): BlockEntry {
    return this.durable;
  }

  /** Called when the durable tip moves, with the path from the previous one. */
  onTip(listener: DurableTipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once for every block whose data a write has just stored (any branch), lowest first. */
  onStored(listener: StoredBlockListener): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  /**
   * Writes the chain's changes since the last write as one atomic batch, then moves the durable tip to the tip
   * that batch holds. Writes are queued in order; with no store the tip moves at once.
   */
  persist(): Promise<void> {
    if (!this.store) {
      this.reportStored(this.chain.takeJournal());
      this.markDurable(this.chain.tip);
      return Promise.resolve();
    }
    const store = this.store;
    const run = this.writing.then(async () => {
      const tip = this.chain.tip;
      const journal = this.chain.takeJournal();
      if (journal) await store.write(journal);
      this.reportStored(journal);
      this.markDurable(tip);
    });
    this.writing = run.catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, `writing to ${store.location} failed`);
    });
    return run;
  }

  /** Resolves once every write queued so far has finished. */
  idle(): Promise<void> {
    return this.writing;
  }

  /** Active-chain entries from `from` (inclusive), at most `limit`, up to the durable tip. */
  range(from = 0, limit = Number.POSITIVE_INFINITY): BlockEntry[] {
    const d = this.durable;
    const last = Math.min(d.height, from + limit - 1);
    if (this.chain.isActive(d)) return this.chain.range(from, Math.max(0, last - from + 1));
    const out: BlockEntry[] = [];
    let e: BlockEntry | null = d;
    while (e && e.height > last) e = e.prev;
    for (; e && e.height >= from; e = e.prev) out.push(e);
    return out.reverse();
  }

  /** The journal's new block data, to the onStored listeners (genesis is not news). */
  private reportStored(journal: ChainJournal | null): void {
    if (!journal || this.storedListeners.size === 0) return;
    const stored: StoredBlockInfo[] = [];
    for (const [hash, e] of journal.entries)
      if (e.block && e.height > 0) stored.push({ hash, header: e.header, height: e.height });
    stored.sort((a, b) => a.height - b.height);
    for (const b of stored) for (const l of this.storedListeners) l(b);
  }

  private markDurable(tip: BlockEntry): void {
    if (tip === this.durable) return;
    const path = this.chain.tree.reorgPath(this.durable, tip);
    this.durable = tip;
    for (const l of this.listeners) l(tip, path);
  }
}

/** The log line for a move of the durable tip: a new tip, or a reorg with how many blocks went out and came in. */
export function logTipMove(log: Logger, tip: BlockEntry, path: ReorgPath): void {
  if (path.disconnect.length > 0) {
    log.info(
      {
        from: path.disconnect[0]!.hash,
        to: tip.hash,
        disconnected: path.disconnect.length,
        connected: path.connect.length,
      },
      `reorg: ${path.disconnect.length} block(s) out, ${path.connect.length} in, tip ${tip.height}`,
    );
  } else {
    log.info({ hash: tip.hash, height: tip.height }, `new tip ${tip.height} ${tip.hash.slice(0, 16)}`);
  }
}
