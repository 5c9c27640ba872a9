/**
 * A partition through the whole simulator (manager, worker threads, the model in the relay path): a 3|3 split
 * mines two chains; the heal converges every node on the most-work tip without a new block; a payment confirmed
 * only on the losing side goes back to that side's mempools and confirms again. On both relay paths.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networks, type Transaction, txid, txToJSON } from '../../../src/consensus/index.ts';
import { buildPayment, walletFromSecret, type WalletUtxo } from '../../../src/wallet/wallet.ts';
import { eventually } from '../../helpers/nodes.ts';
import { startQuietSim } from '../../helpers/sim.ts';
import { NODE_RELAYS } from '../../../src/sim/types.ts';

interface NetworkAnswer {
  agree: boolean;
  tips: Array<{ hash: string; height: number; nodes: number[] }>;
  blocksMined: number;
  staleBlocks: number;
  reorgs: { count: number; maxDepth: number };
  timeToAgreementMs: Array<number | null>;
}

interface NodeIdAnswer {
  height: number;
  tip: string;
  mempool: { count: number };
}

interface TxAnswer {
  status: 'mempool' | 'confirmed';
  confirmations: number;
  block?: string;
  height?: number;
}

async function call<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function ok<T>(url: string, method = 'GET', body?: unknown): Promise<T> {
  const answer = await call<T>(url, method, body);
  assert.ok(answer.status < 300, `${method} ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

for (const relay of NODE_RELAYS) {
  test(`relay ${relay}: a 3|3 partition mines two chains; after the heal every node is on the most-work tip, and the losing side’s payment is back in its mempools and confirms again`, async () => {
    const run = await startQuietSim(6, { results: null, relay, model: { seed: 1 } });
    const url = run.managerUrl;
    const ports = run.sim.nodes.map((n) => n.port);
    const left = ports.slice(0, 3);
    const right = ports.slice(3);
    const node = (port: number) => `http://127.0.0.1:${port}`;
    const id = (port: number) => ok<NodeIdAnswer>(`${node(port)}/node/id`);
    const mine = (port: number, address?: string) =>
      ok(`${node(port)}/mine${address === undefined ? '' : `?address=${address}`}`);
    const heights = async (group: number[]): Promise<number[]> =>
      Promise.all(group.map(async (p) => (await id(p)).height));
    try {
      // A coin alice can spend: a coinbase to her, matured by 100 blocks, on every node.
      const alice = walletFromSecret(new Uint8Array(32).fill(7), networks.regtest);
      const bob = walletFromSecret(new Uint8Array(32).fill(8), networks.regtest);
      await mine(ports[0]!, alice.address);
      for (let i = 0; i < networks.regtest.coinbaseMaturity; i++) await mine(ports[0]!);
      const start = networks.regtest.coinbaseMaturity + 1;
      await eventually(async () => (await heights(ports)).every((h) => h === start), 30_000);

      const split = await ok<{ partition: number[][] }>(`${url}/network/partition`, 'POST', {
        groups: [left, right],
      });
      assert.deepEqual(split.partition, [left, right]);

      // The left side confirms alice's payment to bob in the first of its two blocks.
      const { utxos } = await ok<{ utxos: WalletUtxo[] }>(`${node(left[1]!)}/address/${alice.address}/utxos`);
      const tx: Transaction = buildPayment({
        wallet: alice,
        utxos,
        to: bob.address,
        amount: 1000n,
        fee: 500n,
        auxRand: () => new Uint8Array(32),
      }).tx;
      const paid = await call<{ txid?: string }>(`${node(left[1]!)}/transactions/new`, 'POST', txToJSON(tx));
      assert.equal(paid.status, 201, JSON.stringify(paid.body));
      assert.equal(paid.body.txid, txid(tx));
      await eventually(async () => (await id(left[0]!)).mempool.count === 1);
      await mine(left[0]!);
      await mine(left[0]!);
      await eventually(async () => (await heights(left)).every((h) => h === start + 2));
      const onLeft = await ok<TxAnswer>(`${node(left[2]!)}/tx/${txid(tx)}`);
      assert.equal(onLeft.status, 'confirmed');
      assert.equal(onLeft.height, start + 1);

      // The right side never hears of the payment nor of the left's blocks, and mines three of its own.
      for (let i = 0; i < 3; i++) await mine(right[0]!);
      await eventually(async () => (await heights(right)).every((h) => h === start + 3));
      for (const p of right) {
        assert.equal((await id(p)).mempool.count, 0);
        assert.equal((await call(`${node(p)}/tx/${txid(tx)}`)).status, 404);
      }
      const leftTip = (await id(left[0]!)).tip;
      const rightTip = (await id(right[0]!)).tip;
      const apart = await ok<NetworkAnswer>(`${url}/network`);
      assert.equal(apart.agree, false);
      assert.deepEqual(
        apart.tips.map((t) => [t.hash, t.height, t.nodes]).sort((a, b) => Number(a[1]) - Number(b[1])),
        [
          [leftTip, start + 2, left],
          [rightTip, start + 3, right],
        ],
      );

      // The heal, with no block mined after it: the nodes exchange tips and all take the right's, the most work.
      await ok(`${url}/network/heal`, 'POST');
      let view!: NetworkAnswer;
      await eventually(
        async () =>
          (view = await ok<NetworkAnswer>(`${url}/network`)).agree && view.tips[0]?.hash === rightTip,
        20_000,
      );
      for (const p of ports) assert.equal((await id(p)).tip, rightTip);
      assert.equal(view.blocksMined, start + 5);
      assert.equal(view.staleBlocks, 2, "the left's two blocks");
      // Each left node rolled back two blocks.
      assert.deepEqual([view.reorgs.count, view.reorgs.maxDepth], [3, 2]);
      assert.ok(view.timeToAgreementMs.at(-1)! >= 0);

      // The payment left the chain with the left's blocks: it is back in the left's mempools, unconfirmed.
      await eventually(async () => {
        for (const p of left) if ((await id(p)).mempool.count !== 1) return false;
        return true;
      });
      const back = await ok<TxAnswer>(`${node(left[0]!)}/tx/${txid(tx)}`);
      assert.equal(back.status, 'mempool');

      // The next block a left node mines confirms it again, this time on the chain everyone follows.
      await mine(left[0]!);
      await eventually(async () => {
        for (const p of ports) {
          const t = await call<TxAnswer>(`${node(p)}/tx/${txid(tx)}`);
          if (t.status !== 200 || t.body.status !== 'confirmed') return false;
        }
        return true;
      });
      for (const p of ports) {
        const t = await ok<TxAnswer>(`${node(p)}/tx/${txid(tx)}`);
        assert.equal(t.height, start + 4);
        assert.equal((await id(p)).mempool.count, 0);
      }
      const { utxos: bobs } = await ok<{ utxos: WalletUtxo[] }>(
        `${node(right[2]!)}/address/${bob.address}/utxos`,
      );
      assert.deepEqual(
        bobs.map((u) => BigInt(u.value)),
        [1000n],
      );
    } finally {
      await run.shutdown();
    }
  });
}
