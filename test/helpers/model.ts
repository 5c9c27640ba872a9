/**
 * A small hand-written ModelView for tests of the node side (the real model lives in src/net/model/): edges,
 * a partition, and per-message rules for delays and loss, with a record of every question asked.
 */
import type { Decision, Edge, MessageKind, ModelView, NetworkSettings } from '../../src/net/model/types.ts';
import { NO_LINK_EFFECTS } from '../../src/net/model/types.ts';
import type { DelayTimers } from '../../src/net/delay-queue.ts';

export interface Asked {
  readonly from: number;
  readonly to: number;
  readonly kind: MessageKind;
  readonly bytes: number;
}

export interface FakeModelRules {
  /** Edges; every pair when omitted. */
  edges?: readonly Edge[];
  partition?: readonly (readonly number[])[] | null;
  /** The delay of one message (default 0). */
  delay?: (from: number, to: number, kind: MessageKind) => number;
  /** Whether a push is lost (default never). */
  lost?: (from: number, to: number, kind: MessageKind) => boolean;
  /** Bandwidth of every link (bytes/s), so the gate measures sizes; null: none. */
  bandwidth?: number | null;
}

export class FakeModel implements ModelView {
  settings: NetworkSettings;
  readonly asked: Asked[] = [];
  updates = 0;

  constructor(
    nodes: readonly string[],
    public rules: FakeModelRules = {},
  ) {
    const edges: Edge[] = [];
    if (rules.edges) edges.push(...rules.edges);
    else for (let a = 0; a < nodes.length; a++) for (let b = a + 1; b < nodes.length; b++) edges.push([a, b]);
    this.settings = {
      seed: 1,
      nodes,
      edges,
      topology: rules.edges ? { kind: 'line' } : { kind: 'full' },
      defaults: { ...NO_LINK_EFFECTS, bandwidth: rules.bandwidth ?? null },
      links: [],
      partition: rules.partition ?? null,
    };
  }

  indexOf(address: string): number | undefined {
    const i = this.settings.nodes.indexOf(address);
    return i < 0 ? undefined : i;
  }

  decide(from: number, to: number, kind: MessageKind, bytes: number): Decision {
    this.asked.push({ from, to, kind, bytes });
    if (!this.linked(from, to)) return { pass: false, reason: 'no-link' };
    if (!this.sameGroup(from, to)) return { pass: false, reason: 'partitioned' };
    if ((kind === 'block' || kind === 'tx') && this.rules.lost?.(from, to, kind))
      return { pass: false, reason: 'lost' };
    return { pass: true, delayMs: this.rules.delay?.(from, to, kind) ?? 0 };
  }

  reachable(a: number, b: number): boolean {
    return this.linked(a, b) && this.sameGroup(a, b);
  }

  neighbours(i: number): readonly number[] {
    return this.settings.edges.filter((e) => e.includes(i)).map((e) => (e[0] === i ? e[1] : e[0]));
  }

  update(settings: NetworkSettings): void {
    this.settings = settings;
    this.updates++;
  }

  /** Sets a partition (null heals), as the manager's settings would. */
  partition(groups: readonly (readonly number[])[] | null): NetworkSettings {
    this.settings = { ...this.settings, partition: groups };
    return this.settings;
  }

  private linked(a: number, b: number): boolean {
    return this.settings.edges.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  }

  private sameGroup(a: number, b: number): boolean {
    const groups = this.settings.partition;
    if (!groups) return true;
    const ga = groups.findIndex((g) => g.includes(a));
    return ga >= 0 && groups[ga]!.includes(b);
  }
}

/** Timers driven by hand: `advance(ms)` fires what falls due, in order. */
export class FakeTimers implements DelayTimers {
  nowMs = 0;
  /** Timers set so far (what the fast path must not use). */
  setCount = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; run: () => void }>();

  now(): number {
    return this.nowMs;
  }

  set(run: () => void, ms: number): unknown {
    this.setCount++;
    const id = this.next++;
    this.pending.set(id, { at: this.nowMs + ms, run });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get active(): number {
    return this.pending.size;
  }

  /** Moves the clock on by `ms`, firing each timer that falls due (then lets promise callbacks run). */
  async advance(ms: number): Promise<void> {
    const until = this.nowMs + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.nowMs = Math.max(this.nowMs, due[1].at);
      due[1].run();
      await flush();
    }
    this.nowMs = until;
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}
