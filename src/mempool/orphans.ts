/**
 * The orphan pool (Core's TxOrphanage): transactions whose parent is unknown, held until it arrives. Bounded
 * (the oldest go first), expiring, indexed by the missing parent. It only holds; the mempool accepts an orphan
 * once its parent is in. Stateful, no I/O; time comes in through `clock`.
 */
import { ConsensusError, type Transaction } from '../consensus/index.ts';

export interface Orphan {
  readonly tx: Transaction;
  readonly txid: string;
  readonly expires: number;
  readonly missing: readonly string[];
}

export interface OrphanageOptions {
  /** Orphans held at most (Core DEFAULT_MAX_ORPHAN_TRANSACTIONS). */
  readonly maxOrphans: number;
  /** Seconds an orphan waits for its parent (Core ORPHAN_TX_EXPIRE_TIME). */
  readonly expiry: number;
  /** Unix seconds. */
  readonly clock: () => number;
}

/** Orphans bigger than this are not kept (Core: MAX_STANDARD_TX_WEIGHT / 4). */
const MAX_ORPHAN_SIZE = 100_000;

export class Orphanage {
  private readonly maxOrphans: number;
  private readonly expiry: number;
  private readonly clock: () => number;
  private readonly orphans = new Map<string, Orphan>();
  private readonly orphansByParent = new Map<string, Set<string>>();

  constructor(opts: OrphanageOptions) {
    this.maxOrphans = opts.maxOrphans;
    this.expiry = opts.expiry;
    this.clock = opts.clock;
  }

  get size(): number {
    return this.orphans.size;
  }

  has(txid: string): boolean {
    return this.orphans.has(txid);
  }

  /**
   * Holds `tx` until its `missing` parents arrive (nothing when it is held already), making room by expiry,
   * then oldest first. Throws `bad-txns-inputs-missingorspent` for one too big to hold.
   */
  add(tx: Transaction, id: string, size: number, missing: readonly string[]): void {
    if (this.orphans.has(id)) return;
    if (size > MAX_ORPHAN_SIZE) {
      throw new ConsensusError(
        'bad-txns-inputs-missingorspent',
        `an orphan of ${size} bytes is too big to hold`,
      );
    }
    this.expire();
    while (this.orphans.size >= this.maxOrphans) this.remove(this.orphans.keys().next().value!);
    this.orphans.set(id, { tx, txid: id, expires: this.clock() + this.expiry, missing });
    for (const parent of missing) {
      let set = this.orphansByParent.get(parent);
      if (!set) this.orphansByParent.set(parent, (set = new Set()));
      set.add(id);
    }
  }

  remove(id: string): Orphan | undefined {
    const o = this.orphans.get(id);
    if (!o) return undefined;
    this.orphans.delete(id);
    for (const parent of o.missing) {
      const set = this.orphansByParent.get(parent);
      set?.delete(id);
      if (set?.size === 0) this.orphansByParent.delete(parent);
    }
    return o;
  }

  /** The txids of the orphans waiting on `parent` (a copy: removing them while iterating is safe). */
  waitingOn(parent: string): string[] {
    return [...(this.orphansByParent.get(parent) ?? [])];
  }

  private expire(): void {
    const now = this.clock();
    for (const o of [...this.orphans.values()]) if (o.expires <= now) this.remove(o.txid);
  }
}

export function createOrphanage(opts: OrphanageOptions): Orphanage {
  return new Orphanage(opts);
}
