/**
 * One chainsim node: its chain, peers, miner and behaviour. The HTTP routes (http/) are a thin layer over this
 * object; the worker entry (worker.ts) and tests create it with `createNode`.
 *
 * Propagation (receive, sync, relay, punish) lives in net/relay.ts; this class composes it with the chain, the
 * mempool, the miner and the store.
 *
 * Acknowledged means stored: the chain changes in memory first (the miner must react to a new tip at once), but
 * everything that reports a tip (the `new tip` log line, the tip listeners the simulator's table and events follow,
 * `GET /node/id`, `GET /chain`, a relay) follows the durable tip, which moves only once the store has written the
 * batch that holds it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlockEntry } from '../chain/block-tree.ts';
import { type AcceptResult, type Chain, createChain } from '../chain/chain.ts';
import {
  addressFromKey,
  type Block,
  type BlockJSON,
  blockSubsidy,
  blockToJSON,
  ConsensusError,
  type NetworkParams,
  type Transaction,
} from '../consensus/index.ts';
import { createMempool, type AcceptOutcome, type Mempool } from '../mempool/mempool.ts';
import { createMiner, type Miner, type TemplateContent } from '../mining/miner.ts';
import type { TemplateParent } from '../mining/template.ts';
import { selfAddressMatcher } from '../net/address.ts';
import { createPeerClient, type PeerClient } from '../net/peer-client.ts';
import { PeerSet, type RegisterResult } from '../net/peers.ts';
import {
  type BlockSource,
  type Hello,
  NODE_ID_HEADER,
  type PeerTipInfo,
  type PushKind,
  type ReceiveResult,
  Relay,
  type SyncReport,
} from '../net/relay.ts';
import type { ChainStore } from '../store/store.ts';
import { createMemoryKeyStore } from './keys.ts';
import { ChainWriter, type DurableTipListener, logTipMove, type StoredBlockListener } from './durable.ts';
import { MiningLoop } from './mining-loop.ts';
import {
  BLOCK_RESERVED_BYTES,
  MINE_CATCH_UP_MS,
  MINE_RELAY_WAIT_MS,
  type NodeOptions,
  SYNC_WITH_PEERS_MS,
} from './options.ts';
import { fastVerifySchnorr, inlineVerifier, type SignatureVerifier } from './verifier.ts';

export type { DurableTipListener, StoredBlockInfo, StoredBlockListener } from './durable.ts';
export type { BlockSource, LinkPush, PeerLink, PushKind, ReceiveResult, SyncReport } from '../net/relay.ts';

export * from './options.ts';

export class ChainsimNode {
  readonly id: string;
  readonly params: NetworkParams;
  readonly chain: Chain;
  readonly peers: PeerSet;
  readonly relay: Relay;
  readonly miner: Miner;
  readonly mempool: Mempool;
  readonly log: Logger;
  /** bech32m address of the mining key: where this node's coinbases pay. */
  readonly miningAddress: string;
  readonly store: ChainStore | null;
  readonly verifier: SignatureVerifier;
  private addressValue = '127.0.0.1:0';
  private boundValue = { host: '127.0.0.1', port: 0 };
  private readonly clock: () => number;
  private readonly client: PeerClient;
  private readonly mining: MiningLoop;
  private readonly payoutScript: Uint8Array;
  private readonly writer: ChainWriter;
  private peerWrites: Promise<void> = Promise.resolve();

  constructor(opts: NodeOptions) {
    this.id = opts.id ?? randomBytes(16).toString('hex');
    this.params = opts.params;
    this.log = opts.logger;
    this.clock = opts.clock ?? (() => Math.floor(Date.now() / 1000));
    this.chain = opts.chain ?? createChain({ params: opts.params, verifySchnorr: fastVerifySchnorr });
    this.store = opts.store ?? null;
    this.writer = new ChainWriter({ chain: this.chain, store: this.store, log: this.log });
    this.verifier = opts.verifier ?? inlineVerifier;
    this.peers = new PeerSet({
      selfId: this.id,
      isSelf: selfAddressMatcher(
        () => this.boundValue,
        () => this.addressValue,
      ),
      ...(opts.maxPeers === undefined ? {} : { maxPeers: opts.maxPeers }),
    });
    this.client = createPeerClient({
      identity: () => ({ [NODE_ID_HEADER]: this.id }),
      defaultTimeoutMs: opts.peerTimeoutMs ?? 5000,
    });
    this.relay = new Relay({
      node: {
        id: this.id,
        chain: this.chain,
        log: this.log,
        address: () => this.addressValue,
        accept: (block) => this.acceptBlock(block),
        acceptTransaction: (tx) => this.acceptTransaction(tx),
        persist: () => this.persist(),
        tip: () => this.writer.tip,
        peerDropped: () => void this.savePeers().catch(() => undefined),
      },
      peers: this.peers,
      client: this.client,
      link: opts.link ?? null,
      model: opts.model ?? null,
      ...(opts.relayLimits ? { limits: opts.relayLimits } : {}),
    });
    this.mempool = createMempool({
      ...opts.mempool,
      chain: this.chain,
      verifySchnorr: this.chain.verifySchnorr,
      clock: this.clock,
    });
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
    this.mining = new MiningLoop({
      miner: this.miner,
      log: this.log,
      catchUp: () => this.syncWithPeers(MINE_CATCH_UP_MS),
      content: (parent, payTo) => this.blockContent(parent, payTo),
      store: async (block) => {
        const { entry } = this.acceptBlock(block);
        await this.persist();
        return entry.height;
      },
      announce: (block) => this.relay.announceBlock(block),
      relayWaitMs: MINE_RELAY_WAIT_MS,
    });
    this.onTip((tip, path) => logTipMove(this.log, tip, path));
  }

  get address(): string {
    return this.addressValue;
  }

  set address(value: string) {
    this.addressValue = value;
  }

  /** Where the HTTP server is bound (host, port), set by hostNode: what counts as this node's own address. */
  set bound(value: { host: string; port: number }) {
    this.boundValue = value;
  }

  now(): number {
    return this.clock();
  }

  // --- the durable tip (durable.ts) ---

  /** The best tip whose block is stored: what this node reports (see the top of this file). */
  get tip(): BlockEntry {
    return this.writer.tip;
  }

  /** Called when the durable tip moves, with the path from the previous one. */
  onTip(listener: DurableTipListener): () => void {
    return this.writer.onTip(listener);
  }

  /** Called once for every block stored (any branch), after it is written. */
  onStored(listener: StoredBlockListener): () => void {
    return this.writer.onStored(listener);
  }

  /** Active-chain entries from `from` (inclusive), at most `limit`, up to the durable tip. */
  durableRange(from = 0, limit = Number.POSITIVE_INFINITY): BlockEntry[] {
    return this.writer.range(from, limit);
  }

  /** Writes the chain's changes as one batch, then moves the durable tip (ChainWriter.persist). */
  persist(): Promise<void> {
    return this.writer.persist();
  }

  /**
   * What a block on `parent` carries: the mempool's best transactions by fee rate, and a coinbase paying `script`
   * the subsidy plus their fees. The mempool is relative to our tip; on any other parent (a race with a tip
   * change, rebuilt at once by the miner) the block carries the coinbase alone.
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
    const tip = this.writer.tip;
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

  blockJSON(hash: string): (BlockJSON & { hash: string }) | undefined {
    const entry = this.chain.get(hash);
    const block = this.chain.getBlock(hash);
    return entry && block ? blockToJSON(block, entry.height) : undefined;
  }

  // --- blocks and transactions (net/relay.ts does the work) ---

  /** Validates and connects one block into the chain (no relay, not yet stored: see persist). */
  acceptBlock(block: Block): AcceptResult {
    return this.chain.acceptBlock(block, this.now());
  }

  /**
   * Every rule but the signatures is checked first, in this thread; then the signatures, by the verifier
   * (possibly another thread); then the mempool accepts it, checking everything again against the pool as it is
   * by then (a conflicting transaction may have won meanwhile) but not the signatures, which the signature cache
   * now vouches for.
   */
  private async acceptTransaction(tx: Transaction): Promise<AcceptOutcome> {
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
    return this.mempool.accept(tx);
  }

  /** A block from a peer or a user: see Relay.receiveBlock. */
  receiveBlock(block: Block, source: BlockSource = {}): Promise<ReceiveResult> {
    return this.relay.receiveBlock(block, source);
  }

  /** A transaction from a user or a peer: see Relay.receiveTransaction. */
  receiveTransaction(tx: Transaction, source: BlockSource = {}): Promise<AcceptOutcome> {
    return this.relay.receiveTransaction(tx, source);
  }

  /** A push through the link, from the node the manager names. */
  receivePushed(
    kind: PushKind,
    bytes: Uint8Array,
    from: { readonly id: string; readonly address: string; readonly seenBy?: readonly string[] },
  ): Promise<void> {
    return this.relay.receivePushed(kind, bytes, from, from.seenBy);
  }

  /** Asks every peer for its tip and syncs from those with more work (the old `GET /block/new`). */
  syncWithPeers(deadlineMs = SYNC_WITH_PEERS_MS): Promise<SyncReport> {
    return this.relay.syncWithPeers(deadlineMs);
  }

  /** Relays the current best stored tip to peers. */
  announceTip(): void {
    const block = this.chain.getBlock(this.writer.tip.hash);
    if (block) void this.relay.announceBlock(block);
  }

  /** Resolves when every push started so far has answered (tests, shutdown). */
  settleRelays(): Promise<void> {
    return this.relay.settle();
  }

  /** `POST /peers/hello`. */
  hello(hello: Hello): void {
    this.relay.onHello(hello);
  }

  /**
   * Adds peers (see PeerSet.register), keeps the list so a restarted node knows them, and sends each new HTTP peer
   * its hello.
   */
  async registerPeers(entries: ReadonlyArray<{ id: string; address: string }>): Promise<RegisterResult> {
    const result = this.peers.register(entries);
    if (result.added.length > 0) await this.savePeers();
    if (result.added.length > 0) await this.relay.introduce(result.added);
    return result;
  }

  /** Stores the peer list as it is when its turn comes (writes are queued, so the last one wins). */
  private savePeers(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    const run = this.peerWrites.then(() =>
      store.putMeta(
        'peers',
        JSON.stringify(this.peers.list().map((p) => ({ id: p.id, address: p.address }))),
      ),
    );
    this.peerWrites = run.catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, `writing the peer list to ${store.location} failed`);
    });
    return run;
  }

  /** Sends every registered HTTP peer its hello (after listening: peers restored from the store). */
  introducePeers(): Promise<void> {
    return this.relay.introduce(this.peers.list());
  }

  /** Sockets this node holds open to its peers (at most SOCKETS_IN_ALL, SOCKETS_PER_PEER to one). */
  peerSockets(): { total: number; mostToOnePeer: number } {
    return this.client.openSockets();
  }

  // --- mining (mining-loop.ts) ---

  /** `GET /mine`: see MiningLoop.mineRequested. */
  mine(payTo?: Uint8Array): Promise<{ block: Block; height: number }> {
    return this.mining.mineRequested(payTo);
  }

  get isMiningContinuously(): boolean {
    return this.mining.running;
  }

  /** Continuous mining: race the other nodes block after block until `stopMining`. */
  startMining(): void {
    this.mining.start();
  }

  stopMining(): void {
    this.mining.stop();
  }

  /** Blocks this node mined since it started. */
  get blocksMined(): number {
    return this.mining.blocksMined;
  }

  /** Hash of the last block this node mined (set before it is connected, so tip listeners can tell). */
  get lastMinedHash(): string {
    return this.mining.lastMinedHash;
  }

  /** Whether this node mined `hash`, among its recent blocks (MiningLoop.RECENT_MINED). */
  minedRecently(hash: string): boolean {
    return this.mining.minedRecently(hash);
  }

  /** Stops mining, finishes pending writes and closes the store. */
  async close(): Promise<void> {
    this.stopMining();
    this.relay.close();
    await this.writer.idle();
    await this.peerWrites;
    await this.store?.close();
    await this.verifier.close();
    this.client.close();
  }
}

export function createNode(opts: NodeOptions): ChainsimNode {
  return new ChainsimNode(opts);
}
