/** Connections for tests that flood a server: idle TCP sockets held open, and fresh one-off HTTP requests. */
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface HeldConnections {
  /** Connected and not (yet) closed by the server. */
  open(): number;
  /** Connections opened so far. */
  opened(): number;
  /** Resolves once every socket of the first batch has connected or failed, or after `timeoutMs`. */
  readonly settled: Promise<void>;
  /**
   * As an attacker would: every `everyMs`, opens new connections in place of those the server closed, at most
   * `budget` more in all, until closeAll.
   */
  keepUp(everyMs: number, budget: number): void;
  /** Calls `listener` with what the server sends on any of them. */
  onData(listener: (data: string) => void): void;
  closeAll(): void;
}

/**
 * Opens `count` connections to `host:port` that send nothing (or only `send`, half a request) and keep them open.
 * `allowHalfOpen` keeps a socket open after the server's FIN, as a client that never closes its side would.
 */
export function holdConnections(
  port: number,
  count: number,
  opts: { host?: string; send?: string; allowHalfOpen?: boolean; timeoutMs?: number } = {},
): HeldConnections {
  const sockets = new Set<Socket>();
  const live = new Set<Socket>();
  let opened = 0;
  let closed = false;
  let refill: NodeJS.Timeout | undefined;
  const listeners: Array<(data: string) => void> = [];
  const open = (): Promise<void> => {
    opened++;
    const s = connect({ port, host: opts.host ?? '127.0.0.1', allowHalfOpen: opts.allowHalfOpen ?? false });
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      for (const l of listeners) l(d.toString('utf8'));
    });
    return new Promise<void>((resolve) => {
      s.once('connect', () => {
        live.add(s);
        if (opts.send !== undefined) s.write(opts.send);
        resolve();
      });
      s.once('close', () => {
        live.delete(s);
        sockets.delete(s);
        resolve();
      });
    });
  };
  const first = Array.from({ length: count }, open);
  let timer: NodeJS.Timeout | undefined;
  const settled = Promise.race([
    Promise.all(first).then(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, opts.timeoutMs ?? 15_000))),
  ]).finally(() => clearTimeout(timer));
  return {
    open: () => live.size,
    opened: () => opened,
    settled,
    keepUp(everyMs, budget) {
      const limit = opened + budget;
      const top = (): void => {
        if (closed || opened >= limit) return void clearInterval(refill);
        for (let n = count - sockets.size; n > 0 && opened < limit; n--) void open();
      };
      top();
      refill = setInterval(top, everyMs);
    },
    onData: (listener) => void listeners.push(listener),
    closeAll: () => {
      closed = true;
      clearInterval(refill);
      for (const s of sockets) s.destroy();
    },
  };
}

export type FreshResult = { status: number; body: string } | { error: string };

/** One `GET url` on a new connection (no keep-alive, no pooling): its status, or the error's code. */
export function freshGet(url: string, timeoutMs = 5_000): Promise<FreshResult> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

/** `n` fresh GETs in turn; a summary such as `{ ok: 13, failed: { ECONNRESET: 7 } }`. */
export async function freshGets(
  url: string,
  n: number,
): Promise<{ ok: number; failed: Record<string, number> }> {
  const failed: Record<string, number> = {};
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const r = await freshGet(url);
    if ('status' in r && r.status === 200) ok++;
    else {
      const why = 'status' in r ? `status ${r.status}` : r.error;
      failed[why] = (failed[why] ?? 0) + 1;
    }
  }
  return { ok, failed };
}
