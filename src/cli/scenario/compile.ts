/**
 * A checked scenario file into what the simulator takes: the `simulate` options (camelCase, as yargs gives them)
 * with the set of flags they count as given, the strategic miners and the timeline. Command-line flags of
 * `scenario run` override the file's (`overrides`). The semantic checks the schema cannot make are here, each
 * naming its place in the file.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { StrategySpec } from '../../engine/strategies/spec.ts';
import { DEFAULT_GIVE_UP_BEHIND } from '../../engine/strategies/spec.ts';
import { checkPartition, linkSettingsFrom } from '../../net/model/index.ts';
import { UsageError } from '../output.ts';
import {
  type ScenarioAction,
  type ScenarioEvent,
  type StrategicMiner,
  tryModel,
} from '../virtual-timeline.ts';
import type { LoadedScenario, MinerEntry } from './load.ts';

/** Merchants in Bitcoin wait for six confirmations by custom: the double-spender's default. */
export const DEFAULT_CONFIRMATIONS = 6;

export interface ScenarioPlan {
  readonly file: string;
  readonly mode: 'virtual' | 'live';
  /** The simulate options, camelCase. */
  readonly raw: Record<string, unknown>;
  /** The flags those options count as written (kebab-case), as givenFlags gives them. */
  readonly given: Set<string>;
  readonly strategies: StrategicMiner[];
  readonly events: ScenarioEvent[];
  /** Display names by node number (a node list's `name`s). */
  readonly names: readonly string[] | null;
}

/** A topology or links file named in a scenario is read beside the scenario, wherever it is run from. */
function fileBeside(scenario: string, key: string, value: string | number): string | number {
  if (typeof value !== 'string' || (key !== 'topology' && key !== 'links')) return value;
  if (/^(full|ring|line|star|random:\d+)$/.test(value) || isAbsolute(value)) return value;
  const beside = join(dirname(scenario), value);
  return existsSync(beside) ? beside : value;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Fields that are not simulate flags as they stand. */
const NOT_FLAGS = new Set(['description', 'mode', 'nodes', 'chain', 'network', 'miners', 'timeline']);

function specOf(
  m: MinerEntry | Readonly<Record<string, unknown>>,
  where: string,
  nodes: number,
): StrategySpec {
  const e = m as MinerEntry;
  const extra = (allowed: string[]): void => {
    for (const k of ['gamma', 'confirmations', 'giveUpBehind', 'victim'])
      if (e[k as keyof MinerEntry] !== undefined && !allowed.includes(k))
        throw new UsageError(`${where}: ${k} does not apply to strategy ${e.strategy ?? 'honest'}`);
  };
  switch (e.strategy ?? 'honest') {
    case 'selfish':
      extra(['gamma']);
      return { strategy: 'selfish', gamma: e.gamma ?? 0 };
    case 'double-spend':
      extra(['confirmations', 'giveUpBehind']);
      return {
        strategy: 'double-spend',
        confirmations: e.confirmations ?? DEFAULT_CONFIRMATIONS,
        giveUpBehind: e.giveUpBehind ?? DEFAULT_GIVE_UP_BEHIND,
      };
    case 'withhold':
      extra([]);
      return { strategy: 'withhold' };
    case 'eclipse': {
      extra(['victim']);
      if (e.victim === undefined)
        throw new UsageError(`${where}: strategy eclipse needs a victim (a node number)`);
      if (e.victim >= nodes)
        throw new UsageError(`${where}: victim ${e.victim} does not exist (the nodes are 0 to ${nodes - 1})`);
      return { strategy: 'eclipse', victim: e.victim };
    }
    default:
      extra([]);
      return { strategy: 'honest' };
  }
}

export function compileScenario(
  s: LoadedScenario,
  overrides: Record<string, unknown> = {},
  overridden: ReadonlySet<string> = new Set(),
): ScenarioPlan {
  const d = s.data;
  const raw: Record<string, unknown> = {};
  const given = new Set<string>();
  const set = (key: string, value: unknown): void => {
    if (value === undefined) return;
    raw[key] = value;
    given.add(kebab(key));
  };
  for (const [k, v] of Object.entries(d)) if (!NOT_FLAGS.has(k)) set(k, v);
  if (d.results === false) raw.results = false;
  set('network', d.chain);
  for (const [k, v] of Object.entries(d.network ?? {})) set(k, fileBeside(s.file, k, v));
  const list: ReadonlyArray<{ readonly name?: string; readonly share?: number }> | null =
    typeof d.nodes === 'object' ? d.nodes : null;
  const nodes = list ? list.length : typeof d.nodes === 'number' ? d.nodes : 6;
  set('nodes', typeof overrides.nodes === 'number' ? overrides.nodes : nodes);
  const n = raw.nodes as number;

  // Hash power: listed shares (fractions), the rest split equally among the nodes not listed.
  const shares = new Map<number, { share: number; where: string }>();
  list?.forEach((entry, i) => {
    if (entry.share !== undefined) shares.set(i, { share: entry.share, where: s.at(['nodes', i, 'share']) });
  });
  const strategies: StrategicMiner[] = [];
  const seen = new Set<number>();
  (d.miners ?? []).forEach((m, i) => {
    const where = s.at(['miners', i]);
    if (m.node >= n)
      throw new UsageError(`${where}: node ${m.node} does not exist (the nodes are 0 to ${n - 1})`);
    if (seen.has(m.node)) throw new UsageError(`${where}: node ${m.node} is listed twice in miners`);
    seen.add(m.node);
    if (m.share !== undefined) shares.set(m.node, { share: m.share, where: s.at(['miners', i, 'share']) });
    const spec = specOf(m, where, n);
    if (spec.strategy !== 'honest') strategies.push({ node: m.node, spec });
  });
  if (shares.size > 0) {
    if (d.hashPower !== undefined)
      throw new UsageError(`${s.at(['hashPower'])}: give hashPower or shares in nodes/miners, not both`);
    const listed = [...shares.values()].reduce((t, x) => t + x.share, 0);
    const rest = n - shares.size;
    if (listed > 1 + 1e-9)
      throw new UsageError(
        `${[...shares.values()][0]!.where}: the listed shares sum to ${Number(listed.toFixed(6))}, above 1`,
      );
    if (rest > 0 && listed >= 1 - 1e-9)
      throw new UsageError(
        `${[...shares.values()][0]!.where}: the listed shares sum to 1, leaving nothing for the ${rest} node(s) not listed`,
      );
    if (rest === 0 && Math.abs(listed - 1) > 1e-6)
      throw new UsageError(
        `${[...shares.values()][0]!.where}: every node has a share and they sum to ${Number(listed.toFixed(6))}, not 1`,
      );
    const each = rest > 0 ? (1 - listed) / rest : 0;
    const percent = Array.from({ length: n }, (_, i) => (shares.get(i)?.share ?? each) * 100);
    set('hashPower', percent.map((p) => Number(p.toFixed(9))).join(','));
  }

  const events = (d.timeline ?? []).map((e, i) => eventOf(e, s.at(['timeline', i]), n));
  for (const [k, v] of Object.entries(overrides)) if (k !== 'mode') raw[k] = v;
  for (const f of overridden) given.add(f);
  // An event after the stop condition could never happen.
  const blocks = typeof raw.blocks === 'number' ? raw.blocks : undefined;
  const duration = typeof raw.duration === 'number' ? raw.duration : undefined;
  events.forEach((e, i) => {
    if ('height' in e.at && blocks !== undefined && e.at.height > blocks)
      throw new UsageError(
        `${s.at(['timeline', i, 'at'])}: height ${e.at.height} is after the stop at blocks ${blocks}`,
      );
    if ('seconds' in e.at && duration !== undefined && e.at.seconds > duration)
      throw new UsageError(
        `${s.at(['timeline', i, 'at'])}: ${e.at.seconds} s is after the stop at duration ${duration} s`,
      );
  });
  const mode = (overrides.mode as 'virtual' | 'live' | undefined) ?? d.mode ?? 'virtual';
  return {
    file: s.file,
    mode,
    raw,
    given,
    strategies,
    events,
    names: list ? list.map((x, i) => x.name ?? `node ${i}`) : null,
  };
}

function eventOf(e: Readonly<Record<string, unknown>>, where: string, n: number): ScenarioEvent {
  const at = typeof e.at === 'number' ? { seconds: e.at } : { height: (e.at as { height: number }).height };
  const [kind, value] = Object.entries(e).find(([k]) => k !== 'at')!;
  const node = (i: number): number => {
    if (i >= n) throw new UsageError(`${where}: node ${i} does not exist (the nodes are 0 to ${n - 1})`);
    return i;
  };
  let action: ScenarioAction;
  switch (kind) {
    case 'partition': {
      const groups = (value as number[][]).map((g) => g.map(node));
      tryModel(where, () => checkPartition(groups, n));
      action = { kind, groups };
      break;
    }
    case 'heal':
      action = { kind };
      break;
    case 'links': {
      const { between, ...text } = value as { between?: [number, number] } & Record<string, unknown>;
      const settings = tryModel(where, () => linkSettingsFrom(text));
      action = between
        ? { kind, links: [{ a: node(between[0]), b: node(between[1]), ...settings }] }
        : { kind, defaults: settings };
      break;
    }
    case 'stop':
    case 'start':
      action = { kind, node: node(value as number) };
      break;
    case 'share': {
      const v = value as { node: number; share: number };
      action = { kind, node: node(v.node), share: v.share };
      break;
    }
    case 'strategy': {
      const v = value as MinerEntry;
      action = { kind, node: node(v.node), spec: specOf(v, where, n) };
      break;
    }
    default: {
      const v = value as { perSecond: number; from?: number };
      action = {
        kind: 'transactions',
        perSecond: v.perSecond,
        ...(v.from === undefined ? {} : { from: node(v.from) }),
      };
    }
  }
  return { at, action };
}
