/**
 * A scenario's timeline on live nodes: each event, at its wall-clock second from the start (once every node is
 * up) or once the best chain reaches its height (the manager's GET /network), becomes the manager API call a
 * script would make (docs/api.md): partition, heal, links, a node's stop and start, its hash-power share. The
 * driver stops when the run ends. Strategies and transactions are not live yet (run.ts refuses them first).
 */
import { formatLatency, type LatencySpec } from '../../net/model/index.ts';
import type { ScenarioAction, ScenarioEvent } from '../virtual-timeline.ts';

export interface LiveTarget {
  /** The manager's base URL, e.g. http://127.0.0.1:4999. */
  readonly manager: string;
  /** Node i's port. */
  readonly port: (node: number) => number;
  readonly log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The manager call an action is. */
export function liveCall(
  a: ScenarioAction,
  port: (node: number) => number,
): { path: string; body?: unknown } {
  switch (a.kind) {
    case 'partition':
      return { path: '/network/partition', body: { groups: a.groups.map((g) => g.map(port)) } };
    case 'heal':
      return { path: '/network/heal' };
    case 'links': {
      const text = (l: object): Record<string, unknown> =>
        Object.fromEntries(
          Object.entries(l).map(([k, v]) => [
            k,
            k === 'latency' && typeof v === 'object' ? formatLatency(v as LatencySpec) : v,
          ]),
        );
      if (a.links && a.links.length > 0) {
        const { a: from, b: to, ...settings } = a.links[0]!;
        return { path: '/network/links', body: { from: port(from), to: port(to), ...text(settings) } };
      }
      return { path: '/network/links', body: text(a.defaults ?? {}) };
    }
    case 'stop':
    case 'start':
      return { path: `/nodes/${port(a.node)}/${a.kind}` };
    case 'share':
      return { path: `/nodes/${port(a.node)}/hash-power`, body: { share: a.share * 100 } };
    default:
      throw new Error(`${a.kind} has no live call yet`);
  }
}

async function json(url: string): Promise<unknown> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return r.ok ? r.json() : null;
}

/** Drives the events until `done` resolves; returns how many were applied. */
export async function driveLiveTimeline(
  events: readonly ScenarioEvent[],
  target: LiveTarget,
  done: Promise<unknown>,
): Promise<number> {
  let over = false;
  void done.finally(() => (over = true));
  // The clock starts once the manager answers with every node up.
  while (!over) {
    const answer = (await json(`${target.manager}/nodes`).catch(() => null)) as {
      nodes?: Array<{ status?: string }>;
    } | null;
    const nodes = answer?.nodes ?? [];
    if (nodes.length > 0 && nodes.every((n) => n.status === 'up')) break;
    await sleep(100);
  }
  const start = Date.now();
  let applied = 0;
  let chain = Promise.resolve();
  const height = async (): Promise<number> => {
    const n = (await json(`${target.manager}/network`).catch(() => null)) as {
      bestTip?: { height?: number | null };
    } | null;
    return n?.bestTip?.height ?? 0;
  };
  await Promise.all(
    events.map(async (e) => {
      if ('seconds' in e.at) {
        const until = start + e.at.seconds * 1000;
        while (!over && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
      } else while (!over && (await height()) < e.at.height) await sleep(100);
      if (over) return;
      // Calls go one at a time, in the order their moments came.
      chain = chain.then(async () => {
        if (over) return;
        const call = liveCall(e.action, target.port);
        const r = await fetch(`${target.manager}${call.path}`, {
          method: 'POST',
          ...(call.body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.body) }),
          signal: AbortSignal.timeout(30_000),
        }).catch((err: Error) => ({ ok: false, status: 0, text: () => Promise.resolve(err.message) }));
        const at = 'seconds' in e.at ? `${e.at.seconds} s` : `height ${e.at.height}`;
        if (r.ok) {
          applied++;
          target.log(`timeline (${at}): ${e.action.kind} -> POST ${call.path}`);
        } else target.log(`timeline (${at}): ${e.action.kind} failed: ${r.status} ${await r.text()}`);
      });
      await chain;
    }),
  );
  return applied;
}
