/** New endpoints, named after Bitcoin Core's RPC where it fits: blocks by hash, sync by locator, chain tips. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { blockToJSON, isDisplayHash } from '../../consensus/index.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError } from './errors.ts';
import { blockSchema, errors, hashSchema } from './schemas.ts';

export interface BlockRoutesOptions {
  readonly node: ChainsimNode;
  readonly auth: (req: FastifyRequest) => void;
}

/** Most blocks one `GET /blocks` answer carries. */
export const MAX_BLOCKS_PER_REQUEST = 2000;

export function blockRoutes(app: FastifyInstance, opts: BlockRoutesOptions): void {
  const { node } = opts;

  app.get(
    '/blocks/:hash',
    {
      schema: {
        summary: 'One block by hash (like getblock)',
        params: { type: 'object', properties: { hash: hashSchema }, required: ['hash'] },
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
        querystring: {
          type: 'object',
          properties: {
            locator: {
              type: 'string',
              description: 'comma-separated block hashes, newest first, ending at genesis',
            },
            limit: { type: 'integer', minimum: 1, maximum: MAX_BLOCKS_PER_REQUEST, default: 500 },
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
      const entries = node.chain.range(fork.height + 1, limit);
      return {
        fork: { hash: fork.hash, height: fork.height },
        blocks: entries.map((e) => blockToJSON(node.chain.getBlock(e.hash)!, e.height)),
      };
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
