/** New endpoints, named after Bitcoin Core's RPC where it fits: blocks by hash, sync by locator, chain tips. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { blockSize, blockToJSON, isDisplayHash } from '../../consensus/index.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError } from '../../http/errors.ts';
import { blockSchema, docExamples, errors, hashSchema } from './schemas.ts';

export interface BlockRoutesOptions {
  readonly node: ChainsimNode;
  readonly auth: (req: FastifyRequest) => void;
}

/** Most blocks one `GET /blocks` answer carries. */
export const MAX_BLOCKS_PER_REQUEST = 2000;
/**
 * And about this many bytes of JSON at most (at least one block): a sync takes 500 blocks a round, which for
 * full 1 MB blocks would be over a gigabyte; the syncing peer accepts a little more (net/relay.ts).
 */
export const MAX_BLOCKS_ANSWER_BYTES = 32 * 1024 * 1024;

export function blockRoutes(app: FastifyInstance, opts: BlockRoutesOptions): void {
  const { node } = opts;
  const { genesisHash } = docExamples(node.params);

  app.get(
    '/blocks/:hash',
    {
      schema: {
        summary: 'One block by hash (like getblock)',
        params: {
          type: 'object',
          properties: { hash: { ...hashSchema, examples: [genesisHash] } },
          required: ['hash'],
        },
        response: {
          200: {
            ...blockSchema,
            properties: {
              ...blockSchema.properties,
              confirmations: { type: 'integer', description: '-1 when not on the active chain' },
              chainwork: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const hash = (req.params as { hash: string }).hash.toLowerCase();
      const entry = node.chain.get(hash);
      const block = node.chain.getBlock(hash);
      if (!entry || !block) throw HttpError.of('not-found', `no block ${hash}`);
      return {
        ...blockToJSON(block, entry.height),
        confirmations: node.chain.isActive(entry) ? node.chain.height - entry.height + 1 : -1,
        chainwork: entry.chainwork.toString(16).padStart(64, '0'),
      };
    },
  );

  app.get(
    '/blocks',
    {
      schema: {
        summary: 'The active-chain blocks after the fork point of a block locator (for sync)',
        description: `At most \`limit\` blocks and about ${MAX_BLOCKS_ANSWER_BYTES / 1024 / 1024} MiB of JSON (always at least one block).`,
        querystring: {
          type: 'object',
          properties: {
            locator: {
              type: 'string',
              description: 'comma-separated block hashes, newest first, ending at genesis',
              examples: [genesisHash],
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_BLOCKS_PER_REQUEST,
              default: 500,
              examples: [10],
            },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              fork: { type: 'object', properties: { hash: { type: 'string' }, height: { type: 'integer' } } },
              blocks: { type: 'array', items: blockSchema },
            },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const { locator = '', limit = 500 } = req.query as { locator?: string; limit?: number };
      const hashes = locator === '' ? [] : locator.split(',').map((h) => h.trim().toLowerCase());
      const bad = hashes.find((h) => !isDisplayHash(h));
      if (bad !== undefined)
        throw HttpError.of(
          'bad-request',
          `locator entries are 64-hex block hashes; got ${JSON.stringify(bad)}`,
        );
      if (hashes.length > 101) throw HttpError.of('bad-request', 'a locator has at most 101 hashes');
      const fork = node.chain.forkPoint(hashes);
      const blocks: ReturnType<typeof blockToJSON>[] = [];
      let bytes = 0;
      for (const e of node.durableRange(fork.height + 1, limit)) {
        const block = node.chain.getBlock(e.hash)!;
        // Hex doubles the bytes; field names and numbers add a little per transaction.
        bytes += 2 * blockSize(block) + 200 * block.txs.length + 400;
        if (blocks.length > 0 && bytes > MAX_BLOCKS_ANSWER_BYTES) break;
        blocks.push(blockToJSON(block, e.height));
      }
      return { fork: { hash: fork.hash, height: fork.height }, blocks };
    },
  );

  app.get(
    '/tips',
    {
      schema: {
        summary: 'Every chain tip with its status (like getchaintips)',
        response: {
          200: {
            type: 'object',
            properties: {
              tips: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    hash: { type: 'string' },
                    height: { type: 'integer' },
                    branchlen: { type: 'integer' },
                    status: { type: 'string', enum: ['active', 'valid-fork', 'valid-headers', 'invalid'] },
                  },
                },
              },
            },
          },
        },
      },
    },
    () => ({ tips: node.chain.tips() }),
  );

  app.get(
    '/mining/start',
    {
      schema: {
        summary: 'Start continuous mining on this node',
        response: {
          200: { type: 'object', properties: { message: { type: 'string' }, mining: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    (req) => {
      opts.auth(req);
      node.startMining();
      return { message: 'Mining started', mining: true };
    },
  );

  app.get(
    '/mining/stop',
    {
      schema: {
        summary: 'Stop continuous mining on this node',
        response: {
          200: { type: 'object', properties: { message: { type: 'string' }, mining: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    (req) => {
      opts.auth(req);
      node.stopMining();
      return { message: 'Mining stopped', mining: false };
    },
  );
}
