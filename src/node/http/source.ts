/**
 * Who sent an HTTP request, as the relay sees it (net/relay.ts BlockSource): the registered peer that presented
 * the secret we gave it, or else a claim, with the connection's address for rate limits.
 */
import type { FastifyRequest } from 'fastify';
import { isNodeId } from '../../net/peers.ts';
import {
  type BlockSource,
  MAX_SEEN_BY,
  NODE_ID_HEADER,
  PEER_SECRET_HEADER,
  SEEN_BY_HEADER,
} from '../../net/relay.ts';
import type { ChainsimNode } from '../node.ts';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 64 * MAX_SEEN_BY ? v : undefined;
}

export function sourceOf(req: FastifyRequest, node: ChainsimNode): BlockSource {
  const id = header(req, NODE_ID_HEADER);
  const peer = node.peers.authenticate(id, header(req, PEER_SECRET_HEADER));
  const claimed = !peer && id !== undefined && isNodeId(id) ? node.peers.get(id) : undefined;
  return {
    peer,
    claimed,
    origin: req.ip,
    // Only a peer's own list spares pushes: anyone else could name every peer and stop a block's relay.
    seenBy: peer ? header(req, SEEN_BY_HEADER)?.split(',', MAX_SEEN_BY).filter(isNodeId) : undefined,
  };
}
