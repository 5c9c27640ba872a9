/** Test helpers: real nodes on ephemeral loopback ports, sharing one PoW scheduler. */
import pino from 'pino';
import { type NetworkParams, networks } from '../../src/consensus/index.ts';
import { createInlineExecutor } from '../../src/mining/executors.ts';
import { selectKernel } from '../../src/mining/kernels/index.ts';
import { createPowScheduler, type PowScheduler } from '../../src/mining/scheduler.ts';
import type { HostedNode } from '../../src/node/host.ts';
import { LocalLinks } from '../../src/node/local-link.ts';
import type { ModelView } from '../../src/net/model/types.ts';
import { NODE_ID_HEADER, PEER_SECRET_HEADER } from '../../src/net/relay.ts';
import type { ChainsimNode, LinkPush } from '../../src/node/node.ts';
import { type StartedNode, startNode } from '../../src/node/start.ts';

export const silent = pino({ level: 'silent' });

export function testScheduler(): PowScheduler {
  return createPowScheduler({ executor: createInlineExecutor(selectKernel('auto').kernel) });
}

export interface TestNode {
  node: ChainsimNode;
  hosted: HostedNode;
  url: string;
  /** Closes the server, the node and its PoW client. */
  close: () => Promise<void>;
}

/** A started node that listens, as the tests use it. */
export function testNode(started: StartedNode): TestNode {
  const hosted = started.hosted;
  if (!hosted) throw new Error('the node does not listen: start it with `listen`');
  return { node: started.node, hosted, url: `http://${hosted.address}`, close: started.close };
}

/** In-thread links (what the simulator's manager does between threads) that record every push. */
export class TestLink extends LocalLinks {
  readonly pushes: Array<LinkPush & { from: string }> = [];

  constructor() {
    super((push, from) => this.pushes.push({ ...push, from: from.address }));
  }
}

export async function startNodes(
  n: number,
  opts: {
    params?: NetworkParams;
    scheduler: PowScheduler;
    connect?: boolean;
    clock?: () => number;
    /** Nodes that join this link push to each other through it. */
    link?: TestLink;
    /** Listen on base, base + 1, ... (freePortRun) instead of ephemeral ports. */
    basePort?: number;
    /** Node i's network model (the simulator gives each node its own, built from the same settings). */
    model?: (i: number) => ModelView;
  },
): Promise<TestNode[]> {
  const out: TestNode[] = [];
  for (let i = 0; i < n; i++) {
    const link = opts.link;
    let node!: ChainsimNode;
    const started = await startNode({
      params: opts.params ?? networks.regtest,
      pow: opts.scheduler.addClient({ name: `node${i}` }),
      logger: silent,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(link ? { link: link.for(() => node) } : {}),
      ...(opts.model ? { model: opts.model(i) } : {}),
      onOpen: (opened) => (node = opened),
      listen: { port: opts.basePort === undefined ? 0 : opts.basePort + i },
    });
    opts.link?.join(node);
    out.push(testNode(started));
  }
  if (opts.connect !== false) await connectAll(out);
  return out;
}

/** Registers every node with every other, as the manager does, and waits for their hellos. */
export async function connectAll(nodes: TestNode[]): Promise<void> {
  await Promise.all(
    nodes.map((a) => a.node.registerPeers(nodes.map((b) => ({ id: b.node.id, address: b.hosted.address })))),
  );
}

/** The relay headers `from` sends with a push to `to`: its id and the secret `to` gave it (an authenticated peer). */
export function peerHeaders(from: TestNode, to: TestNode): Record<string, string> {
  const credential = from.node.peers.get(to.node.id)?.credential;
  if (!credential) throw new Error(`${from.hosted.address} has no credential for ${to.hosted.address} yet`);
  return { [NODE_ID_HEADER]: from.node.id, [PEER_SECRET_HEADER]: credential };
}

export async function stopNodes(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.close()));
}

export async function getJSON<T>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

/** Polls `check` until it is true or `timeoutMs` passes (bounded; tests never wait forever). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
