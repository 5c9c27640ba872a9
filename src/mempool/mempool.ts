/**
 * The transaction pool and its policy (Core's CTxMemPool and MemPoolAccept, much reduced): which loose
 * transactions a node keeps, relays and mines. Stateful, no I/O; time comes in through `clock`.
 *
 * - A transaction is accepted when it passes the consensus rules against the UTXO set plus the pool's own
 *   outputs (a child may spend a parent still in the pool), pays at least the minimum relay fee rate, and
 *   spends nothing another pool transaction spends (`txn-mempool-conflict`: no replacement).
 * - One whose parent is unknown waits in a bounded orphan pool until the parent arrives (Core's orphanage).
 * - The pool is size-limited: past `maxBytes`, the transactions with the lowest descendant fee rate go first,
 *   with their descendants; a newcomer that would itself go (or lose a parent) is refused (`mempool full`).
 *   A refusal never changes anything.
 * - Templates take transactions by ancestor fee rate (Core's CreateNewBlock, ancestor packages), and a parent
 *   always comes before its child.
 * - On each chain update it drops what the new blocks confirmed or conflicted with; after a reorg it puts the
 *   disconnected transactions back and re-checks everything against the new tip.
 *
 * The orphan pool is in orphans.ts, the package fee-rate maths of eviction and selection in packages.ts.
 */
import type { Chain, ChainUpdate } from '../chain/chain.ts';
import {
  type Coin,
  type CoinView,
  checkOutputScripts,
  checkSignatures,
  checkTransaction,
  checkTxInputs,
  ConsensusError,
  displayFromInternal,
  encodeTx,
  hash256,
  isCoinbase,
  keyOf,
  outpointKey,
  parseOutpointKey,
  type SchnorrVerify,
  type SignatureCheck,
  signatureChecks,
  type Transaction,
  txid as txidOf,
} from '../consensus/index.ts';
import type { MempoolEntry } from './entry.ts';
import { createOrphanage, type Orphanage } from './orphans.ts';
import { descendants, planEviction, selectByAncestorFeeRate, type Selection } from './packages.ts';
import { PolicyError } from './policy.ts';

export type { MempoolEntry } from './entry.ts';
export type { Selection } from './packages.ts';

export interface MempoolOptions {
  readonly chain: Chain;
  /** BIP-340 verification of the signatures accept() checks itself (the node's composition chooses it). */
  readonly verifySchnorr: SchnorrVerify;
  /** Minimum fee in units per byte (Core's -minrelaytxfee, which is per kvB). Default 1. */
  readonly minRelayFeeRate?: bigint;
  /** Size limit of the pool in serialised bytes. Default 10 MB. */
  readonly maxBytes?: number;
  /** Orphans held at most (Core DEFAULT_MAX_ORPHAN_TRANSACTIONS). Default 100. */
  readonly maxOrphans?: number;
  /** Seconds an orphan waits for its parent (Core ORPHAN_TX_EXPIRE_TIME). Default 1200. */
  readonly orphanExpiry?: number;
  /** Unix seconds. */
  readonly clock?: () => number;
}

export type AcceptOutcome =
  | {
      readonly status: 'accepted';
      readonly txid: string;
      readonly fee: bigint;
      readonly size: number;
      /** This transaction, then any orphans it unblocked, in acceptance order (what to relay). */
      readonly accepted: readonly MempoolEntry[];
    }
  | { readonly status: 'orphan'; readonly txid: string; readonly missing: readonly string[] };

export class Mempool {
  readonly chain: Chain;
  readonly minRelayFeeRate: bigint;
  readonly maxBytes: number;
  private readonly clock: () => number;
  private readonly verifySchnorr: SchnorrVerify;
  private readonly entries = new Map<string, MempoolEntry>();
  /**
   * Serialised size and txid of each transaction object validated, so that the node's two passes over one
   * transaction (pendingSignatures, then accept) serialise and hash it once. Weak: it never holds a transaction.
   */
  private readonly identities = new WeakMap<Transaction, { readonly id: string; readonly size: number }>();
  /** Outpoint key -> txid of the pool transaction spending it. */
  private readonly spentBy = new Map<string, string>();
  private readonly orphans: Orphanage;
  private bytesValue = 0;
  private nextSeq = 0;
  private readonly unsubscribe: () => void;

  constructor(opts: MempoolOptions) {
    this.chain = opts.chain;
    this.verifySchnorr = opts.verifySchnorr;
    this.minRelayFeeRate = opts.minRelayFeeRate ?? 1n;
    this.maxBytes = opts.maxBytes ?? 10_000_000;
    this.clock = opts.clock ?? (() => Math.floor(Date.now() / 1000));
    this.orphans = createOrphanage({
      maxOrphans: opts.maxOrphans ?? 100,
      expiry: opts.orphanExpiry ?? 1200,
      clock: this.clock,
    });
    this.unsubscribe = this.chain.onUpdate((u) => this.update(u));
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.bytesValue;
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  has(txid: string): boolean {
    return this.entries.has(txid);
  }

  get(txid: string): MempoolEntry | undefined {
    return this.entries.get(txid);
  }

  hasOrphan(txid: string): boolean {
    return this.orphans.has(txid);
  }

  /** Entries in arrival order (parents before children). */
  list(): MempoolEntry[] {
    return [...this.entries.values()];
  }

  /** The pool transaction spending `key` (`txid:vout`), if any. */
  spender(key: string): string | undefined {
    return this.spentBy.get(key);
  }

  /** Stops listening to the chain. */
  close(): void {
    this.unsubscribe();
  }

  /** The UTXO set as the pool sees it: confirmed coins, plus outputs of pool transactions. */
  view(): CoinView {
    const height = this.chain.height + 1;
    return {
      getCoin: (key) => {
        const coin = this.chain.utxos.getCoin(key);
        if (coin) return coin;
        const { txid, vout } = parseOutpointKey(key);
        const out = this.entries.get(txid)?.tx.outputs[vout];
        return out ? { value: out.value, script: out.script, height, coinbase: false } : undefined;
      },
    };
  }

  /** Unspent outputs paying `script` in the pool (not yet confirmed, not spent by another pool transaction). */
  pendingCoins(script: Uint8Array): Array<[string, Coin]> {
    const out: Array<[string, Coin]> = [];
    const height = this.chain.height + 1;
    for (const e of this.entries.values()) {
      e.tx.outputs.forEach((o, vout) => {
        const key = outpointKey(e.txid, vout);
        if (
          o.script.length === script.length &&
          o.script.every((b, i) => b === script[i]) &&
          !this.spentBy.has(key)
        ) {
          out.push([key, { value: o.value, script: o.script, height, coinbase: false }]);
        }
      });
    }
    return out;
  }

  /**
   * Validates and adds a transaction; then any orphans waiting for it. Throws ConsensusError (a rule broken)
   * or PolicyError (this pool's policy) with Core's reason when it is refused; the pool is then unchanged. A transaction with an unknown parent is held as
   * an orphan (`status: 'orphan'`).
   */
  accept(tx: Transaction): AcceptOutcome {
    const outcome = this.acceptOne(tx);
    if (outcome.status !== 'accepted') return outcome;
    return { ...outcome, accepted: [outcome.accepted[0]!, ...this.resolveOrphans(outcome.txid)] };
  }

  /**
   * What accept() would have to verify for `tx`: its signature checks and txid, or null when there is nothing
   * (its signatures are already verified, or it is an orphan, whose signatures are checked when its parent
   * arrives). Throws the error accept() would throw for any other rule, and changes nothing. This lets
   * a node verify in another thread first (node/verifier.ts), mark the txid verified, then accept.
   */
  pendingSignatures(tx: Transaction): { txid: string; checks: SignatureCheck[] } | null {
    const v = this.validate(tx);
    if (v.kind === 'orphan' || this.chain.signatureCache.has(v.id)) return null;
    return { txid: v.id, checks: signatureChecks(tx, v.spent) };
  }

  /** Every rule but the signatures, against the pool's view; no changes. */
  private validate(
    tx: Transaction,
  ):
    | { kind: 'orphan'; id: string; size: number; missing: string[] }
    | { kind: 'valid'; id: string; size: number; fee: bigint; spent: Coin[] } {
    let identity = this.identities.get(tx);
    if (!identity) {
      const bytes = encodeTx(tx);
      identity = { id: displayFromInternal(hash256(bytes)), size: bytes.length };
      this.identities.set(tx, identity);
    }
    const { id, size } = identity;
    if (this.entries.has(id))
      throw new PolicyError('txn-already-in-mempool', `transaction ${id} is already in the mempool`);
    const params = this.chain.params;
    checkTransaction(tx, params.maxBlockSize);
    if (isCoinbase(tx)) throw new PolicyError('coinbase', 'a coinbase is only valid in its block');
    checkOutputScripts(tx.outputs);
    if (this.chain.findTx(id))
      throw new PolicyError('txn-already-known', `transaction ${id} is already confirmed`);
    for (const input of tx.inputs) {
      const other = this.spentBy.get(keyOf(input.prevout));
      if (other) {
        throw new PolicyError(
          'txn-mempool-conflict',
          `input ${keyOf(input.prevout)} is already spent by ${other} in the mempool`,
        );
      }
    }
    const view = this.view();
    const missing = new Set<string>();
    for (const input of tx.inputs) {
      if (view.getCoin(keyOf(input.prevout))) continue;
      const parent = input.prevout.txid;
      // A parent we know (confirmed, or in the pool) whose output is gone: spent or never there.
      if (this.entries.has(parent) || this.chain.findTx(parent)) {
        throw new ConsensusError(
          'bad-txns-inputs-missingorspent',
          `${keyOf(input.prevout)} is spent or does not exist`,
        );
      }
      missing.add(parent);
    }
    if (missing.size > 0) return { kind: 'orphan', id, size, missing: [...missing] };
    const { fee, spent } = checkTxInputs(tx, view, this.chain.height + 1, params);
    const minFee = this.minRelayFeeRate * BigInt(size);
    if (fee < minFee) {
      throw new PolicyError(
        'min relay fee not met',
        `the fee is ${fee}; this node needs at least ${minFee} (${this.minRelayFeeRate} per byte x ${size} bytes)`,
      );
    }
    return { kind: 'valid', id, size, fee, spent };
  }

  private acceptOne(tx: Transaction): AcceptOutcome {
    const v = this.validate(tx);
    if (v.kind === 'orphan') {
      this.orphans.add(tx, v.id, v.size, v.missing);
      return { status: 'orphan', txid: v.id, missing: v.missing };
    }
    const { id, fee, spent, size } = v;
    if (!this.chain.signatureCache.has(id)) {
      checkSignatures(tx, spent, this.verifySchnorr);
      this.chain.signatureCache.add(id);
    }
    const parents = new Set<string>();
    for (const input of tx.inputs) if (this.entries.has(input.prevout.txid)) parents.add(input.prevout.txid);
    const space = { bytes: this.bytesValue, maxBytes: this.maxBytes };
    const evict = planEviction(this.entries, space, { size, fee, parents });
    for (const victim of evict) this.removeWithDescendants(victim);
    const entry: MempoolEntry = {
      tx,
      txid: id,
      size,
      fee,
      time: this.clock(),
      seq: this.nextSeq++,
      parents,
      children: new Set(),
    };
    this.insert(entry);
    return { status: 'accepted', txid: id, fee, size, accepted: [entry] };
  }

  private insert(entry: MempoolEntry): void {
    this.entries.set(entry.txid, entry);
    this.bytesValue += entry.size;
    for (const input of entry.tx.inputs) this.spentBy.set(keyOf(input.prevout), entry.txid);
    for (const p of entry.parents) this.entries.get(p)?.children.add(entry.txid);
  }

  /** Removes one entry (its children stay, now without this parent in the pool). */
  private removeEntry(id: string): MempoolEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.bytesValue -= entry.size;
    for (const input of entry.tx.inputs) {
      const key = keyOf(input.prevout);
      if (this.spentBy.get(key) === id) this.spentBy.delete(key);
    }
    for (const p of entry.parents) this.entries.get(p)?.children.delete(id);
    for (const c of entry.children) this.entries.get(c)?.parents.delete(id);
    return entry;
  }

  private removeWithDescendants(id: string): void {
    for (const d of descendants(this.entries, id)) this.removeEntry(d);
  }

  // --- orphans ---

  /** Accepts the orphans waiting on `parent` (and on what they unblock in turn). */
  private resolveOrphans(parent: string): MempoolEntry[] {
    const accepted: MempoolEntry[] = [];
    const queue = [parent];
    while (queue.length > 0) {
      const p = queue.shift()!;
      for (const id of this.orphans.waitingOn(p)) {
        const orphan = this.orphans.remove(id);
        if (!orphan) continue;
        try {
          const r = this.acceptOne(orphan.tx);
          if (r.status === 'accepted') {
            accepted.push(r.accepted[0]!);
            queue.push(id);
          }
        } catch {
          // Invalid after all: dropped, like Core's orphanage does.
        }
      }
    }
    return accepted;
  }

  // --- block templates ---

  /** Transactions for a block of at most `maxBytes` of them, by ancestor fee rate (see packages.ts). */
  select(maxBytes: number): Selection {
    return selectByAncestorFeeRate(this.entries, maxBytes);
  }

  // --- chain updates ---

  private update(u: ChainUpdate): void {
    if (u.disconnected.length === 0) {
      for (const { block } of u.connected) this.removeForBlock(block.txs);
      // Orphans waiting for a transaction that was confirmed instead of relayed.
      for (const { block } of u.connected) for (const tx of block.txs) this.resolveOrphans(txidOf(tx));
      return;
    }
    // A reorg: the disconnected transactions come back first (lowest block first), then everything that was
    // in the pool, all re-checked against the new tip; what no longer fits (confirmed, conflicting, immature,
    // spending a vanished coin) drops out.
    const resurrect: Transaction[] = [];
    for (const { block } of [...u.disconnected].reverse()) resurrect.push(...block.txs.slice(1));
    const old = this.list().map((e) => e.tx);
    for (const e of this.list()) this.removeEntry(e.txid);
    for (const tx of [...resurrect, ...old]) {
      try {
        const r = this.acceptOne(tx);
        if (r.status === 'accepted') this.resolveOrphans(r.txid);
      } catch {
        // Confirmed on the new branch, or in conflict with it: gone.
      }
    }
    for (const { block } of u.connected) for (const tx of block.txs) this.resolveOrphans(txidOf(tx));
  }

  /** Core removeForBlock: drop what the block confirmed, and whatever conflicts with it (with descendants). */
  private removeForBlock(txs: readonly Transaction[]): void {
    for (const tx of txs.slice(1)) {
      const id = txidOf(tx);
      this.removeEntry(id);
      this.orphans.remove(id);
      for (const input of tx.inputs) {
        const other = this.spentBy.get(keyOf(input.prevout));
        if (other && other !== id) this.removeWithDescendants(other);
      }
    }
  }
}

export function createMempool(opts: MempoolOptions): Mempool {
  return new Mempool(opts);
}
