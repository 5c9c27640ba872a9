/**
 * The network model's gate around a node's PeerClient: every request to a peer whose address the model knows asks
 * the model first (`decide(self, peer, kind, bytes, now)`), and its answer asks again on the way back
 * (`decide(peer, self, 'answer', ...)`) before the caller sees it.
 *
 * - Blocked (a partition, no edge): fails as an unreachable peer does (PeerRequestError `network`, "no route to
 *   ADDRESS: partitioned"), so sync, the tip queries and hellos handle it as they handle a peer that is down.
 * - A lost push (`block`, `tx`): silently dropped; it answers `{}` at once, as the sender cannot know.
 * - Otherwise it waits the delay in the node's DelayQueue, then sends. A partition that arose meanwhile fails the
 *   answer.
 *
 * Message sizes are measured only when the link has a bandwidth (only then do they change a delay). Peers outside
 * the simulation, and nodes without a model, are not gated at all.
 */
import type { Decision, MessageKind, ModelView, NetworkSettings } from './model/types.ts';
import { DelayCancelledError, type DelayQueue } from './delay-queue.ts';
import { settingsFor } from './model/settings.ts';
import { type PeerClient, type PeerRequest, PeerRequestError } from './peer-client.ts';

/** The model's indices of this node and of a peer. */
export interface Route {
  readonly self: number;
  readonly peer: number;
}

export interface GateOptions {
  readonly model: ModelView;
  /** This node's advertised address (how the model names it). */
  readonly self: () => string;
  /** ms clock passed to the model (any origin, the same for every call). */
  readonly now: () => number;
  readonly queue: DelayQueue;
}

/** What the model is asked about a request, by its path and method. */
export function kindOf(path: string, method: 'GET' | 'POST' = 'GET'): MessageKind {
  if (path === '/peers/hello') return 'hello';
  if (method === 'POST' && path === '/block/new') return 'block';
  if (method === 'POST' && path === '/transactions/new') return 'tx';
  return 'request';
}

/** The error a blocked request fails with: the same as a peer that cannot be reached. */
export function noRoute(address: string, reason: string): PeerRequestError {
  const why = reason === 'no-link' ? 'not linked' : reason;
  return new PeerRequestError(address, 'network', `no route to ${address}: ${why}`);
}

export class Gate {
  readonly model: ModelView;
  readonly queue: DelayQueue;
  /** The gated client: what sync, hellos and tip queries use. */
  readonly client: PeerClient;
  private readonly selfAddress: () => string;
  private readonly now: () => number;
  private limited: { settings: NetworkSettings; byPair: Map<number, boolean> } | null = null;

  constructor(
    private readonly inner: PeerClient,
    opts: GateOptions,
  ) {
    this.model = opts.model;
    this.queue = opts.queue;
    this.selfAddress = opts.self;
    this.now = opts.now;
    this.client = {
      request: (address, path, r) => this.request(address, path, r),
      openSockets: () => inner.openSockets(),
      close: () => inner.close(),
    };
  }

  /** The model's indices for a message to `address`; null when the model does not cover it (no gating). */
  route(address: string): Route | null {
    const self = this.model.indexOf(this.selfAddress());
    if (self === undefined) return null;
    const peer = this.model.indexOf(address);
    return peer === undefined || peer === self ? null : { self, peer };
  }

  /**
   * Why nothing can go from this node to the peer (a partition, no edge), without asking for a draw; null when
   * the link is up. Only messages that may pass are put to `decide`, which draws and books the link.
   */
  blocked(route: Route): 'partitioned' | 'no-link' | null {
    if (this.model.reachable(route.self, route.peer)) return null;
    return this.model.neighbours(route.self).includes(route.peer) ? 'partitioned' : 'no-link';
  }

  /** Asks the model about one message from this node (`size` is called only when the link has a bandwidth). */
  decide(route: Route, kind: MessageKind, size: () => number): Decision {
    const bytes = this.hasBandwidth(route.self, route.peer) ? size() : 0;
    return this.model.decide(route.self, route.peer, kind, bytes, this.now());
  }

  /**
   * Sends a request the model has let pass (`decision.delayMs` not yet waited), then gates its answer. Rejects as
   * the PeerClient does.
   */
  async send<T>(
    route: Route,
    delayMs: number,
    address: string,
    path: string,
    r: PeerRequest = {},
  ): Promise<T> {
    await this.delay(delayMs, address, r.signal);
    const answer = await this.inner.request<T>(address, path, r);
    const blocked = this.blocked(route);
    if (blocked) throw noRoute(address, blocked);
    const bytes = this.hasBandwidth(route.peer, route.self) ? JSON.stringify(answer).length : 0;
    const back = this.model.decide(route.peer, route.self, 'answer', bytes, this.now());
    if (!back.pass) throw noRoute(address, back.reason);
    await this.delay(back.delayMs, address, r.signal);
    return answer;
  }

  private async request<T>(address: string, path: string, r: PeerRequest = {}): Promise<T> {
    const route = this.route(address);
    if (!route) return this.inner.request<T>(address, path, r);
    const blocked = this.blocked(route);
    if (blocked) throw noRoute(address, blocked);
    const kind = kindOf(path, r.method);
    const d = this.decide(route, kind, () => (r.body === undefined ? 0 : JSON.stringify(r.body).length));
    if (!d.pass) {
      if (d.reason === 'lost' && (kind === 'block' || kind === 'tx')) return {} as T;
      throw noRoute(address, d.reason);
    }
    return this.send<T>(route, d.delayMs, address, path, r);
  }

  private async delay(ms: number, address: string, signal: AbortSignal | undefined): Promise<void> {
    if (!(ms > 0)) return;
    if (signal?.aborted) throw cancelled(address);
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this.queue.wait(ms),
        new Promise<never>((_, reject) => {
          onAbort = () => reject(cancelled(address));
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } catch (err) {
      if (err instanceof DelayCancelledError)
        throw new PeerRequestError(address, 'aborted', `request to ${address} cancelled: ${err.message}`);
      throw err;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether the link between `a` and `b` has a bandwidth (cached until the settings change). */
  private hasBandwidth(a: number, b: number): boolean {
    const settings = this.model.settings;
    if (this.limited?.settings !== settings) this.limited = { settings, byPair: new Map() };
    const key = a < b ? a * 65536 + b : b * 65536 + a;
    let has = this.limited.byPair.get(key);
    if (has === undefined) {
      has = settingsFor(settings, a, b).bandwidth !== null;
      this.limited.byPair.set(key, has);
    }
    return has;
  }
}

function cancelled(address: string): PeerRequestError {
  return new PeerRequestError(address, 'aborted', `request to ${address} cancelled`);
}
