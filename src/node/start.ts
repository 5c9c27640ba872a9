/**
 * The composition root: every live node starts here (the simulator's worker, `chainsim node run`, the code-cache
 * rehearsal, the benches and the tests). It picks the store, reindexes it when asked, opens the node over it
 * (open.ts), serves it over HTTP (host.ts) and registers its peers; `close()` undoes all of it in order.
 */
import type { DurableTipListener } from './durable.ts';
import { hostNode, type HostedNode, type HostOptions } from './host.ts';
import { createMemoryKeyStore } from './keys.ts';
import { type ChainsimNode, createNode } from './node.ts';
import { openNode, type OpenNodeOptions } from './open.ts';
import { rebuildStore } from './reindex.ts';
import { StartupError } from './startup-error.ts';
import { type ChainStore, createLevelStore, createMemoryStore } from '../store/store.ts';

export interface StartNodeOptions extends Omit<OpenNodeOptions, 'store'> {
  /**
   * Where the node keeps its chain and identity: a LevelDB directory, a memory store, or a store made by the
   * caller. Omitted: nothing is written (a fresh identity and chain every time, as unit tests and benches want).
   */
  readonly store?: { readonly dataDir: string } | 'memory' | ChainStore;
  /** Rebuild the index and UTXO set from the stored blocks before opening (not for a memory store). */
  readonly reindex?: boolean;
  /** Serve the HTTP API; omitted, the node does not listen. */
  readonly listen?: Omit<HostOptions, 'node'>;
  /** Peers to register once it listens (a restarted node rejoining). */
  readonly peers?: ReadonlyArray<{ id: string; address: string }>;
  /** Called once the node is open, before it listens: listeners set here miss no tip. */
  readonly onOpen?: (node: ChainsimNode) => void;
  /** Shorthand for an `onTip` listener set in `onOpen`. */
  readonly onTip?: DurableTipListener;
}

export interface StartedNode {
  readonly node: ChainsimNode;
  /** The HTTP server, when `listen` was given. */
  readonly hosted: HostedNode | null;
  /** Stops mining, closes the server, the node (its pending writes, store and verifier), then its PoW client. */
  readonly close: () => Promise<void>;
}

function storeOf(choice: StartNodeOptions['store']): ChainStore | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'memory') return createMemoryStore();
  return 'dataDir' in choice ? createLevelStore(choice.dataDir) : choice;
}

/**
 * Starts a node. Throws a StartupError (its code says what failed) after closing whatever it had opened,
 * including the verifier and the PoW client it was given.
 */
export async function startNode(opts: StartNodeOptions): Promise<StartedNode> {
  const { store: choice, reindex, listen, peers, onOpen, onTip, ...nodeOpts } = opts;
  let node: ChainsimNode | undefined;
  let hosted: HostedNode | null = null;
  try {
    const store = storeOf(choice);
    if (store && reindex && store.location !== 'memory') {
      const report = await rebuildStore(store, opts.params, Math.floor(Date.now() / 1000));
      opts.logger.info(
        report,
        `reindexed ${store.location}${report.repaired ? ' after repairing it' : ''}: ${report.blocksAccepted} block(s), tip ${report.height}`,
      );
    }
    node = store
      ? await openNode({ ...nodeOpts, store })
      : createNode({
          ...nodeOpts,
          ...(opts.newKey ? { keys: createMemoryKeyStore(opts.newKey.secret, opts.newKey.publicKey) } : {}),
        });
    onOpen?.(node);
    if (onTip) node.onTip(onTip);
    if (listen) hosted = await hostNode({ ...listen, node });
    if (peers) await node.registerPeers(peers);
    return { node, hosted, close: closer(node, hosted, opts) };
  } catch (err) {
    if (hosted) await hosted.close().catch(() => undefined);
    else if (node) await node.close().catch(() => undefined);
    else await opts.verifier?.close().catch(() => undefined);
    opts.pow.close();
    throw StartupError.from(err);
  }
}

function closer(node: ChainsimNode, hosted: HostedNode | null, opts: StartNodeOptions): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () =>
    (closing ??= (async () => {
      node.stopMining();
      if (hosted) await hosted.close();
      else await node.close();
      opts.pow.close();
    })());
}
