/**
 * A fuzz target for a node's HTTP API (issue 13): random and mutated blocks, transactions, registrations, hellos,
 * sync queries and chain replacements, thrown at one regtest node through `inject()` (no sockets), seeded and
 * bounded. After every request: no 5xx; every 4xx is the JSON error `{error: {code, message}}` and leaves the node
 * as it was (tip, block index, peers, mempool, and nothing written to its store); after every run, a fresh valid
 * block on the tip is accepted and `GET /node/id` answers.
 *
 * `CHAINSIM_SEED=<n>` replays a run (the seed is in every assertion message). The node's peers can only ever be
 * 127.0.0.1 ports of servers this file owns, which drop every connection: a registration the node accepts makes
 * it send hellos and pushes there, and nowhere else.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ChainJournal } from '../../../src/store/journal.ts';
import {
  addressFromKey,
  type Block,
  blockFromJSON,
  blockHash,
  blockMerkleRoot,
  blockSubsidy,
  blockToJSON,
  dataScript,
  decodeBlock,
  encodeTx,
  hashHeader,
  meetsTarget,
  networks,
  parseOutpointKey,
  REJECT_REASONS,
  type Transaction,
  txid,
  txToJSON,
} from '../../../src/consensus/index.ts';
import { createChain } from '../../../src/chain/chain.ts';
import { isAddress } from '../../../src/net/peers.ts';
import { NODE_ID_HEADER, PEER_SECRET_HEADER, RELAY_LIMITS, SEEN_BY_HEADER } from '../../../src/net/relay.ts';
import { buildServer } from '../../../src/node/http/server.ts';
import type { ChainsimNode } from '../../../src/node/node.ts';
import { openNode } from '../../../src/node/open.ts';
import { type ChainStore, createMemoryStore } from '../../../src/store/store.ts';
import { bytesToHex } from '../../../src/util/bytes.ts';
import { mineOn } from '../../helpers/chain.ts';
import { silent, testScheduler } from '../../helpers/nodes.ts';
import { seededRandom, testSeed } from '../../helpers/seed.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params = networks.regtest;
const seed = testSeed();
const scheduler = testScheduler();
/** The key every block mined here pays, so the fuzz has mature coins to spend. */
const key = testKey('fuzz');
const keyAddress = addressFromKey(key.key, params);
/** Extra-nonces for the blocks mined here: from the seed, so a replay mines the same blocks. */
const rand = seededRandom(seed);
const extraNonce = (): bigint => BigInt(Math.floor(rand() * 2 ** 48));
/** A request that has not answered after this is a hang. */
const HANG_MS = 10_000;
/** Peers this node may hold (small, so the fuzz reaches a full peer table). */
const MAX_PEERS = 16;
/** Servers this file owns, for the only peer addresses a registration may name. */
const PEER_SERVERS = 24;

const where = `seed ${seed} (CHAINSIM_SEED=${seed} replays it)`;
const fcOptions = (numRuns: number) => ({ seed, numRuns, endOnFailure: true, includeErrorInReport: true });

// --- JSON tools ---

/** A number written into the JSON text as it is (1e400, 30 digits): JavaScript numbers cannot say them. */
const RAW = '\u0000raw:';
const raw = (text: string): string => `${RAW}${text}`;

/** JSON text for a value; `raw()` strings become bare number tokens. */
function toText(value: unknown): string | undefined {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (text === undefined) return undefined;
  return text.replace(/"\\u0000raw:([^"]*)"/g, '$1');
}

type Path = Array<string | number>;

/** Every path below the root (objects' keys, arrays' indices), parents before children. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

type Container = Record<string | number, unknown>;

function parentOf(root: unknown, path: Path): Container {
  let cur = root as Container;
  for (const k of path.slice(0, -1)) cur = cur[k] as Container;
  return cur;
}

function getAt(root: unknown, path: Path): unknown {
  return path.length === 0 ? root : parentOf(root, path)[path.at(-1)!];
}

const HEX = '0123456789abcdef';
const isHex = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-fA-F]+$/.test(v);

type Mutation =
  | { readonly op: 'set'; readonly at: number; readonly value: unknown }
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'flip'; readonly at: number; readonly pos: number; readonly digit: number }
  | { readonly op: 'dup' | 'drop'; readonly at: number; readonly index: number }
  | { readonly op: 'swap'; readonly at: number; readonly i: number; readonly j: number };

/** Applies mutations to a copy of `value`; a mutation with nothing to act on does nothing. */
function mutate<T>(value: T, mutations: readonly Mutation[]): T {
  let root: unknown = structuredClone(value);
  for (const m of mutations) {
    const all = pathsOf(root);
    const pick = (paths: Path[], at: number): Path | undefined =>
      paths.length === 0 ? undefined : paths[at % paths.length];
    if (m.op === 'set') {
      const path = pick(all, m.at);
      if (path) parentOf(root, path)[path.at(-1)!] = m.value;
      else root = m.value;
    } else if (m.op === 'delete') {
      const path = pick(all, m.at);
      if (!path) continue;
      const parent = parentOf(root, path);
      if (Array.isArray(parent)) parent.splice(path.at(-1) as number, 1);
      else delete parent[path.at(-1)!];
    } else if (m.op === 'flip') {
      const path = pick(
        all.filter((p) => isHex(getAt(root, p))),
        m.at,
      );
      if (!path) continue;
      const s = getAt(root, path) as string;
      const i = m.pos % s.length;
      let d = HEX[m.digit % 16]!;
      if (d === s[i]!.toLowerCase()) d = HEX[(m.digit + 1) % 16]!;
      parentOf(root, path)[path.at(-1)!] = s.slice(0, i) + d + s.slice(i + 1);
    } else {
      const path = pick(
        [[], ...all].filter((p) => Array.isArray(getAt(root, p))),
        m.at,
      );
      if (!path) continue;
      const list = getAt(root, path) as unknown[];
      if (list.length === 0) continue;
      if (m.op === 'dup') {
        const i = m.index % list.length;
        list.splice(i + 1, 0, structuredClone(list[i]));
      } else if (m.op === 'drop') list.splice(m.index % list.length, 1);
      else if (m.op === 'swap') {
        const [i, j] = [m.i % list.length, m.j % list.length];
        [list[i], list[j]] = [list[j], list[i]];
      }
    }
  }
  return root as T;
}

// --- generators ---

const hexString = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...HEX), minLength: min, maxLength: max });
const hash64 = hexString(64, 64);
const id32 = hexString(32, 32);

/** Values at the edges of what the decoders take: u32 bounds, 2^53, int64 strings, MAX_MONEY, hex and not. */
const edgeValue = fc.constantFrom<unknown>(
  0,
  -1,
  1,
  -0.5,
  1.5,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  1e21,
  1e308,
  -1e308,
  raw('1e400'),
  raw('-1e400'),
  raw('123456789012345678901234567890'),
  raw('1.0'),
  raw('4294967296.0'),
  raw('1E2'),
  raw('-0'),
  '0',
  '-0',
  '00',
  '01',
  '1.0',
  '1e3',
  ' 1',
  '0x1f',
  '2100000000000000',
  '2100000000000001',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '',
  'null',
  true,
  false,
  null,
  [],
  {},
  [null],
  { '': '' },
  'ff'.repeat(32),
  '0'.repeat(64),
  'FF'.repeat(32),
  'g'.repeat(64),
  'ab'.repeat(100_000),
);

/** `depth` levels of arrays or objects around `leaf`. */
function nested(depth: number, kind: 'array' | 'object', leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

const deepValue = fc
  .tuple(
    fc.integer({ min: 1, max: 300 }),
    fc.constantFrom('array', 'object' as const),
    fc.jsonValue({ maxDepth: 1 }),
  )
  .map(([depth, kind, leaf]) => nested(depth, kind, leaf));

/** Any JSON value for a field: JSON of any shape, edge values, huge and out-of-range numbers, hex, deep nesting. */
const wildValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 4, arbitrary: edgeValue },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 33), max: 2 ** 33 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 2, arbitrary: hexString(0, 80) },
  { weight: 1, arbitrary: deepValue },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: wildValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('flip' as const),
      at: fc.nat(),
      pos: fc.nat(),
      digit: fc.nat(15),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('dup' as const, 'drop' as const),
      at: fc.nat(),
      index: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('swap' as const), at: fc.nat(), i: fc.nat(), j: fc.nat() }),
  },
);
/** `arb` one time in `oneIn`, else undefined: a defect that most requests do not have, so the rest is reached. */
const sometimes = <T>(arb: fc.Arbitrary<T>, oneIn = 4): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const mutations = (min: number, max: number) => fc.array(mutation, { minLength: min, maxLength: max });

/** A whole body of any kind: JSON, non-JSON values (limited), text that is not JSON, double-encoded JSON. */
const wildBody: fc.Arbitrary<{ text: string | undefined }> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: toText(v) })),
  fc.anything({ maxDepth: 3, maxKeys: 5 }).map((v) => ({ text: toText(v) })),
  fc.string({ maxLength: 60 }).map((s) => ({ text: s })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: JSON.stringify(JSON.stringify(v)) })),
  deepValue.map((v) => ({ text: toText(v) })),
);

/** A hex string edited: digits flipped, cut, extended, or a stretch replaced. */
const hexEdit = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), pos: fc.nat(), digit: fc.nat(15) }),
  fc.record({ op: fc.constant('cut' as const), keep: fc.nat() }),
  fc.record({ op: fc.constant('extend' as const), more: hexString(1, 80) }),
  fc.record({
    op: fc.constant('splice' as const),
    pos: fc.nat(),
    remove: fc.nat(40),
    insert: hexString(0, 40),
  }),
);
type HexEdit = typeof hexEdit extends fc.Arbitrary<infer T> ? T : never;

function editHex(hex: string, edits: readonly HexEdit[]): string {
  let s = hex;
  for (const e of edits) {
    const at = (n: number): number => (s.length === 0 ? 0 : n % s.length);
    if (e.op === 'flip' && s.length > 0) {
      const i = at(e.pos);
      let d = HEX[e.digit]!;
      if (d === s[i]) d = HEX[(e.digit + 1) % 16]!;
      s = s.slice(0, i) + d + s.slice(i + 1);
    } else if (e.op === 'cut') s = s.slice(0, at(e.keep));
    else if (e.op === 'extend') s += e.more;
    else if (e.op === 'splice') s = s.slice(0, at(e.pos)) + e.insert + s.slice(at(e.pos) + e.remove);
  }
  return s;
}

// --- the node under test ---

type Write =
  | { readonly kind: 'write'; readonly journal: ChainJournal }
  | { readonly kind: 'meta'; readonly name: string };

/** A store that records what is written to it: "nothing written" is checked on what a restart would read. */
function recordingStore(inner: ChainStore): { store: ChainStore; writes: Write[] } {
  const writes: Write[] = [];
  const store: ChainStore = {
    location: inner.location,
    open: (network) => inner.open(network),
    close: () => inner.close(),
    getMeta: (name) => inner.getMeta(name),
    putMeta: (name, value) => {
      writes.push({ kind: 'meta', name });
      return inner.putMeta(name, value);
    },
    write: (journal) => {
      writes.push({ kind: 'write', journal });
      return inner.write(journal);
    },
    load: () => inner.load(),
    blocks: () => inner.blocks(),
    clearChainState: () => inner.clearChainState(),
    deleteBlock: (hash) => inner.deleteBlock(hash),
    repair: () => inner.repair(),
  };
  return { store, writes };
}

/** What a refusal must leave as it was. */
interface NodeState {
  readonly tip: string;
  readonly durableTip: string;
  readonly treeSize: number;
  readonly peers: string;
  readonly mempool: string;
  readonly mempoolBytes: number;
  readonly orphans: number;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** What was sent and answered, for assertion messages. */
  readonly ctx: string;
}

/** What a request may do besides what every request may. */
interface Allowances {
  /** It named a registered peer in its relay headers: a 502 peer-unavailable is its answer when it cannot sync. */
  readonly claimedPeer?: boolean;
  /** It presented this peer's secret: a refusal may drop that peer. */
  readonly authenticated?: string;
}

/** Reasons a block is remembered as invalid for (consensus/errors.ts), as Core keeps BLOCK_FAILED_VALID. */
const remembered = (code: string): boolean =>
  (REJECT_REASONS as Record<string, { remember: boolean } | undefined>)[code]?.remember === true;

const preview = (payload: unknown): string => {
  const text = typeof payload === 'string' ? payload : (toText(payload) ?? 'nothing');
  return text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text;
};

/** Requests made since the file started, and their answers' statuses and time by route (the run's report). */
const started = Date.now();
const stats = { requests: 0, byRoute: new Map<string, Map<number, number>>(), ms: new Map<string, number>() };

class Harness {
  constructor(
    readonly node: ChainsimNode,
    readonly app: FastifyInstance,
    readonly writes: Write[],
    /** The memory store under the recording one, to open the node again from. */
    readonly store: ChainStore,
  ) {}

  static async create(opts: {
    relayLimits?: { blocksPerSecond: number; blockBurst: number };
  }): Promise<Harness> {
    const inner = createMemoryStore();
    const { store, writes } = recordingStore(inner);
    const node = await openNode({
      store,
      params,
      pow: scheduler.addClient({ name: 'fuzz' }),
      logger: silent,
      maxPeers: MAX_PEERS,
      ...(opts.relayLimits ? { relayLimits: opts.relayLimits } : {}),
    });
    const app = await buildServer({ node });
    return new Harness(node, app, writes, inner);
  }

  state(): NodeState {
    const { node } = this;
    return {
      tip: node.chain.tip.hash,
      durableTip: node.tip.hash,
      treeSize: node.chain.tree.size,
      peers: JSON.stringify(node.peers.toRecord()),
      mempool: node.mempool
        .list()
        .map((e) => e.txid)
        .join(','),
      mempoolBytes: node.mempool.bytes,
      orphans: node.mempool.orphanCount,
    };
  }

  /** One request, with every per-request check. */
  async send(label: string, opts: InjectOptions & { url: string }, allow: Allowances = {}): Promise<Answer> {
    const before = this.state();
    const mark = this.writes.length;
    const sent = `${label}: ${opts.method ?? 'GET'} ${opts.url.slice(0, 200)} with ${preview(opts.payload)}`;
    let timer: NodeJS.Timeout | undefined;
    let res;
    const t0 = performance.now();
    try {
      res = await Promise.race([
        this.app.inject(opts),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer after ${HANG_MS} ms`)), HANG_MS);
        }),
      ]);
    } catch (err) {
      assert.fail(`${where}, ${sent}: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    // A peer dropped for misbehaviour has its peer list written right after the answer: let that happen here.
    if (allow.authenticated) await new Promise(setImmediate);
    stats.requests++;
    const path = opts.url
      .split('?')[0]!
      .replace(/^\/(blocks|tx)\/[^/]*/, '/$1/:id')
      .replace(/^\/address\/[^/]*/, '/address/:addr');
    const route = `${opts.method ?? 'GET'} ${path}`;
    const counts = stats.byRoute.get(route) ?? new Map<number, number>();
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
    stats.byRoute.set(route, counts);
    stats.ms.set(route, (stats.ms.get(route) ?? 0) + performance.now() - t0);
    const ctx = `${where}, ${sent}: answered ${res.statusCode} ${res.body.slice(0, 300)}`;
    let body: Record<string, unknown>;
    try {
      body = res.json();
    } catch {
      assert.fail(`${ctx}: the answer is not JSON`);
    }
    const error = body.error as { code?: unknown; message?: unknown } | undefined;
    // The one 5xx a node answers on purpose: a block on an unknown parent, from a sender that names a registered
    // peer, whose blocks could not be fetched from that peer's address (here: a server that drops connections).
    const badGateway =
      res.statusCode === 502 && allow.claimedPeer === true && error?.code === 'peer-unavailable';
    assert.ok(res.statusCode < 500 || badGateway, `${ctx}: a server error`);
    if (res.statusCode >= 400) {
      assert.ok(
        typeof error === 'object' && typeof error.code === 'string' && typeof error.message === 'string',
        `${ctx}: not the JSON error {error: {code, message}}`,
      );
      this.checkUnchanged(ctx, before, this.writes.slice(mark), error.code, allow);
    } else if (opts.method === undefined || opts.method === 'GET') {
      assert.deepEqual(this.state(), before, `${ctx}: a GET changed the node`);
      assert.equal(this.writes.length, mark, `${ctx}: a GET wrote to the store`);
    } else if (route !== 'POST /nodes/register') {
      assert.equal(this.state().peers, before.peers, `${ctx}: only a registration changes the peer table`);
    }
    return { status: res.statusCode, body, ctx };
  }

  /**
   * A refusal leaves the node as it was. The one thing it may add is what Core adds: a block that fails a rule
   * proving it bad, past its header checks, stays in the index marked invalid (BLOCK_FAILED_VALID), in memory
   * and in the store, so a resend is refused at once. Nothing else may be written.
   */
  private checkUnchanged(
    ctx: string,
    before: NodeState,
    writes: readonly Write[],
    code: string,
    allow: Allowances,
  ): void {
    const now = this.state();
    let peers = before.peers;
    // An authenticated peer that sends invalid data is charged its ban score, and dropped at 100 (net/peers.ts).
    if (allow.authenticated && now.peers !== before.peers) {
      assert.ok(remembered(code) || code === 'bad-encoding', `${ctx}: a peer was dropped for ${code}`);
      const left = JSON.parse(before.peers) as Record<string, string>;
      delete left[allow.authenticated];
      peers = JSON.stringify(left);
    }
    assert.deepEqual(
      { ...now, treeSize: 0 },
      { ...before, peers, treeSize: 0 },
      `${ctx}: a refusal changed the node`,
    );
    let invalidEntries = 0;
    for (const w of writes) {
      if (w.kind === 'meta') {
        // Only the peer list, without the peer that was just dropped.
        assert.ok(w.name === 'peers' && peers !== before.peers, `${ctx}: a refusal wrote ${w.name}`);
        continue;
      }
      const j = w.journal;
      assert.deepEqual(
        [j.coins.size, j.undoPut.size, j.undoDelete.size, j.tip],
        [0, 0, 0, null],
        `${ctx}: a refusal wrote coins, undo data or a tip`,
      );
      for (const [hash, e] of j.entries) {
        assert.equal(e.status, 'invalid', `${ctx}: a refusal wrote ${hash} as ${e.status}`);
        assert.equal(e.block, undefined, `${ctx}: a refusal wrote the block ${hash}`);
        invalidEntries++;
      }
    }
    const grew = now.treeSize - before.treeSize;
    if (grew !== 0) {
      assert.ok(remembered(code), `${ctx}: the block index grew by ${grew} on a ${code} refusal`);
      assert.ok(
        grew > 0 && grew <= invalidEntries,
        `${ctx}: ${grew} index entries, ${invalidEntries} stored`,
      );
    }
  }

  // --- building real blocks and transactions on the node's state ---

  /** The coinbase of a block on the tip, paying `key` (with `fees`). */
  payout(fees = 0n) {
    return [{ value: blockSubsidy(this.node.chain.height + 1, params) + fees, script: key.script }];
  }

  /** A valid block on the tip, carrying `txs`. */
  block(txs: readonly Transaction[] = [], fees = 0n): Block {
    return mineOn(this.node.chain.tip, params, { txs, payout: this.payout(fees), extraNonce: extraNonce() });
  }

  /** Mature coins of `key` on the active chain, unspent there; `free`: unspent in the mempool too. */
  coins(free: boolean): Array<{ txid: string; vout: number; value: bigint }> {
    const next = this.node.chain.height + 1;
    return this.node.chain.utxos
      .coinsForScript(key.script)
      .filter(
        ([k, c]) =>
          (!c.coinbase || next - c.height >= params.coinbaseMaturity) &&
          !(free && this.node.mempool.spender(k)),
      )
      .map(([k, c]) => ({ ...parseOutpointKey(k), value: c.value }))
      .sort((a, b) => (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : a.vout - b.vout));
  }

  /** A valid signed payment from a mature coin of `key` (the `pick`th), or undefined when there is none. */
  payment(
    pick: number,
    free: boolean,
    shape: { split?: boolean; data?: boolean; fee?: bigint } = {},
  ): Transaction | undefined {
    const list = this.coins(free);
    const c = list[pick % Math.max(1, list.length)];
    if (!c) return undefined;
    const fee = shape.fee ?? 1000n;
    const rest = c.value - fee;
    const outputs = shape.split
      ? [
          { value: rest / 2n, script: key.script },
          { value: rest - rest / 2n, script: key.script },
        ]
      : [{ value: rest, script: key.script }];
    if (shape.data) outputs.push({ value: 0n, script: dataScript(new Uint8Array([1, 2, 3])) });
    return spendTx(
      [{ txid: c.txid, vout: c.vout, coin: { value: c.value, script: key.script }, signer: key }],
      outputs,
    );
  }

  /** The check after every run: a fresh valid block on the tip (with the mempool's transactions) is accepted. */
  async nextBlockAccepted(label: string): Promise<void> {
    const { txs, fees } = this.node.mempool.select(params.maxBlockSize - 1000);
    const block = this.block(txs, fees);
    const res = await this.post(`${label}, then the next valid block`, '/block/new', blockToJSON(block));
    assert.equal(res.status, 200, res.ctx);
    assert.equal(res.body.accepted, true, res.ctx);
    const info = await this.send(`${label}, then GET /node/id`, { url: '/node/id' });
    assert.equal(info.status, 200, info.ctx);
    assert.equal(info.body.tip, blockHash(block), info.ctx);
  }

  post(
    label: string,
    url: string,
    payload: unknown,
    relay: { headers: Record<string, string>; allow: Allowances } = { headers: {}, allow: {} },
  ): Promise<Answer> {
    const text = typeof payload === 'string' ? payload : toText(payload);
    return this.send(
      label,
      {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...relay.headers },
        ...(text === undefined ? {} : { payload: text }),
      },
      relay.allow,
    );
  }
}

/** Listeners on 127.0.0.1 that close every connection at once: the only peers this node can ever have. */
async function refusingServers(n: number): Promise<{ servers: Server[]; addresses: string[] }> {
  const servers: Server[] = [];
  const addresses: string[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer((socket: Socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    servers.push(server);
    addresses.push(`127.0.0.1:${address.port}`);
  }
  return { servers, addresses };
}

after(() => scheduler.close());

// --- what each endpoint is sent ---

/** A body for any POST route, with any content type (the node reads every body as JSON). */
const wildPost = fc.record({
  body: wildBody,
  contentType: fc.constantFrom<string | undefined>(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    undefined,
  ),
});
type WildPost = typeof wildPost extends fc.Arbitrary<infer T> ? T : never;

/** Printable text for a header value (a header cannot carry control characters at all). */
const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 80 });

/** The relay's headers, sometimes: a claimed id (a registered peer's or not), its secret (right or not), seen-by. */
const relayHeaders = sometimes(
  fc.record({
    id: fc.oneof(
      { weight: 3, arbitrary: fc.nat().map((peer) => ({ peer })) },
      { weight: 1, arbitrary: fc.oneof(id32, headerText).map((literal) => ({ literal })) },
    ),
    secret: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ right: true as const }) },
      { weight: 1, arbitrary: fc.oneof(id32, headerText).map((literal) => ({ literal })) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    seenBy: fc.option(fc.array(fc.oneof(id32, headerText), { maxLength: 6 }), { nil: undefined }),
  }),
  3,
);
type RelayHeaders = NonNullable<typeof relayHeaders extends fc.Arbitrary<infer T> ? T : never>;

const blockCase = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      withTx: fc.boolean(),
      reseal: fc.boolean(),
      ops: mutations(1, 4),
      headers: relayHeaders,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      withTx: fc.boolean(),
      twice: fc.boolean(),
      headers: relayHeaders,
    }),
  },
  // A block beside the tip (equal work: stored, first seen stays), then one on it: a reorg of one block.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reorg' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), post: wildPost }) },
);

const txCase = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('json' as const),
      split: fc.boolean(),
      data: fc.boolean(),
      ops: mutations(1, 3),
      headers: relayHeaders,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('valid' as const), split: fc.boolean(), twice: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hex' as const),
      edits: fc.array(hexEdit, { minLength: 1, maxLength: 3 }),
      headers: relayHeaders,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('random-hex' as const),
      hex: fc.oneof(hexString(0, 400), wildValue),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), post: wildPost }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('legacy' as const),
      body: fc.record({ sender: wildValue, recipient: wildValue, amount: wildValue }, { requiredKeys: [] }),
    }),
  },
);

/** An id: random, a registered peer's, or this node's own. */
const idRef = fc.oneof(
  { weight: 4, arbitrary: id32.map((v) => ({ literal: v })) },
  { weight: 2, arbitrary: fc.nat().map((peer) => ({ peer })) },
  { weight: 1, arbitrary: fc.constant({ self: true as const }) },
);
/** Not an id. */
const badId = fc.oneof(
  id32.map((v): unknown => v.toUpperCase()),
  hexString(0, 40) as fc.Arbitrary<unknown>,
  wildValue,
);
type IdRef = typeof idRef extends fc.Arbitrary<infer T> ? T : never;

const BAD_ADDRESSES = [
  '127.0.0.1',
  '127.0.0.1:',
  '127.0.0.1:0',
  '127.0.0.1:65536',
  '127.0.0.1:999999',
  '127.0.0.1:-1',
  '127.0.0.1:5e3',
  '127.0.0.1:5000\n',
  ' 127.0.0.1:5000',
  ':5000',
  'http://127.0.0.1:5000',
  '127.0.0.1:5000/x',
  '[::1]:5000',
  '',
  `${'a'.repeat(300)}:1`,
];

/** An address: one of this file's servers, this node's own, or a registered peer's. */
const addrRef = fc.oneof(
  { weight: 5, arbitrary: fc.nat().map((own) => ({ own })) },
  { weight: 1, arbitrary: fc.constant({ self: true as const }) },
  { weight: 1, arbitrary: fc.nat().map((peerAt) => ({ peerAt })) },
);
/** Not an address. */
const badAddress = fc.oneof(fc.constantFrom<unknown>(...BAD_ADDRESSES), wildValue);
type AddrRef = typeof addrRef extends fc.Arbitrary<infer T> ? T : never;

/** One entry of a list made bad: its id, or its address. */
const spoil = sometimes(
  fc.record({
    at: fc.nat(),
    field: fc.constantFrom('id' as const, 'address' as const),
    value: fc.oneof(badId, badAddress),
  }),
  3,
);

const registerCase = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('entries' as const),
      form: fc.constantFrom('lists', 'map', 'double'),
      entries: fc.array(fc.tuple(idRef, addrRef), { maxLength: 24 }),
      spoil,
      mismatch: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: -2, max: 2 })),
      extra: sometimes(wildValue),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('long' as const),
      n: fc.integer({ min: 900, max: 2000 }),
      spoil: fc.option(fc.nat(), { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      at: fc.constantFrom('root', 'nodes', 'addresses'),
      depth: fc.integer({ min: 1, max: 400 }),
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), post: wildPost }) },
);

const helloCase = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hello' as const),
      node: idRef,
      address: addrRef,
      secret: fc.oneof({ weight: 4, arbitrary: id32 }, wildValue),
      reply: fc.option(fc.oneof({ weight: 4, arbitrary: fc.boolean() }, wildValue), {
        nil: undefined,
      }),
      spoil: sometimes(
        fc.record({ field: fc.constantFrom('node', 'address'), value: fc.oneof(badId, badAddress) }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), post: wildPost }) },
);

/** A number in a query: mostly one the route takes, sometimes one it must refuse. */
const queryNumber = (min: number, max: number) =>
  fc.option(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min, max }).map(String) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'abc',
          '',
          '1.5',
          '1e3',
          ' 10',
          '0x10',
          '-0',
          '-1',
          '0',
          'Infinity',
          'NaN',
          '1e300',
        ),
      },
      { weight: 1, arbitrary: fc.integer({ min: -3, max: 2100 }).map(String) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    { nil: undefined },
  );

const locatorEntry = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((active) => ({ active })) },
  { weight: 1, arbitrary: hash64.map((v) => ({ literal: v })) },
);
const badLocatorEntry = fc.oneof(
  fc.constantFrom('', ' ', 'xyz', 'G'.repeat(64), '0'.repeat(63), '0'.repeat(65)),
  fc.string({ maxLength: 70 }),
);
/** A query parameter the route does not know. */
const extraParam = sometimes(
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 })),
  6,
);

const blocksQueryCase = fc.record({
  kind: fc.constant('blocks' as const),
  locator: fc.option(
    fc.oneof(
      { weight: 6, arbitrary: fc.array(locatorEntry, { maxLength: 12 }) },
      { weight: 1, arbitrary: fc.array(locatorEntry, { minLength: 95, maxLength: 110 }) },
    ),
    { nil: undefined },
  ),
  spoil: sometimes(fc.tuple(fc.nat(), badLocatorEntry)),
  upper: fc.boolean(),
  limit: queryNumber(1, 20),
  twice: fc.boolean(),
  extra: extraParam,
});

const chainQueryCase = fc.record({
  kind: fc.constant('chain' as const),
  from: queryNumber(0, 600),
  limit: queryNumber(1, 50),
  extra: extraParam,
});

/** The other read-only routes, with a real block hash, txid or address, or something that is not one. */
const getCase = fc.record({
  kind: fc.constant('get' as const),
  route: fc.constantFrom('block', 'tx', 'proof', 'balance', 'utxos', 'tips', 'mempool', 'openapi'),
  param: fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((real) => ({ real })) },
    { weight: 1, arbitrary: hash64.map((literal) => ({ literal })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((literal) => ({ literal })) },
  ),
});

const replaceCase = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('prefix' as const, 'fork' as const),
      n: fc.integer({ min: 0, max: 4 }),
      ops: mutations(0, 3),
      wrap: fc.constantFrom('array', 'object', 'double'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('longer' as const),
      n: fc.integer({ min: 1, max: 2 }),
      ops: mutations(0, 2),
      wrap: fc.constantFrom('array', 'object', 'double'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), post: wildPost }) },
);

const query = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.length === 0
    ? ''
    : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;

describe(`the relay's rate limit, with its default limits (${where})`, () => {
  test('a sender pushing new blocks past the burst is refused 429 rate-limited; another sender is not', async () => {
    const d = await Harness.create({});
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('orphan' as const, 'merkle' as const),
          fc.nat(),
          async (shape, salt) => {
            const sender = `127.0.0.${2 + run++}`;
            const base = blockToJSON(d.block());
            let limited: Answer | undefined;
            let sent = 0;
            for (; sent < RELAY_LIMITS.blockBurst + 2000 && !limited; sent++) {
              // Blocks the node has not seen: an unknown parent, or a merkle root that is not the block's.
              const n = (salt * 10_000 + sent).toString(16).padStart(64, '0');
              const json = shape === 'orphan' ? { ...base, prevHash: n } : { ...base, merkleRoot: n };
              const res = await d.send(`new block ${sent} from ${sender}`, {
                method: 'POST',
                url: '/block/new',
                payload: json,
                remoteAddress: sender,
              });
              if (res.status === 429) limited = res;
            }
            assert.ok(limited, `${where}: ${sender} sent ${sent} new blocks and was never refused`);
            assert.equal((limited.body.error as { code: string }).code, 'rate-limited', limited.ctx);
            assert.ok(sent > RELAY_LIMITS.blockBurst, `${limited.ctx}: refused after ${sent}`);
            const other = await d.send('a valid block from another sender', {
              method: 'POST',
              url: '/block/new',
              payload: blockToJSON(d.block()),
              remoteAddress: `127.0.1.${run}`,
            });
            assert.equal(other.status, 200, other.ctx);
            assert.equal(other.body.accepted, true, other.ctx);
          },
        ),
        fcOptions(2),
      );
    } finally {
      await d.node.close();
    }
  });
});

describe(`fuzzing a node's HTTP API (${where})`, () => {
  let h: Harness;
  let own: { servers: Server[]; addresses: string[] };

  /**
   * What the server will read from a body (it parses JSON, and a JSON string once more). Every string in it that
   * is a host:port must be one of ours; any other gets a "!" that makes it no address.
   */
  function ownAddressesOnly(text: string | undefined): string | undefined {
    if (text === undefined) return text;
    let seen: unknown;
    try {
      seen = JSON.parse(text);
      if (typeof seen === 'string') seen = JSON.parse(seen);
    } catch {
      if (seen === undefined) return text;
    }
    const ours = new Set(own.addresses);
    let safe = true;
    const defang = (v: unknown): unknown => {
      if (typeof v === 'string') {
        if (!isAddress(v) || ours.has(v)) return v;
        safe = false;
        return `${v}!`;
      }
      if (Array.isArray(v)) return v.map(defang);
      if (v !== null && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [defang(k) as string, defang(x)]));
      return v;
    };
    const cleaned = defang(seen);
    return safe ? text : toText(cleaned);
  }

  const peerList = () => h.node.peers.list();
  function resolveId(r: IdRef): unknown {
    if ('self' in r) return h.node.id;
    if ('peer' in r) return peerList()[r.peer % Math.max(1, peerList().length)]?.id ?? 'f'.repeat(32);
    return r.literal;
  }
  function resolveAddress(r: AddrRef): unknown {
    if ('self' in r) return h.node.address;
    if ('own' in r) return own.addresses[r.own % own.addresses.length];
    return peerList()[r.peerAt % Math.max(1, peerList().length)]?.address ?? own.addresses[1];
  }

  const postWild = (label: string, url: string, p: WildPost) =>
    h.send(label, {
      method: 'POST',
      url,
      headers: p.contentType ? { 'content-type': p.contentType } : {},
      ...(p.body.text === undefined ? {} : { payload: ownAddressesOnly(p.body.text) ?? '' }),
    });

  /** No registration may leave a peer anywhere but at one of this file's servers. */
  function checkPeerTable(ctx: string): void {
    const ours = new Set(own.addresses);
    for (const p of peerList()) assert.ok(ours.has(p.address), `${ctx}: a peer at ${p.address}`);
    assert.ok(peerList().length <= MAX_PEERS, `${ctx}: ${peerList().length} peers`);
  }

  /** Relay headers as a request carries them, and what they allow. */
  function relayOf(r: RelayHeaders | undefined): { headers: Record<string, string>; allow: Allowances } {
    if (!r) return { headers: {}, allow: {} };
    const peer = 'peer' in r.id ? peerList()[r.id.peer % Math.max(1, peerList().length)] : undefined;
    const id = 'peer' in r.id ? (peer?.id ?? 'e'.repeat(32)) : r.id.literal;
    const secret = r.secret === undefined ? undefined : 'right' in r.secret ? peer?.secret : r.secret.literal;
    const headers: Record<string, string> = { [NODE_ID_HEADER]: id };
    if (secret !== undefined) headers[PEER_SECRET_HEADER] = secret;
    if (r.seenBy) headers[SEEN_BY_HEADER] = r.seenBy.join(',');
    const claimed = h.node.peers.get(id);
    const authenticated = claimed && secret === claimed.secret ? claimed.id : undefined;
    return {
      headers,
      allow: { claimedPeer: claimed !== undefined, ...(authenticated ? { authenticated } : {}) },
    };
  }

  async function runBlock(c: typeof blockCase extends fc.Arbitrary<infer T> ? T : never, coin: number) {
    if (c.kind === 'random') return void (await postWild('random block', '/block/new', c.post));
    if (c.kind === 'reorg') {
      const tip = h.node.chain.tip;
      const parent = tip.prev!;
      const payout = (height: number) => [{ value: blockSubsidy(height, params), script: key.script }];
      const side = mineOn(parent, params, { payout: payout(tip.height), extraNonce: extraNonce() });
      const first = await h.post('a block beside the tip', '/block/new', blockToJSON(side));
      assert.equal(first.status, 200, first.ctx);
      assert.equal(h.node.chain.tip, tip, `${first.ctx}: the first seen of equal work stays the tip`);
      const sideEntry = h.node.chain.get(blockHash(side))!;
      const next = mineOn(sideEntry, params, { payout: payout(tip.height + 1), extraNonce: extraNonce() });
      const second = await h.post('a block on it: a reorg', '/block/new', blockToJSON(next));
      assert.equal(second.status, 200, second.ctx);
      assert.equal(h.node.tip.hash, blockHash(next), second.ctx);
      return;
    }
    const tx = c.withTx ? h.payment(coin, false) : undefined;
    const block = tx ? h.block([tx], 1000n) : h.block();
    const relay = relayOf(c.headers);
    if (c.kind === 'valid') {
      const res = await h.post('valid block', '/block/new', blockToJSON(block), relay);
      assert.equal(res.status, 200, res.ctx);
      assert.equal(res.body.accepted, true, res.ctx);
      if (c.twice) {
        const again = await h.post('the same block again', '/block/new', blockToJSON(block), relay);
        assert.equal(again.status, 200, again.ctx);
        assert.equal(again.body.accepted, false, again.ctx);
      }
      return;
    }
    let json: unknown = mutate(blockToJSON(block), c.ops);
    if (c.reseal) json = reseal(json);
    await h.post(c.reseal ? 'mutated, resealed block' : 'mutated block', '/block/new', json, relay);
  }

  async function runTx(c: typeof txCase extends fc.Arbitrary<infer T> ? T : never, coin: number) {
    if (c.kind === 'random') return void (await postWild('random transaction', '/transactions/new', c.post));
    if (c.kind === 'random-hex')
      return void (await h.post('random hex', '/transactions/new', { hex: c.hex }));
    if (c.kind === 'legacy') return void (await h.post('old-style transaction', '/transactions/new', c.body));
    const shape = c.kind === 'hex' ? {} : { split: c.split, ...(c.kind === 'json' ? { data: c.data } : {}) };
    const tx = h.payment(coin, true, shape);
    assert.ok(tx, `${where}: no mature coin left to spend`);
    if (c.kind === 'hex') {
      const hex = editHex(bytesToHex(encodeTx(tx)), c.edits);
      await h.post('mutated hex', '/transactions/new', { hex }, relayOf(c.headers));
    } else if (c.kind === 'json') {
      await h.post(
        'mutated transaction',
        '/transactions/new',
        mutate(txToJSON(tx), c.ops),
        relayOf(c.headers),
      );
    } else {
      const res = await h.post('valid transaction', '/transactions/new', txToJSON(tx));
      assert.equal(res.status, 201, res.ctx);
      if (c.twice) {
        const again = await h.post('the same transaction again', '/transactions/new', txToJSON(tx));
        assert.equal(again.status, 409, again.ctx);
      }
    }
  }

  async function runRegister(c: typeof registerCase extends fc.Arbitrary<infer T> ? T : never) {
    let res: Answer;
    if (c.kind === 'random') res = await postWild('random registration', '/nodes/register', c.post);
    else {
      let body: unknown;
      if (c.kind === 'entries') {
        const ids = c.entries.map(([i]) => resolveId(i));
        const addresses = c.entries.map(([, a]) => resolveAddress(a));
        if (c.spoil && ids.length > 0) {
          const at = c.spoil.at % ids.length;
          (c.spoil.field === 'id' ? ids : addresses)[at] = c.spoil.value;
        }
        if (c.mismatch > 0) addresses.push(...own.addresses.slice(0, c.mismatch));
        if (c.mismatch < 0) addresses.splice(c.mismatch);
        body =
          c.form === 'map'
            ? { nodes: Object.fromEntries(ids.map((id, i) => [String(id), addresses[i]])) }
            : { nodes: ids, addresses };
        if (c.extra !== undefined) body = { ...(body as object), extra: c.extra };
        if (c.form === 'double') body = JSON.stringify(body);
      } else if (c.kind === 'long') {
        const ids: unknown[] = Array.from({ length: c.n }, (_, i) => i.toString(16).padStart(32, '0'));
        const addresses: unknown[] = ids.map((_, i) => own.addresses[i % own.addresses.length]);
        if (c.spoil !== undefined) addresses[c.spoil % c.n] = 'nohost';
        body = { nodes: ids, addresses };
      } else {
        const leaf = c.shape === 'array' ? ['f'.repeat(32)] : { ['f'.repeat(32)]: own.addresses[0] };
        const deep = nested(c.depth, c.shape, leaf);
        body =
          c.at === 'root'
            ? deep
            : c.at === 'nodes'
              ? { nodes: deep }
              : { nodes: ['f'.repeat(32)], addresses: deep };
      }
      const text = ownAddressesOnly(toText(body));
      res = await h.post(`registration (${c.kind})`, '/nodes/register', text ?? '');
    }
    checkPeerTable(res.ctx);
    if (res.status === 201) {
      const total = res.body.total_nodes as unknown[];
      assert.deepEqual(
        total,
        peerList().map((p) => p.address),
        res.ctx,
      );
    }
  }

  async function runHello(c: typeof helloCase extends fc.Arbitrary<infer T> ? T : never) {
    if (c.kind === 'random') return void (await postWild('random hello', '/peers/hello', c.post));
    const body = {
      node: resolveId(c.node),
      address: resolveAddress(c.address),
      secret: c.secret,
      ...(c.reply === undefined ? {} : { reply: c.reply }),
      ...(c.spoil ? { [c.spoil.field]: c.spoil.value } : {}),
    };
    await h.post('hello', '/peers/hello', ownAddressesOnly(toText(body)) ?? '');
  }

  async function runBlocksQuery(c: typeof blocksQueryCase extends fc.Arbitrary<infer T> ? T : never) {
    const active = h.node.chain.range();
    const pairs: Array<[string, string]> = [];
    if (c.locator) {
      const hashes = c.locator.map((e) =>
        'active' in e ? active[active.length - 1 - (e.active % active.length)]!.hash : e.literal,
      );
      if (c.spoil) hashes.splice(c.spoil[0] % (hashes.length + 1), 0, c.spoil[1]);
      const text = hashes.join(',');
      pairs.push(['locator', c.upper ? text.toUpperCase() : text]);
      if (c.twice) pairs.push(['locator', text]);
    }
    if (c.limit !== undefined) pairs.push(['limit', c.limit]);
    if (c.extra) pairs.push(c.extra);
    const res = await h.send('blocks by locator', { url: `/blocks${query(pairs)}` });
    if (res.status !== 200) return;
    const blocks = res.body.blocks as Array<{ height: number; prevHash: string }>;
    const fork = res.body.fork as { height: number; hash: string };
    assert.ok(blocks.length <= Math.min(2000, c.limit === undefined ? 500 : Number(c.limit)), res.ctx);
    blocks.forEach((b, i) => assert.equal(b.height, fork.height + 1 + i, res.ctx));
    if (blocks.length > 0) assert.equal(blocks[0]!.prevHash, fork.hash, res.ctx);
  }

  async function runChainQuery(c: typeof chainQueryCase extends fc.Arbitrary<infer T> ? T : never) {
    const pairs: Array<[string, string]> = [];
    if (c.from !== undefined) pairs.push(['from', c.from]);
    if (c.limit !== undefined) pairs.push(['limit', c.limit]);
    if (c.extra) pairs.push(c.extra);
    const res = await h.send('chain page', { url: `/chain${query(pairs)}` });
    if (res.status !== 200) return;
    const chain = res.body.chain as Array<{ height: number }>;
    const from = c.from === undefined ? 0 : Number(c.from);
    assert.equal(res.body.length, h.node.tip.height + 1, res.ctx);
    if (c.limit !== undefined) assert.ok(chain.length <= Number(c.limit), res.ctx);
    chain.forEach((b, i) => assert.equal(b.height, from + i, res.ctx));
  }

  async function runGet(c: typeof getCase extends fc.Arbitrary<infer T> ? T : never) {
    const chain = h.node.chain;
    const blocks = chain.range();
    const block = blocks[('real' in c.param ? c.param.real : 0) % blocks.length]!;
    const txs = [...h.node.mempool.list().map((e) => e.txid), ...chain.getBlock(block.hash)!.txs.map(txid)];
    const real = (kind: 'block' | 'tx' | 'address'): string => {
      if (!('real' in c.param)) return c.param.literal;
      if (kind === 'block') return block.hash;
      if (kind === 'tx') return txs[c.param.real % txs.length]!;
      return c.param.real % 2 === 0 ? keyAddress : h.node.miningAddress;
    };
    const seg = (kind: 'block' | 'tx' | 'address') => encodeURIComponent(real(kind));
    const url = {
      block: () => `/blocks/${seg('block')}`,
      tx: () => `/tx/${seg('tx')}`,
      proof: () => `/tx/${seg('tx')}/proof`,
      balance: () => `/address/${seg('address')}/balance`,
      utxos: () => `/address/${seg('address')}/utxos`,
      tips: () => '/tips',
      mempool: () => '/mempool',
      openapi: () => '/openapi.json',
    }[c.route]();
    const res = await h.send(`GET ${c.route}`, { url });
    if ('real' in c.param && c.route !== 'proof') assert.equal(res.status, 200, res.ctx);
  }

  async function runReplace(c: typeof replaceCase extends fc.Arbitrary<infer T> ? T : never) {
    if (c.kind === 'random') return void (await postWild('random replacement', '/chain/replace', c.post));
    let blocks: Block[];
    if (c.kind === 'prefix') {
      blocks = h.node.durableRange(0, c.n + 1).map((e) => h.node.chain.getBlock(e.hash)!);
    } else {
      // A fork from genesis, or our whole chain and a block or two more.
      const scratch = createChain({ params, verifySchnorr: fastVerifySchnorr });
      blocks = [decodeBlock(params.genesisBlock)];
      if (c.kind === 'longer') {
        for (const e of h.node.durableRange(1)) {
          const b = h.node.chain.getBlock(e.hash)!;
          scratch.acceptBlock(b, h.node.now());
          blocks.push(b);
        }
      }
      for (let i = 0; i < c.n; i++) {
        const tip = scratch.tip;
        const payout = [{ value: blockSubsidy(tip.height + 1, params), script: key.script }];
        const b = mineOn(tip, params, { payout, extraNonce: extraNonce() });
        scratch.acceptBlock(b, h.node.now());
        blocks.push(b);
      }
    }
    const list = mutate(
      blocks.map((b, i) => blockToJSON(b, i)),
      c.ops,
    );
    const body = c.wrap === 'object' ? { chain: list } : c.wrap === 'double' ? JSON.stringify(list) : list;
    const res = await h.post(`replacement (${c.kind} of ${blocks.length})`, '/chain/replace', body);
    if (c.ops.length === 0) assert.equal(res.status, c.kind === 'longer' ? 201 : 409, res.ctx);
  }

  before(async () => {
    own = await refusingServers(PEER_SERVERS);
    h = await Harness.create({ relayLimits: { blocksPerSecond: 1e6, blockBurst: 1e6 } });
    h.node.address = own.addresses[0]!;
    // 130 blocks paying `key`: the first 30 coinbases are mature.
    for (let i = 0; i < 130; i++) assert.ok((await h.node.receiveBlock(h.block())).accepted);
  });

  after(async () => {
    await h.node.close();
    for (const s of own.servers) await new Promise((resolve) => s.close(resolve));
  });

  test('POST /block/new: mutated, resealed and random blocks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(blockCase, { minLength: 1, maxLength: 3 }), fc.nat(), async (cases, coin) => {
        for (const c of cases) await runBlock(c, coin);
        await h.nextBlockAccepted('blocks');
      }),
      fcOptions(100),
    );
  });

  test('POST /transactions/new: mutated and random transactions, as JSON and as hex', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(txCase, { minLength: 1, maxLength: 4 }), fc.nat(), async (cases, coin) => {
        for (const c of cases) await runTx(c, coin);
        await h.nextBlockAccepted('transactions');
      }),
      fcOptions(80),
    );
  });

  test('POST /nodes/register: random shapes, deep nesting, long lists, valid-looking entries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(registerCase, { minLength: 1, maxLength: 3 }), async (cases) => {
        for (const c of cases) await runRegister(c);
        await h.nextBlockAccepted('registrations');
      }),
      fcOptions(60),
    );
    assert.ok(peerList().length > 0, `${where}: no registration was ever accepted`);
  });

  test('POST /peers/hello: random and valid-looking hellos', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(helloCase, { minLength: 1, maxLength: 4 }), async (cases) => {
        for (const c of cases) await runHello(c);
        await h.nextBlockAccepted('hellos');
      }),
      fcOptions(40),
    );
  });

  test('GET /blocks?locator=&limit= and GET /chain?from=&limit=', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(blocksQueryCase, chainQueryCase, getCase), { minLength: 1, maxLength: 5 }),
        async (cases) => {
          for (const c of cases) {
            if (c.kind === 'blocks') await runBlocksQuery(c);
            else if (c.kind === 'chain') await runChainQuery(c);
            else await runGet(c);
          }
          await h.nextBlockAccepted('queries');
        },
      ),
      fcOptions(60),
    );
  });

  test('POST /chain/replace: small mutated chains, forks, and our chain extended', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(replaceCase, { minLength: 1, maxLength: 2 }), async (cases) => {
        for (const c of cases) await runReplace(c);
        await h.nextBlockAccepted('replacements');
      }),
      fcOptions(40),
    );
  });

  test('every kind of request, interleaved', async () => {
    const anyCase = fc.oneof(
      blockCase.map((c) => ({ route: 'block' as const, c })),
      txCase.map((c) => ({ route: 'tx' as const, c })),
      registerCase.map((c) => ({ route: 'register' as const, c })),
      helloCase.map((c) => ({ route: 'hello' as const, c })),
      blocksQueryCase.map((c) => ({ route: 'blocks' as const, c })),
      chainQueryCase.map((c) => ({ route: 'chain' as const, c })),
      replaceCase.map((c) => ({ route: 'replace' as const, c })),
      getCase.map((c) => ({ route: 'get' as const, c })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(anyCase, { minLength: 1, maxLength: 6 }), fc.nat(), async (cases, coin) => {
        for (const x of cases) {
          if (x.route === 'block') await runBlock(x.c, coin);
          else if (x.route === 'tx') await runTx(x.c, coin);
          else if (x.route === 'register') await runRegister(x.c);
          else if (x.route === 'hello') await runHello(x.c);
          else if (x.route === 'blocks') await runBlocksQuery(x.c);
          else if (x.route === 'chain') await runChainQuery(x.c);
          else if (x.route === 'get') await runGet(x.c);
          else await runReplace(x.c);
        }
        await h.nextBlockAccepted('mixed');
      }),
      fcOptions(60),
    );
  });

  test('a restart reads back exactly the accepted state: the tip, the block index, the peers', async (t) => {
    const tip = h.node.tip.hash;
    const height = h.node.tip.height;
    const index = { size: h.node.chain.tree.size, tips: tipsOf(h.node) };
    const peers = h.node.peers.toRecord();
    await h.node.close();
    const { store, writes } = recordingStore(h.store);
    const node = await openNode({
      store,
      params,
      pow: scheduler.addClient({ name: 'again' }),
      logger: silent,
    });
    h = new Harness(node, await buildServer({ node }), writes, h.store);
    assert.equal(node.tip.hash, tip, where);
    assert.equal(node.tip.height, height, where);
    assert.deepEqual({ size: node.chain.tree.size, tips: tipsOf(node) }, index, where);
    assert.deepEqual(node.peers.toRecord(), peers, where);
    await h.nextBlockAccepted('after a restart');
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`${where}: ${stats.requests} requests in ${seconds.toFixed(1)} s`);
    for (const [route, counts] of [...stats.byRoute].sort()) {
      t.diagnostic(
        `${route}: ${[...counts]
          .sort((a, b) => a[0] - b[0])
          .map(([s, n]) => `${s} x${n}`)
          .join(', ')} (${Math.round(stats.ms.get(route) ?? 0)} ms)`,
      );
    }
  });
});

/** Every chain tip with its status, in a stable order (tips() orders by height only). */
const tipsOf = (node: ChainsimNode) =>
  node.chain
    .tips()
    .map((t) => `${t.hash} ${t.height} ${t.status}`)
    .sort();

/**
 * After mutating a block's JSON: when it still decodes, its merkle root is recomputed and a nonce searched (a few
 * tries), so the mutation reaches the checks behind proof-of-work and the merkle root.
 */
function reseal(json: unknown): unknown {
  let block: Block;
  try {
    block = blockFromJSON(json);
  } catch {
    return json;
  }
  const header = { ...block.header, merkleRoot: blockMerkleRoot(block.txs).root };
  for (let nonce = 0; nonce < 64; nonce++) {
    if (meetsTarget(hashHeader({ ...header, nonce }), header.bits, params)) {
      return { ...(json as object), merkleRoot: header.merkleRoot, nonce };
    }
  }
  return { ...(json as object), merkleRoot: header.merkleRoot };
}
