/**
 * The fastify set-up the node's server (node/http/) and the manager's (sim/http.ts) share: connection caps and
 * time-outs, clients whose request never reached a route answered in our JSON, every error answered through
 * `toHttpError`, unknown routes as `not-found`, schemas as data (schema-tools.ts) and the bearer-token check.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Socket } from 'node:net';
import { secretsEqual } from '../net/peers.ts';
import { HttpError, rawErrorResponse, toHttpError } from './errors.ts';
import { lightSchemaController } from './schema-tools.ts';

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

/** Connection caps and time-outs, and what a client whose request never reached a route is answered. */
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
    maxConnections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  };
}

/** What a client whose request never reached a route is answered, by Node's error code. */
function clientErrorResponse(code: string | undefined): string {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return rawErrorResponse('headers-too-large', 'the request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawErrorResponse('request-timeout', 'the request did not arrive in time');
    default:
      return rawErrorResponse('bad-request', 'the request is not valid HTTP');
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

export interface HttpAppOptions extends ServerLimits {
  readonly logger?: FastifyBaseLogger;
  /** Where the `not-found` answer of an unknown route points the client (e.g. `GET /openapi.json`). */
  readonly routesHint: string;
  /** Body size limit in bytes (fastify's default, 1 MiB, when omitted). */
  readonly bodyLimit?: number;
  /**
   * Routes log with the server's logger itself instead of a per-request child (a pino child each time): for
   * a server that logs no requests, the child buys nothing.
   */
  readonly sharedRequestLogger?: boolean;
}

/** A fastify app with the shared set-up; it does not listen (tests use `inject()`). Awaiting it readies it. */
export function createHttpApp(opts: HttpAppOptions): FastifyInstance & PromiseLike<FastifyInstance> {
  const limits = serverLimits(opts);
  const app = Fastify({
    keepAliveTimeout: limits.keepAliveTimeout,
    requestTimeout: limits.requestTimeout,
    http: limits.http,
    clientErrorHandler: limits.clientErrorHandler,
    ...(opts.logger ? { loggerInstance: opts.logger } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    ...(opts.sharedRequestLogger ? { childLoggerFactory: (logger: FastifyBaseLogger) => logger } : {}),
    ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
    schemaController: lightSchemaController as never,
  });
  app.server.maxConnections = limits.maxConnections;
  app.setErrorHandler((err: unknown, req, reply) => {
    const e = toHttpError(err);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    void reply.status(e.status).send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = HttpError.of(
      'not-found',
      `no route ${req.method} ${req.url.split('?')[0]}; see ${opts.routesHint}`,
    );
    void reply.status(e.status).send(e.toJSON());
  });
  return app;
}
