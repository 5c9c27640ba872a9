import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { Chain } from '../../../src/chain/chain.ts';
import { networks, txid } from '../../../src/consensus/index.ts';
import type { ChainsimNode } from '../../../src/node/node.ts';
import { openNode } from '../../../src/node/open.ts';
import { reindexStore } from '../../../src/node/reindex.ts';
import { createLevelStore, createMemoryStore, StoreError } from '../../../src/store/store.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { testScheduler } from '../../helpers/nodes.ts';
import { missTarget } from '../../helpers/chain.ts';
import { freePortRun } from '../../helpers/ports.ts';
import { seededRandom, testSeed } from '../../helpers/seed.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params = networks.regtest;
const scheduler = testScheduler();
const dirs: string[] = [];
after(async () => {
  await scheduler.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

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
  const fresh = new Chain({ params, verifySchnorr: fastVerifySchnorr });
  for (const e of node.chain.range(1)) fresh.acceptBlock(node.chain.getBlock(e.hash)!, 2_000_000_000);
  assert.equal(fresh.tip.hash, node.chain.tip.hash);
  return utxoSnapshot(fresh);
}

const alice = testKey('alice');
const bob = testKey('bob');

const CRASH_ROUNDS = 20;
/** A round's child is killed after this at the latest, whatever its plan (bounds a stuck round). */
const CRASH_ROUND_GUARD_MS = 15_000;
/** 20 rounds took 32-38 s on the 2-core machine, 56 s while other jobs loaded it (load average 6.8). */
const CRASH_TEST_TIMEOUT_MS = 120_000;
/** Pause between two `GET /node/id` polls. */
const POLL_GAP_MS = 2;

/** How the crash child acknowledged a block: an HTTP answer, a log line, or its `connected` line. */
const ACK_KINDS = ['answered', 'logged', 'connected'] as const;
type AckKind = (typeof ACK_KINDS)[number];
const ACK_WORDS: Record<AckKind, string> = {
  answered: 'GET /node/id answered tip',
  logged: 'the log said new tip',
  connected: 'the child printed connected',
};

/** A reported tip; `hash` is the log line's 16-hex prefix for `logged`, the whole hash otherwise. */
interface Ack {
  readonly kind: AckKind;
  readonly height: number;
  readonly hash: string;
  readonly round?: number;
}

/**
 * When a round's child dies: a random moment after its first block, or the instant the parent receives the
 * n-th new acknowledgement of one kind, when a block reported before its batch was written would still be in
 * flight.
 */
type KillPlan =
  { readonly after: 'delay'; readonly ms: number } | { readonly after: AckKind; readonly count: number };

function killPlan(random: () => number): KillPlan {
  if (random() < 0.4) return { after: 'delay', ms: 20 + Math.floor(random() * 300) };
  return { after: ACK_KINDS[Math.floor(random() * ACK_KINDS.length)]!, count: 1 + Math.floor(random() * 40) };
}

function planText(plan: KillPlan): string {
  return plan.after === 'delay'
    ? `killed ${plan.ms} ms after its first block`
    : `killed at ${plan.after} ack ${plan.count}`;
}

const crashChild = fileURLToPath(new URL('../../helpers/crash-child.ts', import.meta.url));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/**
 * Runs the crash child over `dir` until `plan` kills it, recording every acknowledgement it gave: its
 * `GET /node/id` answers (polled over one keep-alive connection while it mines), its `new tip` and `reorg` log
 * lines, and its `connected` lines. Resolves once it has exited and its stdout is read to the end.
 */
async function runUntilKilled(
  dir: string,
  plan: KillPlan,
): Promise<{ opened: boolean; acks: Ack[]; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', crashChild, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  const closed = new Promise<void>((r) => proc.on('close', () => r()));
  let exited = false;
  proc.on('exit', () => (exited = true));
  const kill = () => proc.kill('SIGKILL');
  const guard = setTimeout(kill, CRASH_ROUND_GUARD_MS);
  let delay: NodeJS.Timeout | undefined;
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));

  let opened = false;
  const acks: Ack[] = [];
  const seen = new Set<string>();
  const counts: Record<AckKind, number> = { answered: 0, logged: 0, connected: 0 };
  const record = (kind: AckKind, height: number, hash: string): void => {
    const key = `${kind} ${height} ${hash}`;
    if (seen.has(key)) return;
    seen.add(key);
    acks.push({ kind, height, hash });
    counts[kind]++;
    if (plan.after === kind && counts[kind] === plan.count) kill();
    if (plan.after === 'delay' && kind === 'connected') delay ??= setTimeout(kill, plan.ms);
  };

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const poll = async (port: number): Promise<void> => {
    while (!exited) {
      let info: { height: number; tip: string };
      try {
        info = JSON.parse(await getNodeId(port, agent)) as { height: number; tip: string };
      } catch {
        return; // killed: this answer never arrived, so it acknowledged nothing
      }
      record('answered', info.height, info.tip);
      await new Promise((r) => setTimeout(r, POLL_GAP_MS));
    }
  };
  let polling: Promise<void> = Promise.resolve();

  for await (const line of createInterface({ input: proc.stdout })) {
    let m: RegExpMatchArray | null;
    if (line.startsWith('opened ')) opened = true;
    else if ((m = /^listening (\d+)$/.exec(line))) polling = poll(Number(m[1]));
    else if ((m = /^connected (\d+) ([0-9a-f]{64})$/.exec(line))) record('connected', Number(m[1]), m[2]!);
    else if (line.startsWith('{')) {
      const entry = logEntry(line);
      if ((m = /^new tip (\d+) ([0-9a-f]{16})$/.exec(entry.msg ?? ''))) record('logged', Number(m[1]), m[2]!);
      else if ((m = /^reorg: .* tip (\d+)$/.exec(entry.msg ?? ''))) record('logged', Number(m[1]), entry.to!);
    }
  }
  await closed;
  await polling;
  clearTimeout(guard);
  clearTimeout(delay);
  agent.destroy();
  children.delete(proc);
  return { opened, acks, stderr };
}

/** A pino line's message and `to` field; nothing for a line the kill cut short (it acknowledged nothing). */
function logEntry(line: string): { msg?: string; to?: string } {
  try {
    return JSON.parse(line) as { msg?: string; to?: string };
  } catch {
    return {};
  }
}

/** The body of one `GET /node/id` answer, read to its end (a kill mid-answer rejects). */
function getNodeId(port: number, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/node/id', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

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
    // A free port: registering sends the peer a hello.
    const peer = `127.0.0.1:${await freePortRun(1)}`;
    await node.registerPeers([{ id: 'ab'.repeat(16), address: peer }]);
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
    assert.deepEqual(node.peers.toRecord(), { ['ab'.repeat(16)]: peer });
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
    const bad = { id: 'ab'.repeat(16), address: `127.0.0.1:${await freePortRun(1)}` };
    const good = { id: 'cd'.repeat(16), address: `127.0.0.1:${await freePortRun(1)}` };
    await node.registerPeers([bad, good]);
    const peer = node.peers.get(bad.id)!;
    // Two blocks that miss their target (high-hash, ban score 50 each), authenticated as `bad`.
    for (let i = 0; i < 2; i++) {
      await assert.rejects(node.receiveBlock(missTarget(node.chain.tip, params), { peer }));
    }
    assert.deepEqual(node.peers.toRecord(), { [good.id]: good.address });
    await node.close();

    node = await open(dir);
    assert.deepEqual(node.peers.toRecord(), { [good.id]: good.address });
    await node.close();
  });

  test(
    'crash: killed with SIGKILL at random moments (20 rounds), nothing acknowledged is lost (answers, log lines, mined blocks) and the UTXO set matches a rebuild',
    { timeout: CRASH_TEST_TIMEOUT_MS },
    async (t) => {
      const dir = tmp();
      // The seed replays the kill schedule (which trigger, which delay or count), not the exact interleaving:
      // when a kill lands still depends on the OS scheduler.
      const seed = testSeed();
      const random = seededRandom(seed);
      const acks: Ack[] = [];
      const known = new Set<string>();
      for (let round = 0; round < CRASH_ROUNDS; round++) {
        const plan = killPlan(random);
        const run = await runUntilKilled(dir, plan);
        assert.ok(run.opened, `seed ${seed} round ${round}: the node did not open its store:\n${run.stderr}`);
        for (const ack of run.acks) {
          const key = `${ack.kind} ${ack.height} ${ack.hash}`;
          if (!known.has(key)) acks.push({ ...ack, round });
          known.add(key);
        }

        const node = await open(dir);
        try {
          const lost = acks.filter((a) => !node.chain.at(a.height)?.hash.startsWith(a.hash));
          assert.deepEqual(
            lost.slice(0, 5).map((a) => `${ACK_WORDS[a.kind]} ${a.height} ${a.hash} (in round ${a.round})`),
            [],
            `seed ${seed} round ${round} (${planText(plan)}): acknowledged but not in the stored chain, ` +
              `whose tip is ${node.chain.height}; replay the schedule with CHAINSIM_SEED=${seed}`,
          );
          assert.deepEqual(
            utxoSnapshot(node),
            rebuilt(node),
            `seed ${seed} round ${round}: UTXO set differs from a rebuild`,
          );
        } finally {
          await node.close();
        }
      }
      const counts = Object.fromEntries(
        ACK_KINDS.map((k) => [k, new Set(acks.filter((a) => a.kind === k).map((a) => a.height)).size]),
      );
      t.diagnostic(`seed ${seed}: ${CRASH_ROUNDS} rounds, distinct tips checked ${JSON.stringify(counts)}`);
      for (const kind of ACK_KINDS) {
        assert.ok(
          counts[kind]! >= 20,
          `seed ${seed}: only ${counts[kind]} ${kind} tips checked (${JSON.stringify(counts)})`,
        );
      }
    },
  );

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
