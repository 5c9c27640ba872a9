/**
 * Where a block or transaction goes next, and the pushes that take it there: every peer not known to have it,
 * through the link (the simulator's message ports) when it reaches them, else over HTTP, with at most a few pushes
 * in flight to any one peer. With a network model, the model decides here which of them a message reaches, and
 * when (announceModelled).
 */
import {
  type Block,
  blockToJSON,
  encodeBlock,
  encodeTx,
  type Transaction,
  txToJSON,
} from '../consensus/index.ts';
import type { Gate, Route } from './gate.ts';
import type { PeerRequest } from './peer-client.ts';
import type { Peer } from './peers.ts';
import {
  type BlockSource,
  MAX_SEEN_BY,
  PEER_SECRET_HEADER,
  type PushKind,
  type RelayContext,
  SEEN_BY_HEADER,
} from './protocol.ts';

/** Every peer but the sender and those on its seen-by list, and the seen-by list the pushes carry. */
export function targetsOf(ctx: RelayContext, source: BlockSource): { targets: Peer[]; seenBy: string[] } {
  const already = alreadySeen(source);
  const targets = ctx.peers.list().filter((p) => !already.has(p.id));
  return { targets, seenBy: seenByList(ctx, already, targets) };
}

function alreadySeen(source: BlockSource): Set<string> {
  return new Set([...(source.seenBy ?? []), ...(source.peer ? [source.peer.id] : [])]);
}

function seenByList(ctx: RelayContext, already: Set<string>, targets: readonly Peer[]): string[] {
  return [...new Set([...already, ctx.node.id, ...targets.map((p) => p.id)])].slice(0, MAX_SEEN_BY);
}

/** Pushes a block to every peer not known to have it; resolves when every push has answered. */
export function announceBlock(ctx: RelayContext, block: Block, source: BlockSource = {}): Promise<void> {
  return announce(
    ctx,
    'block',
    '/block/new',
    source,
    () => encodeBlock(block),
    () => blockToJSON(block),
  );
}

/** Pushes a transaction to every peer not known to have it. */
export function announceTx(ctx: RelayContext, tx: Transaction, source: BlockSource = {}): Promise<void> {
  return announce(
    ctx,
    'tx',
    '/transactions/new',
    source,
    () => encodeTx(tx),
    () => txToJSON(tx),
  );
}

function announce(
  ctx: RelayContext,
  kind: PushKind,
  path: string,
  source: BlockSource,
  bytes: () => Uint8Array,
  json: () => unknown,
): Promise<void> {
  if (ctx.gate) return announceModelled(ctx, ctx.gate, kind, path, source, once(bytes), json);
  const { targets, seenBy } = targetsOf(ctx, source);
  if (targets.length === 0) return Promise.resolve();
  const overHttp: Peer[] = [];
  const linked: string[] = [];
  for (const p of targets) {
    if (ctx.link?.reaches(p.address)) linked.push(p.address);
    else overHttp.push(p);
  }
  const throughLink = linked.length > 0 ? ctx.link!.push({ kind, to: linked, seenBy, bytes: bytes() }) : null;
  if (overHttp.length === 0) return throughLink ?? Promise.resolve();
  const body = json();
  const run = Promise.all([
    throughLink,
    ...overHttp.map((p) => pushOverHttp(ctx, kind, path, p, body, seenBy)),
  ]).then(() => undefined);
  ctx.track(run);
  return run;
}

/**
 * The same with a network model: each target gets its own decision (gate.ts). Lost and partitioned targets get
 * nothing, and are left off the seen-by list so that others still relay to them. Link targets with no delay go in
 * one push at once, as without a model; the others are sent by the delay queue when their delay is up.
 */
function announceModelled(
  ctx: RelayContext,
  gate: Gate,
  kind: PushKind,
  path: string,
  source: BlockSource,
  bytes: () => Uint8Array,
  json: () => unknown,
): Promise<void> {
  const already = alreadySeen(source);
  const passed: Peer[] = [];
  const now: string[] = [];
  const later: Array<{ address: string; delayMs: number }> = [];
  const overHttp: Array<{ peer: Peer; route: Route | null; delayMs: number }> = [];
  const size = (): number => bytes().length;
  for (const p of ctx.peers.list()) {
    if (already.has(p.id)) continue;
    const route = gate.route(p.address);
    // Hop by hop: only along an edge that no partition cuts (asked without a draw), then the model's decision.
    if (route && gate.blocked(route)) continue;
    const d = route ? gate.decide(route, kind, size) : ({ pass: true, delayMs: 0 } as const);
    if (!d.pass) continue;
    passed.push(p);
    if (!ctx.link?.reaches(p.address)) overHttp.push({ peer: p, route, delayMs: d.delayMs });
    else if (d.delayMs > 0) later.push({ address: p.address, delayMs: d.delayMs });
    else now.push(p.address);
  }
  if (passed.length === 0) return Promise.resolve();
  const seenBy = seenByList(ctx, already, passed);
  const throughLink = now.length > 0 ? ctx.link!.push({ kind, to: now, seenBy, bytes: bytes() }) : null;
  if (later.length === 0 && overHttp.length === 0) return throughLink ?? Promise.resolve();
  const link = ctx.link;
  const delayed = later.map(
    ({ address, delayMs }) =>
      new Promise<void>((resolve) =>
        gate.queue.schedule(
          delayMs,
          () => void link!.push({ kind, to: [address], seenBy, bytes: bytes() }).then(resolve, resolve),
          resolve,
        ),
      ),
  );
  const body = overHttp.length > 0 ? json() : undefined;
  const run = Promise.all([
    throughLink,
    ...delayed,
    ...overHttp.map(({ peer, route, delayMs }) =>
      pushOverHttp(ctx, kind, path, peer, body, seenBy, route ? { route, delayMs } : undefined),
    ),
  ]).then(() => undefined);
  ctx.track(run);
  return run;
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

async function pushOverHttp(
  ctx: RelayContext,
  kind: PushKind,
  path: string,
  p: Peer,
  body: unknown,
  seenBy: readonly string[],
  /** Already decided by the network model: send after this delay, through its gate. */
  modelled?: { route: Route; delayMs: number },
): Promise<void> {
  if (p.inFlight >= ctx.limits.pushesInFlight) {
    ctx.node.log.debug({ peer: p.address }, `push to ${p.address} skipped: ${p.inFlight} still in flight`);
    return;
  }
  p.inFlight++;
  try {
    const request: PeerRequest = {
      method: 'POST',
      body,
      headers: {
        [SEEN_BY_HEADER]: seenBy.join(','),
        ...(p.credential ? { [PEER_SECRET_HEADER]: p.credential } : {}),
      },
      timeoutMs: ctx.limits.pushTimeoutMs,
      retries: 1,
    };
    if (modelled && ctx.gate) await ctx.gate.send(modelled.route, modelled.delayMs, p.address, path, request);
    else await ctx.client.request(p.address, path, request);
  } catch (err) {
    ctx.node.log.debug(
      { peer: p.address, err: (err as Error).message },
      `${kind} push to ${p.address} failed`,
    );
  } finally {
    p.inFlight--;
  }
}
