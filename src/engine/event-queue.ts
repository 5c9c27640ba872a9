/**
 * The engine's priority queue of events: a binary min-heap on (time, then the order events were pushed), so two
 * events at the same virtual time run in a fixed order and a run is reproducible from its seed. An event is four
 * numbers (a kind and three integer arguments) kept in typed arrays: no object per event on the hot path.
 */

export interface QueuedEvent {
  time: number;
  kind: number;
  a: number;
  b: number;
  c: number;
}

export class EventQueue {
  private time = new Float64Array(1024);
  private order = new Float64Array(1024);
  private kind = new Uint8Array(1024);
  private argA = new Int32Array(1024);
  private argB = new Int32Array(1024);
  private argC = new Int32Array(1024);
  private size = 0;
  private pushed = 0;

  get length(): number {
    return this.size;
  }

  push(time: number, kind: number, a = 0, b = 0, c = 0): void {
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    const order = this.pushed++;
    // Sift up: move parents down until the new event's place is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(time, order, p)) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, time, order, kind, a, b, c);
  }

  /** Takes the earliest event into `out` (reused by the caller); false when the queue is empty. */
  pop(out: QueuedEvent): boolean {
    if (this.size === 0) return false;
    out.time = this.time[0]!;
    out.kind = this.kind[0]!;
    out.a = this.argA[0]!;
    out.b = this.argB[0]!;
    out.c = this.argC[0]!;
    const last = --this.size;
    if (last === 0) return true;
    const time = this.time[last]!;
    const order = this.order[last]!;
    const kind = this.kind[last]!;
    const a = this.argA[last]!;
    const b = this.argB[last]!;
    const c = this.argC[last]!;
    // Sift down from the root with the last event.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const child = r < last && this.lessAt(r, l) ? r : l;
      if (!this.atBefore(child, time, order)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, time, order, kind, a, b, c);
    return true;
  }

  /** The earliest event's time, or Infinity. */
  peekTime(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.time[0]!;
  }

  private before(time: number, order: number, j: number): boolean {
    const t = this.time[j]!;
    return time < t || (time === t && order < this.order[j]!);
  }

  private atBefore(j: number, time: number, order: number): boolean {
    const t = this.time[j]!;
    return t < time || (t === time && this.order[j]! < order);
  }

  private lessAt(i: number, j: number): boolean {
    return this.atBefore(i, this.time[j]!, this.order[j]!);
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.order[to] = this.order[from]!;
    this.kind[to] = this.kind[from]!;
    this.argA[to] = this.argA[from]!;
    this.argB[to] = this.argB[from]!;
    this.argC[to] = this.argC[from]!;
  }

  private set(i: number, time: number, order: number, kind: number, a: number, b: number, c: number): void {
    this.time[i] = time;
    this.order[i] = order;
    this.kind[i] = kind;
    this.argA[i] = a;
    this.argB[i] = b;
    this.argC[i] = c;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const time = new Float64Array(n);
    time.set(this.time);
    const order = new Float64Array(n);
    order.set(this.order);
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    const grown = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const a = new Int32Array(n);
      a.set(old);
      return a;
    };
    [this.time, this.order, this.kind] = [time, order, kind];
    [this.argA, this.argB, this.argC] = [grown(this.argA), grown(this.argB), grown(this.argC)];
  }
}
