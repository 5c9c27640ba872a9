/** Between peers: the hello that hands a peer the secret it presents with its pushes (net/relay.ts). */
import type { FastifyInstance } from 'fastify';
import { isAddress } from '../../net/peers.ts';
import { parseHello } from '../../net/relay.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError } from '../../http/errors.ts';
import { errors, PEER_EXAMPLE } from './schemas.ts';

export function peerRoutes(app: FastifyInstance, opts: { readonly node: ChainsimNode }): void {
  app.post(
    '/peers/hello',
    {
      schema: {
        summary: "A peer's hello: the secret to present when pushing blocks and transactions to it",
        description:
          'Sent by a node to the registered address of each peer it registers: `{ node, address, secret, reply }`. Only a registered peer at that address is affected.',
        body: {
          type: 'object',
          properties: {
            node: { type: 'string', description: "the sender's 32-hex id" },
            address: { type: 'string', description: "the sender's host:port" },
            secret: { type: 'string', description: '32 hex chars' },
            reply: { type: 'boolean', description: 'the sender wants our secret too' },
          },
          required: ['node', 'address', 'secret'],
          examples: [
            {
              node: PEER_EXAMPLE.id,
              address: PEER_EXAMPLE.address,
              secret: '9a1f0c2b3d4e5f60718293a4b5c6d7e8',
              reply: false,
            },
          ],
        },
        response: { 200: { type: 'object', properties: { message: { type: 'string' } } }, ...errors },
      },
    },
    (req) => {
      const hello = parseHello(req.body, isAddress);
      if (!hello) {
        throw HttpError.of(
          'bad-request',
          'send {"node": "<32-hex id>", "address": "host:port", "secret": "<32 hex>"}',
        );
      }
      opts.node.hello(hello);
      return { message: 'Hello' };
    },
  );
}
