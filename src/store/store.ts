/**
 * Persistence behind one interface. The default is an embedded LevelDB (`classic-level`, prebuilt binaries, no
 * compiler at install), as Bitcoin Core and bcoin keep their block index and chainstate; tests use
 * `memory-level`, the same abstract-level interface.
 *
 * Layout (one database per node, keys are strings):
 *   m:<name>   meta: schema, network, node id, mining key, peers, tip
 *   h:<hash>   block index record (header, height, status)
 *   b:<hash>   block bytes (Bitcoin serialisation)
 *   u:<txid>:<vout>  unspent coin
 *   d:<hash>   undo data of an active block
 *
 * Every chain change is written with one `batch()`, which LevelDB applies atomically. Writes are not fsynced:
 * a killed process (kill -9) loses nothing the OS has accepted; a power cut may lose the last batches, never
 * consistency.
 */
import { rmSync } from 'node:fs';
import type { AbstractLevel } from 'abstract-level';
import { createRequire } from 'node:module';
import type { ClassicLevel as ClassicLevelType } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { decodeBlock, encodeBlock, parseDisplayHash, type Coin } from '../consensus/index.ts';
import type { ChainJournal, StoredChain } from '../chain/journal.ts';
import {
  decodeCoin,
  decodeIndexRecord,
  decodeUndo,
  encodeCoin,
  encodeIndexRecord,
  encodeUndo,
  StoreCorruption,
} from './codec.ts';

export const SCHEMA_VERSION = '1';

type Db = AbstractLevel<string | Uint8Array, string, Uint8Array>;

/** Why a store could not be used, with the path and what to do. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly location: string,
    readonly kind: 'locked' | 'damaged' | 'network' | 'io',
    message: string,
  ) {
    super(message);
  }
}

export interface ChainStore {
  /** A path, or `memory`. */
  readonly location: string;
  open(network: string): Promise<void>;
  close(): Promise<void>;
  getMeta(name: string): Promise<string | undefined>;
  putMeta(name: string, value: string): Promise<void>;
  /** Writes a chain journal as one atomic batch. */
  write(journal: ChainJournal): Promise<void>;
  /** The stored chain, or null for a new store. Throws StoreError('damaged') naming the record. */
  load(): Promise<StoredChain | null>;
  /** Every stored block's bytes, for reindexing (damaged values are reported, not thrown). */
  blocks(): AsyncIterable<{ hash: string; bytes: Uint8Array }>;
  /** Deletes the index, UTXO set, undo data and tip (keeps blocks and meta): the start of a reindex. */
  clearChainState(): Promise<void>;
  /** Deletes one record (reindex drops a damaged block). */
  deleteBlock(hash: string): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

class LevelStore implements ChainStore {
  constructor(
    readonly location: string,
    private readonly db: Db,
  ) {}

  async open(network: string): Promise<void> {
    try {
      await this.db.open();
    } catch (err) {
      const text = `${(err as Error).message} ${String((err as { cause?: Error }).cause?.message ?? '')}`;
      if (/lock/i.test(text)) {
        throw new StoreError(
          this.location,
          'locked',
          `the database at ${this.location} is in use by another process (is another simulation running with the same --data-dir?)`,
        );
      }
      if (/corrupt|checksum|bad/i.test(text)) {
        throw new StoreError(
          this.location,
          'damaged',
          `the database at ${this.location} is damaged (${text.trim()}); run \`chainsim node reindex --data-dir ${this.location}\`, or start over with --fresh`,
        );
      }
      throw new StoreError(
        this.location,
        'io',
        `cannot open the database at ${this.location}: ${text.trim()}`,
      );
    }
    const schema = await this.getMeta('schema');
    const stored = await this.getMeta('network');
    if (stored !== undefined && stored !== network) {
      await this.db.close();
      throw new StoreError(
        this.location,
        'network',
        `the data at ${this.location} belongs to the ${stored} network, not ${network}`,
      );
    }
    if (schema !== undefined && schema !== SCHEMA_VERSION) {
      await this.db.close();
      throw new StoreError(
        this.location,
        'damaged',
        `the data at ${this.location} has schema ${schema}, this chainsim writes ${SCHEMA_VERSION}; start over with --fresh`,
      );
    }
    if (schema === undefined) {
      await this.db.batch([
        { type: 'put', key: 'm:schema', value: enc.encode(SCHEMA_VERSION) },
        { type: 'put', key: 'm:network', value: enc.encode(network) },
      ]);
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async getMeta(name: string): Promise<string | undefined> {
    const v = await this.db.get(`m:${name}`);
    return v === undefined ? undefined : dec.decode(v);
  }

  putMeta(name: string, value: string): Promise<void> {
    return this.db.put(`m:${name}`, enc.encode(value));
  }

  write(j: ChainJournal): Promise<void> {
    const ops: Array<{ type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }> = [];
    for (const [hash, e] of j.entries) {
      if (e.block) ops.push({ type: 'put', key: `b:${hash}`, value: encodeBlock(e.block) });
      ops.push({ type: 'put', key: `h:${hash}`, value: encodeIndexRecord(e) });
    }
    for (const [key, coin] of j.coins) {
      ops.push(
        coin ? { type: 'put', key: `u:${key}`, value: encodeCoin(coin) } : { type: 'del', key: `u:${key}` },
      );
    }
    for (const hash of j.undoDelete) ops.push({ type: 'del', key: `d:${hash}` });
    for (const [hash, undo] of j.undoPut)
      ops.push({ type: 'put', key: `d:${hash}`, value: encodeUndo(undo) });
    if (j.tip) ops.push({ type: 'put', key: 'm:tip', value: enc.encode(j.tip) });
    return ops.length === 0 ? Promise.resolve() : this.db.batch(ops);
  }

  private async *range(prefix: string): AsyncIterable<[string, Uint8Array]> {
    for await (const [key, value] of this.db.iterator({ gte: `${prefix}:`, lt: `${prefix};` })) {
      yield [key.slice(prefix.length + 1), value];
    }
  }

  async load(): Promise<StoredChain | null> {
    const tipText = await this.getMeta('tip');
    if (tipText === undefined) return null;
    try {
      const tip = parseDisplayHash(tipText, 'm:tip');
      const blocks = new Map<string, Uint8Array>();
      for await (const [hash, bytes] of this.range('b')) blocks.set(hash, bytes);
      const entries: Array<StoredChain['entries'][number]> = [];
      for await (const [hash, bytes] of this.range('h')) {
        const rec = decodeIndexRecord(`h:${hash}`, bytes);
        const raw = blocks.get(hash);
        let block;
        if (raw && rec.status === 'valid') {
          try {
            block = decodeBlock(raw);
          } catch (err) {
            throw new StoreCorruption(`b:${hash}`, (err as Error).message);
          }
        }
        entries.push({ hash, ...rec, ...(block ? { block } : {}) });
      }
      const coins: Array<readonly [string, Coin]> = [];
      for await (const [key, bytes] of this.range('u')) coins.push([key, decodeCoin(`u:${key}`, bytes)]);
      const undo = new Map<string, Coin[][]>();
      for await (const [hash, bytes] of this.range('d')) undo.set(hash, decodeUndo(`d:${hash}`, bytes));
      return { tip: tip, entries, coins, undo };
    } catch (err) {
      if (err instanceof StoreCorruption || err instanceof TypeError) {
        throw new StoreError(
          this.location,
          'damaged',
          `the data at ${this.location} is damaged (${err.message}); run \`chainsim node reindex --data-dir ${this.location}\` to rebuild it from the stored blocks`,
        );
      }
      throw err;
    }
  }

  async *blocks(): AsyncIterable<{ hash: string; bytes: Uint8Array }> {
    for await (const [hash, bytes] of this.range('b')) yield { hash, bytes };
  }

  async clearChainState(): Promise<void> {
    for (const prefix of ['h', 'u', 'd']) await this.db.clear({ gte: `${prefix}:`, lt: `${prefix};` });
    await this.db.del('m:tip');
  }

  async deleteBlock(hash: string): Promise<void> {
    await this.db.del(`b:${hash}`);
  }
}

// The LevelDB bindings load on first use, so a node without a data directory never loads a native addon.
// memory-level is plain JavaScript and imported at once, so the node worker's bundle carries it (a require
// from node_modules cost each worker ~15 ms at start-up).
const requireCjs = createRequire(import.meta.url);

/** An embedded LevelDB at `path` (created when missing). */
export function createLevelStore(path: string): ChainStore {
  const { ClassicLevel } = requireCjs('classic-level') as { ClassicLevel: typeof ClassicLevelType };
  return new LevelStore(
    path,
    new ClassicLevel<string, Uint8Array>(path, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
    }),
  );
}

/** An in-memory store (tests, and nodes run without a data directory). */
export function createMemoryStore(): ChainStore {
  return new LevelStore(
    'memory',
    new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }),
  );
}

/** Deletes a data directory (for --fresh). */
export function removeDataDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
