/**
 * The block tree: every valid header or block this node has seen, each with its height and cumulative work,
 * and the rules for choosing between branches. Stateful, but no I/O: time comes in as `now`.
 *
 * Fork choice is Bitcoin's: the most cumulative work wins, never the most blocks, and between equal work the
 * block that arrived first stays (Core's nSequenceId). An invalid block takes all its descendants down with
 * it; a mutated block or one too far in the future is rejected without being remembered, so the genuine
 * block can still arrive later (see consensus/errors.ts `remember`). The walks over entries (ancestors, forks,
 * reorg paths, tips, locators) are in walks.ts; the methods here apply them to this tree.
 */
import {
  type Block,
  blockHash,
  checkBlock,
  checkBlockContext,
  checkHeaderContext,
  checkProofOfWorkAgainst,
  ConsensusError,
  decodeBlock,
  type DisplayHash,
  hashHeader,
  type BlockHeader,
  type NetworkParams,
  type PowTarget,
  powTargetFromBits,
} from '../consensus/index.ts';
import type { BlockEntry, EntryStatus } from './entry.ts';
import { isBetterTip } from './fork-choice.ts';
import * as walks from './walks.ts';
import type { ChainTip, ReorgPath } from './walks.ts';

export type { BlockEntry, EntryStatus } from './entry.ts';
export type { ChainTip, ReorgPath } from './walks.ts';

export interface AddResult {
  readonly entry: BlockEntry;
  /** False when the header (or block) was already known. */
  readonly isNew: boolean;
}

export interface BlockTreeOptions {
  readonly params: NetworkParams;
}

/** Hashes of refused headers remembered at most; a forgotten one is only checked again when it comes back. */
export const MAX_INVALID_HASHES = 10_000;

/** Core's "better" order (fork-choice.ts): more work first, then earlier arrival of the header or the data. */
function betterThan(a: BlockEntry, b: BlockEntry, useData: boolean): boolean {
  return useData
    ? isBetterTip(a.chainwork, a.dataSeq, b.chainwork, b.dataSeq)
    : isBetterTip(a.chainwork, a.seq, b.chainwork, b.seq);
}

export class BlockTree {
  readonly params: NetworkParams;
  readonly genesis: BlockEntry;
  private readonly entries = new Map<string, BlockEntry>();
  private readonly blocks = new Map<string, Block>();
  /** Hashes rejected for a reason that proves them bad, so a resend is refused at once (the latest ones). */
  private readonly invalidHashes = new Set<string>();
  /**
   * Targets (with their work) of the bits values of accepted headers, resolved once: a chain has one per
   * retarget period. Only accepted headers add to it, so junk headers cannot grow it.
   */
  private readonly powTargets = new Map<number, PowTarget>();
  /** Entries without children: the tips of every branch (so listing tips costs the tips, not the tree). */
  private readonly leafSet = new Set<BlockEntry>();
  private nextSeq = 0;
  private best: BlockEntry;
  private bestHeaderEntry: BlockEntry;
  /** Told about every new entry and every status change (the chain journals them for the store). */
  onChange: ((entry: BlockEntry, block?: Block) => void) | null = null;

  constructor(opts: BlockTreeOptions) {
    this.params = opts.params;
    const block = decodeBlock(this.params.genesisBlock);
    const hash = blockHash(block);
    if (hash !== this.params.genesisHash) {
      throw new Error(
        `genesis of ${this.params.name} hashes to ${hash}, expected ${this.params.genesisHash}`,
      );
    }
    this.genesis = this.makeEntry(block.header, hash, null);
    this.genesis.status = 'valid';
    this.genesis.dataSeq = this.nextSeq++;
    this.blocks.set(hash, block);
    this.best = this.genesis;
    this.bestHeaderEntry = this.genesis;
  }

  /** The active tip: the most-work block whose data is valid. */
  get tip(): BlockEntry {
    return this.best;
  }

  /** The most-work valid header, with or without data (what `headers verify` follows). */
  get bestHeader(): BlockEntry {
    return this.bestHeaderEntry;
  }

  get size(): number {
    return this.entries.size;
  }

  get(hash: string): BlockEntry | undefined {
    return this.entries.get(hash);
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  getBlock(hash: string): Block | undefined {
    return this.blocks.get(hash);
  }

  isKnownInvalid(hash: string): boolean {
    return this.invalidHashes.has(hash) || this.entries.get(hash)?.status === 'invalid';
  }

  /** Keeps the latest MAX_INVALID_HASHES (a header that misses its target costs its sender nothing to make). */
  private rememberInvalid(hash: string): void {
    this.invalidHashes.delete(hash);
    this.invalidHashes.add(hash);
    if (this.invalidHashes.size > MAX_INVALID_HASHES)
      this.invalidHashes.delete(this.invalidHashes.values().next().value!);
  }

  private powTarget(bits: number): PowTarget {
    return this.powTargets.get(bits) ?? powTargetFromBits(bits, this.params);
  }

  private makeEntry(header: BlockHeader, hash: DisplayHash, prev: BlockEntry | null): BlockEntry {
    const target = this.powTarget(header.bits);
    if (!this.powTargets.has(header.bits)) this.powTargets.set(header.bits, target);
    const entry: BlockEntry = {
      hash,
      header,
      height: prev ? prev.height + 1 : 0,
      time: header.time,
      bits: header.bits,
      chainwork: (prev?.chainwork ?? 0n) + target.work,
      prev,
      seq: this.nextSeq++,
      dataSeq: Number.POSITIVE_INFINITY,
      status: 'valid-header',
      children: [],
    };
    this.entries.set(hash, entry);
    prev?.children.push(entry);
    if (prev) this.leafSet.delete(prev);
    this.leafSet.add(entry);
    return entry;
  }

  /** Every entry without children (valid or not). */
  leaves(): IterableIterator<BlockEntry> {
    return this.leafSet.values();
  }

  /**
   * The chainwork `header` would have if it were added, without adding anything: undefined when its parent is
   * not known. Throws `bad-diffbits` for bits that do not decode.
   */
  chainworkIfAdded(header: BlockHeader): bigint | undefined {
    const prev = this.entries.get(header.prevHash);
    return prev ? prev.chainwork + this.powTarget(header.bits).work : undefined;
  }

  /**
   * Validates a header against its parent and adds it (Core AcceptBlockHeader). Throws a ConsensusError;
   * a rejection that proves the header bad is remembered, so the same header is refused at once next time.
   */
  addHeader(header: BlockHeader, now: number, hash: DisplayHash = hashHeader(header)): AddResult {
    const known = this.entries.get(hash);
    if (known) {
      if (known.status === 'invalid') throw new ConsensusError('duplicate-invalid', hash);
      return { entry: known, isNew: false };
    }
    const prev = this.checkNewHeader(header, now, hash);
    return { entry: this.insertHeader(header, hash, prev), isNew: true };
  }

  /** The checks of a header not in the tree yet; returns its parent. */
  private checkNewHeader(header: BlockHeader, now: number, hash: DisplayHash): BlockEntry {
    if (this.invalidHashes.has(hash)) throw new ConsensusError('duplicate-invalid', hash);
    const prev = this.entries.get(header.prevHash);
    if (!prev) {
      if (header.prevHash === '0'.repeat(64)) {
        throw new ConsensusError(
          'bad-genesis',
          `${hash} is not the ${this.params.name} genesis ${this.params.genesisHash}`,
        );
      }
      throw new ConsensusError('prev-blk-not-found', `parent ${header.prevHash} of ${hash} is unknown`);
    }
    try {
      if (prev.status === 'invalid')
        throw new ConsensusError('bad-prevblk', `parent ${prev.hash} is invalid`);
      checkProofOfWorkAgainst(hash, this.powTarget(header.bits));
      checkHeaderContext(header, prev, this.params, now);
    } catch (err) {
      if (err instanceof ConsensusError && err.remember) this.rememberInvalid(hash);
      throw err;
    }
    return prev;
  }

  private insertHeader(header: BlockHeader, hash: DisplayHash, prev: BlockEntry): BlockEntry {
    const entry = this.makeEntry(header, hash, prev);
    if (betterThan(entry, this.bestHeaderEntry, false)) this.bestHeaderEntry = entry;
    this.onChange?.(entry);
    return entry;
  }

  /**
   * Validates a whole block and adds it (Core AcceptBlock): its header, then the body rules. The parent's
   * data must already be known. A body that proves the block bad marks it and all its descendants invalid; one
   * that does not (a mutated body: the genuine block has the same header) leaves nothing behind, not even the
   * header, or any header with valid work could be stored by sending it with a wrong merkle root.
   */
  addBlock(block: Block, now: number): AddResult {
    const hash = blockHash(block);
    const known = this.entries.get(hash);
    if (known?.status === 'valid') return { entry: known, isNew: false };
    const parent = this.entries.get(block.header.prevHash);
    if (parent && parent.status === 'valid-header') {
      throw new ConsensusError('prev-blk-not-found', `the data of parent ${parent.hash} is not known yet`);
    }
    if (known?.status === 'invalid') throw new ConsensusError('duplicate-invalid', hash);
    const prev = known ? known.prev! : this.checkNewHeader(block.header, now, hash);
    try {
      checkBlock(block, this.params, hash);
      checkBlockContext(block, prev.height + 1);
    } catch (err) {
      if (err instanceof ConsensusError && err.remember)
        this.invalidate(known ?? this.insertHeader(block.header, hash, prev));
      throw err;
    }
    const entry = known ?? this.insertHeader(block.header, hash, prev);
    entry.status = 'valid';
    entry.dataSeq = this.nextSeq++;
    this.blocks.set(hash, block);
    if (betterThan(entry, this.best, true)) this.best = entry;
    this.onChange?.(entry, block);
    return { entry, isNew: true };
  }

  /** Marks `entry` and every descendant invalid, then re-chooses the best tip if it was among them. */
  invalidate(entry: BlockEntry): void {
    const stack = [entry];
    while (stack.length > 0) {
      const e = stack.pop()!;
      e.status = 'invalid';
      this.rememberInvalid(e.hash);
      this.blocks.delete(e.hash);
      this.onChange?.(e);
      stack.push(...e.children);
    }
    if (this.best.status === 'invalid' || this.bestHeaderEntry.status === 'invalid') this.rechoose();
  }

  /**
   * Puts back an entry read from this node's own store, without validating it again (it was validated
   * before it was written). Parents first. Returns the entry.
   */
  restoreEntry(hash: DisplayHash, header: BlockHeader, status: EntryStatus, block?: Block): BlockEntry {
    const prev = this.entries.get(header.prevHash);
    if (!prev) throw new Error(`stored block ${hash} names parent ${header.prevHash}, which is not stored`);
    const entry = this.makeEntry(header, hash, prev);
    if (status === 'valid' && block) {
      entry.status = 'valid';
      entry.dataSeq = this.nextSeq++;
      this.blocks.set(hash, block);
      if (betterThan(entry, this.best, true)) this.best = entry;
    } else if (status === 'invalid' || prev.status === 'invalid') {
      entry.status = 'invalid';
      this.rememberInvalid(hash);
    }
    if (entry.status !== 'invalid' && betterThan(entry, this.bestHeaderEntry, false))
      this.bestHeaderEntry = entry;
    return entry;
  }

  /** After a restore: the tip the store recorded (it wins a tie it won before the restart). */
  restoreTip(entry: BlockEntry): void {
    if (entry.status !== 'valid') throw new Error(`stored tip ${entry.hash} has no valid data`);
    if (entry.chainwork >= this.best.chainwork) this.best = entry;
  }

  private rechoose(): void {
    let best = this.genesis;
    let bestHeader = this.genesis;
    for (const e of this.entries.values()) {
      if (e.status === 'invalid') continue;
      if (betterThan(e, bestHeader, false)) bestHeader = e;
      if (e.status === 'valid' && betterThan(e, best, true)) best = e;
    }
    this.best = best;
    this.bestHeaderEntry = bestHeader;
  }

  /** The ancestor of `entry` at `height`. */
  ancestor(entry: BlockEntry, height: number): BlockEntry {
    return walks.ancestor(entry, height);
  }

  /** The last common ancestor of two entries (Core LastCommonAncestor). */
  findFork(a: BlockEntry, b: BlockEntry): BlockEntry {
    return walks.findFork(a, b);
  }

  /** What to disconnect and connect to move the chain from `from` to `to`. */
  reorgPath(from: BlockEntry, to: BlockEntry): ReorgPath {
    return walks.reorgPath(from, to);
  }

  /** True when `entry` is on the active chain. */
  isActive(entry: BlockEntry): boolean {
    return walks.isOnChain(entry, this.best);
  }

  /** The active chain from genesis to the tip. */
  activeChain(): BlockEntry[] {
    return walks.chainTo(this.best);
  }

  /**
   * Every leaf of the tree and the active tip, like Core's getchaintips. `forkOf` finds where a leaf meets the
   * active chain (the chain passes a constant-time one; by default it walks back from both ends).
   */
  tips(forkOf: (e: BlockEntry) => BlockEntry = (e) => walks.findFork(e, this.best)): ChainTip[] {
    return walks.chainTips(this.leafSet, this.best, forkOf);
  }

  /** A block locator for `entry` (Core CChain::GetLocator), the active tip by default. */
  locator(entry: BlockEntry = this.best): DisplayHash[] {
    return walks.locator(entry);
  }
}

export function createBlockTree(opts: BlockTreeOptions): BlockTree {
  return new BlockTree(opts);
}
