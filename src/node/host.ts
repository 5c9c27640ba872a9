/**
 * Serving a node over HTTP: builds the fastify app and listens. Used by the worker entry and by tests.
 */
import type { FastifyInstance } from 'fastify';
import { advertisedAddress } from '../net/address.ts';
import { isLoopback } from '../net/peers.ts';
import { buildServer } from './http/server.ts';
import type { ChainsimNode } from './node.ts';
import { StartupError } from './startup-error.ts';

export interface HostOptions {
  readonly node: ChainsimNode;
  /** Default 127.0.0.1. Anything else exposes the node, and then a token is required. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token?: string;
  /** The host (or host:port) peers reach this node at; needed when bound to 0.0.0.0 on a machine without one. */
  readonly advertise?: string;
  /** Connections the server holds at most. */
  readonly maxConnections?: number;
  /** How long a client has to send its request headers (default HEADERS_TIMEOUT_MS in http/server.ts). */
  readonly headersTimeoutMs?: number;
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
    throw new StartupError(
      'token-required',
      `node ${opts.port} binds ${host} beyond loopback: a bearer token is required`,
    );
  }
  const app = await buildServer({
    node: opts.node,
    logger: opts.node.log,
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.onShutdown ? { onShutdown: opts.onShutdown } : {}),
    ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
    ...(opts.headersTimeoutMs ? { headersTimeoutMs: opts.headersTimeoutMs } : {}),
  });
  await app.listen({ host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  let advertised: string;
  try {
    advertised = advertisedAddress(host, port, opts.advertise);
  } catch (err) {
    await app.close();
    throw err;
  }
  opts.node.address = advertised;
  opts.node.bound = { host, port };
  // Peers it knew before it listened (restored from its store) get their hellos now it has an address.
  void opts.node.introducePeers();
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
