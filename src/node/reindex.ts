/**
 * Reindex: rebuild the block index, the UTXO set, undo data and the tip from the stored blocks alone, by
 * validating them again from genesis (Core's -reindex). Damaged or invalid blocks are dropped with their
 * descendants; whatever is missing afterwards a node fetches from its peers.
 *
 * `rebuildStore` is what `chainsim node reindex` and the simulator's `--reindex` run: when LevelDB itself is
 * damaged (the database does not open, or its blocks do not read), it runs LevelDB's repair first.
 */
import { Chain } from '../chain/chain.ts';
import {
  type Block,
  blockHash,
  ConsensusError,
  decodeBlock,
  type NetworkParams,
} from '../consensus/index.ts';
import { type ChainStore, StoreError } from '../store/store.ts';
import { fastVerifySchnorr } from './verifier.ts';

export interface ReindexReport {
  readonly blocksStored: number;
  readonly blocksAccepted: number;
  readonly height: number;
  readonly tip: string;
  /** Records that did not decode, or whose bytes do not hash to their key: deleted. */
  readonly damaged: string[];
  /** Blocks that failed validation (with the reason), and blocks whose ancestry is missing. */
  readonly rejected: Array<{ hash: string; reason: string }>;
  readonly orphaned: number;
}

export async function reindexStore(
  store: ChainStore,
  params: NetworkParams,
  now: number,
): Promise<ReindexReport> {
  const byParent = new Map<string, Block[]>();
  const damaged: string[] = [];
  let blocksStored = 0;
  for await (const { hash, bytes } of store.blocks()) {
    blocksStored++;
    let block: Block;
    try {
      block = decodeBlock(bytes);
      if (blockHash(block) !== hash) throw new Error('hash mismatch');
    } catch {
      damaged.push(hash);
      continue;
    }
    const siblings = byParent.get(block.header.prevHash) ?? [];
    siblings.push(block);
    byParent.set(block.header.prevHash, siblings);
  }
  for (const hash of damaged) await store.deleteBlock(hash);

  const chain = new Chain({ params, verifySchnorr: fastVerifySchnorr });
  const rejected: Array<{ hash: string; reason: string }> = [];
  let accepted = 0;
  const queue: string[] = [chain.genesis.hash];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const block of byParent.get(parent) ?? []) {
      const hash = blockHash(block);
      if (hash === chain.genesis.hash) continue;
      try {
        chain.acceptBlock(block, now);
        accepted++;
        queue.push(hash);
      } catch (err) {
        if (!(err instanceof ConsensusError)) throw err;
        rejected.push({ hash, reason: err.reason });
        // A block that failed to connect may still be stored as a valid side entry; its children are tried.
        if (chain.get(hash)?.status === 'valid') queue.push(hash);
      }
    }
    byParent.delete(parent);
  }
  let orphaned = 0;
  for (const blocks of byParent.values()) orphaned += blocks.length;

  await store.clearChainState();
  const journal = chain.takeJournal();
  if (journal) await store.write({ ...journal, tip: chain.tip.hash });
  else
    await store.write({
      entries: new Map(),
      coins: new Map(),
      undoPut: new Map(),
      undoDelete: new Set(),
      tip: chain.tip.hash,
    });
  return {
    blocksStored,
    blocksAccepted: accepted,
    height: chain.height,
    tip: chain.tip.hash,
    damaged,
    rejected,
    orphaned,
  };
}

export interface RebuildReport extends ReindexReport {
  /** Whether LevelDB's repair ran, and the damage that made it run. */
  readonly repaired: boolean;
  readonly repairReason: string | null;
}

const isDamage = (err: unknown): err is StoreError => err instanceof StoreError && err.kind === 'damaged';

/**
 * Opens the store, reindexes it and closes it. A database that does not open or iterate as damaged is repaired
 * (at most once) and then reindexed from every block that can still be read. Throws StoreError: `damaged` when
 * even the repaired database cannot be used, the other kinds as `open` throws them.
 */
export async function rebuildStore(
  store: ChainStore,
  params: NetworkParams,
  now: number,
): Promise<RebuildReport> {
  let repairReason: string | null = null;
  for (;;) {
    let report: ReindexReport;
    try {
      await store.open(params.name);
      try {
        report = await reindexStore(store, params, now);
      } catch (err) {
        await store.close().catch(() => undefined);
        throw err;
      }
      await store.close();
    } catch (err) {
      if (!isDamage(err)) throw err;
      if (repairReason !== null) throw beyondRepair(store.location, err);
      repairReason = err.detail;
      try {
        await store.repair();
      } catch (failed) {
        throw isDamage(failed) ? beyondRepair(store.location, failed) : failed;
      }
      continue;
    }
    return { ...report, repaired: repairReason !== null, repairReason };
  }
}

function beyondRepair(location: string, err: StoreError): StoreError {
  return new StoreError(
    location,
    'damaged',
    `LevelDB's repair could not make the database at ${location} usable (${err.detail}). ` +
      `Delete the directory (or run the simulation with --fresh) to start the node over; it fetches the chain from its peers, but its id and mining key are lost with the directory`,
  );
}
