/** SPV proofs (Bitcoin paper §8): a confirmed transaction's merkle branch, its block header and the headers after. */
import type { FastifyInstance } from 'fastify';
import { blockHash, encodeHeader, merkleBranch, txid as txidOf } from '../../consensus/index.ts';
import { bytesToHex } from '../../util/bytes.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError } from '../../http/errors.ts';
import { docExamples, errors, hashSchema } from './schemas.ts';

export function proofRoutes(app: FastifyInstance, opts: { readonly node: ChainsimNode }): void {
  const { node } = opts;
  const { chain, mempool, params } = node;
  const { coinbase } = docExamples(params);

  app.get(
    '/tx/:txid/proof',
    {
      schema: {
        summary:
          'An SPV proof (Bitcoin paper §8): the merkle branch, the block header, the headers built on it',
        description: 'The input of `chainsim proof verify`.',
        params: {
          type: 'object',
          properties: { txid: { ...hashSchema, examples: [coinbase.txid] } },
          required: ['txid'],
        },
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
