import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { networks } from '../../../src/consensus/index.ts';
import { walletFromSecret } from '../../../src/wallet/wallet.ts';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import {
  eventually,
  getJSON,
  startNodes,
  stopNodes,
  testScheduler,
  type TestNode,
} from '../../helpers/nodes.ts';
import { freePortRun } from '../../helpers/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'chainsim-wallet-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('chainsim wallet new / address', () => {
  const file = join(dir, 'a.json');
  test('creates the file with mode 0600 and prints the address, never the secret', () => {
    const r = runCli(['wallet', 'new', '--network', 'regtest', '--wallet', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { secretKey: string; address: string };
    assert.match(saved.address, /^bcrt1p/);
    assert.ok(r.stdout.includes(saved.address));
    assert.ok(!r.stdout.includes(saved.secretKey) && !r.stderr.includes(saved.secretKey));
    const a = runCli(['wallet', 'address', '--wallet', file]);
    assert.deepEqual([a.status, a.stdout.trim()], [0, saved.address]);
  });
  test('refuses to overwrite without --force (exit 2); --force replaces it, still 0600; --show-secret shows it', () => {
    const before = readFileSync(file, 'utf8');
    const r = runCli(['wallet', 'new', '--network', 'regtest', '--wallet', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing to overwrite/);
    assert.equal(readFileSync(file, 'utf8'), before);
    const f = runCli([
      'wallet',
      'new',
      '--network',
      'regtest',
      '--wallet',
      file,
      '--force',
      '--show-secret',
      '--json',
    ]);
    assert.equal(f.status, 0, f.stderr);
    const shown = JSON.parse(f.stdout) as { secretKey: string };
    assert.equal(
      (JSON.parse(readFileSync(file, 'utf8')) as { secretKey: string }).secretKey,
      shown.secretKey,
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
  test('the default path is per user and per network ($CHAINSIM_HOME here)', () => {
    const home = join(dir, 'home');
    const r = spawnEnv(['wallet', 'new', '--network', 'sim', '--json'], { CHAINSIM_HOME: home });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { file: string }).file, join(home, 'wallet-sim.json'));
    assert.equal(statSync(join(home, 'wallet-sim.json')).mode & 0o777, 0o600);
  });
  test('a missing or corrupt wallet file is a usage error (exit 2)', () => {
    assert.equal(runCli(['wallet', 'address', '--wallet', join(dir, 'none.json')]).status, 2);
    writeFileSync(join(dir, 'bad.json'), '{"format":"x"}');
    assert.equal(runCli(['wallet', 'address', '--wallet', join(dir, 'bad.json')]).status, 2);
  });
});

function spawnEnv(args: string[], env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return runCli(args);
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
  }
}

describe('chainsim wallet balance, send and proof verify against a node', () => {
  const scheduler = testScheduler();
  let nodes: TestNode[];
  const alice = join(dir, 'alice.json');
  const bob = join(dir, 'bob.json');
  let aliceAddr = '';
  let bobAddr = '';

  before(async () => {
    for (const f of [alice, bob])
      assert.equal(runCli(['wallet', 'new', '--network', 'regtest', '--wallet', f]).status, 0);
    aliceAddr = runCli(['wallet', 'address', '--wallet', alice]).stdout.trim();
    bobAddr = runCli(['wallet', 'address', '--wallet', bob]).stdout.trim();
    nodes = await startNodes(2, { scheduler });
    await fetch(`${nodes[0]!.url}/mine?address=${aliceAddr}`);
    for (let i = 0; i < networks.regtest.coinbaseMaturity; i++) await nodes[0]!.node.mine();
  });
  after(async () => {
    await stopNodes(nodes);
    await scheduler.close();
  });

  test('send prints the txid; balances follow on both nodes once mined', async () => {
    const [n0, n1] = nodes as [TestNode, TestNode];
    const bal = await runCliAsync(['wallet', 'balance', '--wallet', alice, '--node', n1.url, '--json']);
    assert.equal(bal.status, 0, bal.stderr);
    assert.equal((JSON.parse(bal.stdout) as { spendable: number }).spendable, 5_000_000_000);
    const s = await runCliAsync([
      'send',
      '--wallet',
      alice,
      '--to',
      bobAddr,
      '--amount',
      '250000',
      '--fee',
      '400',
      '--node',
      n1.url,
      '--data',
      'assembly',
    ]);
    assert.equal(s.status, 0, s.stderr);
    const id = s.stdout.split('\n')[0]!.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await eventually(() => n0.node.mempool.has(id));
    await fetch(`${n0.url}/mine`);
    await eventually(() => n1.node.chain.tip.hash === n0.node.chain.tip.hash);
    for (const n of nodes) {
      const b = await runCliAsync(['wallet', 'balance', '--wallet', bob, '--node', n.url, '--json']);
      assert.equal((JSON.parse(b.stdout) as { confirmed: number }).confirmed, 250_000);
    }
    // The default fee is the minimum relay fee: accepted.
    const d = await runCliAsync([
      'send',
      '--wallet',
      alice,
      '--to',
      bobAddr,
      '--amount',
      '0.00001',
      '--node',
      n0.url,
      '--json',
    ]);
    assert.equal(d.status, 0, d.stderr);
    // Coins with a decimal point, as Core writes them: 0.00001 coins is 1,000 units.
    assert.equal((JSON.parse(d.stdout) as { amount: number }).amount, 1000);
    assert.ok((JSON.parse(d.stdout) as { fee: number }).fee > 100);

    const proofFile = join(dir, 'proof.json');
    writeFileSync(proofFile, JSON.stringify(await getJSON(`${n1.url}/tx/${id}/proof`)));
    const v = await runCliAsync(['proof', 'verify', proofFile]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /valid/);
    const proof = JSON.parse(readFileSync(proofFile, 'utf8')) as { branch: string[] };
    proof.branch[0] = '00'.repeat(32);
    writeFileSync(proofFile, JSON.stringify(proof));
    const t = await runCliAsync(['proof', 'verify', proofFile, '--json']);
    assert.equal(t.status, 1);
    assert.equal((JSON.parse(t.stdout) as { reason: string }).reason, 'bad-txnmrklroot');
  });

  test('a fee below the minimum relay fee: exit 1, the reason once, with the fee given and the fee needed', async () => {
    const [n0] = nodes as [TestNode];
    const r = await runCliAsync([
      'send',
      '--wallet',
      alice,
      '--to',
      bobAddr,
      '--amount',
      '1000',
      '--fee',
      '10',
      '--node',
      n0.url,
    ]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.stderr.split('min relay fee not met').length - 1, 1, r.stderr);
    assert.match(r.stderr, /the fee is 10; this node needs at least \d+ \(1 per byte x \d+ bytes\)/);
  });

  test('clear errors: insufficient funds (1), wrong-network address (2), node unreachable (1)', async () => {
    const [n0] = nodes as [TestNode];
    const poor = await runCliAsync([
      'send',
      '--wallet',
      bob,
      '--to',
      aliceAddr,
      '--amount',
      '999999999',
      '--fee',
      '500',
      '--node',
      n0.url,
    ]);
    assert.equal(poor.status, 1);
    assert.match(poor.stderr, /insufficient funds/);
    const simAddr = walletFromSecret(new Uint8Array(32).fill(1), networks.sim).address;
    const foreign = await runCliAsync([
      'send',
      '--wallet',
      alice,
      '--to',
      simAddr,
      '--amount',
      '1',
      '--node',
      n0.url,
    ]);
    assert.equal(foreign.status, 2);
    assert.match(foreign.stderr, /not a regtest address/);
    const down = await runCliAsync([
      'send',
      '--wallet',
      alice,
      '--to',
      bobAddr,
      '--amount',
      '1',
      '--node',
      `http://127.0.0.1:${await freePortRun(1)}`,
    ]);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /cannot reach the node/);
  });

  test('an unfunded wallet is told how to fund it; an immature one how many blocks to wait (exit 1)', async () => {
    const [n0] = nodes as [TestNode];
    const carol = join(dir, 'carol.json');
    assert.equal(runCli(['wallet', 'new', '--network', 'regtest', '--wallet', carol]).status, 0);
    const carolAddr = runCli(['wallet', 'address', '--wallet', carol]).stdout.trim();
    const send = () =>
      runCliAsync(['send', '--wallet', carol, '--to', aliceAddr, '--amount', '1000', '--node', n0.url]);
    const empty = await send();
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /insufficient funds: 0 spendable/);
    assert.ok(empty.stderr.includes(`curl "${n0.url}/mine?address=${carolAddr}"`), empty.stderr);
    assert.match(
      empty.stderr,
      /then 99 more on top of it \(on the regtest network a coinbase output can be spent once it has 100 confirmations/,
    );
    await fetch(`${n0.url}/mine?address=${carolAddr}`);
    const immature = await send();
    assert.equal(immature.status, 1);
    assert.match(immature.stderr, /Not enough of its mined coins are mature yet .*after 99 more block\(s\)/s);
  });
});
