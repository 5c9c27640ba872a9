/**
 * One chainsim node: its chain, peers, miner and behaviour. The HTTP routes (http/) are a thin layer over
 * this object; the worker entry (worker.ts) and tests create it with `createNode`.
 *
 * Propagation: a node that accepts a new best block pushes it to its peers (`POST /block/new`), telling them
 * which nodes it already sent it to (`x-chainsim-seen-by`), so in a full mesh nobody relays twice. A peer that
 * lacks the parent fetches only the missing segment from the sender with a block locator
 * (`GET /blocks?locator=`), never the whole chain. Peers that a `PeerLink` reaches (the other nodes of the same
 * simulator) get the same pushes through it instead of HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { type AcceptResult, type Chain, createChain } from '../chain/chain.ts';
import {
  addressFromKey,
  type Block,
  blockFromJSON,
  blockHash,
  type BlockJSON,
  blockSubsidy,
  blockToJSON,
  ConsensusError,
  decodeBlock,
  decodeTx,
  encodeBlock,
  encodeTx,
  type NetworkParams,
  type Transaction,
  txToJSON,
} from '../consensus/index.ts';
import { createMempool, type AcceptOutcome, type Mempool, type MempoolOptions } from '../mempool/mempool.ts';
import { createMiner, type Miner, type TemplateContent } from '../mining/miner.ts';
import type { TemplateParent } from '../mining/template.ts';
import type { PowClient } from '../mining/scheduler.ts';
import { createMemoryKeyStore, type KeyStore } from './keys.ts';
import { isNodeId, type Peer, PeerHttpError, PeerSet } from './peers.ts';
import type { ChainStore } from '../store/store.ts';
import { inlineVerifier, type SignatureVerifier } from './verifier.ts';

export const SEEN_BY_HEADER = 'x-chainsim-seen-by';
export const NODE_ID_HEADER = 'x-chainsim-node-id';
export const NODE_ADDRESS_HEADER = 'x-chainsim-node-address';
/** Blocks per `GET /blocks` answer during sync. */
export const SYNC_BATCH = 500;
const MAX_SEEN_BY = 256;
/** Transaction refusals that depend on this node's chain, not on the transaction alone. */
const STATE_DEPENDENT: ReadonlySet<string> = new Set([
  'bad-txns-inputs-missingorspent',
  'bad-txns-premature-spend-of-coinbase',
]);

export interface NodeOptions {
  readonly params: NetworkParams;
  readonly pow: PowClient;
  readonly logger: Logger;
  /** 32 hex chars; random when omitted. */
  readonly id?: string;
  /** Unix seconds. */
  readonly clock?: () => number;
  /** Peer request timeout. */
  readonly peerTimeoutMs?: number;
  /** Text in this node's coinbases. */
  readonly coinbaseMessage?: string;
  /** The mining key; a fresh random one in memory when omitted. */
  readonly keys?: KeyStore;
  /** Mempool policy (minimum relay fee rate, size limit, orphans). */
  readonly mempool?: Omit<MempoolOptions, 'chain' | 'clock'>;
  /** A chain restored from `store` (see openNode); a fresh one from genesis when omitted. */
  readonly chain?: Chain;
  /** Where chain changes are written before they are acknowledged; none keeps everything in memory. */
  readonly store?: ChainStore;
  /**
   * Where the signatures of received transactions are verified; the node closes it. Default: inline, in the
   * node's own thread (node/verifier.ts).
   */
  readonly verifier?: SignatureVerifier;
  /** A road to some peers other than HTTP (the simulator's message ports); HTTP for every peer when omitted. */
  readonly link?: PeerLink;
}

/**
 * A road to some peers other than HTTP. In the simulator, the nodes of one process push blocks and transactions
 * to each other through the manager's message ports (node/worker.ts), serialised as Bitcoin serialises them in
 * its P2P `block` and `tx` messages, instead of over `POST /block/new` and `POST /transactions/new`: the same
 * push and the same checks, without an HTTP request and a JSON rendering per peer. The receiver hands what it
 * gets to `receivePushed`.
 */
export interface PeerLink {
  /** Whether the peer at `address` is reached through this link. */
  reaches(address: string): boolean;
  /** Sends a block or a transaction, with the relay's seen-by list, to the peers at `to`. */
  push(push: LinkPush): void;
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

/** Bytes of a block kept for the header, the coinbase and the transaction count (Core reserves 1000 too). */
export const BLOCK_RESERVED_BYTES = 1000;

/** The sender of a pushed block or transaction, from the relay headers (absent for a plain user request). */
export function blockSourceOf(headers: Record<string, unknown>): BlockSource {
  const text = (name: string): string | undefined => {
    const v = headers[name];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  return {
    id: text(NODE_ID_HEADER),
    address: text(NODE_ADDRESS_HEADER),
    seenBy: text(SEEN_BY_HEADER)?.split(',').filter(isNodeId),
  };
}

/** Where a block came from, when a peer pushed it. */
export interface BlockSource {
  readonly id?: string | undefined;
  readonly address?: string | undefined;
  readonly seenBy?: readonly string[] | undefined;
}

export interface ReceiveResult {
  readonly accepted: boolean;
  readonly hash: string;
  readonly height: number;
  readonly tipChanged: boolean;
}

export interface SyncReport {
  readonly peersAsked: number;
  readonly synced: boolean;
  readonly blocksAdded: number;
}

export interface PeerTipInfo {
  node: string;
  address: string;
  height: number;
  tip: string;
  chainwork: string;
}

export class ChainsimNode {
  readonly id: string;
  readonly params: NetworkParams;
  readonly chain: Chain;
  readonly peers: PeerSet;
  readonly miner: Miner;
  readonly mempool: Mempool;
  readonly log: Logger;
  /** bech32m address of the mining key: where this node's coinbases pay. */
  readonly miningAddress: string;
  private addressValue = '127.0.0.1:0';
  private readonly clock: () => number;
  private mining: Promise<unknown> = Promise.resolve();
  private continuous: AbortController | null = null;
  private readonly payoutScript: Uint8Array;
  private readonly txRelaying = new Set<Promise<void>>();
  private readonly syncing = new Map<string, Promise<number>>();
  readonly store: ChainStore | null;
  readonly verifier: SignatureVerifier;
  private readonly link: PeerLink | null;
  private writing: Promise<void> = Promise.resolve();
  blocksMined = 0;
  /** Hash of the last block this node mined (set before it is connected, so tip listeners can tell). */
  lastMinedHash = '';

  constructor(opts: NodeOptions) {
    this.id = opts.id ?? randomBytes(16).toString('hex');
    this.params = opts.params;
    this.log = opts.logger;
    this.clock = opts.clock ?? (() => Math.floor(Date.now() / 1000));
    this.chain = opts.chain ?? createChain({ params: opts.params });
    this.store = opts.store ?? null;
    this.verifier = opts.verifier ?? inlineVerifier;
    this.link = opts.link ?? null;
    this.peers = new PeerSet({
      selfId: this.id,
      selfAddress: () => this.addressValue,
      defaultTimeoutMs: opts.peerTimeoutMs ?? 5000,
      identity: () => ({ [NODE_ID_HEADER]: this.id, [NODE_ADDRESS_HEADER]: this.addressValue }),
    });
    this.mempool = createMempool({ ...opts.mempool, chain: this.chain, clock: this.clock });
    const key = (opts.keys ?? createMemoryKeyStore()).miningKey();
    this.payoutScript = key.script;
    this.miningAddress = addressFromKey(key.publicKey, this.params);
    this.miner = createMiner({
      chain: { params: this.params, tip: () => this.chain.tip, onTip: (l) => this.chain.onTip(l) },
      pow: opts.pow,
      clock: this.clock,
      content: (parent) => this.blockContent(parent, this.payoutScript),
      message: opts.coinbaseMessage ?? `chainsim ${this.id.slice(0, 8)}`,
    });
  }

  get address(): string {
    return this.addressValue;
  }

  set address(value: string) {
    this.addressValue = value;
  }

  now(): number {
    return this.clock();
  }

  /**
   * What a block on `parent` carries: the mempool's best transactions by fee rate, and a coinbase paying
   * `script` the subsidy plus their fees. The mempool is relative to our tip; on any other parent (a race with
   * a tip change, rebuilt at once by the miner) the block carries the coinbase alone.
   */
  blockContent(parent: TemplateParent, script: Uint8Array): TemplateContent {
    const height = parent.height + 1;
    const selection =
      parent.hash === this.chain.tip.hash
        ? this.mempool.select(this.params.maxBlockSize - BLOCK_RESERVED_BYTES)
        : { txs: [], fees: 0n };
    return {
      coinbaseOutputs: [{ value: blockSubsidy(height, this.params) + selection.fees, script }],
      txs: selection.txs,
    };
  }

  /** `GET /node/id`. */
  info(): PeerTipInfo & {
    nodes: Record<string, string>;
    network: string;
    miningAddress: string;
    mempool: { count: number; bytes: number };
  } {
    const tip = this.chain.tip;
    return {
      node: this.id,
      address: this.address,
      nodes: this.peers.toRecord(),
      height: tip.height,
      tip: tip.hash,
      chainwork: tip.chainwork.toString(16).padStart(64, '0'),
      network: this.params.name,
      miningAddress: this.miningAddress,
      mempool: { count: this.mempool.size, bytes: this.mempool.bytes },
    };
  }

  /**
   * A transaction from a user or a peer: into the mempool, then relayed to peers (with any orphans it
   * unblocked). Every rule but the signatures is checked first, in this thread; then the signatures, by the
   * verifier (possibly another thread); then the mempool accepts it, checking everything again against the
   * pool as it is by then (a conflicting transaction may have won meanwhile) but not the signatures, which the
   * signature cache now vouches for. Throws ConsensusError when refused; the sender is penalised by the
   * reason's score.
   */
  async receiveTransaction(tx: Transaction, source: BlockSource = {}): Promise<AcceptOutcome> {
    let outcome: AcceptOutcome;
    try {
      const pending = this.mempool.pendingSignatures(tx);
      if (pending) {
        const bad = await this.verifier.firstInvalid(pending.checks);
        if (bad >= 0) {
          throw new ConsensusError(
            'mandatory-script-verify-flag-failed',
            `input ${bad}: invalid Schnorr signature (${pending.txid})`,
          );
        }
        this.chain.signatureCache.add(pending.txid);
      }
      outcome = this.mempool.accept(tx);
    } catch (err) {
      // A spent or immature input may only mean the peer's chain differs from ours (a race with a block, a
      // fork): like Core with missing inputs, that costs the peer nothing. Bad signatures, values and scripts do.
      if (!(err instanceof ConsensusError) || !STATE_DEPENDENT.has(err.reason)) this.punish(source.id, err);
      throw err;
    }
    if (outcome.status === 'accepted') {
      for (const entry of outcome.accepted)
        void this.relayTx(entry.tx, entry.txid === outcome.txid ? source : {});
    }
    return outcome;
  }

  /** Pushes a transaction to every peer not known to have it (`POST /transactions/new` with seen-by). */
  relayTx(tx: Transaction, source: BlockSource = {}): Promise<void> {
    const already = new Set([...(source.seenBy ?? []), ...(source.id ? [source.id] : [])]);
    const targets = this.peers.list().filter((p) => !already.has(p.id));
    if (targets.length === 0) return Promise.resolve();
    const seenBy = [...new Set([...already, this.id, ...targets.map((p) => p.id)])].slice(0, MAX_SEEN_BY);
    const overHttp = this.pushOverLink('tx', targets, seenBy, () => encodeTx(tx));
    if (overHttp.length === 0) return Promise.resolve();
    const body = txToJSON(tx);
    const run = Promise.all(
      overHttp.map((p) =>
        this.peers
          .request(p.address, '/transactions/new', {
            method: 'POST',
            body,
            headers: { [SEEN_BY_HEADER]: seenBy.join(',') },
          })
          .catch((err: unknown) => {
            this.log.debug(
              { peer: p.address, err: (err as Error).message },
              `tx push to ${p.address} failed`,
            );
          }),
      ),
    ).then(() => undefined);
    this.txRelaying.add(run);
    void run.finally(() => this.txRelaying.delete(run));
    return run;
  }

  /** Resolves when every transaction relay started so far has answered (tests, shutdown). */
  async settleRelays(): Promise<void> {
    while (this.txRelaying.size > 0) await Promise.all([...this.txRelaying]);
  }

  blockJSON(hash: string): (BlockJSON & { hash: string }) | undefined {
    const entry = this.chain.get(hash);
    const block = this.chain.getBlock(hash);
    return entry && block ? blockToJSON(block, entry.height) : undefined;
  }

  /**
   * Writes the chain's changes since the last write as one atomic batch. Everything that acknowledges a block
   * (an HTTP answer, a log line, a relay of our own block) comes after this resolves, so an acknowledged
   * block survives a kill -9. Writes are queued in order.
   */
  persist(): Promise<void> {
    if (!this.store) {
      this.chain.takeJournal();
      return Promise.resolve();
    }
    const store = this.store;
    const run = this.writing.then(async () => {
      const journal = this.chain.takeJournal();
      if (journal) await store.write(journal);
    });
    this.writing = run.catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, `writing to ${store.location} failed`);
    });
    return run;
  }

  /** Stops mining, finishes pending writes and closes the store. */
  async close(): Promise<void> {
    this.stopMining();
    await this.writing;
    await this.store?.close();
    await this.verifier.close();
  }

  /** Adds peers and keeps the list, so a restarted node knows them. */
  async registerPeers(entries: ReadonlyArray<{ id: string; address: string }>): Promise<number> {
    const added = this.peers.register(entries);
    if (added > 0 && this.store) {
      await this.store.putMeta(
        'peers',
        JSON.stringify(this.peers.list().map((p) => ({ id: p.id, address: p.address }))),
      );
    }
    return added;
  }

  /**
   * A block pushed by a peer (or a user): validate, connect, relay. When the parent is unknown and the sender
   * said where it lives, fetch the missing segment from it by locator first. Throws ConsensusError.
   */
  async receiveBlock(block: Block, source: BlockSource = {}): Promise<ReceiveResult> {
    try {
      return await this.receiveUnwritten(block, source);
    } finally {
      // Also after a rejection: an invalid block's status is remembered across restarts.
      await this.persist();
    }
  }

  private async receiveUnwritten(block: Block, source: BlockSource): Promise<ReceiveResult> {
    const tipBefore = this.chain.tip;
    let result: AcceptResult;
    try {
      result = this.accept(block);
    } catch (err) {
      if (!(err instanceof ConsensusError) || err.reason !== 'prev-blk-not-found' || !source.address) {
        this.punish(source.id, err);
        throw err;
      }
      await this.syncFrom(source.address);
      try {
        result = this.accept(block);
      } catch (again) {
        this.punish(source.id, again);
        throw again;
      }
    }
    const tipChanged = this.chain.tip !== tipBefore;
    // The sync may have connected this very block already: relay whatever is now the best tip.
    if (tipChanged) void this.relay(this.chain.getBlock(this.chain.tip.hash)!, source);
    return {
      accepted: result.accepted || (tipChanged && this.chain.isActive(result.entry)),
      hash: result.entry.hash,
      height: result.entry.height,
      tipChanged,
    };
  }

  /** Validates and connects one block into the chain, and logs a new tip or a reorg (node/replace.ts). */
  acceptBlock(block: Block): AcceptResult {
    return this.accept(block);
  }

  /** Relays the current best tip to peers (node/replace.ts). */
  announceTip(): void {
    void this.relay(this.chain.getBlock(this.chain.tip.hash)!);
  }

  private accept(block: Block): AcceptResult {
    const before = this.chain.tip;
    const result = this.chain.acceptBlock(block, this.now());
    if (result.reorg) {
      const { disconnect, connect } = result.reorg;
      if (disconnect.length > 0) {
        this.log.info(
          {
            from: before.hash,
            to: this.chain.tip.hash,
            disconnected: disconnect.length,
            connected: connect.length,
          },
          `reorg: ${disconnect.length} block(s) out, ${connect.length} in, tip ${this.chain.tip.height}`,
        );
      } else {
        this.log.info(
          { hash: this.chain.tip.hash, height: this.chain.tip.height },
          `new tip ${this.chain.tip.height} ${this.chain.tip.hash.slice(0, 16)}`,
        );
      }
    }
    return result;
  }

  private punish(peerId: string | undefined, err: unknown): void {
    if (!peerId || !(err instanceof ConsensusError)) return;
    const peer = this.peers.get(peerId);
    if (!peer) return;
    if (this.peers.misbehaving(peerId, err.score)) {
      this.log.warn(
        { peer: peerId, address: peer.address, reason: err.reason },
        `dropped peer ${peer.address}: misbehaviour score reached the limit`,
      );
    } else if (err.score > 0) {
      this.log.warn(
        { peer: peerId, reason: err.reason, score: peer.score },
        `peer ${peer.address} sent invalid data (${err.reason})`,
      );
    }
  }

  /** Pushes a new best block to every peer not known to have it; resolves when every push has answered. */
  relay(block: Block, source: BlockSource = {}): Promise<void> {
    const already = new Set([...(source.seenBy ?? []), ...(source.id ? [source.id] : [])]);
    const targets = this.peers.list().filter((p) => !already.has(p.id));
    if (targets.length === 0) return Promise.resolve();
    const seenBy = [...new Set([...already, this.id, ...targets.map((p) => p.id)])].slice(0, MAX_SEEN_BY);
    const overHttp = this.pushOverLink('block', targets, seenBy, () => encodeBlock(block));
    if (overHttp.length === 0) return Promise.resolve();
    const body = blockToJSON(block);
    const pushes = overHttp.map((p) =>
      this.peers
        .request(p.address, '/block/new', {
          method: 'POST',
          body,
          headers: { [SEEN_BY_HEADER]: seenBy.join(',') },
        })
        .catch((err: unknown) => {
          this.log.debug({ peer: p.address, err: (err as Error).message }, `push to ${p.address} failed`);
        }),
    );
    return Promise.all(pushes).then(() => undefined);
  }

  /** Pushes at once to the targets the link reaches (one serialisation for all); returns the rest, for HTTP. */
  private pushOverLink(kind: PushKind, targets: Peer[], seenBy: string[], encode: () => Uint8Array): Peer[] {
    const link = this.link;
    if (!link) return targets;
    const linked: string[] = [];
    const rest: Peer[] = [];
    for (const p of targets) {
      if (link.reaches(p.address)) linked.push(p.address);
      else rest.push(p);
    }
    if (linked.length > 0) link.push({ kind, to: linked, seenBy, bytes: encode() });
    return rest;
  }

  /**
   * A block or transaction a peer pushed through the link: decoded, then handled exactly as the same push over
   * HTTP (validated, connected or pooled, relayed; an invalid one costs the sender its ban score). No answer
   * goes back, so a refusal is logged here, at the level the sender logs a refused HTTP push.
   */
  async receivePushed(kind: PushKind, bytes: Uint8Array, source: BlockSource): Promise<void> {
    try {
      if (kind === 'block') await this.receiveBlock(decodeBlock(bytes), source);
      else await this.receiveTransaction(decodeTx(bytes), source);
    } catch (err) {
      this.log.debug(
        { peer: source.address, kind, err: (err as Error).message },
        `${kind === 'block' ? 'block' : 'transaction'} from ${source.address ?? 'a peer'} refused: ${(err as Error).message}`,
      );
    }
  }

  /**
   * Fetches blocks from `address` by locator until it has nothing more for us. Returns the number of new
   * blocks accepted. Concurrent syncs from one peer share one run.
   */
  syncFrom(address: string): Promise<number> {
    const running = this.syncing.get(address);
    if (running) return running;
    const run = this.doSyncFrom(address).finally(() => this.syncing.delete(address));
    this.syncing.set(address, run);
    return run;
  }

  private async doSyncFrom(address: string): Promise<number> {
    let added = 0;
    // The locator follows what this peer has sent so far, so a side branch still advances the request.
    let from = this.chain.tip;
    for (;;) {
      const locator = this.chain.tree.locator(from).join(',');
      const res = await this.peers.request<{ blocks: unknown[] }>(
        address,
        `/blocks?locator=${locator}&limit=${SYNC_BATCH}`,
        {
          timeoutMs: 30_000,
        },
      );
      const blocks = Array.isArray(res?.blocks) ? res.blocks : [];
      for (const [i, json] of blocks.entries()) {
        const block = blockFromJSON(json, `blocks[${i}]`);
        const result = this.accept(block);
        if (result.accepted) added++;
        from = result.entry;
      }
      await this.persist();
      if (blocks.length < SYNC_BATCH) break;
    }
    if (added > 0)
      this.log.info({ peer: address, blocks: added }, `synced ${added} block(s) from ${address}`);
    return added;
  }

  /** Asks every peer for its tip and syncs from those with more work (the old `GET /block/new`). */
  async syncWithPeers(): Promise<SyncReport> {
    const peers = this.peers.list();
    const infos = await Promise.all(
      peers.map((p) =>
        this.peers.request<PeerTipInfo>(p.address, '/node/id', { timeoutMs: 3000 }).catch(() => null),
      ),
    );
    let blocksAdded = 0;
    let synced = false;
    for (const [i, info] of infos.entries()) {
      if (!info || typeof info.chainwork !== 'string') continue;
      let work: bigint;
      try {
        work = BigInt(`0x${info.chainwork}`);
      } catch {
        continue;
      }
      if (work <= this.chain.tip.chainwork) continue;
      try {
        blocksAdded += await this.syncFrom(peers[i]!.address);
        synced = true;
      } catch (err) {
        this.punish(peers[i]!.id, err);
        this.log.warn(
          { peer: peers[i]!.address, err: (err as Error).message },
          `sync from ${peers[i]!.address} failed`,
        );
      }
    }
    return { peersAsked: peers.length, synced, blocksAdded };
  }

  /**
   * `GET /mine`: catch up with peers, mine one block on the best tip through the pool, connect and announce
   * it. Calls queue: one block at a time per node, each on the tip of its moment.
   */
  mine(payTo?: Uint8Array): Promise<{ block: Block; height: number }> {
    const run = this.mining.then(async () => {
      await this.syncWithPeers();
      return this.mineAndAnnounce(undefined, true, payTo);
    });
    this.mining = run.catch(() => undefined);
    return run;
  }

  private async mineAndAnnounce(
    signal: AbortSignal | undefined,
    awaitRelay: boolean,
    payTo?: Uint8Array,
  ): Promise<{ block: Block; height: number }> {
    const block = await this.miner.mineBlock(
      signal,
      payTo ? (parent) => this.blockContent(parent, payTo) : undefined,
    );
    this.lastMinedHash = blockHash(block);
    const result = this.accept(block);
    await this.persist();
    this.blocksMined++;
    const relayed = this.relay(block);
    if (awaitRelay) await relayed;
    return { block, height: result.entry.height };
  }

  get isMiningContinuously(): boolean {
    return this.continuous !== null;
  }

  /** Continuous mining: race the other nodes block after block until `stopMining`. */
  startMining(): void {
    if (this.continuous) return;
    const ac = new AbortController();
    this.continuous = ac;
    const loop = async (): Promise<void> => {
      while (!ac.signal.aborted) {
        const step = this.mining.then(() => this.mineAndAnnounce(ac.signal, false));
        this.mining = step.catch(() => undefined);
        try {
          await step;
        } catch (err) {
          if (ac.signal.aborted) break;
          this.log.error({ err: (err as Error).message }, 'continuous mining failed; retrying in 1 s');
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    void loop();
    this.log.info('continuous mining started');
  }

  stopMining(): void {
    if (!this.continuous) return;
    this.continuous.abort();
    this.continuous = null;
    this.log.info('continuous mining stopped');
  }
}

export function createNode(opts: NodeOptions): ChainsimNode {
  return new ChainsimNode(opts);
}

export { PeerHttpError };
