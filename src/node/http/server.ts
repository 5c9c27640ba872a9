/**
 * The node's HTTP API: `buildServer` returns the fastify app without listening, so tests use `inject()`.
 * The documented endpoints of the old Flask project keep their paths, methods and answers; the rest is new
 * and described by `GET /openapi.json`.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { HttpError } from '../../http/errors.ts';
import { collectRoutes, openApiDocument } from '../../http/schema-tools.ts';
import { bearerAuth, createHttpApp } from '../../http/server.ts';
import type { ChainsimNode } from '../node.ts';
import { addressRoutes } from './routes-address.ts';
import { blockRoutes } from './routes-blocks.ts';
import { legacyRoutes } from './routes-legacy.ts';
import { peerRoutes } from './routes-peers.ts';
import { proofRoutes } from './routes-proof.ts';
import { type ReplaceLimits, replaceRoutes } from './routes-replace.ts';
import { txRoutes } from './routes-tx.ts';

export interface ServerOptions {
  readonly node: ChainsimNode;
  readonly logger?: FastifyBaseLogger;
  /**
   * When set (a node bound beyond loopback), every route that changes state or spends CPU for the caller
   * (`/shutdown`, `/chain/replace`, `/mine`, `GET /block/new`, `/nodes/register`, mining control) needs
   * `Authorization: Bearer <token>`. Blocks, transactions and hellos from peers stay open: they are validated.
   */
  readonly token?: string;
  /** Called after `/shutdown` has answered. */
  readonly onShutdown?: () => void;
  /** Connections this server holds at most (default DEFAULT_MAX_CONNECTIONS); more are closed at once. */
  readonly maxConnections?: number;
  /** How long a client has to send its request headers (default HEADERS_TIMEOUT_MS). */
  readonly headersTimeoutMs?: number;
  /** Caps on a `/chain/replace` body; DEFAULT_REPLACE_LIMITS (routes-replace.ts) when omitted. */
  readonly replaceLimits?: Partial<ReplaceLimits>;
}

/** 4 MiB: a 1 MB block as JSON with hex scripts, with room to spare. */
export const BODY_LIMIT = 4 * 1024 * 1024;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = createHttpApp({
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
    ...(opts.headersTimeoutMs ? { headersTimeoutMs: opts.headersTimeoutMs } : {}),
    bodyLimit: BODY_LIMIT,
    sharedRequestLogger: true,
    routesHint: 'GET /openapi.json',
  });
  const routes = collectRoutes(app);

  // Old clients double-encode bodies (a JSON string containing JSON), and `curl -d` without a content type
  // sends form-urlencoded: every body is read as JSON, whatever its declared type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      let value: unknown = JSON.parse(text);
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value);
        } catch {
          // A plain JSON string stays a string; the route says what it expected.
        }
      }
      done(null, value);
    } catch (err) {
      done(HttpError.of('bad-json', `the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  const auth = bearerAuth(opts.token, 'node');

  await app.register(legacyRoutes, {
    node: opts.node,
    auth,
    ...(opts.onShutdown ? { onShutdown: opts.onShutdown } : {}),
  });
  await app.register(replaceRoutes, {
    target: opts.node,
    auth,
    limits: opts.replaceLimits,
    bodyLimit: BODY_LIMIT,
  });
  await app.register(blockRoutes, { node: opts.node, auth });
  await app.register(txRoutes, { node: opts.node });
  await app.register(addressRoutes, { node: opts.node });
  await app.register(proofRoutes, { node: opts.node });
  await app.register(peerRoutes, { node: opts.node });
  app.get('/openapi.json', { schema: { hide: true } as never }, () =>
    openApiDocument(routes, {
      title: 'chainsim node',
      version: '0.1.0',
      description:
        'One node of a chainsim network: the documented API of the old Flask project, plus block sync, transactions, the mempool, address balances and SPV proofs.',
    }),
  );
  return app;
}
