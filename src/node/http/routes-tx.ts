/**
 * Transactions and the mempool: submitting a signed transaction, listing the pool, looking a transaction up.
 * Amounts are integers of the smallest unit.
 */
import type { FastifyInstance } from 'fastify';
import { decodeTx, encodeTx, type Transaction, txFromJSON, txToJSON } from '../../consensus/index.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError } from '../../http/errors.ts';
import { sourceOf } from './source.ts';
import { amountSchema, docExamples, errors, hashSchema, txSchema } from './schemas.ts';

export interface TxRoutesOptions {
  readonly node: ChainsimNode;
}

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

export function txRoutes(app: FastifyInstance, opts: TxRoutesOptions): void {
  const { node } = opts;
  const { chain, mempool } = node;
  const { coinbase } = docExamples(node.params);

  app.post(
    '/transactions/new',
    {
      schema: {
        summary:
          'Submit a signed transaction (JSON, or {"hex": "..."}): into the mempool and relayed to peers',
        description:
          'The example is the shape only: it is the genesis coinbase, which is refused (a coinbase travels only in its block).',
        body: {
          anyOf: [
            txSchema,
            {
              type: 'object',
              properties: { hex: { type: 'string', description: 'the serialised transaction' } },
              required: ['hex'],
            },
          ],
          examples: [coinbase],
        },
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
      // A refusal throws ConsensusError: server.ts answers it with its reason code (errors.ts says which status).
      const outcome = await node.receiveTransaction(tx, source);
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
        params: {
          type: 'object',
          properties: {
            txid: {
              ...hashSchema,
              description:
                'the example is the genesis coinbase, which is in no index (as in Bitcoin Core): it answers 404',
              examples: [coinbase.txid],
            },
          },
          required: ['txid'],
        },
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
}
