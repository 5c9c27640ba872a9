/** The network model in one line, for the `simulate` banner: topology, default link settings, partition, seed. */
import { describePorts } from '../net/model/index.ts';
import type { NetworkModelView } from '../sim/network-control.ts';

/** "random:8, latency pareto:200ms, bandwidth 1MB/s, loss 1%, seed 7". */
export function networkLine(view: NetworkModelView): string {
  const d = view.links.defaults;
  const parts = [
    view.topology.spec,
    `latency ${d.latency}`,
    `bandwidth ${d.bandwidth ?? 'unlimited'}`,
    `loss ${percent(d.loss)}`,
  ];
  if (d.jitterMs > 0) parts.push(`jitter ${d.jitterMs}ms`);
  const overrides = view.links.overrides.length;
  if (overrides > 0) parts.push(`${overrides} link${overrides === 1 ? '' : 's'} set apart`);
  if (view.partition)
    parts.push(
      `partition ${view.partition.map((g) => describePorts([...g].sort((a, b) => a - b))).join(' / ')}`,
    );
  parts.push(`seed ${view.seed}`);
  return parts.join(', ');
}

function percent(p: number): string {
  return `${Number((p * 100).toPrecision(6))}%`;
}
