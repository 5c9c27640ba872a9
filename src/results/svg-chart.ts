/**
 * Small SVG charts for report.html: x/y axes with ticks, lines (theory curves) and points (measurements, with
 * an optional interval bar). Pure: the chart is a string, with no script and nothing fetched, so a report opens
 * anywhere without network access.
 */

export interface Series {
  readonly name: string;
  readonly kind: 'line' | 'points' | 'bars';
  readonly points: ReadonlyArray<{
    readonly x: number;
    readonly y: number;
    readonly low?: number;
    readonly high?: number;
  }>;
  readonly colour: string;
  readonly dashed?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly x?: readonly [number, number];
  readonly y?: readonly [number, number];
  /** Tick labels: percent (0.25 -> 25%) or plain numbers. */
  readonly xPercent?: boolean;
  readonly yPercent?: boolean;
  readonly yLog?: boolean;
}

const W = 560;
const H = 340;
const PAD = { left: 64, right: 16, top: 36, bottom: 48 };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return fallback;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  return [lo, hi];
}

/** About five round tick values over [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const step0 = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function label(v: number, percent: boolean): string {
  if (percent) return `${Number((v * 100).toPrecision(4))}%`;
  return Math.abs(v) >= 1000 ? v.toLocaleString('en') : String(Number(v.toPrecision(4)));
}

export function svgChart(c: ChartSpec): string {
  const all = c.series.flatMap((s) => s.points);
  const [x0, x1] =
    c.x ??
    extent(
      all.map((p) => p.x),
      [0, 1],
    );
  const yValues = all.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]);
  const ySafe = c.yLog ? yValues.filter((v) => v > 0) : yValues;
  let [y0, y1] = c.y ?? extent(ySafe, c.yLog ? [1e-4, 1] : [0, 1]);
  if (c.yLog) [y0, y1] = [Math.log10(y0), Math.log10(y1)];
  const px = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const py = (y: number): number => {
    const v = c.yLog ? Math.log10(Math.max(y, 10 ** y0)) : y;
    return H - PAD.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  };
  const f = (v: number): string => v.toFixed(1);
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" class="title">${escapeXml(c.title)}</text>`);
  const yTicks = c.yLog
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => 10 ** (Math.ceil(y0) + i))
    : ticks(y0, y1);
  for (const t of ticks(x0, x1))
    parts.push(
      `<line x1="${f(px(t))}" y1="${H - PAD.bottom}" x2="${f(px(t))}" y2="${PAD.top}" class="grid"/>`,
      `<text x="${f(px(t))}" y="${H - PAD.bottom + 16}" text-anchor="middle">${label(t, c.xPercent ?? false)}</text>`,
    );
  for (const t of yTicks)
    parts.push(
      `<line x1="${PAD.left}" y1="${f(py(t))}" x2="${W - PAD.right}" y2="${f(py(t))}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${label(t, c.yPercent ?? false)}</text>`,
    );
  parts.push(
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" class="axis"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" class="axis"/>`,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`,
  );
  const barWidth = Math.max(2, (W - PAD.left - PAD.right) / Math.max(1, all.length) - 2);
  for (const s of c.series) {
    const colour = escapeXml(s.colour);
    if (s.kind === 'line' && s.points.length > 0) {
      const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(px(p.x))},${f(py(p.y))}`).join(' ');
      parts.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(s.name)}</title></path>`,
      );
    }
    for (const p of s.kind === 'line' ? [] : s.points) {
      const tip = `<title>${escapeXml(`${s.name}: ${label(p.x, c.xPercent ?? false)}, ${label(p.y, c.yPercent ?? false)}`)}</title>`;
      if (s.kind === 'bars')
        parts.push(
          `<rect x="${f(px(p.x) - barWidth / 2)}" y="${f(py(p.y))}" width="${f(barWidth)}" height="${f(H - PAD.bottom - py(p.y))}" fill="${colour}">${tip}</rect>`,
        );
      else {
        if (p.low !== undefined && p.high !== undefined)
          parts.push(
            `<line x1="${f(px(p.x))}" y1="${f(py(p.low))}" x2="${f(px(p.x))}" y2="${f(py(p.high))}" stroke="${colour}" stroke-width="1.5"/>`,
          );
        parts.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="4" fill="${colour}">${tip}</circle>`);
      }
    }
  }
  const legend = c.series
    .map(
      (s, i) =>
        `<g transform="translate(${PAD.left + 10} ${PAD.top + 8 + i * 16})"><rect width="12" height="4" y="-4" fill="${escapeXml(s.colour)}"/><text x="18" y="0">${escapeXml(s.name)}</text></g>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(c.title)}">` +
    parts.join('') +
    legend +
    '</svg>'
  );
}
