import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { Chain } from '../../src/chain/chain.ts';
import { blockHash, networks, txid } from '../../src/consensus/index.ts';
import type { ChainsimNode } from '../../src/node/node.ts';
import { openNode } from '../../src/node/open.ts';
import { reindexStore } from '../../src/store/reindex.ts';
import { createLevelStore, createMemoryStore, StoreError } from '../../src/store/store.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { mineOn } from '../helpers/chain.ts';
import { testScheduler } from '../helpers/nodes.ts';
import { spendTx, testKey } from '../helpers/tx.ts';

const params = networks.regtest;
const scheduler = testScheduler();
const dirs: string[] = [];
after(async () => {
  await scheduler.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A loopback port nothing listens on (one this process opened and closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'chainsim-store-'));
  dirs.push(d);
  return d;
}

const open = (dir: string) =>
  openNode({
    params,
    pow: scheduler.addClient({ name: 'n' }),
    logger: silentLogger(),
    store: createLevelStore(dir),
  });

function utxoSnapshot(node: ChainsimNode | Chain): string[] {
  const chain = 'chain' in node ? node.chain : node;
  return [...chain.utxos.entries()]
    .map(([k, c]) => `${k}=${c.value}/${Buffer.from(c.script).toString('hex')}/${c.height}/${c.coinbase}`)
    .sort();
}

/** The UTXO set rebuilt from scratch by replaying the node's active blocks into a fresh chain. */
function rebuilt(node: ChainsimNode): string[] {
  const fresh = new Chain({ params });
  for (const e of node.chain.range(1)) fresh.acceptBlock(node.chain.getBlock(e.hash)!, 2_000_000_000);
  assert.equal(fresh.tip.hash, node.chain.tip.hash);
  return utxoSnapshot(fresh);
}

const alice = testKey('alice');
const bob = testKey('bob');

describe('persistence', () => {
  test('restart: after mining and a payment, the tip, the UTXO set, the id, the key and the peers are identical', async () => {
    const dir = tmp();
    let node = await open(dir);
    const id = node.id;
    const address = node.miningAddress;
    await node.mine(alice.script);
    for (let i = 0; i < 100; i++) await node.mine();
    const cb = node.chain.getBlock(node.chain.at(1)!.hash)!.txs[0]!;
    const tx = spendTx(
      [{ txid: txid(cb), vout: 0, coin: cb.outputs[0]!, signer: alice }],
      [{ value: 40n * 100_000_000n, script: bob.script }],
    );
    assert.equal((await node.receiveTransaction(tx)).status, 'accepted');
    await node.mine();
    await node.registerPeers([{ id: 'ab'.repeat(16), address: '127.0.0.1:6001' }]);
    const before = { tip: node.chain.tip.hash, height: node.chain.height, utxos: utxoSnapshot(node) };
    assert.ok(node.chain.findTx(txid(tx)));
    await node.close();

    node = await open(dir);
    assert.equal(node.id, id);
    assert.equal(node.miningAddress, address);
    assert.deepEqual(
      { tip: node.chain.tip.hash, height: node.chain.height, utxos: utxoSnapshot(node) },
      before,
    );
    assert.deepEqual(node.peers.toRecord(), { ['ab'.repeat(16)]: '127.0.0.1:6001' });
    assert.ok(node.chain.findTx(txid(tx)), 'the tx index is rebuilt');
    assert.deepEqual(utxoSnapshot(node), rebuilt(node));
    // And it keeps going where it stopped.
    const { height } = await node.mine();
    assert.equal(height, before.height + 1);
    await node.close();
  });

  test('restart: a peer dropped for misbehaviour is not restored from the stored peer list', async () => {
    const dir = tmp();
    let node = await open(dir);
    // Nothing listens at these: the hellos fail, which does not matter here.
    const bad = { id: 'ab'.repeat(16), address: `127.0.0.1:${await closedPort()}` };
    const good = { id: 'cd'.repeat(16), address: `127.0.0.1:${await closedPort()}` };
    await node.registerPeers([bad, good]);
    const peer = node.peer(bad.id)!;
    // Two blocks that miss their target (high-hash, ban score 50 each), authenticated as `bad`.
    for (let i = 0; i < 2; i++) {
      const next = mineOn(node.chain.tip, params);
      let nonce = 1;
      while (blockHash({ ...next, header: { ...next.header, nonce } }) <= '7fffff'.padEnd(64, '0')) nonce++;
      await assert.rejects(node.receiveBlock({ ...next, header: { ...next.header, nonce } }, { peer }));
    }
    assert.deepEqual(node.peers.toRecord(), { [good.id]: good.address });
    await node.close();

    node = await open(dir);
    assert.deepEqual(node.peers.toRecord(), { [good.id]: good.address });
    await node.close();
  });

  test('crash: killed with SIGKILL at random moments (20 rounds), every acknowledged block survives and the UTXO set matches a rebuild', async () => {
    const dir = tmp();
    const child = fileURLToPath(new URL('../helpers/crash-child.ts', import.meta.url));
    const acked = new Map<number, string>();
    const deadline = Date.now() + 120_000;
    for (let round = 0; round < 20 && Date.now() < deadline; round++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((r) => proc.on('exit', () => r()));
      let killTimer: NodeJS.Timeout | undefined;
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Once it is mining, kill it a random moment later (mid-write or not).
        if (!killTimer && out.includes('connected')) {
          killTimer = setTimeout(() => proc.kill('SIGKILL'), 20 + Math.random() * 300);
        }
      });
      const guard = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(guard);
      if (killTimer) clearTimeout(killTimer);
      assert.ok(out.includes('opened'), `round ${round}: the node did not open its store:\n${err}`);
      for (const m of out.matchAll(/^connected (\d+) ([0-9a-f]{64})$/gm)) acked.set(Number(m[1]), m[2]!);

      const node = await open(dir);
      try {
        for (const [height, hash] of acked) {
          const entry = node.chain.get(hash);
          assert.ok(
            entry && node.chain.isActive(entry),
            `round ${round}: acknowledged block ${height} ${hash} is missing`,
          );
        }
        assert.deepEqual(
          utxoSnapshot(node),
          rebuilt(node),
          `round ${round}: UTXO set differs from a rebuild`,
        );
      } finally {
        await node.close();
      }
    }
    assert.ok(acked.size >= 20, `only ${acked.size} blocks acknowledged`);
  });

  test('a damaged value gives a clear error naming the path; reindex rebuilds from the stored blocks', async () => {
    const dir = tmp();
    let node = await open(dir);
    for (let i = 0; i < 10; i++) await node.mine();
    const tip = node.chain.tip.hash;
    const utxos = utxoSnapshot(node);
    const victim = node.chain.at(5)!.hash;
    await node.close();

    // Truncate the undo data of block 5 and garble one coin.
    const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.put(`d:${victim}`, Uint8Array.of(0x05));
    const someCoin = (await db.keys({ gte: 'u:', lt: 'u;', limit: 1 }).all())[0]!;
    await db.put(someCoin, Uint8Array.of(1, 2, 3));
    await db.close();

    await assert.rejects(open(dir), (err: unknown) => {
      assert.ok(err instanceof StoreError, String(err));
      assert.equal(err.kind, 'damaged');
      assert.ok(err.message.includes(dir), err.message);
      assert.match(err.message, /chainsim node reindex/);
      return true;
    });

    const store = createLevelStore(dir);
    await store.open(params.name);
    const report = await reindexStore(store, params, 2_000_000_000);
    await store.close();
    assert.deepEqual([report.height, report.tip, report.damaged.length], [10, tip, 0]);
    node = await open(dir);
    assert.equal(node.chain.tip.hash, tip);
    assert.deepEqual(utxoSnapshot(node), utxos);
    await node.close();
  });

  test('reindex drops a garbled block and what builds on it; the rest of the chain remains', async () => {
    const dir = tmp();
    let node = await open(dir);
    for (let i = 0; i < 8; i++) await node.mine();
    const at5 = node.chain.at(5)!.hash;
    const at4 = node.chain.at(4)!.hash;
    await node.close();
    const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.put(`b:${at5}`, Uint8Array.of(0, 1, 2, 3));
    await db.close();
    const store = createLevelStore(dir);
    await store.open(params.name);
    const report = await reindexStore(store, params, 2_000_000_000);
    await store.close();
    assert.deepEqual(report.damaged, [at5]);
    assert.equal(report.height, 4);
    assert.equal(report.orphaned, 3);
    node = await open(dir);
    assert.equal(node.chain.tip.hash, at4);
    await node.close();
  });

  test('a database another process holds, or one of another network, is refused naming the path', async () => {
    const dir = tmp();
    const node = await open(dir);
    await assert.rejects(
      open(dir),
      (err: unknown) => err instanceof StoreError && err.kind === 'locked' && err.message.includes(dir),
    );
    await node.close();
    await assert.rejects(
      openNode({
        params: networks.sim,
        pow: scheduler.addClient({ name: 'x' }),
        logger: silentLogger(),
        store: createLevelStore(dir),
      }),
      (err: unknown) =>
        err instanceof StoreError &&
        err.kind === 'network' &&
        /belongs to the regtest network/.test(err.message),
    );
  });

  test('the in-memory store behaves the same (memory-level)', async () => {
    const node = await openNode({
      params,
      pow: scheduler.addClient({ name: 'm' }),
      logger: silentLogger(),
      store: createMemoryStore(),
    });
    await node.mine();
    assert.equal(node.chain.height, 1);
    await node.close();
  });
});
