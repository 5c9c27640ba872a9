/**
 * Property: after any sequence of blocks (valid or not), transactions and reorgs, the chain's UTXO set equals
 * one rebuilt from scratch along the best chain, and the supply never exceeds the subsidy schedule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Chain, createChain } from '../../../src/chain/chain.ts';
import { UtxoSet } from '../../../src/chain/utxo.ts';
import {
  blockSubsidy,
  ConsensusError,
  connectBlock,
  type NetworkParams,
  networks,
  parseOutpointKey,
  type Transaction,
} from '../../../src/consensus/index.ts';
import { bytesToHex } from '../../../src/util/bytes.ts';
import { mineOn } from '../../helpers/chain.ts';
import { spendTx, testKey, type TestKey } from '../../helpers/tx.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';
import { seedProperties } from '../../helpers/seed.ts';

const seed = seedProperties();

const params: NetworkParams = Object.freeze({
  ...networks.regtest,
  coinbaseMaturity: 2,
  halvingInterval: 4,
});
const keys = ['a', 'b', 'c'].map((s) => testKey(s));
const byScript = new Map<string, TestKey>(keys.map((k) => [bytesToHex(k.script), k]));
const NOW = 2_000_000_000;
let txsConfirmed = 0;
let failures = 0;

interface Op {
  /** Which tip to build on (below 4: the active one, else a side branch), and how far back from it. */
  tip: number;
  back: number;
  /** Coins to spend, as indices into the spendable list. */
  picks: number[];
  fee: number;
  to: number;
  split: boolean;
  bad: 'none' | 'overpay' | 'double-spend';
}

const opArb: fc.Arbitrary<Op> = fc.record({
  tip: fc.nat(6),
  back: fc.constantFrom(0, 0, 0, 0, 1, 2),
  picks: fc.array(fc.nat(50), { minLength: 1, maxLength: 4 }),
  fee: fc.nat(5000),
  to: fc.nat(2),
  split: fc.boolean(),
  bad: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'overpay', 'double-spend'),
});

function rebuild(chain: Chain): UtxoSet {
  const set = new UtxoSet();
  for (const e of chain.range(1)) {
    // Signatures were checked by the chain; the property is about the bookkeeping.
    set.apply(
      connectBlock(chain.getBlock(e.hash)!, e.height, set, params, { verify: () => undefined }).changes,
    );
  }
  return set;
}

function snapshot(set: UtxoSet): string[] {
  return [...set.entries()]
    .map(([k, c]) => `${k}=${c.value}@${c.height}${c.coinbase ? 'cb' : ''}:${bytesToHex(c.script)}`)
    .sort();
}

function step(chain: Chain, op: Op): void {
  // Mostly the active tip; sometimes a side branch, which may grow until it overtakes (a reorg).
  const side = chain.tips().filter((t) => t.status === 'valid-fork');
  const tipEntry = op.tip < 4 || side.length === 0 ? chain.tip : chain.get(side[op.tip % side.length]!.hash)!;
  const parent = chain.tree.ancestor(tipEntry, Math.max(0, tipEntry.height - op.back));
  const fork = chain.tree.findFork(parent, chain.tip);
  const height = parent.height + 1;
  // Coins unspent at our tip that already existed at the fork are unspent at `parent` too.
  const spendable = [...chain.utxos.entries()]
    .filter(
      ([, c]) => c.height <= fork.height && (!c.coinbase || height - c.height >= params.coinbaseMaturity),
    )
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const txs: Transaction[] = [];
  let fees = 0n;
  const used = new Set<string>();
  for (const pick of op.picks) {
    if (spendable.length === 0) break;
    const [key, coin] = spendable[pick % spendable.length]!;
    if (used.has(key)) continue;
    used.add(key);
    const fee = BigInt(op.fee) > coin.value ? coin.value : BigInt(op.fee);
    const out = coin.value - fee;
    const to = keys[op.to]!.script;
    const outputs =
      op.split && out >= 2n
        ? [
            { value: out / 2n, script: to },
            { value: out - out / 2n, script: keys[0]!.script },
          ]
        : [{ value: out, script: to }];
    const { txid, vout } = parseOutpointKey(key);
    txs.push(spendTx([{ txid, vout, coin, signer: byScript.get(bytesToHex(coin.script))! }], outputs));
    fees += fee;
  }
  if (op.bad === 'double-spend' && txs.length > 0) {
    const first = txs[0]!;
    txs.push({ ...first, outputs: [{ ...first.outputs[0]!, value: 1n }] });
  }
  const block = mineOn(parent, params, {
    txs,
    payout: [
      {
        value: blockSubsidy(height, params) + fees + (op.bad === 'overpay' ? 1n : 0n),
        script: keys[op.to]!.script,
      },
    ],
  });
  try {
    chain.acceptBlock(block, NOW);
    txsConfirmed += txs.length;
  } catch (err) {
    failures++;
    assert.ok(err instanceof ConsensusError, String(err));
  }
}

describe('UTXO set property (fast-check)', () => {
  test('after random blocks, transactions and reorgs the set equals a rebuild; supply within the schedule', () => {
    let reorgs = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 30 }), (ops) => {
        const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
        chain.onTip((_, path) => {
          if (path.disconnect.length > 0) reorgs++;
        });
        for (const op of ops) {
          step(chain, op);
          assert.deepEqual(snapshot(chain.utxos), snapshot(rebuild(chain)));
          let schedule = 0n;
          for (let h = 1; h <= chain.height; h++) schedule += blockSubsidy(h, params);
          assert.ok(
            chain.utxos.totalValue <= schedule,
            `supply ${chain.utxos.totalValue} > schedule ${schedule}`,
          );
          // Every fee is claimed by its coinbase here, so nothing is lost either.
          assert.equal(chain.utxos.totalValue, schedule);
        }
      }),
      { numRuns: 50, endOnFailure: true },
    );
    assert.ok(reorgs > 0, `seed ${seed}: the generator produced no reorg`);
    assert.ok(
      txsConfirmed > 0 && failures > 0,
      `seed ${seed}: the generator produced no transaction or no invalid block`,
    );
  });
});
