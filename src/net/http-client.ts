/**
 * The one HTTP client: every JSON request chainsim makes (the manager to its nodes, nodes to their peers, the
 * CLI to a node, `chainsim node run` to its --peer nodes, the benches) goes through `requestJSON`: node:http
 * with a keep-alive agent, not fetch. Fetch is undici, which a thread loads on its first call (tens of ms of
 * compiling: in a simulator node that was the first block relay, stalling every request to that node meanwhile)
 * and which costs more CPU a request afterwards.
 */
import { type Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ChainsimError } from '../util/errors.ts';

export interface JsonAnswer {
  readonly status: number;
  /** The parsed body; the raw text when it is not JSON; null when empty. */
  readonly body: unknown;
}

export interface JsonRequest {
  readonly method?: 'GET' | 'POST';
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Answers longer than this are cut off and rejected (`too-large`): a peer must not fill our memory. */
  readonly maxBytes?: number;
  /** The connection pool (default: node:http's global agent). */
  readonly agent?: Agent;
  /** Aborts the request (rejects with `aborted`). */
  readonly signal?: AbortSignal;
  /** False: the answer's body is read and dropped unparsed (`body` null), for load generators. */
  readonly readBody?: boolean;
}

/** Why a request got no usable answer; the message never carries the answer's own text. */
export type HttpFailure = 'timeout' | 'network' | 'too-large' | 'aborted';

export class HttpRequestError extends ChainsimError<HttpFailure> {
  override readonly name = 'HttpRequestError';
  /** What failed, without the URL: the errno code (`ECONNREFUSED`), or what the kind means. */
  readonly reason: string;

  constructor(kind: HttpFailure, message: string, reason: string = kind) {
    super(kind, message);
    this.reason = reason;
  }

  /** Why it failed (the same as `code`). */
  get kind(): HttpFailure {
    return this.code;
  }
}

function networkFailure(url: string, err: Error): HttpRequestError {
  const reason = (err as NodeJS.ErrnoException).code ?? err.message;
  return new HttpRequestError('network', `${url}: ${reason}`, reason);
}

/** Resolves with any status; rejects with an HttpRequestError on a network failure, a time-out or an abort. */
export function requestJSON(url: string, opts: JsonRequest): Promise<JsonAnswer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const keep = opts.readBody !== false;
  return new Promise<JsonAnswer>((resolve, reject) => {
    let failure: HttpRequestError | null = null;
    const fail = (err: HttpRequestError): void => {
      failure ??= err;
      req.destroy(failure);
    };
    // https only for a node a user put behind a TLS proxy (the CLI's --node https://...); nodes speak http.
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        ...(opts.agent ? { agent: opts.agent } : {}),
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...opts.headers,
        },
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > maxBytes) {
          fail(
            new HttpRequestError('too-large', `${url} answered with ${declared} bytes (limit ${maxBytes})`),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            fail(new HttpRequestError('too-large', `${url} answered with more than ${maxBytes} bytes`));
            return;
          }
          if (keep) chunks.push(chunk);
        });
        res.on('error', (err) => done(err));
        res.on('end', () => {
          if (failure) return;
          cleanup();
          if (!keep) {
            resolve({ status: res.statusCode ?? 0, body: null });
            return;
          }
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text.length > 0 ? text : null;
          try {
            if (text.length > 0) body = JSON.parse(text) as unknown;
          } catch {
            // Not JSON: the text stays, for the caller to refuse.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    const onAbort = (): void => fail(new HttpRequestError('aborted', `${url}: request aborted`));
    const timer = setTimeout(
      () =>
        fail(
          new HttpRequestError(
            'timeout',
            `${url} did not answer within ${opts.timeoutMs} ms`,
            `no answer within ${opts.timeoutMs} ms`,
          ),
        ),
      opts.timeoutMs,
    );
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    function cleanup(): void {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    function done(err: Error): void {
      cleanup();
      reject(failure ?? (err instanceof HttpRequestError ? err : networkFailure(url, err)));
    }
    req.on('error', done);
    req.end(payload);
  });
}

/** A JSON request over loopback HTTP with a timeout; non-2xx answers reject with the node's error message. */
export async function httpJSON<T = unknown>(
  url: string,
  opts: { method?: 'GET' | 'POST'; body?: unknown; timeoutMs?: number; token?: string | undefined } = {},
): Promise<T> {
  const { status, body } = await requestJSON(url, {
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.body === undefined ? {} : { body: opts.body }),
    ...(opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {}),
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
  if (status < 200 || status >= 300) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const detail = err ? `${err.code ?? ''} ${err.message ?? ''}` : typeof body === 'string' ? body : '';
    throw new Error(`${url} answered ${status}: ${detail}`.trim());
  }
  if (typeof body === 'string') throw new Error(`${url} answered with invalid JSON`);
  return body as T;
}
