/**
 * Prometheus metrics for a simulation (prom-client, a registry of its own): blocks mined and reorgs per
 * node, block propagation (from the moment a node mined a block until each other node had it as its tip),
 * pushes between nodes through the manager's ports, hash rate and mempool size per node.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeHandle } from './types.ts';

export interface SimMetrics {
  readonly registry: Registry;
  onTip(
    node: NodeHandle,
    tip: { hash: string; height: number; at: number; mined: boolean; disconnected: number },
  ): void;
  /** A block or transaction delivered from one node to another through the manager's message ports. */
  onPortPush(kind: 'block' | 'tx'): void;
  /** Per block: ms from mined until the last node had it, once every up node had it. */
  readonly propagation: Map<string, { minedAt: number; by: number; reached: Map<number, number> }>;
}

const MAX_TRACKED_BLOCKS = 2000;

export function createSimMetrics(sim: { readonly nodes: readonly NodeHandle[] }): SimMetrics {
  const registry = new Registry();
  const mined = new Counter({
    name: 'chainsim_blocks_mined_total',
    help: 'Blocks mined, per node',
    labelNames: ['node'],
    registers: [registry],
  });
  const reorgs = new Counter({
    name: 'chainsim_reorgs_total',
    help: 'Reorganisations (tip changes that disconnected blocks), per node',
    labelNames: ['node'],
    registers: [registry],
  });
  const propagationHist = new Histogram({
    name: 'chainsim_block_propagation_seconds',
    help: 'Time from a node mining a block until another node has it as its tip',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const portPushes = new Counter({
    name: 'chainsim_port_pushes_total',
    help: 'Blocks and transactions delivered from one node to another through the manager (one per receiver)',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Gauge({
    name: 'chainsim_hash_rate',
    help: 'Hashes per second, per node (last few seconds)',
    labelNames: ['node'],
    registers: [registry],
    collect() {
      for (const n of sim.nodes) this.set({ node: String(n.port) }, n.pow?.hashRate() ?? 0);
    },
  });
  new Gauge({
    name: 'chainsim_mempool_size',
    help: 'Transactions in the mempool, per node',
    labelNames: ['node'],
    registers: [registry],
    collect() {
      for (const n of sim.nodes) this.set({ node: String(n.port) }, n.status?.mempool ?? 0);
    },
  });
  new Gauge({
    name: 'chainsim_height',
    help: 'Active chain height, per node',
    labelNames: ['node'],
    registers: [registry],
    collect() {
      for (const n of sim.nodes) if (n.status) this.set({ node: String(n.port) }, n.status.height);
    },
  });
  new Gauge({
    name: 'chainsim_node_up',
    help: '1 when the node is up',
    labelNames: ['node'],
    registers: [registry],
    collect() {
      for (const n of sim.nodes) this.set({ node: String(n.port) }, n.state === 'up' ? 1 : 0);
    },
  });

  const propagation = new Map<string, { minedAt: number; by: number; reached: Map<number, number> }>();
  const early = new Map<string, Map<number, number>>();

  return {
    registry,
    propagation,
    onTip(node, tip) {
      const label = { node: String(node.port) };
      if (tip.disconnected > 0) reorgs.inc(label);
      if (tip.mined) {
        mined.inc(label);
        const record = { minedAt: tip.at, by: node.port, reached: new Map([[node.port, tip.at]]) };
        // Tip messages from other threads can overtake the miner's own.
        for (const [port, at] of early.get(tip.hash) ?? []) {
          record.reached.set(port, at);
          propagationHist.observe(Math.max(0, at - tip.at) / 1000);
        }
        early.delete(tip.hash);
        propagation.set(tip.hash, record);
        if (propagation.size > MAX_TRACKED_BLOCKS) propagation.delete(propagation.keys().next().value!);
        return;
      }
      const record = propagation.get(tip.hash);
      if (record) {
        if (!record.reached.has(node.port)) {
          record.reached.set(node.port, tip.at);
          propagationHist.observe(Math.max(0, tip.at - record.minedAt) / 1000);
        }
      } else {
        const m = early.get(tip.hash) ?? new Map<number, number>();
        m.set(node.port, tip.at);
        early.set(tip.hash, m);
        if (early.size > MAX_TRACKED_BLOCKS) early.delete(early.keys().next().value!);
      }
    },
    onPortPush(kind) {
      portPushes.inc({ kind });
    },
  };
}
