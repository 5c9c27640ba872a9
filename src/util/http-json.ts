/**
 * One JSON request over plain HTTP, for the manager (to its nodes) and for nodes (to their peers): node:http
 * with its keep-alive global agent, not fetch. Fetch is undici, which a thread loads on its first call (tens of
 * ms of compiling: in a simulator node that was the first block relay, stalling every request to that node
 * meanwhile) and which costs more CPU a request afterwards.
 */
import { request } from 'node:http';

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
}

/** Resolves with any status; rejects on a network failure or when no answer comes within `timeoutMs`. */
export function requestJSON(url: string, opts: JsonRequest): Promise<JsonAnswer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise<JsonAnswer>((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text.length > 0 ? text : null;
          try {
            if (text.length > 0) body = JSON.parse(text) as unknown;
          } catch {
            // Not JSON: the text stays, for the error message.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    const timer = setTimeout(
      () => req.destroy(new Error(`${url} did not answer within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    req.on('error', fail);
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
