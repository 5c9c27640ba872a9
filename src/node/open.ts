/**
 * Opening a node over its store: the identity (node id, mining key), known peers and the chain come back
 * from disk, so a restarted node resumes where it stopped. A new store gets a fresh identity.
 */
import { randomBytes } from 'node:crypto';
import { Chain } from '../chain/chain.ts';
import { type ChainStore, reindexCommand, StoreError } from '../store/store.ts';
import { bytesToHex, hexToBytes } from '../util/bytes.ts';
import { createMemoryKeyStore, generateMiningKey } from './keys.ts';
import { type ChainsimNode, createNode, type NodeOptions } from './node.ts';
import { fastVerifySchnorr } from './verifier.ts';
import { isAddress, isNodeId } from '../net/peers.ts';

export interface OpenNodeOptions extends Omit<NodeOptions, 'chain' | 'store' | 'keys'> {
  readonly store: ChainStore;
  /** The key pair a new store gets (the manager makes them); a fresh random one when omitted. */
  readonly newKey?: { readonly secret: Uint8Array; readonly publicKey: Uint8Array };
}

export async function openNode(opts: OpenNodeOptions): Promise<ChainsimNode> {
  const { store, params } = opts;
  await store.open(params.name);
  try {
    let id = await store.getMeta('id');
    if (id !== undefined && !isNodeId(id))
      throw new StoreError(store.location, 'damaged', `the node id stored at ${store.location} is damaged`);
    if (id === undefined) {
      id = opts.id ?? randomBytes(16).toString('hex');
      await store.putMeta('id', id);
    }
    let secretHex = await store.getMeta('miningKey');
    let publicHex = await store.getMeta('miningPublicKey');
    if (secretHex === undefined) {
      const fresh = opts.newKey ?? generateMiningKey();
      secretHex = bytesToHex(fresh.secret);
      publicHex = bytesToHex(fresh.publicKey);
      await store.putMeta('miningKey', secretHex);
      await store.putMeta('miningPublicKey', publicHex);
    }
    let keys;
    try {
      keys = createMemoryKeyStore(
        hexToBytes(secretHex, 'mining key'),
        publicHex === undefined ? undefined : hexToBytes(publicHex, 'mining public key'),
      );
    } catch (err) {
      throw new StoreError(
        store.location,
        'damaged',
        `the mining key stored at ${store.location} is damaged: ${(err as Error).message}`,
      );
    }
    const stored = await store.load();
    let chain: Chain | undefined;
    if (stored) {
      try {
        chain = Chain.restore({ params, verifySchnorr: fastVerifySchnorr }, stored);
      } catch (err) {
        throw new StoreError(
          store.location,
          'damaged',
          `the chain stored at ${store.location} does not load (${(err as Error).message}); run \`${reindexCommand(store.location, params.name)}\``,
          (err as Error).message,
        );
      }
    }
    const node = createNode({ ...opts, id, keys, store, ...(chain ? { chain } : {}) });
    const peersText = await store.getMeta('peers');
    if (peersText) {
      try {
        const peers = (JSON.parse(peersText) as Array<{ id: unknown; address: unknown }>).filter(
          (p): p is { id: string; address: string } => isNodeId(p.id) && isAddress(p.address),
        );
        // Introduced (their hellos sent) once the node listens: see hostNode.
        node.peers.register(peers);
      } catch {
        node.log.warn(`the peer list stored at ${store.location} is damaged; starting without it`);
      }
    }
    return node;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
