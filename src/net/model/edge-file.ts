/**
 * Topology and link files: one link a line, `5000 5003 [latency=500ms] [bandwidth=100kB/s] [loss=5%]
 * [jitter=2ms]`, nodes named by port, '#' starting a comment, blank lines ignored.
 */
import type { Edge, LinkOverride, LinkSettings } from './types.ts';
import { badValue, shown } from './errors.ts';
import { linkSettingsFromFields, settingsOnly } from './link.ts';
import { normaliseEdges } from './topology.ts';

/** The simulator's ports as a user reads them: '5000-5011', or a list. */
export function describePorts(ports: readonly number[]): string {
  if (ports.length === 0) return 'none';
  const contiguous = ports.every((p, i) => p === ports[0]! + i);
  if (contiguous && ports.length > 2) return `${ports[0]}-${ports[ports.length - 1]}`;
  const list = ports.slice(0, 12).join(', ');
  return ports.length > 12 ? `${list}, ...` : list;
}

/** A port (as text) to its node index; `where` starts the error message. */
export function portIndexer(ports: readonly number[]): (text: string, where: string) => number {
  const byPort = new Map(ports.map((p, i) => [p, i]));
  return (text, where) => {
    const port = /^\d+$/.test(text) ? Number(text) : NaN;
    const i = byPort.get(port);
    if (i === undefined)
      throw badValue(
        Number.isSafeInteger(port)
          ? `${where}unknown node ${port} (the nodes are ports ${describePorts(ports)})`
          : `${where}expected a node's port, got ${shown(text)} (the nodes are ports ${describePorts(ports)})`,
      );
    return i;
  };
}

interface Line {
  readonly a: number;
  readonly b: number;
  readonly settings: Partial<LinkSettings>;
  readonly where: string;
}

function parseLines(text: string, ports: readonly number[]): Line[] {
  const indexOf = portIndexer(ports);
  const out: Line[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const where = `line ${i + 1}`;
    const hash = raw.indexOf('#');
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (body === '') continue;
    const fields = body.split(/\s+/);
    if (fields.length < 2 || fields[1]!.includes('='))
      throw badValue(
        `${where}: expected two ports and optional settings, like "5000 5003 latency=500ms", got ${shown(body)}`,
      );
    const a = indexOf(fields[0]!, `${where}: `);
    const b = indexOf(fields[1]!, `${where}: `);
    if (a === b) throw badValue(`${where}: a link from ${fields[0]} to itself`);
    out.push({ a, b, settings: linkSettingsFromFields(fields.slice(2), where), where });
  }
  return out;
}

/** Overrides by pair (smaller index first), later lines' fields over earlier ones'. */
function mergeOverrides(lines: readonly Line[]): LinkOverride[] {
  const byPair = new Map<string, LinkOverride>();
  for (const l of lines) {
    const [a, b] = l.a < l.b ? [l.a, l.b] : [l.b, l.a];
    const key = `${a},${b}`;
    const before = byPair.get(key);
    const settings = before === undefined ? l.settings : { ...settingsOnly(before), ...l.settings };
    if (Object.keys(settings).length > 0) byPair.set(key, { a, b, ...settings });
  }
  return [...byPair.values()].sort((p, q) => p.a - q.a || p.b - q.b);
}

/** A topology file: its edges (duplicates merged) and the settings its lines give their links. */
export function parseEdgeFile(
  text: string,
  ports: readonly number[],
): { edges: Edge[]; links: LinkOverride[] } {
  const lines = parseLines(text, ports);
  if (lines.length === 0)
    throw badValue('the topology file lists no links (expected lines like "5000 5003 latency=500ms")');
  return { edges: normaliseEdges(lines.map((l) => [l.a, l.b] as const)), links: mergeOverrides(lines) };
}

/** A `--links FILE`: settings for links of the topology, same syntax, every line naming at least one setting. */
export function parseLinkOverrides(text: string, ports: readonly number[]): LinkOverride[] {
  const lines = parseLines(text, ports);
  for (const l of lines)
    if (Object.keys(l.settings).length === 0)
      throw badValue(
        `${l.where}: no setting for this link (expected latency=, bandwidth=, loss= or jitter=)`,
      );
  return mergeOverrides(lines);
}
