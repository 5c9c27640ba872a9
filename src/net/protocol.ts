/**
 * The relay's vocabulary: the headers peers send, the bounds the relay keeps, what it needs from its node, the
 * link to peers that are not reached over HTTP, and the shapes of what it answers. Every part of net/ shares it.
 */
import type { Logger } from 'pino';
import type { BlockEntry } from '../chain/block-tree.ts';
import type { AcceptResult, Chain } from '../chain/chain.ts';
import type { Block, Transaction } from '../consensus/index.ts';
import type { AcceptOutcome } from '../mempool/mempool.ts';
import type { Gate } from './gate.ts';
import type { PeerClient } from './peer-client.ts';
import { isNodeId, isPeerSecret, type Peer, type PeerSet } from './peers.ts';
import { ChainsimError } from '../util/errors.ts';

export const SEEN_BY_HEADER = 'x-chainsim-seen-by';
export const NODE_ID_HEADER = 'x-chainsim-node-id';
/** The secret a node gave this peer, presented with each push to it: the push is then authenticated. */
export const PEER_SECRET_HEADER = 'x-chainsim-peer-secret';
/** Where a sender says it lives: ignored (a node syncs from a peer's registered address), never sent by chainsim. */
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
export class RelayError extends ChainsimError<'rate-limited' | 'peer-unavailable'> {
  override readonly name = 'RelayError';
}

/** A peer's hello: the secret to present when pushing to it (`reply`: it wants ours too). */
export interface Hello {
  readonly node: string;
  readonly address: string;
  readonly secret: string;
  readonly reply?: boolean;
}

/** What the parts of the relay (receive, sync, announce, hellos) share. */
export interface RelayContext {
  readonly node: RelayNode;
  readonly peers: PeerSet;
  /** Gated by the network model when there is one (gate.ts). */
  readonly client: PeerClient;
  readonly link: PeerLink | null;
  /** The network model's gate (its decisions and its delay queue); null: no model, nothing is gated. */
  readonly gate: Gate | null;
  readonly limits: RelayLimits;
  /** ms clock (rate limits, deadlines). */
  readonly nowMs: () => number;
  /** Keeps a background request until it settles (Relay.settle waits for them). */
  track(run: Promise<unknown>): void;
}

/** Checks a hello body: `{ node, address, secret, reply? }`. */
export function parseHello(body: unknown, isAddress: (a: unknown) => boolean): Hello | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  if (!isNodeId(b.node) || !isAddress(b.address) || !isPeerSecret(b.secret)) return null;
  if (b.reply !== undefined && typeof b.reply !== 'boolean') return null;
  return { node: b.node, address: b.address as string, secret: b.secret, reply: b.reply === true };
}
