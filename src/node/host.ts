/**
 * Serving a node over HTTP: builds the fastify app and listens. Used by the worker entry and by tests.
 */
import type { FastifyInstance } from 'fastify';
import { buildServer } from './http/server.ts';
import type { ChainsimNode } from './node.ts';
import { advertisedAddress, isLoopback } from './peers.ts';

export interface HostOptions {
  readonly node: ChainsimNode;
  /** Default 127.0.0.1. Anything else exposes the node, and then a token is required. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token?: string;
  /** Called after `/shutdown` has answered. */
  readonly onShutdown?: () => void;
}

export interface HostedNode {
  readonly app: FastifyInstance;
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function hostNode(opts: HostOptions): Promise<HostedNode> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) {
    throw new Error(`node ${opts.port} binds ${host} beyond loopback: a bearer token is required`);
  }
  const app = await buildServer({
    node: opts.node,
    logger: opts.node.log,
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.onShutdown ? { onShutdown: opts.onShutdown } : {}),
  });
  await app.listen({ host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const advertised = advertisedAddress(host, port);
  opts.node.address = advertised;
  return {
    app,
    address: advertised,
    port,
    close: async () => {
      opts.node.stopMining();
      await app.close();
      await opts.node.close();
    },
  };
}
