/**
 * What an address holds: its balance and its unspent outputs, confirmed and in the mempool. Amounts are
 * integers of the smallest unit.
 */
import type { FastifyInstance } from 'fastify';
import { type Coin, isMatureAt, parseOutpointKey } from '../../consensus/index.ts';
import { bytesToHex } from '../../util/bytes.ts';
import type { ChainsimNode } from '../node.ts';
import { scriptOfAddress } from './addresses.ts';
import { addressSchema, amountSchema, docExamples, errors } from './schemas.ts';

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

export function addressRoutes(app: FastifyInstance, opts: { readonly node: ChainsimNode }): void {
  const { node } = opts;
  const { chain, mempool, params } = node;

  /** Confirmed coins (with who spends them in the mempool) and unconfirmed outputs, for one address. */
  function coinsOf(address: string) {
    const script = scriptOfAddress(address, params);
    const next = chain.height + 1;
    const row = (key: string, coin: Coin, confirmed: boolean) => {
      const { txid, vout } = parseOutpointKey(key);
      const spentBy = mempool.spender(key) ?? null;
      const mature = isMatureAt(coin, next, params);
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
    properties: { addr: { ...addressSchema, examples: [docExamples(params).address] } },
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
          (r) =>
            r.height !== null &&
            !isMatureAt({ coinbase: r.coinbase, height: r.height }, chain.height + 1, params),
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
}
