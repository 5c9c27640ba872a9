/**
 * Propagation: what a node does with blocks and transactions that reach it, and where it sends them next.
 *
 * - Receive: a pushed block is validated and connected; a push whose parent is unknown is completed by fetching
 *   the missing segment by block locator from the peer that pushed it, at that peer's registered address (never
 *   at an address a sender names). An unrequested block whose chain has less work than our tip is not stored
 *   (Core's AcceptBlock: it could not become best), and each sender's unrequested blocks are rate-limited.
 * - Sync: bounded in rounds, in answer size and in time, and it stops the moment a round brings nothing new.
 * - Relay: one place decides where a block or transaction goes next (`targets`): every peer not known to have it,
 *   through the link (the simulator's message ports) when it reaches them, else over HTTP, with at most a few pushes
 *   in flight to any one peer.
 * - Punish: only an authenticated sender is charged its reason's ban score (net/peers.ts).
 *
 * It depends on its node through `RelayNode` and never imports the node class.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { AcceptResult, Chain } from '../chain/chain.ts';
import type { BlockEntry } from '../chain/block-tree.ts';
import {
  type Block,
  blockFromJSON,
  blockHash,
  blockToJSON,
  ConsensusError,
  decodeBlock,
  decodeTx,
  encodeBlock,
  encodeTx,
  type Transaction,
  txToJSON,
} from '../consensus/index.ts';
import type { AcceptOutcome } from '../mempool/mempool.ts';
import { type PeerClient, PeerRequestError } from './peer-client.ts';
import { isNodeId, isPeerSecret, type Peer, type PeerSet } from './peers.ts';
import { createRateLimiter, type RateLimiter } from './rate.ts';

export const SEEN_BY_HEADER = 'x-chainsim-seen-by';
export const NODE_ID_HEADER = 'x-chainsim-node-id';
/** The secret a node gave this peer, presented with each push to it: the push is then authenticated. */
export const PEER_SECRET_HEADER = 'x-chainsim-peer-secret';
/** Where the sender says it lives. Only ever informative: a node syncs from a peer's registered address. */
export const NODE_ADDRESS_HEADER = 'x-chainsim-node-address';

/** Most node ids a seen-by list carries. */
export const MAX_SEEN_BY = 256;

/** Bounds of the relay; every one of them is documented in docs and tested. */
export interface RelayLimits {
  /** Blocks per `GET /blocks` request during a sync. */
  readonly syncBatch: number;
  /** Requests of one sync, at most (syncBatch x syncRounds blocks). */
  readonly syncRounds: number;
  /** Bytes of one `GET /blocks` answer, at most. */
  readonly syncAnswerBytes: number;
  /** One sync request's time-out. */
  readonly syncRequestMs: number;
  /** A sync started by a push ends after this, with what it has. */
  readonly pushSyncMs: number;
  /** A push to a peer waits this long for its answer. */
  readonly pushTimeoutMs: number;
  /** HTTP pushes to one peer in flight at once; more are not sent (the peer syncs when it is back). */
  readonly pushesInFlight: number;
  /** Unrequested new blocks a sender may push: `perSecond`, in bursts of `burst`. */
  readonly blocksPerSecond: number;
  readonly blockBurst: number;
}

export const RELAY_LIMITS: RelayLimits = Object.freeze({
  syncBatch: 500,
  syncRounds: 100,
  // 500 blocks of the largest JSON a block may take (a 1 MB block as hex JSON is ~2.3 MB) would be 1 GB: a peer
  // answers a byte budget instead (routes-blocks), and we take a little more than that budget.
  syncAnswerBytes: 40 * 1024 * 1024,
  syncRequestMs: 10_000,
  pushSyncMs: 20_000,
  pushTimeoutMs: 5000,
  pushesInFlight: 4,
  blocksPerSecond: 100,
  blockBurst: 500,
});

/** What the relay needs from its node. */
export interface RelayNode {
  readonly id: string;
  readonly chain: Chain;
  readonly log: Logger;
  address(): string;
  /** Validates and connects a block (and logs as the node logs); throws ConsensusError. */
  accept(block: Block): AcceptResult;
  /** Verifies and pools a transaction; throws ConsensusError (or a policy refusal). */
  acceptTransaction(tx: Transaction): Promise<AcceptOutcome>;
  /** Writes the chain's changes; resolves once they are stored (only then may anything be reported). */
  persist(): Promise<void>;
  /** The best tip whose block is stored (the chain's own tip may be ahead of it). */
  tip(): BlockEntry;
  /** A peer was dropped for misbehaviour: the node stores its peer list again, so a restart does not restore it. */
  peerDropped(): void;
}

/**
 * A road to some peers other than HTTP. In the simulator, the nodes of one process push blocks and transactions
 * to each other through the manager's message ports, serialised as Bitcoin serialises them in its P2P `block` and
 * `tx` messages; the manager names the sender, so a push through the link is authenticated.
 */
export interface PeerLink {
  /** Whether the peer at `address` is reached through this link. */
  reaches(address: string): boolean;
  /**
   * Sends a block or a transaction, with the relay's seen-by list, to the peers at `to`. Resolves once every one
   * of them that is up has handled it (stored it, or refused it), as an HTTP push resolves with its answer.
   */
  push(push: LinkPush): Promise<void>;
}

export interface LinkPush {
  readonly kind: PushKind;
  /** Addresses of the peers to deliver to. */
  readonly to: readonly string[];
  readonly seenBy: readonly string[];
  /** The block's or the transaction's serialisation. */
  readonly bytes: Uint8Array;
}

export type PushKind = 'block' | 'tx';

/** Where a block or transaction came from. */
export interface BlockSource {
  /** The registered peer it came from, authenticated (through the link, or by its secret over HTTP). */
  readonly peer?: Peer | undefined;
  /** A registered peer the sender claims to be, not authenticated: where to sync from, never charged. */
  readonly claimed?: Peer | undefined;
  /** The sender's connection address, for rate limits when it is not an authenticated peer. */
  readonly origin?: string | undefined;
  /** Nodes that already have it (theirs: informative, they only spare pushes). */
  readonly seenBy?: readonly string[] | undefined;
}

export interface ReceiveResult {
  readonly accepted: boolean;
  readonly hash: string;
  readonly height: number;
  readonly tipChanged: boolean;
  /** False when the block was not stored: its chain has less work than our tip (a stale fork). */
  readonly stored: boolean;
}

export interface SyncResult {
  readonly added: number;
  /** Why it stopped early (a network failure, an invalid block, no progress), if it did. */
  readonly stopped?: string;
  /** The peer could not be reached or did not answer in time. */
  readonly unreachable: boolean;
}

export interface SyncReport {
  readonly peersAsked: number;
  readonly synced: boolean;
  readonly blocksAdded: number;
}

export interface PeerTipInfo {
  readonly node: string;
  readonly address: string;
  readonly height: number;
  readonly tip: string;
  readonly chainwork: string;
}

/** A refusal of the relay itself (not of the block's validity). */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly code: 'rate-limited' | 'peer-unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** A peer's hello: the secret to present when pushing to it (`reply`: it wants ours too). */
export interface Hello {
  readonly node: string;
  readonly address: string;
  readonly secret: string;
  readonly reply?: boolean;
}

export interface RelayOptions {
  readonly node: RelayNode;
  readonly peers: PeerSet;
  readonly client: PeerClient;
  readonly link?: PeerLink | null;
  readonly limits?: Partial<RelayLimits>;
  /** ms clock for rate limits. */
  readonly now?: () => number;
}

export class Relay {
  readonly limits: RelayLimits;
  private readonly node: RelayNode;
  private readonly peers: PeerSet;
  private readonly client: PeerClient;
  private readonly link: PeerLink | null;
  private readonly nowMs: () => number;
  private readonly blockRate: RateLimiter;
  private readonly syncing = new Map<string, Promise<SyncResult>>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Hellos answered recently, by peer id (a reply is sent at most once every few seconds). */
  private readonly replied = new Map<string, number>();

  constructor(opts: RelayOptions) {
    this.node = opts.node;
    this.peers = opts.peers;
    this.client = opts.client;
    this.link = opts.link ?? null;
    this.limits = { ...RELAY_LIMITS, ...opts.limits };
    this.nowMs = opts.now ?? Date.now;
    this.blockRate = createRateLimiter({
      perSecond: this.limits.blocksPerSecond,
      burst: this.limits.blockBurst,
    });
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
    if (!this.blockRate.take(rateKey(source), this.nowMs())) {
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

  // --- sync ---

  /**
   * Fetches blocks from `peer` (at its registered address) by locator until it has nothing more for us, a round
   * brings nothing new, `syncRounds` requests were made or `deadlineMs` passed. Never throws: the result says what
   * happened. Concurrent syncs from one peer share one run.
   */
  syncFrom(peer: Peer, opts: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<SyncResult> {
    const running = this.syncing.get(peer.id);
    if (running) return running;
    const run = this.doSyncFrom(peer, opts).finally(() => this.syncing.delete(peer.id));
    this.syncing.set(peer.id, run);
    return run;
  }

  private async doSyncFrom(
    peer: Peer,
    opts: { deadlineMs?: number; signal?: AbortSignal },
  ): Promise<SyncResult> {
    const { syncBatch, syncRounds, syncAnswerBytes, syncRequestMs } = this.limits;
    const until = this.nowMs() + (opts.deadlineMs ?? this.limits.pushSyncMs);
    let added = 0;
    let stopped: string | undefined;
    let unreachable = false;
    // The locator follows what this peer has sent so far, so a side branch still advances the request.
    let from: BlockEntry = this.chain.tip;
    try {
      for (let round = 0; ; round++) {
        if (round >= syncRounds) {
          stopped = `${syncRounds} rounds`;
          break;
        }
        const left = until - this.nowMs();
        if (left <= 0 || opts.signal?.aborted) {
          stopped = 'out of time';
          break;
        }
        const locator = this.chain.tree.locator(from).join(',');
        let answer: { blocks?: unknown };
        try {
          answer = await this.client.request<{ blocks?: unknown }>(
            peer.address,
            `/blocks?locator=${locator}&limit=${syncBatch}`,
            {
              timeoutMs: Math.min(syncRequestMs, left),
              maxBytes: syncAnswerBytes,
              ...(opts.signal ? { signal: opts.signal } : {}),
            },
          );
        } catch (err) {
          unreachable = err instanceof PeerRequestError && err.kind !== 'status' && err.kind !== 'not-json';
          stopped = (err as Error).message;
          break;
        }
        this.peers.seen(peer);
        const blocks = Array.isArray(answer.blocks) ? answer.blocks : [];
        if (blocks.length > syncBatch) {
          stopped = `answered ${blocks.length} blocks for a request of ${syncBatch}`;
          break;
        }
        let fresh = 0;
        for (const [i, json] of blocks.entries()) {
          let result: AcceptResult;
          try {
            result = this.node.accept(blockFromJSON(json, `blocks[${i}]`));
          } catch (err) {
            // A block that does not follow may only mean the peer reorganised between two rounds.
            if (!(err instanceof ConsensusError) || err.reason !== 'prev-blk-not-found')
              this.punish(peer, err);
            stopped = (err as Error).message;
            break;
          }
          if (result.accepted) fresh++;
          from = result.entry;
        }
        added += fresh;
        await this.node.persist();
        if (stopped) break;
        if (blocks.length < syncBatch) break;
        if (fresh === 0) {
          stopped = 'a round brought no new block';
          break;
        }
      }
    } finally {
      await this.node.persist();
    }
    if (added > 0)
      this.node.log.info(
        { peer: peer.address, blocks: added },
        `synced ${added} block(s) from ${peer.address}`,
      );
    if (stopped && added === 0)
      this.node.log.debug(
        { peer: peer.address, why: stopped },
        `sync from ${peer.address} stopped: ${stopped}`,
      );
    return { added, unreachable, ...(stopped ? { stopped } : {}) };
  }

  /**
   * Asks every peer for its tip and syncs from those with more work (the old `GET /block/new`, and the catch-up
   * before `GET /mine`), all within `deadlineMs`: whatever has not answered by then is left behind.
   */
  async syncWithPeers(deadlineMs: number): Promise<SyncReport> {
    const ac = new AbortController();
    // One listener per peer request.
    setMaxListeners(2 * this.peers.maxPeers + 10, ac.signal);
    const timer = setTimeout(() => ac.abort(), deadlineMs);
    const until = this.nowMs() + deadlineMs;
    try {
      const peers = this.peers.list();
      const infos = await Promise.all(
        peers.map((p) =>
          this.client
            .request<PeerTipInfo>(p.address, '/node/id', {
              timeoutMs: Math.min(3000, deadlineMs),
              signal: ac.signal,
            })
            .catch(() => null),
        ),
      );
      let blocksAdded = 0;
      let synced = false;
      for (const [i, info] of infos.entries()) {
        const work = chainworkOf(info);
        if (work === undefined || work <= this.chain.tip.chainwork) continue;
        const left = until - this.nowMs();
        if (left <= 0) break;
        const r = await this.syncFrom(peers[i]!, { deadlineMs: left, signal: ac.signal });
        blocksAdded += r.added;
        if (r.added > 0) synced = true;
        else if (r.stopped) {
          this.node.log.warn(
            { peer: peers[i]!.address, why: r.stopped },
            `sync from ${peers[i]!.address} failed: ${r.stopped}`,
          );
        }
      }
      return { peersAsked: peers.length, synced, blocksAdded };
    } finally {
      clearTimeout(timer);
    }
  }

  // --- relay ---

  /** Pushes a new best block to every peer not known to have it; resolves when every push has answered. */
  announceBlock(block: Block, source: BlockSource = {}): Promise<void> {
    return this.announce(
      'block',
      '/block/new',
      source,
      () => encodeBlock(block),
      () => blockToJSON(block),
    );
  }

  /** Pushes a transaction to every peer not known to have it. */
  announceTx(tx: Transaction, source: BlockSource = {}): Promise<void> {
    return this.announce(
      'tx',
      '/transactions/new',
      source,
      () => encodeTx(tx),
      () => txToJSON(tx),
    );
  }

  /** Resolves when every push started so far has answered (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Where a block or transaction goes next: every peer but the sender and those on its seen-by list. (The network
   * model will decide here which of them a message reaches, and when.)
   */
  targets(source: BlockSource): { targets: Peer[]; seenBy: string[] } {
    const already = new Set([...(source.seenBy ?? []), ...(source.peer ? [source.peer.id] : [])]);
    const targets = this.peers.list().filter((p) => !already.has(p.id));
    const seenBy = [...new Set([...already, this.node.id, ...targets.map((p) => p.id)])].slice(
      0,
      MAX_SEEN_BY,
    );
    return { targets, seenBy };
  }

  private announce(
    kind: PushKind,
    path: string,
    source: BlockSource,
    bytes: () => Uint8Array,
    json: () => unknown,
  ): Promise<void> {
    const { targets, seenBy } = this.targets(source);
    if (targets.length === 0) return Promise.resolve();
    const overHttp: Peer[] = [];
    const linked: string[] = [];
    for (const p of targets) {
      if (this.link?.reaches(p.address)) linked.push(p.address);
      else overHttp.push(p);
    }
    const throughLink =
      linked.length > 0 ? this.link!.push({ kind, to: linked, seenBy, bytes: bytes() }) : null;
    if (overHttp.length === 0) return throughLink ?? Promise.resolve();
    const body = json();
    const run = Promise.all([
      throughLink,
      ...overHttp.map(async (p) => {
        if (p.inFlight >= this.limits.pushesInFlight) {
          this.node.log.debug(
            { peer: p.address },
            `push to ${p.address} skipped: ${p.inFlight} still in flight`,
          );
          return;
        }
        p.inFlight++;
        try {
          await this.client.request(p.address, path, {
            method: 'POST',
            body,
            headers: this.pushHeaders(p, seenBy),
            timeoutMs: this.limits.pushTimeoutMs,
            retries: 1,
          });
          this.peers.seen(p);
        } catch (err) {
          this.node.log.debug(
            { peer: p.address, err: (err as Error).message },
            `${kind} push to ${p.address} failed`,
          );
        } finally {
          p.inFlight--;
        }
      }),
    ]).then(() => undefined);
    this.track(run);
    return run;
  }

  private pushHeaders(peer: Peer, seenBy: readonly string[]): Record<string, string> {
    return {
      [SEEN_BY_HEADER]: seenBy.join(','),
      ...(peer.credential ? { [PEER_SECRET_HEADER]: peer.credential } : {}),
    };
  }

  private track(run: Promise<unknown>): void {
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  // --- introductions (the secret each peer presents) ---

  /**
   * Sends each new HTTP peer its hello: the secret it must present when it pushes to us, to its registered address
   * (so only the node at that address learns it). Peers the link reaches need none. Resolves when each hello has
   * answered or failed; a failed one is tried again a few times in the background.
   */
  async introduce(peers: readonly Peer[]): Promise<void> {
    const http = peers.filter((p) => !this.link?.reaches(p.address));
    await Promise.all(http.map((p) => this.sendHello(p, 0)));
  }

  private async sendHello(peer: Peer, attempt: number): Promise<void> {
    if (this.peers.get(peer.id) !== peer) return;
    const hello: Hello = {
      node: this.node.id,
      address: this.node.address(),
      secret: peer.secret,
      reply: peer.credential === null,
    };
    try {
      await this.client.request(peer.address, '/peers/hello', {
        method: 'POST',
        body: hello,
        timeoutMs: 3000,
      });
    } catch (err) {
      if (attempt >= 4) {
        this.node.log.debug(
          { peer: peer.address, err: (err as Error).message },
          `hello to ${peer.address} failed`,
        );
        return;
      }
      const retry = new Promise<void>((resolve) => {
        setTimeout(() => resolve(this.sendHello(peer, attempt + 1)), 500 * 2 ** attempt).unref();
      });
      this.track(retry);
    }
  }

  /** `POST /peers/hello`: keeps the secret to present to that peer; sends ours back when it asks (rate-limited). */
  onHello(hello: Hello): void {
    const peer = this.peers.acceptCredential(hello.node, hello.address, hello.secret);
    if (!peer || !hello.reply) return;
    const last = this.replied.get(peer.id) ?? -Infinity;
    if (this.nowMs() - last < 5000) return;
    this.replied.set(peer.id, this.nowMs());
    if (this.replied.size > 4 * this.peers.maxPeers) this.replied.delete(this.replied.keys().next().value!);
    void this.sendHello(peer, 0);
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

function chainworkOf(info: PeerTipInfo | null): bigint | undefined {
  if (!info || typeof info.chainwork !== 'string' || !/^[0-9a-f]{1,64}$/i.test(info.chainwork))
    return undefined;
  return BigInt(`0x${info.chainwork}`);
}

/** Checks a hello body: `{ node, address, secret, reply? }`. */
export function parseHello(body: unknown, isAddress: (a: unknown) => boolean): Hello | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  if (!isNodeId(b.node) || !isAddress(b.address) || !isPeerSecret(b.secret)) return null;
  if (b.reply !== undefined && typeof b.reply !== 'boolean') return null;
  return { node: b.node, address: b.address as string, secret: b.secret, reply: b.reply === true };
}
