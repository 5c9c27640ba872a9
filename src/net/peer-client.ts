/**
 * Requests to peers: JSON over HTTP through one bounded connection pool per node (a few sockets per peer, a cap
 * in all), with time-outs, a cap on the size of every answer, and errors that never carry a peer's own text (what a
 * peer says must not reach our users, our logs at info, or our answers).
 */
import { Agent } from 'node:http';
import { HttpRequestError, requestJSON } from './http-client.ts';
import { ChainsimError } from '../util/errors.ts';

/** Sockets to one peer; enough for a push, a sync and a tip query at once. */
export const SOCKETS_PER_PEER = 4;
/** Sockets to all peers together: one node can never hold the process's descriptors. */
export const SOCKETS_IN_ALL = 64;
/** Answers a peer may send, unless the call says otherwise. */
export const DEFAULT_MAX_ANSWER = 256 * 1024;

export interface PeerRequest {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  /** Retries after a connection failure (never after an answer or a time-out). */
  readonly retries?: number;
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

export type PeerFailure = 'timeout' | 'network' | 'too-large' | 'aborted' | 'status' | 'not-json';

/** A request to a peer that got no usable answer; over HTTP it is `peer-unavailable` (never the peer's words). */
export class PeerRequestError extends ChainsimError<'peer-unavailable'> {
  override readonly name = 'PeerRequestError';
  constructor(
    readonly address: string,
    readonly kind: PeerFailure,
    message: string,
    /** The HTTP status, for `status`. */
    readonly status = 0,
  ) {
    super('peer-unavailable', message);
  }
}

export interface PeerClient {
  request<T>(address: string, path: string, opts?: PeerRequest): Promise<T>;
  /** Sockets open to peers now (in use and idle), in all and to the peer with the most. */
  openSockets(): { total: number; mostToOnePeer: number };
  /** Closes idle sockets (the node is stopping). */
  close(): void;
}

export function createPeerClient(opts: {
  /** Headers sent with every request (who we are). */
  readonly identity: () => Record<string, string>;
  readonly defaultTimeoutMs?: number;
}): PeerClient {
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS_PER_PEER, maxTotalSockets: SOCKETS_IN_ALL });
  return {
    async request<T>(address: string, path: string, r: PeerRequest = {}): Promise<T> {
      const retries = r.retries ?? 0;
      for (let attempt = 0; ; attempt++) {
        let answer;
        try {
          answer = await requestJSON(`http://${address}${path}`, {
            method: r.method ?? 'GET',
            headers: { ...opts.identity(), ...r.headers },
            ...(r.body === undefined ? {} : { body: r.body }),
            timeoutMs: r.timeoutMs ?? opts.defaultTimeoutMs ?? 5000,
            maxBytes: r.maxBytes ?? DEFAULT_MAX_ANSWER,
            agent,
            ...(r.signal ? { signal: r.signal } : {}),
          });
        } catch (err) {
          const kind = err instanceof HttpRequestError ? err.kind : 'network';
          if (kind === 'network' && attempt < retries) {
            await new Promise((done) => setTimeout(done, 50 * 2 ** attempt));
            continue;
          }
          throw new PeerRequestError(address, kind, `peer ${address}: ${describeFailure(kind)}`);
        }
        if (answer.status < 200 || answer.status >= 300) {
          throw new PeerRequestError(
            address,
            'status',
            `peer ${address} answered ${answer.status}`,
            answer.status,
          );
        }
        if (typeof answer.body !== 'object' || answer.body === null)
          throw new PeerRequestError(
            address,
            'not-json',
            `peer ${address} answered with something that is not JSON`,
          );
        return answer.body as T;
      }
    },
    openSockets: () => {
      const perPeer = new Map<string, number>();
      for (const pool of [agent.sockets, agent.freeSockets])
        for (const [key, list] of Object.entries(pool))
          perPeer.set(key, (perPeer.get(key) ?? 0) + (list?.length ?? 0));
      const counts = [...perPeer.values()];
      return { total: counts.reduce((a, b) => a + b, 0), mostToOnePeer: Math.max(0, ...counts) };
    },
    close: () => agent.destroy(),
  };
}

function describeFailure(kind: PeerFailure): string {
  switch (kind) {
    case 'timeout':
      return 'no answer in time';
    case 'too-large':
      return 'the answer was too large';
    case 'aborted':
      return 'request cancelled';
    default:
      return 'could not connect';
  }
}
