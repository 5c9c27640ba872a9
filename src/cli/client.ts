/** The CLI's node commands over the one HTTP client (net/http-client.ts): errors as messages a user can act on. */
import { HttpRequestError, type JsonAnswer, requestJSON } from '../net/http-client.ts';

/** The node could not be reached, or answered with an error; exit status 1 with `message`. */
export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(
    message: string,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Normalises `--node`: `5000`, `127.0.0.1:5000` or a full URL. */
export function nodeUrl(node: string): string {
  const s = node.trim().replace(/\/+$/, '');
  if (/^\d+$/.test(s)) return `http://127.0.0.1:${s}`;
  return /^https?:\/\//.test(s) ? s : `http://${s}`;
}

export async function nodeRequest<T>(
  base: string,
  path: string,
  opts: { method?: 'GET' | 'POST'; body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  const url = `${base}${path}`;
  let answer: JsonAnswer;
  try {
    answer = await requestJSON(url, {
      ...(opts.method ? { method: opts.method } : {}),
      ...(opts.body === undefined ? {} : { body: opts.body }),
      timeoutMs: opts.timeoutMs ?? 10_000,
    });
  } catch (err) {
    const cause = err instanceof HttpRequestError ? err.reason : (err as Error).message;
    throw new NodeError(`cannot reach the node at ${base} (${cause}): is it running? (--node URL)`);
  }
  const { status, body } = answer;
  if (typeof body === 'string')
    throw new NodeError(`${url} answered ${status} with something that is not JSON`);
  if (status < 200 || status >= 300) {
    const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new NodeError(
      `the node refused: ${e?.code ?? status}${e?.message && e.message !== e.code ? `: ${e.message}` : ''}`,
      e?.code,
      status,
    );
  }
  return body as T;
}
