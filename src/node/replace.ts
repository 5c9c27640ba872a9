/**
 * `POST /chain/replace`, the old project's way to settle a fork by hand: a whole chain, validated from genesis
 * in a scratch chain block by block as it arrives, and adopted only when it carries more work than ours. The
 * node's state is untouched otherwise.
 *
 * Validation and adoption share the event loop with everything else the node does (util/turns.ts), so a
 * node keeps answering while it checks a long chain (see docs/decisions.md, "`/chain/replace` streams and
 * yields").
 */
import type { BlockEntry } from '../chain/block-tree.ts';
import type { AcceptResult, Chain } from '../chain/chain.ts';
import { createChain } from '../chain/chain.ts';
import {
  type Block,
  blockFromJSON,
  blockHash,
  ConsensusError,
  type NetworkParams,
} from '../consensus/index.ts';
import { ChainsimError } from '../util/errors.ts';
import { createTurnBudget, type TurnBudget } from '../util/turns.ts';

/** What a replacement needs of a node; ChainsimNode provides it. */
export interface ReplaceTarget {
  readonly params: NetworkParams;
  /** The node's chain (read-only use: tip, chainwork, get). */
  readonly chain: Chain;
  /** The best tip whose block is stored: what the answer reports (the chain's tip may be ahead of it). */
  readonly tip: BlockEntry;
  /** Unix seconds. */
  now(): number;
  /** Validates and connects one block into the node's chain, and logs. */
  acceptBlock(block: Block): AcceptResult;
  /** Writes the chain's changes (the node's write queue). */
  persist(): Promise<void>;
  /** Relays the current best tip to peers. */
  announceTip(): void;
}

/**
 * Blocks in one replacement after genesis (a chain up to this height): a bound on what one request holds and
 * how long it works (about 35 MB of JSON and 10 s at the limit: see docs/decisions.md, "`/chain/replace`
 * streams and yields").
 */
export const MAX_REPLACE_BLOCKS = 50_000;

/** Work per event-loop turn: other requests wait at most about this long; the yields cost nothing measurable. */
export const REPLACE_TURN_MS = 5;

export interface ReplaceOptions {
  /** Default MAX_REPLACE_BLOCKS. */
  readonly maxBlocks?: number;
  /** Shared with whatever produces the elements (the body parser); default a fresh REPLACE_TURN_MS one. */
  readonly budget?: TurnBudget;
}

export interface ReplaceResult {
  readonly height: number;
  readonly tip: string;
}

export type ReplaceErrorKind = 'invalid' | 'not-more-work' | 'too-many-blocks';

/** Why a replacement was refused: an invalid block (its reason and height), not more work, or too long. */
export class ReplaceError extends ChainsimError<ReplaceErrorKind> {
  override readonly name = 'ReplaceError';
  constructor(
    kind: ReplaceErrorKind,
    override readonly cause: ConsensusError | null,
    readonly height: number,
    message?: string,
  ) {
    super(kind, message ?? cause?.message ?? kind);
  }

  /** What went wrong (the same as `code`). */
  get kind(): ReplaceErrorKind {
    return this.code;
  }
}

const invalid = (reason: ConsensusError, height: number): ReplaceError =>
  new ReplaceError('invalid', reason, height);

/**
 * Checks `elements` (blocks as `GET /chain` renders them, genesis first) as they arrive, and adopts them if
 * they have more work than the target's chain. The first bad block ends it at once, before the rest is read.
 * Throws ReplaceError; whatever the element source throws passes through.
 */
export async function replaceChain(
  target: ReplaceTarget,
  elements: AsyncIterable<unknown> | Iterable<unknown>,
  opts: ReplaceOptions = {},
): Promise<ReplaceResult> {
  const maxBlocks = opts.maxBlocks ?? MAX_REPLACE_BLOCKS;
  const budget = opts.budget ?? createTurnBudget(REPLACE_TURN_MS);
  const scratch = createChain({ params: target.params, verifySchnorr: target.chain.verifySchnorr });
  const now = target.now();
  const blocks: Block[] = [];
  for await (const json of elements) {
    const height = blocks.length;
    if (height > maxBlocks) {
      throw new ReplaceError(
        'too-many-blocks',
        null,
        height,
        `a replacement takes at most ${maxBlocks} blocks after genesis`,
      );
    }
    const block = checkNext(scratch, json, height, now, target.params);
    blocks.push(block);
    await budget.pass();
  }
  if (blocks.length === 0) throw invalid(new ConsensusError('bad-genesis', 'the chain is empty'), 0);

  const theirs = scratch.tip;
  const ours = target.chain.tip;
  if (theirs.chainwork <= ours.chainwork) {
    throw new ReplaceError(
      'not-more-work',
      null,
      theirs.height,
      `the chain has chainwork ${theirs.chainwork.toString(16)}, not more than ours (${ours.chainwork.toString(16)})`,
    );
  }
  for (let height = 1; height < blocks.length; height++) {
    // Connecting validates again, so adoption is sliced too; each slice's changes are written as it ends.
    if (budget.spent) {
      await target.persist();
      await budget.pass();
    }
    try {
      target.acceptBlock(blocks[height]!);
    } catch (err) {
      if (err instanceof ConsensusError) throw invalid(err, height);
      throw err;
    }
  }
  await target.persist();
  target.announceTip();
  // A block mined on the new tip meanwhile may still be being written: answer what is stored.
  return { height: target.tip.height, tip: target.tip.hash };
}

/** Decodes block `height` and connects it to the scratch chain; throws ReplaceError. */
function checkNext(scratch: Chain, json: unknown, height: number, now: number, params: NetworkParams): Block {
  let block: Block;
  try {
    block = blockFromJSON(json, `chain[${height}]`);
  } catch (err) {
    if (err instanceof ConsensusError) throw invalid(err, height);
    throw err;
  }
  if (height === 0) {
    const hash = blockHash(block);
    if (hash !== params.genesisHash) {
      throw invalid(
        new ConsensusError('bad-genesis', `block 0 is ${hash}, not the ${params.name} genesis`),
        0,
      );
    }
    return block;
  }
  if (block.header.prevHash !== scratch.tip.hash) {
    throw invalid(
      new ConsensusError('prev-blk-not-found', `block ${height} does not follow block ${height - 1}`),
      height,
    );
  }
  try {
    scratch.acceptBlock(block, now);
  } catch (err) {
    if (err instanceof ConsensusError) throw invalid(err, height);
    throw err;
  }
  return block;
}
