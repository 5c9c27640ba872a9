/**
 * A node's peers: who they are, how they have behaved, and an HTTP client to reach them.
 *
 * Misbehaviour follows Core: each invalid block adds its reason's ban score (consensus/errors.ts), and a peer
 * that reaches 100 is dropped. Mutated blocks and blocks too new in time score 0, so an honest peer relaying a
 * block we cannot check yet is never punished.
 */
import { requestJSON } from '../util/http-json.ts';

export const BAN_THRESHOLD = 100;

export interface Peer {
  readonly id: string;
  readonly address: string;
  score: number;
  /** Last time (ms) we heard from it or reached it. */
  lastSeen: number;
}

export interface PeerRequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  /** Retries after a network failure or timeout (never after an HTTP answer). */
  readonly retries?: number;
}

export class PeerHttpError extends Error {
  override readonly name = 'PeerHttpError';
  constructor(
    readonly address: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${address} answered ${status}: ${JSON.stringify(body).slice(0, 200)}`);
  }
}

const ID_RE = /^[0-9a-f]{32}$/;
const ADDRESS_RE = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value);
}

export function isAddress(value: unknown): value is string {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value)) return false;
  const port = Number(value.slice(value.lastIndexOf(':') + 1));
  return port > 0 && port < 65536;
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The address a node bound to `host`:`port` gives its peers (loopback hosts as 127.0.0.1). */
export function advertisedAddress(host: string, port: number): string {
  return `${isLoopback(host) ? '127.0.0.1' : host}:${port}`;
}

export interface PeerSetOptions {
  readonly selfId: string;
  selfAddress: () => string;
  readonly now?: () => number;
  readonly defaultTimeoutMs?: number;
  /** Headers sent with every request (identity of this node). */
  readonly identity?: () => Record<string, string>;
}

export class PeerSet {
  private readonly peers = new Map<string, Peer>();
  /** Addresses dropped for misbehaviour. */
  private readonly banned = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly opts: PeerSetOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.peers.size;
  }

  list(): Peer[] {
    return [...this.peers.values()];
  }

  get(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  byAddress(address: string): Peer | undefined {
    return this.list().find((p) => p.address === address);
  }

  /** id -> address, as `GET /node/id` shows it. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.list().map((p) => [p.id, p.address]));
  }

  /** Adds peers; never this node itself, never a banned address. Returns how many were new. */
  register(entries: ReadonlyArray<{ id: string; address: string }>): number {
    let added = 0;
    for (const { id, address } of entries) {
      if (id === this.opts.selfId || address === this.opts.selfAddress() || this.banned.has(address))
        continue;
      const existing = this.peers.get(id);
      if (existing) {
        if (existing.address !== address) this.peers.set(id, { ...existing, address });
        continue;
      }
      // One id per address: a node that restarted with a new id replaces its old entry.
      for (const p of this.peers.values()) if (p.address === address) this.peers.delete(p.id);
      this.peers.set(id, { id, address, score: 0, lastSeen: 0 });
      added++;
    }
    return added;
  }

  /** Adds `score` to a peer; drops and bans it at the threshold. Returns true when it was dropped. */
  misbehaving(id: string, score: number): boolean {
    const peer = this.peers.get(id);
    if (!peer || score <= 0) return false;
    peer.score += score;
    if (peer.score < BAN_THRESHOLD) return false;
    this.peers.delete(id);
    this.banned.add(peer.address);
    return true;
  }

  isBanned(address: string): boolean {
    return this.banned.has(address);
  }

  /** A JSON request to a peer, with a timeout and bounded retries on network failure. */
  async request<T>(address: string, path: string, opts: PeerRequestOptions = {}): Promise<T> {
    const retries = opts.retries ?? 1;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        const res = await requestJSON(`http://${address}${path}`, {
          method: opts.method ?? 'GET',
          headers: { ...(this.opts.identity?.() ?? {}), ...opts.headers },
          ...(opts.body === undefined ? {} : { body: opts.body }),
          timeoutMs: opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 5000,
        });
        const peer = this.byAddress(address);
        if (peer) peer.lastSeen = this.now();
        if (res.status < 200 || res.status >= 300) throw new PeerHttpError(address, res.status, res.body);
        return res.body as T;
      } catch (err) {
        if (err instanceof PeerHttpError) throw err;
        lastError = err;
        if (attempt < retries) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }
}
