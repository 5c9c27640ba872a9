/**
 * A node's LevelDB damaged on disk (CURRENT, MANIFEST, a lost or bit-flipped table): opening the node names the
 * path and recommends `chainsim node reindex`, and that command (the real CLI) repairs the database and rebuilds
 * the chain from every block that can still be read.
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { Chain } from '../../../src/chain/chain.ts';
import { networks } from '../../../src/consensus/index.ts';
import type { ChainsimNode } from '../../../src/node/node.ts';
import { openNode } from '../../../src/node/open.ts';
import { createLevelStore, StoreError } from '../../../src/store/store.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { runCli } from '../../helpers/cli.ts';
import { testScheduler } from '../../helpers/nodes.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params = networks.regtest;
const scheduler = testScheduler();
const dirs: string[] = [];
after(async () => {
  await scheduler.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const open = (dir: string): Promise<ChainsimNode> =>
  openNode({
    params,
    pow: scheduler.addClient({ name: 'n' }),
    logger: silentLogger(),
    store: createLevelStore(dir),
  });

const tables = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ldb'))
    .sort();

/**
 * A regtest node's directory with 10 blocks in two LevelDB tables: blocks 1-5 in the older, 6-10 in the newer.
 * LevelDB keeps recent writes in its .log and, when a database is opened, writes the log it recovers into a new
 * level-0 .ldb table (db_impl.cc RecoverLogFile; four level-0 tables would start a compaction, two do not). So
 * the second session's open turns the first session's writes into one table, and a last open and close turns the
 * second session's into another.
 */
async function twoTables(): Promise<{ dir: string; hashes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-repair-'));
  dirs.push(dir);
  let node = await open(dir);
  for (let i = 0; i < 5; i++) await node.mine();
  await node.close();
  node = await open(dir);
  for (let i = 0; i < 5; i++) await node.mine();
  const hashes = [...node.chain.range(0)].map((e) => e.hash);
  await node.close();
  const db = new ClassicLevel(dir);
  await db.open();
  await db.close();
  assert.equal(tables(dir).length, 2, `expected two tables in ${dir}: ${readdirSync(dir).join(' ')}`);
  assert.equal(hashes.length, 11);
  return { dir, hashes };
}

/** The UTXO set of the node, and the same rebuilt by replaying its active blocks into a fresh chain. */
function utxoAndRebuild(node: ChainsimNode): [string[], string[]] {
  const snapshot = (chain: Chain): string[] =>
    [...chain.utxos.entries()]
      .map(([k, c]) => `${k}=${c.value}/${Buffer.from(c.script).toString('hex')}/${c.height}/${c.coinbase}`)
      .sort();
  const fresh = new Chain({ params, verifySchnorr: fastVerifySchnorr });
  for (const e of node.chain.range(1)) fresh.acceptBlock(node.chain.getBlock(e.hash)!, 2_000_000_000);
  assert.equal(fresh.tip.hash, node.chain.tip.hash);
  return [snapshot(node.chain), snapshot(fresh)];
}

/**
 * The node refuses to open, naming the path and the command that repairs it; that very command succeeds and
 * says what it did; the node then opens with a valid chain, a prefix of the original one. Returns its height.
 */
async function refusedThenRebuilt(dir: string, hashes: string[]): Promise<number> {
  let command: string[] = [];
  await assert.rejects(open(dir), (err: unknown) => {
    assert.ok(err instanceof StoreError, `not a StoreError: ${(err as Error).stack}`);
    assert.equal(err.kind, 'damaged', err.message);
    assert.ok(err.message.includes(dir), err.message);
    const recommended = /`chainsim (node reindex [^`]+)`/.exec(err.message);
    assert.ok(recommended, `no reindex command in: ${err.message}`);
    command = recommended[1]!.split(' ');
    return true;
  });

  const r = runCli(command);
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.doesNotMatch(out, /LEVEL_|\n\s+at /, out);
  assert.match(r.stdout, /repaired\s*│\s*yes \(/, out);
  assert.match(r.stdout, /fetched from peers/, out);
  const tip = /tip\s*│\s*(\d+) ([0-9a-f]{64})/.exec(r.stdout);
  assert.ok(tip, out);

  const node = await open(dir);
  try {
    const height = node.chain.height;
    assert.deepEqual([height, node.chain.tip.hash], [Number(tip[1]), tip[2]], out);
    assert.deepEqual(
      [...node.chain.range(0)].map((e) => e.hash),
      hashes.slice(0, height + 1),
      'the rebuilt chain is the original up to what survived',
    );
    const [utxos, rebuilt] = utxoAndRebuild(node);
    assert.deepEqual(utxos, rebuilt);
    // And it is usable: it mines on top.
    assert.equal((await node.mine()).height, height + 1);
    return height;
  } finally {
    await node.close();
  }
}

describe('repairing a damaged LevelDB', () => {
  test('CURRENT deleted: the node does not start over on an empty database; reindex repairs it, nothing lost', async () => {
    const { dir, hashes } = await twoTables();
    unlinkSync(join(dir, 'CURRENT'));
    assert.equal(await refusedThenRebuilt(dir, hashes), 10);
  });

  test('CURRENT garbled: refused as damaged; reindex repairs it, nothing lost', async () => {
    const { dir, hashes } = await twoTables();
    writeFileSync(join(dir, 'CURRENT'), 'MANIFEST-garbled\n');
    assert.equal(await refusedThenRebuilt(dir, hashes), 10);
  });

  test('MANIFEST garbled: refused as damaged; reindex repairs it, nothing lost', async () => {
    const { dir, hashes } = await twoTables();
    const manifest = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('MANIFEST-'))!,
    );
    const bytes = readFileSync(manifest);
    for (let i = 8; i < 24 && i < bytes.length; i++) bytes[i]! ^= 0xff;
    writeFileSync(manifest, bytes);
    assert.equal(await refusedThenRebuilt(dir, hashes), 10);
  });

  test('the newest .ldb table deleted: refused as damaged; reindex keeps blocks 1-5 (6-10 come from peers)', async () => {
    const { dir, hashes } = await twoTables();
    unlinkSync(join(dir, tables(dir).at(-1)!));
    assert.equal(await refusedThenRebuilt(dir, hashes), 5);
  });

  test('a bit flipped in the newest .ldb table: refused as damaged; reindex keeps at least blocks 1-5', async () => {
    const { dir, hashes } = await twoTables();
    // Byte 0 starts the table's first data block: snappy's varint of its uncompressed length (LevelDB's
    // table_format.md), so the block no longer decompresses.
    const table = join(dir, tables(dir).at(-1)!);
    const bytes = readFileSync(table);
    bytes[0]! ^= 0x10;
    writeFileSync(table, bytes);
    const db = new ClassicLevel(dir);
    await db.open();
    await assert.rejects(db.keys().all(), { code: 'LEVEL_CORRUPTION' }, 'the flip must damage a block');
    await db.close();
    assert.ok((await refusedThenRebuilt(dir, hashes)) >= 5);
  });

  test('a database even the repair cannot use: exit 1 naming the path and what to do, no stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainsim-repair-'));
    dirs.push(dir);
    // A CURRENT that is a directory: LevelDB cannot read it, and its repair cannot replace it.
    mkdirSync(join(dir, 'CURRENT'));
    writeFileSync(join(dir, '000005.log'), '');
    const r = runCli(['node', 'reindex', '--data-dir', dir, '--network', 'regtest']);
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 1, out);
    assert.doesNotMatch(out, /LEVEL_|\n\s+at /, out);
    assert.ok(r.stderr.includes(dir), out);
    assert.match(r.stderr, /--fresh/, out);
  });
});
