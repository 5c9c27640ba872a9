/** The options a node is created with, and the bounds of its mining and catch-up. */
import type { Chain } from '../chain/chain.ts';
import type { NetworkParams } from '../consensus/index.ts';
import type { MempoolOptions } from '../mempool/mempool.ts';
import type { PowClient } from '../mining/scheduler.ts';
import type { ModelView } from '../net/model/types.ts';
import type { PeerLink, RelayLimits } from '../net/relay.ts';
import type { ChainStore } from '../store/store.ts';
import type { Logger } from 'pino';
import type { KeyStore } from './keys.ts';
import type { SignatureVerifier } from './verifier.ts';

/** The catch-up before `GET /mine` ends after this, and mining goes on with what it has. */
export const MINE_CATCH_UP_MS = 1000;
/** `GET /mine` answers after its block's pushes have answered, or after this, whichever comes first. */
export const MINE_RELAY_WAIT_MS = 1000;
/** `GET /block/new` (ask every peer, sync from the best) ends after this. */
export const SYNC_WITH_PEERS_MS = 20_000;

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
  readonly mempool?: Omit<MempoolOptions, 'chain' | 'clock' | 'verifySchnorr'>;
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
  /** The simulator's network model: every message to another node of it asks the model first (net/gate.ts). */
  readonly model?: ModelView;
  /** At most this many peers (default 125, as Core). */
  readonly maxPeers?: number;
  /** Relay bounds (tests make them small). */
  readonly relayLimits?: Partial<RelayLimits>;
}

/** Bytes of a block kept for the header, the coinbase and the transaction count (Core reserves 1000 too). */
export const BLOCK_RESERVED_BYTES = 1000;
