/**
 * Introductions: the secret each HTTP peer presents with its pushes. A node makes one per peer and sends it in a
 * hello to that peer's registered address, so only the node at that address learns it (docs/peers.md).
 */
import type { Peer } from './peers.ts';
import type { Hello, RelayContext } from './protocol.ts';

/** A reply to a hello that asks for one goes out at most this often per peer. */
const REPLY_EVERY_MS = 5000;

export class Introductions {
  /** Hellos answered recently, by peer id. */
  private readonly replied = new Map<string, number>();
  /** Peers whose hello from us got through (by id). */
  private readonly delivered = new Set<string>();

  constructor(private readonly ctx: RelayContext) {}

  /**
   * Sends each new HTTP peer its hello. Peers the link reaches need none. Resolves when each hello has answered or
   * failed; a failed one is tried again a few times in the background.
   */
  async introduce(peers: readonly Peer[]): Promise<void> {
    const http = peers.filter((p) => !this.ctx.link?.reaches(p.address));
    await Promise.all(http.map((p) => this.sendHello(p, 0)));
  }

  /**
   * A link that came back: sends the hello again when ours did not get through or the peer's never reached us
   * (a partition blocked the handshake). Resolves after the first attempt.
   */
  async reintroduce(peer: Peer): Promise<void> {
    if (this.delivered.has(peer.id) && peer.credential !== null) return;
    await this.sendHello(peer, 0);
  }

  /** `POST /peers/hello`: keeps the secret to present to that peer; sends ours back when it asks (rate-limited). */
  onHello(hello: Hello): void {
    const { peers, nowMs } = this.ctx;
    const peer = peers.acceptCredential(hello.node, hello.address, hello.secret);
    if (!peer || !hello.reply) return;
    const last = this.replied.get(peer.id) ?? -Infinity;
    if (nowMs() - last < REPLY_EVERY_MS) return;
    this.replied.set(peer.id, nowMs());
    if (this.replied.size > 4 * peers.maxPeers) this.replied.delete(this.replied.keys().next().value!);
    void this.sendHello(peer, 0);
  }

  private async sendHello(peer: Peer, attempt: number): Promise<void> {
    const { node, peers, client } = this.ctx;
    if (peers.get(peer.id) !== peer) return;
    const hello: Hello = {
      node: node.id,
      address: node.address(),
      secret: peer.secret,
      reply: peer.credential === null,
    };
    try {
      await client.request(peer.address, '/peers/hello', { method: 'POST', body: hello, timeoutMs: 3000 });
      this.delivered.add(peer.id);
      if (this.delivered.size > 4 * peers.maxPeers)
        this.delivered.delete(this.delivered.values().next().value!);
    } catch (err) {
      if (attempt >= 4) {
        node.log.debug(
          { peer: peer.address, err: (err as Error).message },
          `hello to ${peer.address} failed`,
        );
        return;
      }
      const retry = new Promise<void>((resolve) => {
        setTimeout(() => resolve(this.sendHello(peer, attempt + 1)), 500 * 2 ** attempt).unref();
      });
      this.ctx.track(retry);
    }
  }
}
