/**
 * Latency distributions: how they are written ('50ms', 'uniform:10ms-50ms', 'normal:100ms,20ms',
 * 'pareto:200ms'), drawn from a seeded generator, and shown.
 */
import type { LatencySpec, Rng } from './types.ts';
import { badValue, shown } from './errors.ts';
import { formatDurationMs, parseDurationMs } from './units.ts';

/**
 * The Pareto shape when none is given. SimBlock's getLatency (dsg-titech/simblock, simulator/Network.java)
 * draws `scale / U^(1/shape)` with scale = mean x (shape - 1) / shape, so the mean is the configured one; its
 * code takes shape = mean / 5 ms (scale = mean - 5 ms), which is nearly constant for the 30-300 ms inter-region
 * latencies it uses. We keep the draw and fix the shape at 5 (a standard deviation of 26% of the mean, a heavy
 * tail) unless one is written: 'pareto:200ms,40' is SimBlock's own draw for a 200 ms mean.
 */
export const PARETO_SHAPE = 5;

const FORMS =
  'like 200ms, uniform:10ms-50ms, normal:100ms,20ms or pareto:200ms (optionally pareto:200ms,SHAPE)';

function bad(value: unknown, why?: string): never {
  throw badValue(
    `latency must be a duration of 0 or more or a distribution, ${FORMS}${why === undefined ? '' : ` (${why})`}, got ${shown(value)}`,
  );
}

/** A duration inside a distribution, with the distribution's whole text in the error message. */
function part(text: string, whole: unknown): number {
  try {
    return parseDurationMs(text);
  } catch {
    return bad(whole);
  }
}

/** A latency setting: a duration (a fixed latency), or a distribution. */
export function parseLatency(value: string | number): LatencySpec {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) bad(value);
    return { kind: 'fixed', ms: value };
  }
  if (typeof value !== 'string') bad(value);
  const text = value.trim();
  const colon = text.indexOf(':');
  if (colon < 0) return { kind: 'fixed', ms: part(text, value) };
  const kind = text.slice(0, colon).trim();
  const args = text.slice(colon + 1).trim();
  switch (kind) {
    case 'fixed':
      return { kind: 'fixed', ms: part(args, value) };
    case 'uniform': {
      const m = /^([^-]+)-([^-]+)$/.exec(args);
      if (m === null) bad(value);
      const minMs = part(m[1]!.trim(), value);
      const maxMs = part(m[2]!.trim(), value);
      if (minMs > maxMs) bad(value, 'the smaller bound comes first');
      return { kind: 'uniform', minMs, maxMs };
    }
    case 'normal': {
      const [mean, sd, ...rest] = args.split(',');
      if (sd === undefined || rest.length > 0) bad(value);
      return { kind: 'normal', meanMs: part(mean!.trim(), value), sdMs: part(sd.trim(), value) };
    }
    case 'pareto': {
      const [mean, shapeText, ...rest] = args.split(',');
      if (rest.length > 0) bad(value);
      const meanMs = part(mean!.trim(), value);
      const shape = shapeText === undefined ? PARETO_SHAPE : Number(shapeText.trim());
      if (shapeText !== undefined && (shapeText.trim() === '' || !Number.isFinite(shape) || shape <= 1))
        bad(value, 'the shape must be a number above 1, so that the mean exists');
      return { kind: 'pareto', meanMs, shape };
    }
    default:
      return bad(value);
  }
}

/** Whether a LatencySpec (from JSON, say) holds usable numbers; the reason when it does not. */
export function latencyProblem(spec: LatencySpec): string | undefined {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  switch (spec.kind) {
    case 'fixed':
      return ok(spec.ms) ? undefined : 'a fixed latency needs ms >= 0';
    case 'uniform':
      return ok(spec.minMs) && ok(spec.maxMs) && spec.minMs <= spec.maxMs
        ? undefined
        : 'a uniform latency needs 0 <= minMs <= maxMs';
    case 'normal':
      return ok(spec.meanMs) && ok(spec.sdMs)
        ? undefined
        : 'a normal latency needs meanMs >= 0 and sdMs >= 0';
    case 'pareto':
      return ok(spec.meanMs) &&
        typeof spec.shape === 'number' &&
        spec.shape > 1 &&
        Number.isFinite(spec.shape)
        ? undefined
        : 'a pareto latency needs meanMs >= 0 and a shape above 1';
    default:
      return `unknown latency kind ${shown((spec as { kind: unknown }).kind)}`;
  }
}

/**
 * One latency draw in milliseconds (never negative). Fixed: no draw. Uniform: min + (max - min) U. Normal:
 * Box-Muller, mean + sd sqrt(-2 ln U1) cos(2 pi U2), clamped at 0. Pareto (SimBlock): scale / U^(1/shape) with
 * scale = mean (shape - 1) / shape; U is taken in (0, 1] (1 - the generator's [0, 1)), so it is never 0.
 */
export function drawLatency(spec: LatencySpec, rng: Rng): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * rng();
    case 'normal': {
      if (spec.sdMs === 0) return spec.meanMs;
      const u1 = 1 - rng();
      const u2 = rng();
      const x = spec.meanMs + spec.sdMs * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return x > 0 ? x : 0;
    }
    case 'pareto': {
      if (spec.meanMs === 0) return 0;
      const scale = (spec.meanMs * (spec.shape - 1)) / spec.shape;
      return scale / Math.pow(1 - rng(), 1 / spec.shape);
    }
  }
}

/** The distribution's mean in milliseconds (the normal one before clamping at 0). */
export function meanLatencyMs(spec: LatencySpec): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return (spec.minMs + spec.maxMs) / 2;
    case 'normal':
    case 'pareto':
      return spec.meanMs;
  }
}

/** As parseLatency reads it: '50ms', 'uniform:10ms-50ms', 'normal:100ms,20ms', 'pareto:200ms'. */
export function formatLatency(spec: LatencySpec): string {
  switch (spec.kind) {
    case 'fixed':
      return formatDurationMs(spec.ms);
    case 'uniform':
      return `uniform:${formatDurationMs(spec.minMs)}-${formatDurationMs(spec.maxMs)}`;
    case 'normal':
      return `normal:${formatDurationMs(spec.meanMs)},${formatDurationMs(spec.sdMs)}`;
    case 'pareto':
      return `pareto:${formatDurationMs(spec.meanMs)}${spec.shape === PARETO_SHAPE ? '' : `,${spec.shape}`}`;
  }
}
