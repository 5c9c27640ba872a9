/**
 * The documented endpoints of the old Flask project: same paths, methods and answers, real behaviour behind.
 * `POST /chain/replace`, which streams its body, has its own plugin (routes-replace.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { blockFromJSON, blockToJSON } from '../../consensus/index.ts';
import { describeValue } from '../../util/describe.ts';
import { isAddress, isNodeId, MAX_REGISTRATION } from '../../net/peers.ts';
import type { ChainsimNode } from '../node.ts';
import { scriptOfAddress } from './addresses.ts';
import { errorResponseSchema, HttpError } from '../../http/errors.ts';
import { sourceOf } from './source.ts';
import { addressSchema, blockSchema, docExamples, errors, nodeInfoSchema, PEER_EXAMPLE } from './schemas.ts';

export interface LegacyRoutesOptions {
  readonly node: ChainsimNode;
  readonly auth: (req: FastifyRequest) => void;
  readonly onShutdown?: () => void;
}

export const REGISTER_ERROR = 'Error: Please supply a valid list of nodes';

/** `{ nodes: [ids], addresses: [addrs] }`, or `{ nodes: { id: address } }` as `/node/id` shows peers. */
function parseRegistration(body: unknown): Array<{ id: string; address: string }> {
  if (typeof body !== 'object' || body === null) throw HttpError.of('bad-request', REGISTER_ERROR);
  const { nodes, addresses } = body as { nodes?: unknown; addresses?: unknown };
  let pairs: Array<[unknown, unknown]>;
  if (
    Array.isArray(nodes) &&
    Array.isArray(addresses) &&
    nodes.length === addresses.length &&
    nodes.length > 0
  ) {
    pairs = nodes.map((id, i) => [id, addresses[i]]);
  } else if (nodes && typeof nodes === 'object' && !Array.isArray(nodes) && Object.keys(nodes).length > 0) {
    pairs = Object.entries(nodes);
  } else {
    throw HttpError.of('bad-request', REGISTER_ERROR, {
      hint: 'send {"nodes": ["<32-hex id>", ...], "addresses": ["127.0.0.1:5001", ...]} with one address per id',
    });
  }
  if (pairs.length > MAX_REGISTRATION) {
    throw HttpError.of('bad-request', REGISTER_ERROR, {
      hint: `at most ${MAX_REGISTRATION} nodes per request (a node keeps at most 125 peers); got ${pairs.length}`,
    });
  }
  const out: Array<{ id: string; address: string }> = [];
  for (const [id, address] of pairs) {
    if (!isNodeId(id) || !isAddress(address)) {
      throw HttpError.of('bad-request', REGISTER_ERROR, {
        hint: `ids are 32 hex chars and addresses host:port; got ${describeValue(id)} at ${describeValue(address)}`,
      });
    }
    out.push({ id, address });
  }
  return out;
}

export function legacyRoutes(app: FastifyInstance, opts: LegacyRoutesOptions): void {
  const { node } = opts;
  const ex = docExamples(node.params);

  app.get(
    '/node/id',
    {
      schema: {
        summary: "This node's id, address and peers, plus its tip",
        response: { 200: nodeInfoSchema },
      },
    },
    () => node.info(),
  );

  app.get(
    '/chain',
    {
      schema: {
        summary: 'The best chain, genesis first (optionally a page of it)',
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'integer', minimum: 0, description: 'first height', examples: [0] },
            limit: { type: 'integer', minimum: 1, description: 'most blocks', examples: [10] },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { chain: { type: 'array', items: blockSchema }, length: { type: 'integer' } },
          },
          ...errors,
        },
      },
    },
    (req) => {
      const { from = 0, limit } = req.query as { from?: number; limit?: number };
      const entries = node.durableRange(from, limit);
      return {
        chain: entries.map((e) => blockToJSON(node.chain.getBlock(e.hash)!, e.height)),
        length: node.tip.height + 1,
      };
    },
  );

  app.get(
    '/mine',
    {
      schema: {
        summary: 'Catch up with peers, mine one block on the best tip, announce it',
        description:
          "The coinbase pays this node's miningAddress, or `address` for this block (like Core's generatetoaddress).",
        querystring: {
          type: 'object',
          properties: { address: { ...addressSchema, examples: [ex.address] } },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { message: { type: 'string' }, block: blockSchema } },
          ...errors,
        },
      },
    },
    async (req) => {
      opts.auth(req);
      const { address } = req.query as { address?: string };
      const payTo = address === undefined ? undefined : scriptOfAddress(address, node.params);
      const { block, height } = await node.mine(payTo);
      return { message: 'Mined', block: blockToJSON(block, height) };
    },
  );

  app.get(
    '/block/new',
    {
      schema: {
        summary: 'A peer mined something: ask peers for their tips and sync from any with more work',
        response: {
          200: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              synced: { type: 'boolean' },
              blocksAdded: { type: 'integer' },
              height: { type: 'integer' },
              tip: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      opts.auth(req);
      const report = await node.syncWithPeers();
      return {
        message: report.synced ? 'Chain was replaced' : 'Our chain is authoritative',
        synced: report.synced,
        blocksAdded: report.blocksAdded,
        // The stored tip: a block mined meanwhile may still be being written (node.ts, the durable tip).
        height: node.tip.height,
        tip: node.tip.hash,
      };
    },
  );

  app.post(
    '/block/new',
    {
      schema: {
        summary: 'A block pushed by a peer: validate, connect, relay',
        body: { ...blockSchema, examples: [ex.genesisBlock] },
        response: {
          200: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              accepted: { type: 'boolean' },
              stored: {
                type: 'boolean',
                description: 'false: not stored, its chain has less work than the tip (a stale fork)',
              },
              hash: { type: 'string' },
              height: { type: 'integer' },
            },
          },
          ...errors,
          429: errorResponseSchema,
          502: errorResponseSchema,
        },
      },
    },
    async (req) => {
      const block = blockFromJSON(req.body);
      const result = await node.receiveBlock(block, sourceOf(req, node));
      return {
        message: result.accepted
          ? 'Block accepted'
          : result.stored
            ? 'Block already known'
            : 'Block not stored: its chain has less work than our tip',
        accepted: result.accepted,
        ...(result.stored ? {} : { stored: false }),
        hash: result.hash,
        height: result.height,
      };
    },
  );

  app.post(
    '/nodes/register',
    {
      schema: {
        summary: 'Add peers: {nodes: [ids], addresses: [addresses]}',
        description:
          'A node keeps at most 125 peers and never registers itself (under any name: it skips itself quietly). A banned address, an entry past the limit, or a known id at another address is listed in `refused` with the reason.',
        body: {
          anyOf: [
            {
              type: 'object',
              description: 'ids and their addresses, one address per id',
              properties: {
                nodes: { type: 'array', items: { type: 'string', description: '32 hex chars' } },
                addresses: { type: 'array', items: { type: 'string', description: 'host:port' } },
              },
              required: ['nodes', 'addresses'],
            },
            {
              type: 'object',
              description: 'as GET /node/id shows peers',
              properties: { nodes: { type: 'object', additionalProperties: { type: 'string' } } },
              required: ['nodes'],
            },
          ],
          examples: [{ nodes: [PEER_EXAMPLE.id], addresses: [PEER_EXAMPLE.address] }],
        },
        response: {
          201: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              total_nodes: { type: 'array', items: { type: 'string' } },
              refused: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    node: { type: 'string' },
                    address: { type: 'string' },
                    reason: { type: 'string', enum: ['banned', 'peer-table-full', 'id-elsewhere'] },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      opts.auth(req);
      const entries = parseRegistration(req.body);
      // A node skips itself quietly (the manager sends every node the whole list, as the old project did).
      const refused = (await node.registerPeers(entries)).refused.filter((r) => r.reason !== 'self');
      return reply.status(201).send({
        message: 'New nodes have been added',
        total_nodes: node.peers.list().map((p) => p.address),
        ...(refused.length > 0
          ? { refused: refused.map((r) => ({ node: r.id, address: r.address, reason: r.reason })) }
          : {}),
      });
    },
  );

  app.get(
    '/shutdown',
    {
      schema: {
        summary: 'Answer, then close the server; the node exits',
        response: { 200: { type: 'object', properties: { message: { type: 'string' } } }, ...errors },
      },
    },
    async (req, reply) => {
      opts.auth(req);
      await reply.send({ message: 'Shutting down' });
      if (opts.onShutdown) setImmediate(opts.onShutdown);
      return reply;
    },
  );
}
