/**
 * Transactions, the mempool, address balances and SPV proofs. Amounts are integers of the smallest unit.
 */
import type { FastifyInstance } from 'fastify';
import {
  blockHash,
  type Coin,
  ConsensusError,
  decodeTx,
  encodeHeader,
  encodeTx,
  keyScript,
  keyFromAddress,
  merkleBranch,
  type NetworkParams,
  parseOutpointKey,
  type Transaction,
  txFromJSON,
  txid as txidOf,
  txToJSON,
} from '../../consensus/index.ts';
import { bytesToHex } from '../../util/bytes.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError } from './errors.ts';
import { sourceOf } from './source.ts';
import { addressSchema, amountSchema, errors, hashSchema, txSchema } from './schemas.ts';

export interface TxRoutesOptions {
  readonly node: ChainsimNode;
}

/** The output script an address pays, or 400 `bad-address` saying what is wrong with it. */
export function scriptOfAddress(address: string, params: NetworkParams): Uint8Array {
  try {
    return keyScript(keyFromAddress(address, params));
  } catch (err) {
    throw HttpError.of('bad-address', (err as Error).message);
  }
}

/** Core's conflict-like refusals answer 409; every other refusal 422 (bad-encoding 400). */
const CONFLICT_REASONS = new Set(['txn-already-in-mempool', 'txn-already-known', 'txn-mempool-conflict']);

function txFromBody(body: unknown): Transaction {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.hex === 'string') return decodeTx(b.hex);
    if ('sender' in b || 'recipient' in b || 'amount' in b) {
      throw HttpError.of(
        'bad-request',
        'transactions are signed UTXO transactions now, not {sender, recipient, amount}: build one with `chainsim send`',
      );
    }
  }
  return txFromJSON(body);
}

const utxoSchema = {
  type: 'object',
  properties: {
    txid: { type: 'string' },
    vout: { type: 'integer' },
    value: amountSchema,
    script: { type: 'string' },
    height: { type: ['integer', 'null'], description: 'null while in the mempool' },
    confirmations: { type: 'integer' },
    coinbase: { type: 'boolean' },
    spendable: { type: 'boolean', description: 'mature, and not spent by a mempool transaction' },
    spentBy: { type: ['string', 'null'], description: 'the mempool transaction spending it, if any' },
  },
} as const;

export function txRoutes(app: FastifyInstance, opts: TxRoutesOptions): void {
  const { node } = opts;
  const { chain, mempool, params } = node;

  app.post(
    '/transactions/new',
    {
      schema: {
        summary:
          'Submit a signed transaction (JSON, or {"hex": "..."}): into the mempool and relayed to peers',
        response: {
          201: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              txid: { type: 'string' },
              fee: amountSchema,
              size: { type: 'integer' },
              accepted: { type: 'array', items: { type: 'string' } },
            },
          },
          202: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              txid: { type: 'string' },
              missing: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const tx = txFromBody(req.body);
      const source = sourceOf(req, node);
      let outcome;
      try {
        outcome = await node.receiveTransaction(tx, source);
      } catch (err) {
        if (err instanceof ConsensusError && CONFLICT_REASONS.has(err.reason)) {
          throw new HttpError(409, err.reason, err.message);
        }
        throw err;
      }
      if (outcome.status === 'orphan') {
        return reply.status(202).send({
          message: 'held as an orphan until its parent transaction(s) arrive',
          txid: outcome.txid,
          missing: outcome.missing,
        });
      }
      return reply.status(201).send({
        message: 'Transaction accepted into the mempool',
        txid: outcome.txid,
        fee: Number(outcome.fee),
        size: outcome.size,
        accepted: outcome.accepted.map((e) => e.txid),
      });
    },
  );

  app.get(
    '/mempool',
    {
      schema: {
        summary: 'The mempool: its transactions by arrival, with fee, size and in-pool parents',
        response: {
          200: {
            type: 'object',
            properties: {
              count: { type: 'integer' },
              bytes: { type: 'integer' },
              fees: amountSchema,
              orphans: { type: 'integer' },
              minRelayFeeRate: { type: 'integer', description: 'units per byte' },
              maxBytes: { type: 'integer' },
              transactions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    txid: { type: 'string' },
                    size: { type: 'integer' },
                    fee: amountSchema,
                    feeRate: { type: 'number', description: 'units per byte' },
                    time: { type: 'integer' },
                    depends: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    () => {
      const list = mempool.list();
      return {
        count: list.length,
        bytes: mempool.bytes,
        fees: Number(list.reduce((n, e) => n + e.fee, 0n)),
        orphans: mempool.orphanCount,
        minRelayFeeRate: Number(mempool.minRelayFeeRate),
        maxBytes: mempool.maxBytes,
        transactions: list.map((e) => ({
          txid: e.txid,
          size: e.size,
          fee: Number(e.fee),
          feeRate: Number(e.fee) / e.size,
          time: e.time,
          depends: [...e.parents],
        })),
      };
    },
  );

  app.get(
    '/tx/:txid',
    {
      schema: {
        summary: 'A transaction from the mempool or the active chain, with its confirmations',
        params: { type: 'object', properties: { txid: hashSchema }, required: ['txid'] },
        response: {
          200: {
            ...txSchema,
            properties: {
              ...txSchema.properties,
              status: { type: 'string', enum: ['mempool', 'confirmed'] },
              confirmations: { type: 'integer' },
              block: { type: 'string' },
              height: { type: 'integer' },
              index: { type: 'integer' },
              fee: amountSchema,
              size: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const id = (req.params as { txid: string }).txid.toLowerCase();
      const entry = mempool.get(id);
      if (entry) {
        return {
          ...txToJSON(entry.tx),
          status: 'mempool',
          confirmations: 0,
          fee: Number(entry.fee),
          size: entry.size,
        };
      }
      const loc = chain.findTx(id);
      if (!loc) throw HttpError.of('not-found', `no transaction ${id} in the mempool or the active chain`);
      const tx = chain.getBlock(loc.block)!.txs[loc.index]!;
      return {
        ...txToJSON(tx),
        status: 'confirmed',
        confirmations: chain.height - loc.height + 1,
        block: loc.block,
        height: loc.height,
        index: loc.index,
        size: encodeTx(tx).length,
      };
    },
  );

  /** Confirmed coins (with who spends them in the mempool) and unconfirmed outputs, for one address. */
  function coinsOf(address: string) {
    const script = scriptOfAddress(address, params);
    const next = chain.height + 1;
    const row = (key: string, coin: Coin, confirmed: boolean) => {
      const { txid, vout } = parseOutpointKey(key);
      const spentBy = mempool.spender(key) ?? null;
      const mature = !coin.coinbase || next - coin.height >= params.coinbaseMaturity;
      return {
        txid,
        vout,
        value: Number(coin.value),
        script: bytesToHex(coin.script),
        height: confirmed ? coin.height : null,
        confirmations: confirmed ? chain.height - coin.height + 1 : 0,
        coinbase: coin.coinbase,
        spendable: mature && spentBy === null,
        spentBy,
      };
    };
    const confirmed = chain.utxos.coinsForScript(script).map(([k, c]) => row(k, c, true));
    const pending = mempool.pendingCoins(script).map(([k, c]) => row(k, c, false));
    const rows = [...confirmed, ...pending].sort(
      (a, b) =>
        (a.height ?? Infinity) - (b.height ?? Infinity) ||
        (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : a.vout - b.vout),
    );
    return { script, rows };
  }

  const addressParams = {
    type: 'object',
    properties: { addr: addressSchema },
    required: ['addr'],
  } as const;

  app.get(
    '/address/:addr/balance',
    {
      schema: {
        summary: 'What an address holds: confirmed, immature, pending in the mempool, and spendable now',
        params: addressParams,
        response: {
          200: {
            type: 'object',
            properties: {
              address: { type: 'string' },
              height: { type: 'integer' },
              confirmed: { ...amountSchema, description: 'unspent outputs in the active chain' },
              immature: {
                ...amountSchema,
                description: 'part of confirmed: coinbase outputs not yet mature',
              },
              unconfirmed: { ...amountSchema, description: 'outputs of mempool transactions paying it' },
              spentInMempool: {
                ...amountSchema,
                description: 'part of confirmed spent by mempool transactions',
              },
              spendable: {
                ...amountSchema,
                description: 'mature and unspent, counting the mempool (what `chainsim send` can use)',
              },
              utxos: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const address = (req.params as { addr: string }).addr;
      const { rows } = coinsOf(address);
      const sum = (f: (r: (typeof rows)[number]) => boolean) =>
        rows.filter(f).reduce((n, r) => n + r.value, 0);
      return {
        address,
        height: chain.height,
        confirmed: sum((r) => r.height !== null),
        immature: sum(
          (r) => r.height !== null && r.coinbase && chain.height + 1 - r.height < params.coinbaseMaturity,
        ),
        unconfirmed: sum((r) => r.height === null),
        spentInMempool: sum((r) => r.height !== null && r.spentBy !== null),
        spendable: sum((r) => r.spendable),
        utxos: rows.length,
      };
    },
  );

  app.get(
    '/address/:addr/utxos',
    {
      schema: {
        summary:
          "An address's unspent outputs: confirmed ones (marked if a mempool transaction spends them) and unconfirmed ones",
        params: addressParams,
        response: {
          200: {
            type: 'object',
            properties: {
              address: { type: 'string' },
              height: { type: 'integer' },
              utxos: { type: 'array', items: utxoSchema },
            },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const address = (req.params as { addr: string }).addr;
      return { address, height: chain.height, utxos: coinsOf(address).rows };
    },
  );

  app.get(
    '/tx/:txid/proof',
    {
      schema: {
        summary:
          'An SPV proof (Bitcoin paper §8): the merkle branch, the block header, the headers built on it',
        description: 'The input of `chainsim proof verify`.',
        params: { type: 'object', properties: { txid: hashSchema }, required: ['txid'] },
        response: {
          200: {
            type: 'object',
            properties: {
              network: { type: 'string' },
              txid: { type: 'string' },
              blockHash: { type: 'string' },
              height: { type: 'integer' },
              header: { type: 'string', description: '80-byte header, 160 hex' },
              txCount: { type: 'integer' },
              index: { type: 'integer' },
              branch: {
                type: 'array',
                items: { type: 'string' },
                description: 'sibling hashes, leaf level first',
              },
              headers: {
                type: 'array',
                items: { type: 'string' },
                description: `the headers after it on the active chain, at most ${MAX_PROOF_HEADERS}`,
              },
              confirmations: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const id = (req.params as { txid: string }).txid.toLowerCase();
      const loc = chain.findTx(id);
      if (!loc) {
        const where = mempool.has(id)
          ? 'is in the mempool, not yet in a block'
          : 'is not in the active chain';
        throw HttpError.of('not-found', `transaction ${id} ${where}`);
      }
      const block = chain.getBlock(loc.block)!;
      const txids = block.txs.map((t) => txidOf(t));
      const after = chain.range(loc.height + 1, MAX_PROOF_HEADERS);
      return {
        network: params.name,
        txid: id,
        blockHash: blockHash(block),
        height: loc.height,
        header: bytesToHex(encodeHeader(block.header)),
        txCount: txids.length,
        index: loc.index,
        branch: merkleBranch(txids, loc.index).siblings,
        headers: after.map((e) => bytesToHex(encodeHeader(e.header))),
        confirmations: chain.height - loc.height + 1,
      };
    },
  );
}

/** Headers after the block in a proof (a retarget interval of Bitcoin: two weeks of work on top). */
export const MAX_PROOF_HEADERS = 2016;
