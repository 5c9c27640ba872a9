/**
 * Transactions over HTTP between real nodes on loopback (regtest: coinbase maturity 100, so 100 blocks are
 * mined before the first spend; trivial difficulty makes that quick).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  blockSubsidy,
  encodeTx,
  networks,
  type Transaction,
  txid,
  txToJSON,
  verifyTxProof,
  type TxProof,
} from '../../../src/consensus/index.ts';
import { bytesToHex } from '../../../src/util/bytes.ts';
import { buildPayment, walletFromSecret, type Wallet, type WalletUtxo } from '../../../src/wallet/wallet.ts';
import {
  eventually,
  peerHeaders,
  getJSON,
  startNodes,
  stopNodes,
  testScheduler,
  type TestNode,
} from '../../helpers/nodes.ts';
import { testKey } from '../../helpers/tx.ts';

const params = networks.regtest;
const scheduler = testScheduler();
/** Wallets with fixed, distinct keys, so every run pays the same addresses. */
let wallets = 0;
const newWallet = (): Wallet => walletFromSecret(testKey(`wallet ${wallets++}`).secret, params);
const aux = () => new Uint8Array(32);

interface Balance {
  confirmed: number;
  unconfirmed: number;
  spendable: number;
  immature: number;
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function pay(
  node: TestNode,
  from: Wallet,
  to: Wallet,
  amount: bigint,
  fee: bigint,
): Promise<Transaction> {
  const { utxos } = await getJSON<{ utxos: WalletUtxo[] }>(`${node.url}/address/${from.address}/utxos`);
  return buildPayment({ wallet: from, utxos, to: to.address, amount, fee, auxRand: aux }).tx;
}

const tipsEqual = (nodes: TestNode[]) =>
  nodes.every((n) => n.node.chain.tip.hash === nodes[0]!.node.chain.tip.hash);

describe('transactions between nodes over HTTP', () => {
  let nodes: TestNode[];
  const alice = newWallet();
  const bob = newWallet();
  const carol = newWallet();
  const subsidy = blockSubsidy(1, params);

  before(async () => {
    nodes = await startNodes(3, { scheduler });
    // Block 1 pays alice (GET /mine?address=), then 100 blocks to node 0's own key mature it.
    const res = await fetch(`${nodes[0]!.url}/mine?address=${alice.address}`);
    assert.equal(res.status, 200);
    for (let i = 0; i < params.coinbaseMaturity; i++) await nodes[0]!.node.mine();
    await eventually(() => tipsEqual(nodes) && nodes[0]!.node.chain.height === 101);
  });
  after(async () => {
    await stopNodes(nodes);
    await scheduler.close();
  });

  test('GET /node/id shows the mining address; its coinbases pay it', async () => {
    const info = await getJSON<{ miningAddress: string }>(`${nodes[0]!.url}/node/id`);
    assert.match(info.miningAddress, /^bcrt1p/);
    const b = await getJSON<Balance>(`${nodes[1]!.url}/address/${info.miningAddress}/balance`);
    assert.equal(b.confirmed, Number(subsidy) * 100);
    assert.ok(b.immature > 0);
  });

  test('GET /mine?address= with a bad or foreign address is 400, and mines nothing', async () => {
    const height = nodes[0]!.node.chain.height;
    for (const addr of ['nope', newWalletOn('sim')]) {
      const res = await fetch(`${nodes[0]!.url}/mine?address=${addr}`);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad-address');
    }
    assert.equal(nodes[0]!.node.chain.height, height);
  });

  test('alice pays bob through one node; a block on another confirms it; balances agree on every node', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    for (const n of nodes) {
      const b = await getJSON<Balance>(`${n.url}/address/${alice.address}/balance`);
      assert.equal(b.spendable, Number(subsidy));
    }
    const tx = await pay(n1, alice, bob, 1_000_000n, 500n);
    const res = await post(`${n1.url}/transactions/new`, txToJSON(tx));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.txid, txid(tx));
    await eventually(() => nodes.every((n) => n.node.mempool.has(txid(tx))));
    const pending = await getJSON<Balance>(`${n0.url}/address/${bob.address}/balance`);
    assert.deepEqual([pending.confirmed, pending.unconfirmed], [0, 1_000_000]);
    const mempoolView = await getJSON<{ count: number; transactions: Array<{ txid: string; fee: number }> }>(
      `${n2.url}/mempool`,
    );
    assert.deepEqual(
      mempoolView.transactions.map((t) => [t.txid, t.fee]),
      [[txid(tx), 500]],
    );

    const mined = (await (await fetch(`${n2.url}/mine`)).json()) as {
      block: { transactions: Array<{ txid: string; outputs: Array<{ value: number }> }> };
    };
    assert.deepEqual(mined.block.transactions.map((t) => t.txid).slice(1), [txid(tx)]);
    assert.equal(mined.block.transactions[0]!.outputs[0]!.value, Number(subsidy) + 500);
    await eventually(() => tipsEqual(nodes) && nodes.every((n) => n.node.mempool.size === 0));
    for (const n of nodes) {
      const a = await getJSON<Balance>(`${n.url}/address/${alice.address}/balance`);
      const b = await getJSON<Balance>(`${n.url}/address/${bob.address}/balance`);
      assert.equal(a.confirmed, Number(subsidy) - 1_000_000 - 500, n.url);
      assert.equal(b.confirmed, 1_000_000, n.url);
      const t = await getJSON<{ status: string; confirmations: number }>(`${n.url}/tx/${txid(tx)}`);
      assert.deepEqual([t.status, t.confirmations], ['confirmed', 1]);
    }

    // The SPV proof checks out offline, and a tampered one does not.
    const proof = await getJSON<TxProof>(`${n0.url}/tx/${txid(tx)}/proof`);
    const ok = verifyTxProof(proof, params);
    assert.ok(ok.ok && ok.confirmations === 1, ok.ok ? '' : ok.message);
    const other = verifyTxProof({ ...proof, txid: '11'.repeat(32) }, params);
    assert.ok(!other.ok && other.reason === 'bad-txnmrklroot');
  });

  test('a double spend sent to two nodes at once ends with exactly one of the two confirmed', async () => {
    const [n0, n1] = nodes as [TestNode, TestNode, TestNode];
    const { utxos } = await getJSON<{ utxos: WalletUtxo[] }>(`${n0.url}/address/${alice.address}/utxos`);
    const toBob = buildPayment({
      wallet: alice,
      utxos,
      to: bob.address,
      amount: 10_000n,
      fee: 300n,
      auxRand: aux,
    }).tx;
    const toCarol = buildPayment({
      wallet: alice,
      utxos,
      to: carol.address,
      amount: 20_000n,
      fee: 300n,
      auxRand: aux,
    }).tx;
    assert.deepEqual(
      toBob.inputs.map((i) => i.prevout),
      toCarol.inputs.map((i) => i.prevout),
    );
    const [r0, r1] = await Promise.all([
      post(`${n0.url}/transactions/new`, txToJSON(toBob)),
      post(`${n1.url}/transactions/new`, txToJSON(toCarol)),
    ]);
    // Each node takes the one it heard first; the relayed rival is refused there (txn-mempool-conflict).
    assert.ok([r0.status, r1.status].includes(201));
    await Promise.all(nodes.map((n) => n.node.settleRelays()));
    const res = (await (await fetch(`${nodes[2]!.url}/mine`)).json()) as { block: { hash: string } };
    await eventually(() => nodes.every((n) => n.node.chain.tip.hash === res.block.hash));
    await eventually(() => nodes.every((n) => n.node.mempool.size === 0));
    let confirmed = 0;
    for (const id of [txid(toBob), txid(toCarol)]) {
      const statuses = await Promise.all(nodes.map(async (n) => (await fetch(`${n.url}/tx/${id}`)).status));
      assert.ok(
        statuses.every((s) => s === statuses[0]),
        `nodes disagree on ${id}: ${statuses.join(',')}`,
      );
      if (statuses[0] === 200) confirmed++;
    }
    assert.equal(confirmed, 1);
    // The race cost nobody anything: conflicts are policy, not misbehaviour.
    assert.ok(nodes.every((n) => n.node.peers.size === 2));
  });

  test('invalid transactions get 4xx with the reason code, and change nothing', async () => {
    const [n0] = nodes as [TestNode];
    const tx = await pay(n0, alice, bob, 5_000n, 300n);
    const before = JSON.stringify(await getJSON(`${n0.url}/mempool`));
    const cases: Array<[unknown, number, string]> = [
      [
        {
          ...txToJSON(tx),
          outputs: [
            { value: 5_001, script: txToJSON(tx).outputs[0]!.script },
            ...txToJSON(tx).outputs.slice(1),
          ],
        },
        422,
        'mandatory-script-verify-flag-failed',
      ],
      [{ hex: 'zz' }, 400, 'bad-encoding'],
      [{ sender: 'a', recipient: 'b', amount: 1 }, 400, 'bad-request'],
      [txToJSON(await pay(n0, alice, bob, 5_000n, 10n)), 422, 'min relay fee not met'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(`${n0.url}/transactions/new`, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal((r.body.error as { code: string }).code, code);
    }
    assert.equal(JSON.stringify(await getJSON(`${n0.url}/mempool`)), before);
    const ok = await post(`${n0.url}/transactions/new`, { hex: encodeHex(tx) });
    assert.equal(ok.status, 201);
    const again = await post(`${n0.url}/transactions/new`, txToJSON(tx));
    assert.deepEqual(
      [again.status, (again.body.error as { code: string }).code],
      [409, 'txn-already-in-mempool'],
    );
  });

  test('a spend of a pooled input and a confirmed transaction sent again are 409 with the reason code', async () => {
    const n0 = nodes[0]!;
    // Two payments of the same coins: the second is a rival spend of what the first holds in the pool.
    const { utxos: coins } = await getJSON<{ utxos: WalletUtxo[] }>(
      `${n0.url}/address/${alice.address}/utxos`,
    );
    const payment = (to: Wallet) =>
      buildPayment({ wallet: alice, utxos: coins, to: to.address, amount: 2_000n, fee: 300n, auxRand: aux })
        .tx;
    const first = payment(carol);
    const rival = payment(bob);
    assert.deepEqual(
      rival.inputs.map((i) => i.prevout),
      first.inputs.map((i) => i.prevout),
    );
    assert.equal((await post(`${n0.url}/transactions/new`, txToJSON(first))).status, 201);
    const conflict = await post(`${n0.url}/transactions/new`, txToJSON(rival));
    assert.deepEqual(
      [conflict.status, (conflict.body.error as { code: string }).code],
      [409, 'txn-mempool-conflict'],
    );
    await n0.node.mine();
    assert.ok(n0.node.chain.findTx(txid(first)), 'the block confirms the payment');
    await eventually(() => tipsEqual(nodes));
    const known = await post(`${n0.url}/transactions/new`, txToJSON(first));
    assert.deepEqual([known.status, (known.body.error as { code: string }).code], [409, 'txn-already-known']);
  });

  // Last: it gets node 1 banned by node 0.
  test('from a peer: a spent input costs nothing (chains may differ), a bad signature costs the full score', async () => {
    const [n0, n1] = nodes as [TestNode, TestNode];
    // As n1 itself pushes to n0: its id and the secret n0 gave it.
    const peer = peerHeaders(n1, n0);
    // Alice's block-1 coinbase output, spent by the first payment: a stale relay of another spend of it.
    const coinbase = txid(n0.node.chain.getBlock(n0.node.chain.at(1)!.hash)!.txs[0]!);
    const spent = [{ txid: coinbase, vout: 0, value: Number(subsidy), spendable: true, height: 1 }];
    const stale = buildPayment({
      wallet: alice,
      utxos: spent,
      to: carol.address,
      amount: 1_000n,
      fee: 300n,
      auxRand: aux,
    }).tx;
    const r1 = await post(`${n0.url}/transactions/new`, txToJSON(stale), peer);
    assert.deepEqual(
      [r1.status, (r1.body.error as { code: string }).code],
      [422, 'bad-txns-inputs-missingorspent'],
    );
    assert.equal(n0.node.peers.get(n1.node.id)?.score, 0);
    const good = txToJSON(await pay(n0, alice, carol, 1_000n, 300n));
    const forged = { ...good, outputs: [{ ...good.outputs[0]!, value: 999 }, ...good.outputs.slice(1)] };
    const r2 = await post(`${n0.url}/transactions/new`, forged, peer);
    assert.deepEqual(
      [r2.status, (r2.body.error as { code: string }).code],
      [422, 'mandatory-script-verify-flag-failed'],
    );
    assert.equal(n0.node.peers.get(n1.node.id), undefined);
    assert.ok(n0.node.peers.isBanned(n1.hosted.address));
  });
});

function newWalletOn(network: 'sim'): string {
  return walletFromSecret(testKey(`wallet ${wallets++}`).secret, networks[network]).address;
}

function encodeHex(tx: Transaction): string {
  return bytesToHex(encodeTx(tx));
}
