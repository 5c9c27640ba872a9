/**
 * `--sweep` specs for virtual runs: `seed=1..8` (an inclusive integer range), `nodes=100:1000:100` (an inclusive
 * numeric grid; a floating step is rounded to the digits its bounds and step are written with, so 0.1:0.3:0.1
 * gives 0.1, 0.2, 0.3 and not 0.30000000000000004) or a list `interval=1,2,5`. Several specs make the cartesian
 * product of their values. Pure: a bad spec is a UsageError naming it.
 */
import { UsageError } from './output.ts';

/** What a sweep may vary: the command-line flag each point sets. */
export const SWEEP_KEYS = ['seed', 'nodes', 'interval', 'blocks', 'duration'] as const;
export type SweepKey = (typeof SWEEP_KEYS)[number];

/** The most points a sweep runs. */
export const MAX_SWEEP_POINTS = 10_000;

export interface SweepAxis {
  readonly key: string;
  readonly values: readonly number[];
}

/** One point: a value per axis, in the order the specs were given. */
export type SweepPoint = ReadonlyArray<readonly [string, number]>;

function decimals(text: string): number {
  const m = /\.(\d+)/.exec(text);
  return m ? m[1]!.length : 0;
}

function num(spec: string, text: string): number {
  const t = text.trim();
  const n = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(n)) throw new UsageError(`--sweep ${spec}: ${JSON.stringify(text)} is not a number`);
  return n;
}

/** Parses one `name=values` spec. */
/** Which keys a sweep takes: `simulate`'s flags, or a scenario's fields (scenario/sweep.ts). */
export interface SweepKeys {
  readonly accepts: (key: string) => boolean;
  /** The keys, for messages. */
  readonly described: string;
}

const SIMULATE_KEYS: SweepKeys = {
  accepts: (key) => (SWEEP_KEYS as readonly string[]).includes(key),
  described: SWEEP_KEYS.join(', '),
};

export function parseSweepSpec(spec: string, keys: SweepKeys = SIMULATE_KEYS): SweepAxis {
  const eq = spec.indexOf('=');
  if (eq < 0)
    throw new UsageError(
      `--sweep ${JSON.stringify(spec)}: expected name=a..b, name=a:b:step or name=a,b,c (name: ${keys.described})`,
    );
  const key = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (!keys.accepts(key))
    throw new UsageError(
      `--sweep ${spec}: unknown key ${JSON.stringify(key)}; a sweep varies ${keys.described}`,
    );
  const values: number[] = [];
  const range = /^(.+?)\.\.(.+)$/.exec(body);
  const grid = body.split(':');
  if (range) {
    const a = num(spec, range[1]!);
    const b = num(spec, range[2]!);
    if (!Number.isInteger(a) || !Number.isInteger(b))
      throw new UsageError(`--sweep ${spec}: a..b takes whole numbers (a grid is a:b:step)`);
    if (b < a) throw new UsageError(`--sweep ${spec}: empty range (${b} < ${a})`);
    if (b - a + 1 > MAX_SWEEP_POINTS) tooMany(spec, b - a + 1);
    for (let v = a; v <= b; v++) values.push(v);
  } else if (grid.length === 3) {
    const [a, b, step] = grid.map((t) => num(spec, t)) as [number, number, number];
    if (step <= 0) throw new UsageError(`--sweep ${spec}: the step must be more than 0`);
    if (b < a) throw new UsageError(`--sweep ${spec}: empty range (${b} < ${a})`);
    const digits = Math.min(15, Math.max(...grid.map(decimals)));
    // The small slack keeps the end point that rounding puts a hair past b (0.1:0.3:0.1).
    const count = Math.floor((b - a) / step + 1e-9) + 1;
    if (count > MAX_SWEEP_POINTS) tooMany(spec, count);
    for (let i = 0; i < count; i++) values.push(Number((a + i * step).toFixed(digits)));
  } else if (grid.length === 1) {
    for (const t of body.split(',')) {
      const v = num(spec, t);
      if (values.includes(v)) throw new UsageError(`--sweep ${spec}: ${v} is listed twice`);
      values.push(v);
    }
    if (values.length > MAX_SWEEP_POINTS) tooMany(spec, values.length);
  } else {
    throw new UsageError(`--sweep ${spec}: a grid is a:b:step (three numbers)`);
  }
  if (key === 'seed' || key === 'nodes' || key === 'blocks') {
    const bad = values.find((v) => !Number.isInteger(v) || v < (key === 'seed' ? 0 : 1));
    if (bad !== undefined)
      throw new UsageError(
        `--sweep ${spec}: ${key} takes whole numbers${key === 'seed' ? '' : ' from 1'}, got ${bad}`,
      );
  } else if (key === 'interval' || key === 'duration') {
    // Other keys (a scenario's fields) are checked by the scenario's own schema, point by point.
    const bad = values.find((v) => v <= 0);
    if (bad !== undefined) throw new UsageError(`--sweep ${spec}: ${key} must be more than 0, got ${bad}`);
  }
  return { key, values };
}

function tooMany(spec: string, n: number): never {
  throw new UsageError(
    `--sweep ${spec}: ${n.toLocaleString('en')} points, more than ${MAX_SWEEP_POINTS.toLocaleString('en')}`,
  );
}

/** Parses the specs (one per --sweep) and returns every point of their product, the first spec varying slowest. */
export function sweepPoints(
  specs: readonly string[],
  keys: SweepKeys = SIMULATE_KEYS,
): { axes: SweepAxis[]; points: SweepPoint[] } {
  if (specs.length === 0) throw new UsageError('--sweep needs a spec, like seed=1..8');
  const axes = specs.map((spec) => parseSweepSpec(spec, keys));
  const names = axes.map((a) => a.key);
  const twice = names.find((k, i) => names.indexOf(k) !== i);
  if (twice) throw new UsageError(`--sweep: ${twice} is swept twice`);
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_SWEEP_POINTS) tooMany(specs.join(' '), total);
  let points: SweepPoint[] = [[]];
  for (const axis of axes)
    points = points.flatMap((p) => axis.values.map((v) => [...p, [axis.key, v] as const]));
  return { axes, points };
}
