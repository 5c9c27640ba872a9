/**
 * Persistence behind one interface. The default is an embedded LevelDB (`classic-level`, prebuilt binaries, no
 * compiler at install), as Bitcoin Core and bcoin keep their block index and chainstate; tests and nodes run
 * with `--in-memory` use `memory-level`, the same abstract-level interface.
 *
 * Layout (one database per node, keys are strings):
 *   m:<name>   meta: schema, network, node id, mining key pair, peers, tip
 *   h:<hash>   block index record (header, height, status)
 *   b:<hash>   block bytes (Bitcoin serialisation)
 *   u:<txid>:<vout>  unspent coin
 *   d:<hash>   undo data of an active block
 *
 * Every chain change is written with one `batch()`, which LevelDB applies atomically. Writes are not fsynced:
 * a killed process (kill -9) loses nothing the OS has accepted; a power cut may lose the last batches, never
 * consistency.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AbstractLevel } from 'abstract-level';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ClassicLevel as ClassicLevelType } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { decodeBlock, encodeBlock, parseDisplayHash, type Coin } from '../consensus/index.ts';
import type { ChainJournal, StoredChain } from './journal.ts';
import { ChainsimError } from '../util/errors.ts';
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

/**
 * `damaged`: LevelDB reports corruption or lost files, or a record does not decode (reindex repairs it);
 * `schema`: written by another version of chainsim; `network`: another network's data.
 */
export type StoreErrorKind = 'locked' | 'damaged' | 'network' | 'schema' | 'io';

/** Why a store could not be used: the message names the path and says what to do; `detail` only what failed. */
export class StoreError extends ChainsimError<StoreErrorKind> {
  override readonly name = 'StoreError';
  constructor(
    readonly location: string,
    kind: StoreErrorKind,
    message: string,
    readonly detail: string = message,
  ) {
    super(kind, message);
  }

  /** What is wrong (the same as `code`). */
  get kind(): StoreErrorKind {
    return this.code;
  }
}

/** The command that repairs and rebuilds a store, as error messages recommend it. */
export function reindexCommand(location: string, network: string): string {
  const path = /^[\w./-]+$/.test(location) ? location : `'${location.replaceAll("'", "'\\''")}'`;
  return `chainsim node reindex --data-dir ${path} --network ${network}`;
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
  /**
   * LevelDB's RepairDB, on a closed store: rebuilds MANIFEST and CURRENT from the table and log files and keeps
   * the readable records of damaged tables (the damaged files go to `<location>/lost/`). Nothing to do in memory.
   */
  repair(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The error codes and text of a LevelDB failure (abstract-level wraps the binding's error in `cause`). */
function levelFailure(err: unknown): { codes: string[]; text: string } {
  const codes: string[] = [];
  const texts: string[] = [];
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e;) {
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.message === 'string' && e.message !== '') texts.push(e.message);
    e = e.cause as typeof e;
  }
  // The innermost message is LevelDB's own ("Corruption: ..."); the outer ones only say which call failed.
  return { codes, text: texts.at(-1) ?? String(err) };
}

const LEVEL_FILE = /^(?:CURRENT|MANIFEST-\d+|\d+\.(?:ldb|sst|log))$/;

/** Whether `dir` holds a LevelDB database (or what is left of one). */
export function hasLevelFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => LEVEL_FILE.test(f));
  } catch {
    return false;
  }
}

/** What is wrong with a database's CURRENT file (LevelDB's pointer to its MANIFEST), or null. */
function currentFileDamage(dir: string): string | null {
  let text;
  try {
    text = readFileSync(join(dir, 'CURRENT'), 'latin1');
  } catch (err) {
    if (!hasLevelFiles(dir)) return null;
    return (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'its CURRENT file is missing'
      : `its CURRENT file cannot be read: ${(err as Error).message}`;
  }
  const manifest = /^(MANIFEST-\d+)\n$/.exec(text)?.[1];
  if (manifest === undefined) return 'its CURRENT file is garbled';
  if (!existsSync(join(dir, manifest))) return `its CURRENT file names ${manifest}, which is missing`;
  return null;
}

interface Disk {
  repair(location: string): Promise<void>;
}

class LevelStore implements ChainStore {
  /** The network named at open, for the command that error messages recommend. */
  private network = 'sim';

  constructor(
    readonly location: string,
    private readonly db: Db,
    private readonly disk: Disk | null,
  ) {}

  private damaged(detail: string): StoreError {
    return new StoreError(
      this.location,
      'damaged',
      `the database at ${this.location} is damaged (${detail}); run \`${reindexCommand(this.location, this.network)}\`: it repairs the database and rebuilds the chain from the blocks that can still be read`,
      detail,
    );
  }

  /** A StoreError for a failure of the database while `doing` something: no LEVEL_* error reaches a user. */
  private fail(err: unknown, doing: string): StoreError {
    if (err instanceof StoreError) return err;
    const at = this.location;
    const { codes, text } = levelFailure(err);
    if (codes.includes('LEVEL_LOCKED')) {
      return new StoreError(
        at,
        'locked',
        `the database at ${at} is in use by another process (is another simulation or node running with the same --data-dir?)`,
      );
    }
    if (codes.includes('LEVEL_CORRUPTION') || /\bCorruption:/.test(text)) return this.damaged(text);
    // A lost or garbled CURRENT makes LevelDB fail with "does not exist" or an I/O error on a missing file.
    const current = doing === 'open' && this.disk ? currentFileDamage(at) : null;
    if (current !== null) return this.damaged(current);
    return new StoreError(
      at,
      'io',
      `cannot ${doing} the database at ${at} (${text}); check that the directory is readable and writable and that the disk is not full`,
    );
  }

  private async guard<T>(doing: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.fail(err, doing);
    }
  }

  async open(network: string): Promise<void> {
    this.network = network;
    try {
      // Without CURRENT, LevelDB would create an empty database over the old tables and then delete them as
      // obsolete (db_impl.cc: NewDB, RemoveObsoleteFiles): an existing database must never be created anew.
      await this.db.open(this.disk && hasLevelFiles(this.location) ? { createIfMissing: false } : {});
    } catch (err) {
      throw this.fail(err, 'open');
    }
    try {
      await this.checkMeta(network);
    } catch (err) {
      await this.db.close().catch(() => undefined);
      throw this.fail(err, 'read');
    }
  }

  private async checkMeta(network: string): Promise<void> {
    const schema = await this.getMeta('schema');
    const stored = await this.getMeta('network');
    if (stored !== undefined && stored !== network) {
      throw new StoreError(
        this.location,
        'network',
        `the data at ${this.location} belongs to the ${stored} network, not ${network} (pass --network ${stored})`,
      );
    }
    if (schema !== undefined && schema !== SCHEMA_VERSION) {
      throw new StoreError(
        this.location,
        'schema',
        `the data at ${this.location} has schema ${schema}, this chainsim writes ${SCHEMA_VERSION}; start over with --fresh`,
      );
    }
    if (schema === undefined) {
      await this.guard('write', () =>
        this.db.batch([
          { type: 'put', key: 'm:schema', value: enc.encode(SCHEMA_VERSION) },
          { type: 'put', key: 'm:network', value: enc.encode(network) },
        ]),
      );
    }
  }

  close(): Promise<void> {
    return this.guard('close', () => this.db.close());
  }

  async getMeta(name: string): Promise<string | undefined> {
    const v = await this.guard('read', () => this.db.get(`m:${name}`));
    return v === undefined ? undefined : dec.decode(v);
  }

  putMeta(name: string, value: string): Promise<void> {
    return this.guard('write', () => this.db.put(`m:${name}`, enc.encode(value)));
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
    return ops.length === 0 ? Promise.resolve() : this.guard('write', () => this.db.batch(ops));
  }

  private async *range(prefix: string): AsyncIterable<[string, Uint8Array]> {
    try {
      for await (const [key, value] of this.db.iterator({ gte: `${prefix}:`, lt: `${prefix};` })) {
        yield [key.slice(prefix.length + 1), value];
      }
    } catch (err) {
      throw this.fail(err, 'read');
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
      if (err instanceof StoreCorruption || err instanceof TypeError) throw this.damaged(err.message);
      throw this.fail(err, 'read');
    }
  }

  async *blocks(): AsyncIterable<{ hash: string; bytes: Uint8Array }> {
    for await (const [hash, bytes] of this.range('b')) yield { hash, bytes };
  }

  async clearChainState(): Promise<void> {
    for (const prefix of ['h', 'u', 'd'])
      await this.guard('write', () => this.db.clear({ gte: `${prefix}:`, lt: `${prefix};` }));
    await this.guard('write', () => this.db.del('m:tip'));
  }

  async deleteBlock(hash: string): Promise<void> {
    await this.guard('write', () => this.db.del(`b:${hash}`));
  }

  async repair(): Promise<void> {
    if (!this.disk) return;
    try {
      await this.disk.repair(this.location);
    } catch (err) {
      const { text } = levelFailure(err);
      throw new StoreError(
        this.location,
        'damaged',
        `LevelDB's repair of ${this.location} failed (${text})`,
        `the repair failed: ${text}`,
      );
    }
  }
}

// classic-level loads on first use, so a node without a data directory never loads a native addon;
// scripts/build-worker.mjs bundles it by rewriting the one `requireCjs` call of it below (keep its spelling).
// memory-level is imported at once, so the node worker's bundle carries it (see docs/decisions.md, "What else
// a node does not pay at start-up").
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
    { repair: (location) => ClassicLevel.repair(location) },
  );
}

/** An in-memory store (tests, and nodes run without a data directory). */
export function createMemoryStore(): ChainStore {
  return new LevelStore(
    'memory',
    new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }),
    null,
  );
}

/** Deletes a data directory (for --fresh). */
export function removeDataDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
