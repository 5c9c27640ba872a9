/**
 * Links among nodes that live in one thread, delivering pushes the way the simulator's manager delivers them
 * between worker threads (sim/push-router.ts): a copy of the bytes to each addressed node that has joined, in a
 * later macrotask, with the sender's id, address and seen-by list; a push resolves once every target has
 * handled it. The rehearsal (rehearsal.ts) and the tests use it.
 */
import type { LinkPush, PeerLink } from '../net/relay.ts';
import type { ChainsimNode } from './node.ts';

export class LocalLinks {
  private readonly nodes = new Map<string, ChainsimNode>();
  /** While false, the link reaches nobody: every push goes over HTTP. */
  enabled = true;

  constructor(private readonly onPush?: (push: LinkPush, from: ChainsimNode) => void) {}

  /** Makes `node` reachable at its current address (call once it is hosted). */
  join(node: ChainsimNode): void {
    this.nodes.set(node.address, node);
  }

  /** The link for the node that `self` returns (a function: the link is made before the node). */
  for(self: () => ChainsimNode): PeerLink {
    return {
      reaches: (address) => this.enabled && this.nodes.has(address),
      push: (push) => {
        const from = self();
        this.onPush?.(push, from);
        const handled = push.to.map((address) => {
          const target = this.nodes.get(address);
          const bytes = push.bytes.slice();
          return new Promise<void>((resolve) => {
            setImmediate(() => {
              if (!target) return resolve();
              void target
                .receivePushed(push.kind, bytes, { id: from.id, address: from.address, seenBy: push.seenBy })
                .finally(resolve);
            });
          });
        });
        return Promise.all(handled).then(() => undefined);
      },
    };
  }
}
