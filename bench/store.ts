/**
 * `npm run bench -- store`: persistence. Targets: a node restarts with a 10,000-block chain in
 * ≤ 2 s; connecting blocks to the store keeps pace with mining (blocks/s with 100 transactions each).
 *
 * Everything runs on a real LevelDB in a temporary directory. Blocks are built here and connected the way a
 * node connects a block from a peer: full validation (signatures included, nothing cached), then one atomic
 * batch to the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Block,
  bitsToTarget,
  blockSubsidy,
  encodeHeader,
  keyScript,
  networks,
  publicKeyOf,
  sha256,
  signTransaction,
  type Transaction,
  txid,
} from '../dist/consensus/index.js';
import { createInlineExecutor } from '../dist/mining/executors.js';
import { selectKernel } from '../dist/mining/kernels/index.js';
import { targetToInternalBytes } from '../dist/mining/kernels/types.js';
import { createPowScheduler } from '../dist/mining/scheduler.js';
import { createBlockTemplate } from '../dist/mining/template.js';
import type { ChainsimNode } from '../dist/node/node.js';
import { openNode } from '../dist/node/open.js';
import { createLevelStore } from '../dist/store/store.js';
import { silentLogger } from '../dist/runtime/logger.js';
import {
  clearProgress,
  machine,
  median,
  printTable,
  progress,
  round as roundTo,
  writeResults,
} from './lib.ts';

const round = (x: number): number => roundTo(x, 3);

const params = networks.regtest;
const kernel = selectKernel('auto').kernel;
const secret = sha256(new TextEncoder().encode('chainsim bench key'));
const script = keyScript(publicKeyOf(secret));

function buildOn(node: ChainsimNode, txs: readonly Transaction[] = [], fees = 0n): Block {
  const parent = node.chain.tip;
  const template = createBlockTemplate({
    parent,
    params,
    now: parent.time + 1,
    coinbaseOutputs: [{ value: blockSubsidy(parent.height + 1, params) + fees, script }],
    txs,
    extraNonce: BigInt(parent.height),
  });
  const header = { ...template.header, time: parent.time + 1 };
  const r = kernel.scan(encodeHeader(header), targetToInternalBytes(bitsToTarget(header.bits)), 0, 10_000);
  if (r.nonce === null) throw new Error('no nonce');
  return { header: { ...header, nonce: r.nonce }, txs: template.txs };
}

async function connect(node: ChainsimNode, block: Block): Promise<void> {
  node.chain.acceptBlock(block, 2_000_000_000);
  await node.persist();
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-store-bench-'));
  const scheduler = createPowScheduler({ executor: createInlineExecutor(kernel) });
  const open = () =>
    openNode({
      params,
      pow: scheduler.addClient({ name: 'bench' }),
      logger: silentLogger(),
      store: createLevelStore(dir),
    });
  try {
    // 1. A 10,000-block chain, each block connected and written as it comes.
    let node = await open();
    const LENGTH = 10_000;
    const t0 = performance.now();
    for (let i = 0; i < LENGTH; i++) {
      await connect(node, buildOn(node));
      if (i % 1000 === 0) progress(`building and storing ${LENGTH} blocks: ${i}`);
    }
    const emptyBlocksPerSecond = LENGTH / ((performance.now() - t0) / 1000);
    const tip = node.chain.tip.hash;
    await node.close();

    // 2. Restart: open the store and restore the chain (best of 3, each a fresh open).
    const restarts: number[] = [];
    for (let i = 0; i < 3; i++) {
      progress(`restart ${i + 1}/3`);
      const t = performance.now();
      node = await open();
      restarts.push((performance.now() - t) / 1000);
      if (node.chain.tip.hash !== tip || node.chain.height !== LENGTH)
        throw new Error('restart lost the tip');
      if (i < 2) await node.close();
    }

    // 3. Blocks with 100 transactions each: fan a mature coinbase out to 2,000 coins, then spend them 100 per block.
    const PER_BLOCK = 100;
    const BLOCKS = 20;
    progress('preparing transactions');
    const spendable = node.chain.at(1)!; // 50 coins: regtest halves every 150 blocks
    const cb = node.chain.getBlock(spendable.hash)!.txs[0]!;
    const fan: Transaction = signTransaction(
      {
        version: 2,
        inputs: [{ prevout: { txid: txid(cb), vout: 0 }, script: new Uint8Array(0), sequence: 0xffffffff }],
        outputs: Array.from({ length: PER_BLOCK * BLOCKS }, () => ({ value: 2_000_000n, script })),
        lockTime: 0,
      },
      [cb.outputs[0]!],
      () => secret,
      () => new Uint8Array(32),
    );
    const fanFee = cb.outputs[0]!.value - 2_000_000n * BigInt(PER_BLOCK * BLOCKS);
    await connect(node, buildOn(node, [fan], fanFee));
    const fanId = txid(fan);
    const blocks: Block[] = [];
    // Build every block first (signing is not what is measured), on a scratch copy of the chain state.
    const spends: Transaction[][] = [];
    for (let b = 0; b < BLOCKS; b++) {
      const txs: Transaction[] = [];
      for (let i = 0; i < PER_BLOCK; i++) {
        const vout = b * PER_BLOCK + i;
        txs.push(
          signTransaction(
            {
              version: 2,
              inputs: [{ prevout: { txid: fanId, vout }, script: new Uint8Array(0), sequence: 0xffffffff }],
              outputs: [{ value: 1_990_000n, script }],
              lockTime: 0,
            },
            [{ value: 2_000_000n, script }],
            () => secret,
            () => new Uint8Array(32),
          ),
        );
      }
      spends.push(txs);
    }
    const times: number[] = [];
    const writes: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      const block = buildOn(node, spends[b], 10_000n * BigInt(PER_BLOCK));
      blocks.push(block);
      const t = performance.now();
      node.chain.acceptBlock(block, 2_000_000_000);
      const w = performance.now();
      await node.persist();
      const end = performance.now();
      times.push(end - t);
      writes.push(end - w);
      progress(`connecting blocks of ${PER_BLOCK} transactions: ${b + 1}/${BLOCKS}`);
    }
    await node.close();
    clearProgress();

    const connectMs = median(times);
    const writeMs = median(writes);
    const results = {
      targets: { restart10kSeconds: 2 },
      chain: { blocks: LENGTH, emptyBlocksConnectedPerSecond: Math.round(emptyBlocksPerSecond) },
      restartSeconds: { best: round(Math.min(...restarts)), all: restarts.map(round) },
      blocksWith100Txs: {
        blocks: BLOCKS,
        medianConnectMs: round(connectMs),
        medianStoreWriteMs: round(writeMs),
        blocksPerSecond: round(1000 / connectMs),
        blocksPerSecondStoreOnly: round(1000 / writeMs),
        note: 'connect = full validation with every signature verified (nothing cached) + one atomic LevelDB batch',
      },
      machine: machine(),
      date: new Date().toISOString(),
    };
    printTable(
      'persistence (LevelDB)',
      ['measure', 'result', 'target'],
      [
        [`restart with a ${LENGTH}-block chain (best of 3)`, `${results.restartSeconds.best} s`, '<= 2 s'],
        ['empty blocks connected + written', `${results.chain.emptyBlocksConnectedPerSecond} blocks/s`, ''],
        [
          'blocks of 100 txs: validate + write',
          `${results.blocksWith100Txs.blocksPerSecond} blocks/s (${round(connectMs)} ms each)`,
          'keeps pace with mining',
        ],
        ['  of which the store batch', `${round(writeMs)} ms`, ''],
      ],
    );
    console.log(`wrote ${writeResults('store', results)}`);
  } finally {
    await scheduler.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
