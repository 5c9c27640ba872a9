/**
 * Where a block or transaction goes next, and the pushes that take it there: every peer not known to have it,
 * through the link (the simulator's message ports) when it reaches them, else over HTTP, with at most a few pushes
 * in flight to any one peer. The network model will decide here which of them a message reaches, and when.
 */
import {
  type Block,
  blockToJSON,
  encodeBlock,
  encodeTx,
  type Transaction,
  txToJSON,
} from '../consensus/index.ts';
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
  const already = new Set([...(source.seenBy ?? []), ...(source.peer ? [source.peer.id] : [])]);
  const targets = ctx.peers.list().filter((p) => !already.has(p.id));
  const seenBy = [...new Set([...already, ctx.node.id, ...targets.map((p) => p.id)])].slice(0, MAX_SEEN_BY);
  return { targets, seenBy };
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

async function pushOverHttp(
  ctx: RelayContext,
  kind: PushKind,
  path: string,
  p: Peer,
  body: unknown,
  seenBy: readonly string[],
): Promise<void> {
  if (p.inFlight >= ctx.limits.pushesInFlight) {
    ctx.node.log.debug({ peer: p.address }, `push to ${p.address} skipped: ${p.inFlight} still in flight`);
    return;
  }
  p.inFlight++;
  try {
    await ctx.client.request(p.address, path, {
      method: 'POST',
      body,
      headers: {
        [SEEN_BY_HEADER]: seenBy.join(','),
        ...(p.credential ? { [PEER_SECRET_HEADER]: p.credential } : {}),
      },
      timeoutMs: ctx.limits.pushTimeoutMs,
      retries: 1,
    });
  } catch (err) {
    ctx.node.log.debug(
      { peer: p.address, err: (err as Error).message },
      `${kind} push to ${p.address} failed`,
    );
  } finally {
    p.inFlight--;
  }
}
