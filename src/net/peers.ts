/**
 * A node's peer table: who its peers are, how they have behaved, and the secrets that authenticate their pushes.
 *
 * Bounded as Bitcoin Core bounds its connections (at most 125 peers). Misbehaviour follows Core: each invalid
 * block adds its reason's ban score (consensus/errors.ts), and a peer that reaches 100 is dropped and its address
 * banned. Only an authenticated sender is ever charged: a peer reached through the simulator's message ports (the
 * manager names the sender), or an HTTP sender that presents the secret this node gave that peer at its registered
 * address. A claimed id alone is never charged, so nobody can get an honest peer banned by naming it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const BAN_THRESHOLD = 100;
/** Bitcoin Core's default -maxconnections. */
export const MAX_PEERS = 125;
/** Entries in one `POST /nodes/register`. */
export const MAX_REGISTRATION = 1000;
/** Addresses remembered as banned (the oldest is forgotten first). */
const MAX_BANNED = 1000;
/** Credentials from peers not registered yet (a hello can arrive before our own registration of its sender). */
const MAX_PENDING = 2 * MAX_PEERS;

export interface Peer {
  readonly id: string;
  readonly address: string;
  score: number;
  /** What this peer presents to authenticate its pushes to us; we made it and sent it to its registered address. */
  readonly secret: string;
  /** What we present to it, received in its hello; null until then. */
  credential: string | null;
  /** Our HTTP pushes to it that have not answered yet. */
  inFlight: number;
}

export type RefusalReason = 'self' | 'banned' | 'peer-table-full' | 'id-elsewhere';

export interface Refusal {
  readonly id: string;
  readonly address: string;
  readonly reason: RefusalReason;
}

export interface RegisterResult {
  readonly added: readonly Peer[];
  readonly refused: readonly Refusal[];
}

const ID_RE = /^[0-9a-f]{32}$/;
const ADDRESS_RE = /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/;
const SECRET_RE = /^[0-9a-f]{32}$/;

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value);
}

export function isAddress(value: unknown): value is string {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value)) return false;
  const port = Number(value.slice(value.lastIndexOf(':') + 1));
  return port > 0 && port < 65536;
}

export function isPeerSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_RE.test(value);
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** A fresh secret for a peer (128 bits, hex). */
export function newPeerSecret(): string {
  return randomBytes(16).toString('hex');
}

/** Constant-time equality of two secrets or tokens (their SHA-256 would do too; equal lengths are checked first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface PeerSetOptions {
  readonly selfId: string;
  /** Whether `address` names this node itself (any of its names: loopback, its interfaces, its advertised one). */
  readonly isSelf: (address: string) => boolean;
  readonly maxPeers?: number;
}

export class PeerSet {
  private readonly peers = new Map<string, Peer>();
  private readonly byAddr = new Map<string, Peer>();
  /** Addresses dropped for misbehaviour, oldest first. */
  private readonly banned = new Set<string>();
  private readonly pending = new Map<string, { address: string; credential: string }>();
  readonly maxPeers: number;

  constructor(private readonly opts: PeerSetOptions) {
    this.maxPeers = opts.maxPeers ?? MAX_PEERS;
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
    return this.byAddr.get(address);
  }

  /** id -> address, as `GET /node/id` shows it. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.list().map((p) => [p.id, p.address]));
  }

  /**
   * Adds peers, in linear time; never this node itself (under any name), never a banned address, never past
   * `maxPeers`, and a known id keeps its first address. A new id at a known address replaces the old entry (a
   * node restarted with a fresh data directory). Returns what was added and what was refused, with why.
   */
  register(entries: ReadonlyArray<{ id: string; address: string }>): RegisterResult {
    const added: Peer[] = [];
    const refused: Refusal[] = [];
    for (const { id, address } of entries) {
      const refuse = (reason: RefusalReason): void => void refused.push({ id, address, reason });
      if (id === this.opts.selfId || this.opts.isSelf(address)) {
        refuse('self');
        continue;
      }
      if (this.banned.has(address)) {
        refuse('banned');
        continue;
      }
      const existing = this.peers.get(id);
      if (existing) {
        if (existing.address !== address) refuse('id-elsewhere');
        continue;
      }
      const previous = this.byAddr.get(address);
      if (previous) this.remove(previous);
      else if (this.peers.size >= this.maxPeers) {
        refuse('peer-table-full');
        continue;
      }
      const waiting = this.pending.get(id);
      const credential = waiting && waiting.address === address ? waiting.credential : null;
      this.pending.delete(id);
      const peer: Peer = {
        id,
        address,
        score: 0,
        secret: newPeerSecret(),
        credential,
        inFlight: 0,
      };
      this.peers.set(id, peer);
      this.byAddr.set(address, peer);
      added.push(peer);
    }
    return { added, refused };
  }

  private remove(peer: Peer): void {
    this.peers.delete(peer.id);
    if (this.byAddr.get(peer.address) === peer) this.byAddr.delete(peer.address);
  }

  /** The registered peer `id` when `secret` is the one we gave it; undefined otherwise. */
  authenticate(id: string | undefined, secret: string | undefined): Peer | undefined {
    if (id === undefined || secret === undefined) return undefined;
    const peer = this.peers.get(id);
    return peer && secretsEqual(secret, peer.secret) ? peer : undefined;
  }

  /**
   * A peer's hello: the secret to present when we push to it. Kept for the registered peer at that address, or
   * until we register it (bounded). Returns the peer when it is registered there.
   */
  acceptCredential(id: string, address: string, credential: string): Peer | undefined {
    const peer = this.peers.get(id);
    if (peer) {
      if (peer.address !== address) return undefined;
      peer.credential = credential;
      return peer;
    }
    this.pending.delete(id);
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(id, { address, credential });
    return undefined;
  }

  /** Adds `score` to a peer; drops and bans it at the threshold. Returns true when it was dropped. */
  misbehaving(id: string, score: number): boolean {
    const peer = this.peers.get(id);
    if (!peer || score <= 0) return false;
    peer.score += score;
    if (peer.score < BAN_THRESHOLD) return false;
    this.remove(peer);
    this.banned.delete(peer.address);
    this.banned.add(peer.address);
    if (this.banned.size > MAX_BANNED) this.banned.delete(this.banned.values().next().value!);
    return true;
  }

  isBanned(address: string): boolean {
    return this.banned.has(address);
  }
}
