/**
 * Pushes between the nodes of one simulation through the manager's message ports: a node's `push` is delivered
 * as `pushed` to each addressed node that is up, and its sender hears `push-acked` once every target has handled
 * it. The router keeps the acknowledgements still owed.
 */
import type { ManagerMessage, PushAck } from '../node/worker-protocol.ts';
import type { SimMetrics } from './metrics.ts';
import type { PushMessage } from './node-worker.ts';
import type { NodeHandle } from './types.ts';

export interface PushRouterOptions {
  /** The simulation's nodes; a push is addressed to their advertised addresses. */
  readonly nodes: readonly NodeHandle[];
  /** The node on a port (a push's sender). */
  readonly node: (port: number) => NodeHandle | undefined;
  /** Posts a message to a node's worker, if it has one. */
  readonly send: (node: NodeHandle, msg: ManagerMessage) => void;
  readonly metrics: Pick<SimMetrics, 'onPortPush'>;
}

export interface PushRouter {
  deliver(sender: NodeHandle, push: PushMessage): void;
  handled(ack: PushAck): void;
}

export function createPushRouter(o: PushRouterOptions): PushRouter {
  const byAddress = new Map(o.nodes.map((n) => [n.address, n]));
  /** Pushes not yet handled by all their targets: "port:id" -> targets left. */
  const awaitingAcks = new Map<string, { left: number; at: number }>();
  return {
    /**
     * A node's push to other nodes of this simulator, delivered to each one that is up. As over HTTP, a push to a
     * node that is down is lost; the node catches up by locator from its peers when it is back.
     */
    deliver(sender, push) {
      const ack: PushAck = { port: sender.port, id: push.ack };
      const pushed: ManagerMessage = {
        type: 'pushed',
        kind: push.kind,
        // The manager names the sender (the worker it came from), so the receiver may trust it and charge it.
        from: { id: sender.id, address: sender.address },
        seenBy: push.seenBy,
        bytes: push.bytes,
        ack,
      };
      let targets = 0;
      for (const address of push.to) {
        const target = byAddress.get(address);
        if (target?.state !== 'up') continue;
        o.send(target, pushed);
        o.metrics.onPortPush(push.kind);
        targets++;
      }
      if (targets === 0) return o.send(sender, { type: 'push-acked', ack: push.ack });
      const now = Date.now();
      if (awaitingAcks.size > 1000) {
        // Owed by targets that went down: their senders stopped waiting long ago.
        for (const [key, a] of awaitingAcks) if (now - a.at > 60_000) awaitingAcks.delete(key);
      }
      awaitingAcks.set(`${ack.port}:${ack.id}`, { left: targets, at: now });
    },

    /**
     * One target handled a push; when all have, its sender hears so. A target that went down never answers: the
     * sender stops waiting after PUSH_ACK_TIMEOUT_MS (worker.ts), and its entry here is dropped a minute later.
     */
    handled(ack) {
      const key = `${ack.port}:${ack.id}`;
      const entry = awaitingAcks.get(key);
      if (!entry) return;
      if (--entry.left > 0) return;
      awaitingAcks.delete(key);
      const sender = o.node(ack.port);
      if (sender) o.send(sender, { type: 'push-acked', ack: ack.id });
    },
  };
}
