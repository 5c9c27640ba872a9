/**
 * The node's HTTP API: `buildServer` returns the fastify app without listening, so tests use `inject()`.
 * The documented endpoints of the old Flask project keep their paths, methods and answers; the rest is new
 * and described by `GET /openapi.json`.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ConsensusError } from '../../consensus/index.ts';
import { PeerRequestError } from '../../net/peer-client.ts';
import { secretsEqual } from '../../net/peers.ts';
import { RelayError } from '../../net/relay.ts';
import type { ChainsimNode } from '../node.ts';
import { HttpError, rawErrorResponse } from './errors.ts';
import { addressRoutes } from './routes-address.ts';
import { blockRoutes } from './routes-blocks.ts';
import { legacyRoutes } from './routes-legacy.ts';
import { peerRoutes } from './routes-peers.ts';
import { proofRoutes } from './routes-proof.ts';
import { type ReplaceLimits, replaceRoutes } from './routes-replace.ts';
import { txRoutes } from './routes-tx.ts';
import { collectRoutes, lightSchemaController, openApiDocument } from './schema-tools.ts';

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

/**
 * Connections one server holds at most: one node under attack must not take the process's file descriptors
 * from the others (the simulator passes a share of the process's limit instead).
 */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** A client has this long to send its request headers (slow or half-open connections are closed after it). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** And this long to send the whole request. */
export const REQUEST_TIMEOUT_MS = 120_000;

export interface ServerLimits {
  /** Connections the server holds at most (default DEFAULT_MAX_CONNECTIONS); more are closed at once. */
  readonly maxConnections?: number;
  /** How long a client has to send its request headers (default HEADERS_TIMEOUT_MS). */
  readonly headersTimeoutMs?: number;
}

/** Tuning shared by the node's and the manager's servers: connection caps and time-outs, errors as our JSON. */
export function serverLimits(opts: ServerLimits = {}) {
  const headersTimeout = opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  return {
    keepAliveTimeout: 30_000,
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout,
      // Node looks for expired requests only this often (30 s by default): a quarter of the headers time-out
      // closes a silent connection within 1.25 times it, not up to 40 s later.
      connectionsCheckingInterval: Math.max(1, Math.ceil(headersTimeout / 4)),
    },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket): void => {
      if (socket.writable) socket.write(clientErrorResponse(err.code));
      // Then close at once, as Node does: ending only our side would leave the descriptor to a client that
      // never closes its own (the server allows half-open connections).
      socket.destroy();
    },
    apply(server: Server): void {
      server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    },
  };
}

/** What a client whose request never reached a route is answered, by Node's error code. */
function clientErrorResponse(code: string | undefined): string {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return rawErrorResponse(
        431,
        'Request Header Fields Too Large',
        'headers-too-large',
        'the request headers are too large',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawErrorResponse(
        408,
        'Request Timeout',
        'request-timeout',
        'the request did not arrive in time',
      );
    default:
      return rawErrorResponse(400, 'Bad Request', 'bad-request', 'the request is not valid HTTP');
  }
}

/** A bearer-token check in constant time; a no-op when there is no token. */
export function bearerAuth(token: string | undefined, where: string): (req: FastifyRequest) => void {
  const expected = token === undefined ? undefined : `Bearer ${token}`;
  return (req) => {
    if (expected === undefined) return;
    const given = req.headers.authorization;
    if (typeof given !== 'string' || !secretsEqual(given, expected)) {
      throw HttpError.of(
        'unauthorized',
        `this ${where} is exposed beyond loopback: send Authorization: Bearer <token> (printed at start)`,
      );
    }
  };
}

/** 4 MiB: a 1 MB block as JSON with hex scripts, with room to spare. */
export const BODY_LIMIT = 4 * 1024 * 1024;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const limits = serverLimits({
    ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
    ...(opts.headersTimeoutMs ? { headersTimeoutMs: opts.headersTimeoutMs } : {}),
  });
  const app = Fastify({
    keepAliveTimeout: limits.keepAliveTimeout,
    requestTimeout: limits.requestTimeout,
    http: limits.http,
    clientErrorHandler: limits.clientErrorHandler,
    ...(opts.logger ? { loggerInstance: opts.logger } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    // Requests are not logged, so a per-request child logger (a pino child each time) buys nothing: a
    // route's `req.log` is the node's logger itself.
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT,
    schemaController: lightSchemaController as never,
  });
  limits.apply(app.server);

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

  app.setErrorHandler((err: unknown, req, reply) => {
    const e = toHttpError(err);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    void reply.status(e.status).send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send(
        HttpError.of(
          'not-found',
          `no route ${req.method} ${req.url.split('?')[0]}; see GET /openapi.json`,
        ).toJSON(),
      );
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

/** Any error a route throws, as the JSON error we answer (one mapping for the node and the manager). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof RelayError) return HttpError.of(err.code, err.message);
  // Never the peer's own words: what it answered stays out of our answers.
  if (err instanceof PeerRequestError) return HttpError.of('peer-unavailable', err.message);
  if (err instanceof ConsensusError) return HttpError.fromConsensus(err);
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e.validation) return HttpError.of('bad-request', e.message ?? 'invalid request');
  if (e.statusCode === 413)
    return HttpError.of('payload-too-large', e.message ?? 'request body is too large');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HttpError(415, 'unsupported-media-type', 'send application/json');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError(e.statusCode, 'bad-request', e.message ?? 'bad request');
  }
  return HttpError.of('internal', (err as Error)?.message ?? String(err));
}
