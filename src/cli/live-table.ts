/**
 * The live table `simulate` redraws every second on a terminal: one line per node, at most 79 columns wide
 * whatever the values (an 80-column terminal never wraps it: test/unit/cli/live-table.test.ts checks 64 nodes
 * with long values), with the nodes whose tip differs from the majority's marked and explained under it.
 */
import chalk from 'chalk';
import type { NodeState } from '../sim/types.ts';

/** What one line shows; numbers are null while the node has not reported them. */
export interface LiveRow {
  readonly port: number;
  readonly state: NodeState;
  /** Its partition group's label; null when there is no partition (or it is in none). */
  readonly group: string | null;
  readonly height: number | null;
  readonly tip: string | null;
  readonly peers: number | null;
  readonly mempool: number | null;
  /** Blocks it mined in this run. */
  readonly mined: number;
  /** Hashes per second. */
  readonly hashRate: number;
  /** When its tip block was mined (epoch ms); undefined: unknown (a tip loaded from disk). */
  readonly lastBlockAt: number | undefined;
}

/** The widest a table line gets: one column short of 80, as some terminals wrap on the 80th. */
export const TABLE_WIDTH = 79;

const MARK = '!';

interface Column {
  readonly head: string;
  readonly max: number;
  readonly right: boolean;
}

const COLUMNS: readonly Column[] = [
  { head: 'port', max: 5, right: false },
  { head: 'group', max: 5, right: false },
  { head: 'height', max: 7, right: true },
  { head: 'tip', max: 9, right: false },
  { head: 'peers', max: 5, right: true },
  { head: 'mempool', max: 7, right: true },
  { head: 'mined', max: 5, right: true },
  { head: 'hash rate', max: 10, right: true },
  { head: 'last block', max: 10, right: true },
];

/** The tip most up nodes hold (the first such when tied), and how many hold it. */
export function majorityTip(rows: readonly LiveRow[]): { tip: string; nodes: number; up: number } | null {
  const count = new Map<string, number>();
  let up = 0;
  for (const r of rows) {
    if (r.state !== 'up' || !r.tip) continue;
    up++;
    count.set(r.tip, (count.get(r.tip) ?? 0) + 1);
  }
  let best: { tip: string; nodes: number; up: number } | null = null;
  for (const [tip, nodes] of count) if (!best || nodes > best.nodes) best = { tip, nodes, up };
  return best;
}

export function liveTable(rows: readonly LiveRow[], now: number): string {
  const majority = majorityTip(rows);
  const disagree = (r: LiveRow): boolean =>
    majority !== null && r.state === 'up' && r.tip !== null && r.tip !== majority.tip;
  const cells = rows.map((r) => {
    const up = r.state === 'up';
    const tip = !up ? r.state : r.tip ? `${r.tip.slice(0, 8)}${disagree(r) ? MARK : ''}` : '-';
    return [
      String(r.port),
      r.group ?? '-',
      r.height === null ? '-' : compact(r.height, 7),
      tip,
      r.peers === null ? '-' : compact(r.peers, 5),
      r.mempool === null ? '-' : compact(r.mempool, 7),
      compact(r.mined, 5),
      hashRate(r.hashRate),
      r.lastBlockAt === undefined ? '-' : age(now - r.lastBlockAt),
    ].map((text, i) => text.slice(0, COLUMNS[i]!.max));
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.head.length, ...cells.map((row) => row[i]!.length)));
  const content = widths.reduce((s, w) => s + w, 0);
  const gap = content + 2 * (COLUMNS.length - 1) <= TABLE_WIDTH ? '  ' : ' ';
  const pad = (text: string, i: number): string =>
    COLUMNS[i]!.right ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (texts: readonly string[], paint: (text: string, i: number) => string): string =>
    texts
      .map((t, i) => paint(pad(t, i), i))
      .join(gap)
      .trimEnd();
  const out = [
    line(
      COLUMNS.map((c) => c.head),
      (t) => chalk.bold(t),
    ),
  ];
  rows.forEach((r, k) => {
    out.push(
      line(cells[k]!, (t, i) => {
        if (r.state !== 'up')
          return i === 3 ? (r.state === 'down' ? chalk.red(t) : chalk.dim(t)) : chalk.dim(t);
        if (i === 3 && disagree(r)) return chalk.red(t);
        if (i === 3 && r.tip) return tipColor(r.tip)(t);
        return t;
      }),
    );
  });
  out.push(legend(rows, majority, rows.filter(disagree).length));
  return out.join('\n');
}

function legend(
  rows: readonly LiveRow[],
  majority: ReturnType<typeof majorityTip>,
  disagreeing: number,
): string {
  const down = rows.filter((r) => r.state !== 'up').length;
  const downNote = down > 0 ? chalk.dim(`; ${down} not up`) : '';
  if (!majority) return chalk.dim('no node is up');
  if (disagreeing === 0)
    return `${chalk.green('all')} ${majority.up} up node(s) on tip ${majority.tip.slice(0, 8)}${downNote}`;
  return `${chalk.red(MARK)} ${disagreeing} node(s) off the majority tip ${majority.tip.slice(0, 8)} (held by ${majority.nodes} of ${majority.up})${downNote}`;
}

const PALETTE = [chalk.cyan, chalk.magenta, chalk.yellow, chalk.green, chalk.blue, chalk.whiteBright];

/** A colour by the tip's value: nodes that agree show the same colour. */
function tipColor(hash: string): (text: string) => string {
  return PALETTE[parseInt(hash.slice(-4), 16) % PALETTE.length] ?? ((t: string) => t);
}

/** A count in at most `width` characters: 1234567, then 1235k, 12M. */
export function compact(n: number, width: number): string {
  const plain = String(Math.round(n));
  if (plain.length <= width) return plain;
  for (const [unit, div] of [
    ['k', 1e3],
    ['M', 1e6],
    ['G', 1e9],
    ['T', 1e12],
  ] as const) {
    const s = `${Math.round(n / div)}${unit}`;
    if (s.length <= width) return s;
  }
  return '>'.padEnd(width, '9');
}

/** Hashes per second in at most 10 characters: 812 H/s, 9.87 kH/s, 98.7 MH/s, 987 GH/s. */
export function hashRate(hps: number): string {
  if (!(hps > 0)) return '0 H/s';
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s'];
  let v = hps;
  let u = 0;
  while (v >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/** An age in at most 7 characters: 42s, 3m07s, 5h02m, 12d04h. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  const d = Math.floor(s / 86_400);
  return d > 999 ? '>999d' : `${d}d${String(Math.floor(s / 3600) % 24).padStart(2, '0')}h`;
}
