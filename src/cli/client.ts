/** A small HTTP client for the CLI's node commands: JSON in and out, errors as messages a user can act on. */

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
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      ...(opts.body === undefined
        ? {}
        : { body: JSON.stringify(opts.body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new NodeError(`cannot reach the node at ${base} (${cause}): is it running? (--node URL)`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new NodeError(`${url} answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new NodeError(
      `the node refused: ${e?.code ?? res.status}${e?.message && e.message !== e.code ? `: ${e.message}` : ''}`,
      e?.code,
      res.status,
    );
  }
  return body as T;
}
