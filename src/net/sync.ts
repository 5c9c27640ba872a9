/**
 * Sync by block locator from one peer, and the catch-up with every peer (the old `GET /block/new`): bounded in
 * rounds, in answer size and in time, and a sync stops the moment a round brings nothing new. Blocks a sync fetches
 * were requested, so they are stored even while their branch has less work than the tip.
 */
import { setMaxListeners } from 'node:events';
import type { AcceptResult, Chain } from '../chain/chain.ts';
import type { BlockEntry } from '../chain/block-tree.ts';
import { blockFromJSON, ConsensusError } from '../consensus/index.ts';
import { PeerRequestError } from './peer-client.ts';
import type { Peer, PeerSet } from './peers.ts';
import type {
  PeerTipInfo,
  RelayContext,
  RelayNode,
  SyncReport,
  SyncResult,
  RelayLimits,
} from './protocol.ts';
import type { PeerClient } from './peer-client.ts';

export class Sync {
  private readonly syncing = new Map<string, Promise<SyncResult>>();
  private readonly node: RelayNode;
  private readonly peers: PeerSet;
  private readonly client: PeerClient;
  private readonly limits: RelayLimits;
  private readonly nowMs: () => number;

  /** `punish` charges a peer that served an invalid block. */
  constructor(
    ctx: RelayContext,
    private readonly punish: (peer: Peer, err: unknown) => void,
  ) {
    this.node = ctx.node;
    this.peers = ctx.peers;
    this.client = ctx.client;
    this.limits = ctx.limits;
    this.nowMs = ctx.nowMs;
  }

  private get chain(): Chain {
    return this.node.chain;
  }

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
}

function chainworkOf(info: PeerTipInfo | null): bigint | undefined {
  if (!info || typeof info.chainwork !== 'string' || !/^[0-9a-f]{1,64}$/i.test(info.chainwork))
    return undefined;
  return BigInt(`0x${info.chainwork}`);
}
