/**
 * `npm run bench -- tx`: the cost of transactions.
 *
 * - BIP-340 verifications per second in one thread, with @noble/curves (pure JavaScript, the reference) and
 *   with libsecp256k1 in WebAssembly and, where it is built, native (runtime/secp256k1.ts: nodes verify with the
 *   native build when there is one), and through the node's signature pool (node/verifier-pool.ts, one thread
 *   per core);
 * - transactions accepted per second by one node over HTTP (target: at least 2,000): a regtest node in a worker
 *   thread, 2,000 one-input payments posted over loopback with 16 requests in flight (keep-alive, through the
 *   lean client `postLoad` in lib.ts: the load generator shares the machine's cores with the node).
 *   Once with signatures verified in the pool, as `chainsim node run` does, and once in the node's thread, as
 *   the simulator's nodes do;
 * - the same over HTTP with the node's signature cache pre-filled: everything but the verification;
 * - in-process mempool acceptance, with signatures unverified (cold) and already verified (warm), which splits
 *   the HTTP figure into signature work and the rest;
 * - the time to validate and connect a block of 1,000 transactions, cold and with its transactions verified
 *   in the mempool before (Core's script cache).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type Chain, createChain } from '../src/chain/chain.ts';
import { SignatureCache } from '../src/chain/utxo.ts';
import {
  type Block,
  blockSubsidy,
  hashHeader,
  meetsTarget,
  networks,
  publicKeyOf,
  signSchnorr,
  type Transaction,
  txid,
  txToJSON,
  keyScript,
  type SchnorrVerify,
  verifySchnorr,
} from '../src/consensus/index.ts';
import { createMempool } from '../src/mempool/mempool.ts';
import { createBlockTemplate } from '../src/mining/template.ts';
import { bytesToHex } from '../src/util/bytes.ts';
import { buildPayment, walletFromSecret, type Wallet } from '../src/wallet/wallet.ts';
import { clearProgress, machine, median, postLoad, printTable, progress, writeResults } from './lib.ts';
import { createPoolVerifier } from '../src/node/verifier-pool.ts';
import { fastVerifySchnorr } from '../src/node/verifier.ts';
import { libsecp256k1, nativeLibsecp256k1, wasmLibsecp256k1 } from '../src/runtime/secp256k1.ts';

const params = networks.regtest;
const HTTP_TXS = 2000;
const CONCURRENCY = 16;
const BLOCK_TXS = 1000;
const aux = (): Uint8Array => new Uint8Array(randomBytes(32));

function timeFor(seconds: number, fn: () => number): number {
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) done += fn();
  return done / ((performance.now() - t0) / 1000);
}

async function signatures(): Promise<{
  noble: number;
  wasm: number;
  native: number | null;
  pool: number;
  threads: number;
}> {
  const sk = new Uint8Array(randomBytes(32));
  const key = publicKeyOf(sk);
  const n = 256;
  const msgs = Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));
  progress('signing 256 messages');
  const sigs = msgs.map((m) => signSchnorr(m, sk, aux()));
  const oneThread = (verify: SchnorrVerify): number => {
    for (let i = 0; i < 50; i++) verify(sigs[i]!, msgs[i]!, key);
    return timeFor(3, () => {
      for (let i = 0; i < n; i++) if (!verify(sigs[i]!, msgs[i]!, key)) throw new Error('bad signature');
      return n;
    });
  };
  progress('verifying in one thread, @noble/curves');
  const noble = oneThread(verifySchnorr);
  progress('verifying in one thread, libsecp256k1 (wasm)');
  const wasmLib = wasmLibsecp256k1();
  const wasm = oneThread((s, m, k) => wasmLib.verify(s, m, k));
  const nativeLib = nativeLibsecp256k1();
  progress('verifying in one thread, libsecp256k1 (native)');
  const native = nativeLib ? oneThread((s, m, k) => nativeLib.verify(s, m, k)) : null;
  const threads = availableParallelism();
  const verifier = createPoolVerifier({ threads });
  const checks = sigs.map((signature, i) => [{ signature, message: msgs[i]!, key }]);
  const round = async (): Promise<number> => {
    const bad = await Promise.all(checks.map((c) => verifier.firstInvalid(c)));
    if (bad.some((b) => b !== -1)) throw new Error('bad signature');
    return checks.length;
  };
  await round(); // warm-up: start the threads, load the task file
  progress(`verifying through the node's signature pool (${threads} thread(s))`);
  let verified = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) verified += await round();
  const pool = verified / ((performance.now() - t0) / 1000);
  await verifier.close();
  clearProgress();
  return { noble, wasm, native, pool, threads };
}

/** Payments from `wallet`, each spending one output of the coinbase `coinbase`. */
function payments(wallet: Wallet, coinbase: string, value: bigint, n: number, label: string): Transaction[] {
  const to = walletFromSecret(new Uint8Array(randomBytes(32)), params).address;
  const txs: Transaction[] = [];
  for (let vout = 0; vout < n; vout++) {
    if (vout % 200 === 0) progress(`${label}: signing ${vout}/${n}`);
    const utxos = [{ txid: coinbase, vout, value: Number(value), spendable: true, height: 1 }];
    txs.push(buildPayment({ wallet, utxos, to, amount: value - 1000n, fee: 1000n, auxRand: aux }).tx);
  }
  clearProgress();
  return txs;
}

/**
 * One node in a worker thread, fed HTTP_TXS payments. `verifyThreads` 0 verifies in the node's thread; `warm`
 * pre-fills the signature cache (everything but verification).
 */
async function http(wallet: Wallet, verifyThreads: number, warm: boolean) {
  progress('starting a node in a worker thread and maturing its funding coinbase');
  // tsx's hooks do not reach a worker's own entry point (Node 20): register them there, then import it.
  const entry = new URL('./tx-node-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(boot, {
    eval: true,
    workerData: { publicKey: bytesToHex(wallet.publicKey), outputs: HTTP_TXS, verifyThreads },
  });
  const ready = await new Promise<{ url: string; coinbase: string; value: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const signed = payments(wallet, ready.coinbase, BigInt(ready.value), HTTP_TXS, 'HTTP set');
  const bodies = signed.map((tx) => JSON.stringify(txToJSON(tx)));
  if (warm) {
    worker.postMessage({ prefill: signed.map((tx) => txid(tx)) });
    await new Promise((resolve) => worker.once('message', resolve));
  }
  progress(`posting ${HTTP_TXS} transactions, ${CONCURRENCY} in flight`);
  const { hostname, port } = new URL(ready.url);
  const { statuses, seconds, latencies } = await postLoad(
    hostname,
    Number(port),
    '/transactions/new',
    bodies,
    CONCURRENCY,
  );
  const accepted = statuses.filter((s) => s === 201).length;
  worker.postMessage('stats');
  const stats = await new Promise<{ mempool: number }>((resolve) => worker.once('message', resolve));
  worker.postMessage('close');
  await new Promise((r) => worker.once('exit', r));
  clearProgress();
  if (accepted !== HTTP_TXS || stats.mempool !== HTTP_TXS) {
    throw new Error(`only ${accepted} of ${HTTP_TXS} accepted (mempool ${stats.mempool})`);
  }
  return {
    txs: HTTP_TXS,
    concurrency: CONCURRENCY,
    verify: verifyThreads === 0 ? 'inline' : `pool of ${verifyThreads}`,
    seconds: Number(seconds.toFixed(3)),
    txPerSecond: Math.round(HTTP_TXS / seconds),
    medianMs: Number(median(latencies).toFixed(2)),
  };
}

function solve(block: Block): Block {
  for (let nonce = 0; ; nonce++) {
    const header = { ...block.header, nonce };
    if (meetsTarget(hashHeader(header), header.bits, params)) return { header, txs: block.txs };
  }
}

/** The blocks of a chain whose block 1 pays `n` outputs to `script`, matured by 100 more. */
function fundingChain(script: Uint8Array, n: number): { blocks: Block[]; value: bigint; now: number } {
  const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
  const now = 2_000_000_000;
  const value = blockSubsidy(1, params) / BigInt(n);
  const blocks: Block[] = [];
  for (let h = 1; h <= 1 + params.coinbaseMaturity; h++) {
    const outputs =
      h === 1
        ? Array.from({ length: n }, () => ({ value, script }))
        : [{ value: blockSubsidy(h, params), script }];
    const block = solve(
      createBlockTemplate({ parent: chain.tip, params, now: chain.tip.time + 1, coinbaseOutputs: outputs }),
    );
    chain.acceptBlock(block, now);
    blocks.push(block);
  }
  return { blocks, value, now };
}

function replay(blocks: readonly Block[], now: number, cache = new SignatureCache()): Chain {
  const chain = createChain({ params, signatureCache: cache, verifySchnorr: fastVerifySchnorr });
  for (const b of blocks) chain.acceptBlock(b, now);
  return chain;
}

function inProcess(wallet: Wallet) {
  progress('building a funded chain');
  const { blocks, value, now } = fundingChain(wallet.script, BLOCK_TXS);
  const txs = payments(wallet, txid(blocks[0]!.txs[0]!), value, BLOCK_TXS, 'block set');

  const acceptAll = (chain: Chain): number => {
    const pool = createMempool({ chain, verifySchnorr: fastVerifySchnorr, clock: () => now });
    const t0 = performance.now();
    for (const tx of txs) if (pool.accept(tx).status !== 'accepted') throw new Error('not accepted');
    const s = (performance.now() - t0) / 1000;
    pool.close();
    return s;
  };
  progress('mempool acceptance, cold');
  const warmCache = new SignatureCache();
  const cold = acceptAll(replay(blocks, now, warmCache));
  progress('mempool acceptance, warm');
  const warm = acceptAll(replay(blocks, now, warmCache));

  const blockOn = (chain: Chain): Block => {
    const fees = 1000n * BigInt(txs.length);
    return solve(
      createBlockTemplate({
        parent: chain.tip,
        params,
        now: chain.tip.time + 1,
        coinbaseOutputs: [{ value: blockSubsidy(chain.height + 1, params) + fees, script: wallet.script }],
        txs,
      }),
    );
  };
  const connect = (cache: SignatureCache): number => {
    const chain = replay(blocks, now, cache);
    const block = blockOn(chain);
    const t0 = performance.now();
    chain.acceptBlock(block, now);
    const ms = performance.now() - t0;
    if (chain.height !== blocks.length + 1) throw new Error('the block did not connect');
    return ms;
  };
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    progress(`block of ${BLOCK_TXS} transactions, round ${i + 1}/3`);
    coldMs.push(connect(new SignatureCache()));
    warmMs.push(connect(warmCache));
  }
  clearProgress();
  return {
    mempool: { txs: BLOCK_TXS, coldTxPerSecond: BLOCK_TXS / cold, warmTxPerSecond: BLOCK_TXS / warm },
    block: { txs: BLOCK_TXS, coldMs: median(coldMs), warmMs: median(warmMs) },
  };
}

export async function run(): Promise<void> {
  const wallet = walletFromSecret(new Uint8Array(randomBytes(32)), params);
  if (bytesToHex(wallet.script) !== bytesToHex(keyScript(wallet.publicKey))) throw new Error('wallet script');
  const sig = await signatures();
  const local = inProcess(wallet);
  const threads = availableParallelism();
  const net = await http(wallet, threads, false);
  const netInline = await http(wallet, 0, false);
  const netWarm = await http(wallet, threads, true);
  const r = (x: number) => Math.round(x);
  const results = {
    target: { httpTxPerSecond: 2000 },
    signatures: {
      nobleVerifyPerSecond: r(sig.noble),
      wasmVerifyPerSecond: r(sig.wasm),
      nativeVerifyPerSecond: sig.native === null ? null : r(sig.native),
      nodesVerifyWith: libsecp256k1().name,
      poolVerifyPerSecond: r(sig.pool),
      poolThreads: sig.threads,
    },
    http: net,
    httpVerifyInline: netInline,
    httpSignaturesCached: netWarm,
    mempool: {
      ...local.mempool,
      coldTxPerSecond: r(local.mempool.coldTxPerSecond),
      warmTxPerSecond: r(local.mempool.warmTxPerSecond),
    },
    block: {
      ...local.block,
      coldMs: Number(local.block.coldMs.toFixed(1)),
      warmMs: Number(local.block.warmMs.toFixed(1)),
    },
    machine: machine(),
    date: new Date().toISOString(),
  };
  const perSecond = (x: number, unit = '/s') => `${x.toLocaleString('en')} ${unit}`;
  const httpNote = (h: typeof net, what: string) =>
    `${HTTP_TXS} txs, ${CONCURRENCY} in flight, ${what}, median ${h.medianMs} ms`;
  printTable(
    'transactions (target: >= 2,000 tx/s accepted over HTTP)',
    ['measure', 'result', 'note'],
    [
      [
        'BIP-340 verify, 1 thread, @noble/curves',
        perSecond(results.signatures.nobleVerifyPerSecond),
        'reference',
      ],
      [
        'BIP-340 verify, 1 thread, libsecp256k1 (wasm)',
        perSecond(results.signatures.wasmVerifyPerSecond),
        `${(sig.wasm / sig.noble).toFixed(1)}x noble`,
      ],
      [
        'BIP-340 verify, 1 thread, libsecp256k1 (native)',
        sig.native === null ? 'not built' : perSecond(Math.round(sig.native)),
        sig.native === null
          ? 'install libsecp256k1-dev, then npm ci'
          : `${(sig.native / sig.noble).toFixed(1)}x noble`,
      ],
      [
        `BIP-340 verify, signature pool x${sig.threads}`,
        perSecond(results.signatures.poolVerifyPerSecond),
        `${libsecp256k1().name}, one check per transaction`,
      ],
      [
        'accepted over HTTP, 1 node',
        perSecond(net.txPerSecond, 'tx/s'),
        httpNote(net, `verified in a pool of ${threads}`),
      ],
      [
        'accepted over HTTP, verified inline',
        perSecond(netInline.txPerSecond, 'tx/s'),
        httpNote(netInline, "verified in the node's thread"),
      ],
      [
        'accepted over HTTP, signatures cached',
        perSecond(netWarm.txPerSecond, 'tx/s'),
        httpNote(netWarm, 'all but verification'),
      ],
      [
        'mempool.accept in-process, cold',
        perSecond(results.mempool.coldTxPerSecond, 'tx/s'),
        'signatures verified',
      ],
      [
        'mempool.accept in-process, warm',
        perSecond(results.mempool.warmTxPerSecond, 'tx/s'),
        'signatures already cached',
      ],
      [`connect a block of ${BLOCK_TXS} txs, cold`, `${results.block.coldMs} ms`, 'median of 3'],
      [
        `connect a block of ${BLOCK_TXS} txs, warm`,
        `${results.block.warmMs} ms`,
        'txs verified in the mempool first',
      ],
    ],
  );
  console.log(`wrote ${writeResults('tx', results)}`);
}
