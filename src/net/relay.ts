/**
 * Propagation: what a node does with blocks and transactions that reach it, and where it sends them next.
 *
 * - Receive: a pushed block is validated and connected; a push whose parent is unknown is completed by fetching
 *   the missing segment by block locator from the peer that pushed it, at that peer's registered address (never
 *   at an address a sender names). An unrequested block whose chain has less work than our tip is not stored
 *   (Core's AcceptBlock: it could not become best), and each sender's unrequested blocks are rate-limited.
 * - Sync (sync.ts): bounded in rounds, in answer size and in time; it stops when a round brings nothing new.
 * - Relay (announce.ts): one place decides where a block or transaction goes next.
 * - Introductions (hello.ts): the secret each HTTP peer presents.
 * - Punish: only an authenticated sender is charged its reason's ban score (net/peers.ts).
 *
 * It depends on its node through `RelayNode` and never imports the node class.
 */
import type { Chain } from '../chain/chain.ts';
import {
  type Block,
  blockHash,
  ConsensusError,
  decodeBlock,
  decodeTx,
  type Transaction,
} from '../consensus/index.ts';
import type { AcceptOutcome } from '../mempool/mempool.ts';
import type { AcceptResult } from '../chain/chain.ts';
import { announceBlock, announceTx } from './announce.ts';
import { DelayQueue } from './delay-queue.ts';
import { Gate } from './gate.ts';
import { Introductions } from './hello.ts';
import type { ModelView, NetworkSettings } from './model/types.ts';
import type { PeerClient } from './peer-client.ts';
import { isNodeId, type Peer, type PeerSet } from './peers.ts';
import {
  type BlockSource,
  type Hello,
  type PeerLink,
  type PushKind,
  type ReceiveResult,
  RELAY_LIMITS,
  type RelayContext,
  RelayError,
  type RelayLimits,
  type RelayNode,
  type SyncReport,
  type SyncResult,
} from './protocol.ts';
import { createRateLimiter, type RateLimiter } from './rate.ts';
import { Sync } from './sync.ts';

export * from './protocol.ts';

export interface RelayOptions {
  readonly node: RelayNode;
  readonly peers: PeerSet;
  readonly client: PeerClient;
  readonly link?: PeerLink | null;
  readonly limits?: Partial<RelayLimits>;
  /** ms clock for rate limits. */
  readonly now?: () => number;
  /**
   * The simulator's network model: every message to a node of the simulation asks it first (gate.ts), on both
   * relay paths. Absent: nothing is gated.
   */
  readonly model?: ModelView | null;
  /** The delay queue the model's delays wait in (tests pass one with a fake clock); one of its own by default. */
  readonly delays?: DelayQueue;
  /** ms clock the model is asked with (default: performance.now). */
  readonly modelNow?: () => number;
}

export class Relay {
  readonly limits: RelayLimits;
  private readonly ctx: RelayContext;
  private readonly node: RelayNode;
  private readonly peers: PeerSet;
  private readonly blockRate: RateLimiter;
  private readonly sync: Sync;
  private readonly intros: Introductions;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(opts: RelayOptions) {
    this.node = opts.node;
    this.peers = opts.peers;
    this.limits = { ...RELAY_LIMITS, ...opts.limits };
    const gate = opts.model
      ? new Gate(opts.client, {
          model: opts.model,
          self: () => opts.node.address(),
          now: opts.modelNow ?? (() => performance.now()),
          queue: opts.delays ?? new DelayQueue(),
        })
      : null;
    this.ctx = {
      node: opts.node,
      peers: opts.peers,
      client: gate ? gate.client : opts.client,
      link: opts.link ?? null,
      gate,
      limits: this.limits,
      nowMs: opts.now ?? Date.now,
      track: (run) => {
        this.pending.add(run);
        void run.finally(() => this.pending.delete(run));
      },
    };
    this.blockRate = createRateLimiter({
      perSecond: this.limits.blocksPerSecond,
      burst: this.limits.blockBurst,
    });
    this.sync = new Sync(this.ctx, (peer, err) => this.punish(peer, err));
    this.intros = new Introductions(this.ctx);
  }

  private get chain(): Chain {
    return this.node.chain;
  }

  // --- receive ---

  /**
   * A block pushed by a peer (or a user): validate, connect, store, relay. When the parent is unknown and the
   * sender is a registered peer, fetch the missing segment from it by locator first. Throws ConsensusError, or a
   * RelayError (rate-limited; the missing blocks could not be fetched).
   */
  async receiveBlock(block: Block, source: BlockSource = {}): Promise<ReceiveResult> {
    const hash = blockHash(block);
    const known = this.chain.get(hash);
    if (known?.status === 'valid')
      return { accepted: false, hash, height: known.height, tipChanged: false, stored: true };
    if (!this.blockRate.take(rateKey(source), this.ctx.nowMs())) {
      throw new RelayError(
        'rate-limited',
        `more than ${this.limits.blocksPerSecond} new blocks a second from this sender: slow down`,
      );
    }
    const tipBefore = this.chain.tip;
    const stale = this.staleFork(block);
    if (stale) return { accepted: false, hash, height: stale.height, tipChanged: false, stored: false };
    let result: AcceptResult;
    try {
      try {
        result = this.node.accept(block);
      } catch (err) {
        const from = source.peer ?? source.claimed;
        if (!(err instanceof ConsensusError) || err.reason !== 'prev-blk-not-found' || !from) {
          this.punish(source.peer, err);
          throw err;
        }
        const sync = await this.syncFrom(from, { deadlineMs: this.limits.pushSyncMs });
        if (this.chain.get(block.header.prevHash)?.status !== 'valid' && sync.unreachable) {
          throw new RelayError(
            'peer-unavailable',
            `the parent of ${hash} is unknown and its blocks could not be fetched from ${from.address}`,
          );
        }
        try {
          result = this.node.accept(block);
        } catch (again) {
          this.punish(source.peer, again);
          throw again;
        }
      }
    } finally {
      // Also after a rejection: an invalid block's status is remembered across restarts.
      await this.node.persist();
    }
    const tipChanged = this.chain.tip !== tipBefore;
    // The sync may have connected this very block already: relay the best stored tip. Not the chain's tip: a
    // block mined on this one meanwhile may still wait for its write (and is relayed once written).
    if (tipChanged) void this.announceBlock(this.chain.getBlock(this.node.tip().hash)!, source);
    return {
      accepted: result.accepted || (tipChanged && this.chain.isActive(result.entry)),
      hash: result.entry.hash,
      height: result.entry.height,
      tipChanged,
      stored: true,
    };
  }

  /**
   * An unrequested block on a known parent whose chain has less work than our tip: it could not become best, so it
   * is not stored (Core's AcceptBlock for blocks nobody asked for). Returns the height it would have had.
   */
  private staleFork(block: Block): { height: number } | null {
    let work: bigint | undefined;
    try {
      work = this.chain.tree.chainworkIfAdded(block.header);
    } catch {
      return null; // bad bits: the ordinary checks say so
    }
    if (work === undefined || work >= this.chain.tip.chainwork) return null;
    const parent = this.chain.get(block.header.prevHash)!;
    return { height: parent.height + 1 };
  }

  /**
   * A transaction from a user or a peer: into the mempool, then relayed to peers (with any orphans it unblocked).
   * Throws ConsensusError when refused; an authenticated sender is charged the reason's score.
   */
  async receiveTransaction(tx: Transaction, source: BlockSource = {}): Promise<AcceptOutcome> {
    let outcome: AcceptOutcome;
    try {
      outcome = await this.node.acceptTransaction(tx);
    } catch (err) {
      // A spent or immature input may only mean the peer's chain differs from ours (a race with a block, a fork):
      // like Core with missing inputs, that costs the peer nothing. Bad signatures, values and scripts do.
      if (!(err instanceof ConsensusError) || !STATE_DEPENDENT.has(err.reason)) this.punish(source.peer, err);
      throw err;
    }
    if (outcome.status === 'accepted') {
      for (const entry of outcome.accepted)
        void this.announceTx(entry.tx, entry.txid === outcome.txid ? source : {});
    }
    return outcome;
  }

  /**
   * A block or transaction a peer pushed through the link (the manager named the sender, so it is authenticated
   * when that is a registered peer at that address): handled exactly as the same push over HTTP. No answer goes
   * back, so a refusal is logged here, at the level the sender logs a refused HTTP push.
   */
  async receivePushed(
    kind: PushKind,
    bytes: Uint8Array,
    from: { readonly id: string; readonly address: string },
    seenBy: readonly string[] = [],
  ): Promise<void> {
    const registered = this.peers.get(from.id);
    const peer = registered?.address === from.address ? registered : undefined;
    const source: BlockSource = { peer, origin: `link:${from.id}`, seenBy: seenBy.filter(isNodeId) };
    try {
      if (kind === 'block') await this.receiveBlock(decodeBlock(bytes), source);
      else await this.receiveTransaction(decodeTx(bytes), source);
    } catch (err) {
      this.node.log.debug(
        { peer: from.address, kind, err: (err as Error).message },
        `${kind === 'block' ? 'block' : 'transaction'} from ${from.address} refused: ${(err as Error).message}`,
      );
    }
  }

  /** Charges an authenticated peer the ban score of a consensus rejection; drops it at the threshold. */
  punish(peer: Peer | undefined, err: unknown): void {
    if (!peer || !(err instanceof ConsensusError) || err.score <= 0) return;
    if (this.peers.get(peer.id) !== peer) return;
    if (this.peers.misbehaving(peer.id, err.score)) {
      this.node.peerDropped();
      this.node.log.warn(
        { peer: peer.id, address: peer.address, reason: err.reason },
        `dropped peer ${peer.address}: misbehaviour score reached the limit`,
      );
    } else {
      this.node.log.warn(
        { peer: peer.id, reason: err.reason, score: peer.score },
        `peer ${peer.address} sent invalid data (${err.reason})`,
      );
    }
  }

  // --- sync, relay, introductions (sync.ts, announce.ts, hello.ts) ---

  /** See Sync.syncFrom. */
  syncFrom(peer: Peer, opts: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<SyncResult> {
    return this.sync.syncFrom(peer, opts);
  }

  /** See Sync.syncWithPeers. */
  syncWithPeers(deadlineMs: number): Promise<SyncReport> {
    return this.sync.syncWithPeers(deadlineMs);
  }

  /** Pushes a new best block to every peer not known to have it; resolves when every push has answered. */
  announceBlock(block: Block, source: BlockSource = {}): Promise<void> {
    return announceBlock(this.ctx, block, source);
  }

  /** Pushes a transaction to every peer not known to have it. */
  announceTx(tx: Transaction, source: BlockSource = {}): Promise<void> {
    return announceTx(this.ctx, tx, source);
  }

  /** Resolves when every push and hello started so far has answered (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** The network model, if the node has one. */
  get model(): ModelView | null {
    return this.ctx.gate?.model ?? null;
  }

  /**
   * The link to `peer` has just come back (a heal, a restart): exchange tips as Bitcoin nodes do on connecting. Our
   * hello goes again if the HTTP handshake did not get through, then we sync from the peer by locator (it does
   * the same from us, so both end on the most-work tip) and announce a new tip to our other peers.
   */
  async reconnect(peer: Peer): Promise<SyncResult> {
    if (!this.ctx.link?.reaches(peer.address)) await this.intros.reintroduce(peer);
    const before = this.node.tip();
    const result = await this.syncFrom(peer);
    const tip = this.node.tip();
    const block = tip !== before ? this.chain.getBlock(tip.hash) : undefined;
    if (block) void this.announceBlock(block, { peer });
    this.node.log.info(
      { peer: peer.address, blocks: result.added, ...(result.stopped ? { why: result.stopped } : {}) },
      `link to ${peer.address} is back: synced ${result.added} block(s)`,
    );
    return result;
  }

  /**
   * New network settings from the manager: the model follows them at once (no restart), then the node exchanges
   * tips with each registered peer at a `reconnect` address (see reconnect). Resolves when those are done.
   */
  async updateNetwork(settings: NetworkSettings, reconnect: readonly string[]): Promise<void> {
    const gate = this.ctx.gate;
    if (!gate) return;
    gate.model.update(settings);
    const peers = reconnect.map((a) => this.peers.byAddress(a)).filter((p): p is Peer => p !== undefined);
    await Promise.all(peers.map((p) => this.reconnect(p)));
  }

  /** Shutdown: drops every message the model's delays still hold (their requests fail as cancelled). */
  close(): void {
    this.ctx.gate?.queue.cancelAll();
  }

  /** Sends each new HTTP peer its hello (see Introductions). */
  introduce(peers: readonly Peer[]): Promise<void> {
    return this.intros.introduce(peers);
  }

  /** `POST /peers/hello`. */
  onHello(hello: Hello): void {
    this.intros.onHello(hello);
  }
}

/** Transaction refusals that depend on this node's chain, not on the transaction alone. */
const STATE_DEPENDENT: ReadonlySet<string> = new Set([
  'bad-txns-inputs-missingorspent',
  'bad-txns-premature-spend-of-coinbase',
]);

function rateKey(source: BlockSource): string {
  return source.peer ? `peer:${source.peer.id}` : `addr:${source.origin ?? 'local'}`;
}
