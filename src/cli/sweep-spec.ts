/**
 * `--sweep` for virtual runs: which option to vary and over which values. `seed=1..8` (whole numbers, both ends
 * included), `interval=300:900:150` (from:to:step, both ends included), or a list `nodes=100,1000,10000`.
 * Each value gives the base run with that option replaced, exactly the run its flag would make.
 */
import { UsageError } from './output.ts';
import type { VirtualArgs } from './simulate-virtual.ts';

export const SWEEP_KEYS = ['seed', 'nodes', 'interval', 'blocks', 'duration'] as const;
export type SweepKey = (typeof SWEEP_KEYS)[number];

/** The most points one sweep runs. */
export const MAX_SWEEP_POINTS = 10_000;

export interface Sweep {
  readonly key: SweepKey;
  readonly values: readonly number[];
}

const FORMS = 'like seed=1..8, interval=300:900:150 or nodes=100,1000';

/** Whole-number keys; the others (interval, duration: seconds) take fractions. */
const WHOLE: ReadonlySet<SweepKey> = new Set(['seed', 'nodes', 'blocks']);

function number(key: SweepKey, text: string, spec: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v))
    throw new UsageError(`--sweep ${spec}: ${JSON.stringify(text)} is not a number (${FORMS})`);
  if (WHOLE.has(key) && !Number.isSafeInteger(v))
    throw new UsageError(`--sweep ${spec}: ${key} takes whole numbers, got ${text.trim()}`);
  return v;
}

export function parseSweep(spec: string): Sweep {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new UsageError(`--sweep needs KEY=VALUES, ${FORMS}; got ${JSON.stringify(spec)}`);
  const key = spec.slice(0, eq).trim();
  if (!(SWEEP_KEYS as readonly string[]).includes(key))
    throw new UsageError(`--sweep: unknown key ${JSON.stringify(key)}; it can vary ${SWEEP_KEYS.join(', ')}`);
  const k = key as SweepKey;
  const body = spec.slice(eq + 1).trim();
  let values: number[];
  const range = /^(.+?)\.\.(.+)$/.exec(body);
  if (range) {
    if (k !== 'seed' && !WHOLE.has(k))
      throw new UsageError(`--sweep ${spec}: a..b ranges are for whole numbers; use from:to:step for ${k}`);
    const [a, b] = [number(k, range[1]!, spec), number(k, range[2]!, spec)];
    if (b < a) throw new UsageError(`--sweep ${spec}: the range is empty (${a} is above ${b})`);
    if (b - a + 1 > MAX_SWEEP_POINTS) tooMany(spec, b - a + 1);
    values = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else if (body.includes(':')) {
    const parts = body.split(':');
    if (parts.length !== 3)
      throw new UsageError(`--sweep ${spec}: from:to:step needs three numbers (${FORMS})`);
    const [from, to, step] = parts.map((p) => number(k, p, spec)) as [number, number, number];
    if (!(step > 0)) throw new UsageError(`--sweep ${spec}: the step must be more than 0`);
    if (to < from) throw new UsageError(`--sweep ${spec}: the range is empty (${from} is above ${to})`);
    // Counted in steps, each value rounded to 12 significant digits: 0.1:0.3:0.1 is 0.1, 0.2, 0.3.
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_SWEEP_POINTS) tooMany(spec, count);
    values = Array.from({ length: count }, (_, i) => Number((from + i * step).toPrecision(12)));
  } else {
    values = body.split(',').map((p) => number(k, p, spec));
    if (values.length > MAX_SWEEP_POINTS) tooMany(spec, values.length);
  }
  if (values.length === 0) throw new UsageError(`--sweep ${spec}: no values (${FORMS})`);
  return { key: k, values };
}

function tooMany(spec: string, n: number): never {
  throw new UsageError(`--sweep ${spec}: ${n} points, more than ${MAX_SWEEP_POINTS.toLocaleString('en')}`);
}

/** The base run with the swept option set to `value`, checked as its flag would be. */
export function sweepPoint(base: VirtualArgs, key: SweepKey, value: number): VirtualArgs {
  switch (key) {
    case 'seed':
      if (value < 0) throw new UsageError(`--sweep: a seed is 0 or more, got ${value}`);
      return { ...base, model: { ...base.model, seed: value } };
    case 'nodes':
      if (value < 1) throw new UsageError(`--sweep: nodes must be 1 or more, got ${value}`);
      if (base.shares !== null)
        throw new UsageError('--sweep nodes cannot go with --hash-power, which gives one share per node');
      if (base.model.partition || base.model.fileEdges || (base.model.links ?? []).length > 0)
        throw new UsageError(
          '--sweep nodes cannot go with --partition, a topology file or --links, which name the nodes',
        );
      return { ...base, nodes: value };
    case 'interval':
      if (!(value > 0)) throw new UsageError(`--sweep: an interval is more than 0 seconds, got ${value}`);
      return { ...base, intervalMs: value * 1000 };
    case 'blocks':
      if (value < 1) throw new UsageError(`--sweep: blocks must be 1 or more, got ${value}`);
      return { ...base, blocks: value };
    case 'duration':
      if (!(value > 0)) throw new UsageError(`--sweep: a duration is more than 0 seconds, got ${value}`);
      return { ...base, virtualSeconds: value };
  }
}
