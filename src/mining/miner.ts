/**
 * A node's miner: builds a template on the best tip, has the PoW service search it, and starts over the
 * moment the tip changes. When a template's 2^32 nonces run out it rolls the coinbase extra-nonce (a new
 * merkle root, so a fresh nonce space) and takes the current time.
 */
import {
  type Block,
  bitsToTarget,
  encodeHeader,
  type NetworkParams,
  type Transaction,
  type TxOutput,
} from '../consensus/index.ts';
import { targetToInternalBytes } from './kernels/types.ts';
import type { PowClient } from './scheduler.ts';
import { createBlockTemplate, type TemplateParent } from './template.ts';

/** What the miner needs from its node. */
export interface MinerChain {
  readonly params: NetworkParams;
  /** The current best tip. */
  tip(): TemplateParent;
  /** Calls `listener` whenever the best tip changes; returns the unsubscribe function. */
  onTip(listener: () => void): () => void;
}

export interface TemplateContent {
  readonly coinbaseOutputs: readonly TxOutput[];
  readonly txs?: readonly Transaction[];
}

export interface MinerOptions {
  readonly chain: MinerChain;
  readonly pow: PowClient;
  /** Unix seconds. */
  readonly clock: () => number;
  /** The coinbase outputs and transactions for a block on `parent` (payout, mempool selection). */
  readonly content: (parent: TemplateParent) => TemplateContent;
  /** Text in every coinbase (a tag, like pool names in real coinbases). */
  readonly message?: string;
}

export interface MineStats {
  readonly templates: number;
  readonly staleTemplates: number;
  readonly extraNonceRolls: number;
}

export interface Miner {
  /**
   * Mines one block on the best tip, rebuilding whenever the tip changes; resolves with a block whose
   * parent is still the tip. Rejects with an AbortError when `signal` aborts.
   */
  mineBlock(
    signal?: AbortSignal,
    content?: TemplateContent | ((parent: TemplateParent) => TemplateContent),
  ): Promise<Block>;
  hashRate(): number;
  stats(): MineStats;
}

export function createMiner(opts: MinerOptions): Miner {
  const { chain, pow } = opts;
  let templates = 0;
  let staleTemplates = 0;
  let extraNonceRolls = 0;
  let extraNonceBase = 0n;

  async function mineBlock(
    signal?: AbortSignal,
    override?: TemplateContent | ((parent: TemplateParent) => TemplateContent),
  ): Promise<Block> {
    let extraNonce = extraNonceBase;
    for (;;) {
      signal?.throwIfAborted();
      const parent = chain.tip();
      // Content is rebuilt for every template: a new tip changes the subsidy, the fees and what the mempool holds.
      const content = typeof override === 'function' ? override(parent) : (override ?? opts.content(parent));
      const template = createBlockTemplate({
        parent,
        params: chain.params,
        now: opts.clock(),
        coinbaseOutputs: content.coinbaseOutputs,
        ...(content.txs ? { txs: content.txs } : {}),
        extraNonce,
        ...(opts.message ? { message: opts.message } : {}),
      });
      templates++;
      const target = targetToInternalBytes(bitsToTarget(template.header.bits));
      const ac = new AbortController();
      const unsubscribe = chain.onTip(() => ac.abort());
      const onAbort = (): void => ac.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      let outcome;
      try {
        outcome = await pow.mine({ header: encodeHeader(template.header), target }, ac.signal);
      } finally {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      }
      if (outcome.found) {
        if (chain.tip().hash !== parent.hash) {
          // The tip moved between the find and now: this block would fork at an old height. Start over.
          staleTemplates++;
          continue;
        }
        // Later templates continue from a fresh extra-nonce so two blocks never share a coinbase.
        extraNonceBase = extraNonce + 1n;
        return { header: { ...template.header, nonce: outcome.nonce }, txs: template.txs };
      }
      if (outcome.reason === 'exhausted') {
        extraNonce++;
        extraNonceRolls++;
        continue;
      }
      signal?.throwIfAborted();
      staleTemplates++;
    }
  }

  return {
    mineBlock,
    hashRate: () => pow.hashRate(),
    stats: () => ({ templates, staleTemplates, extraNonceRolls }),
  };
}
