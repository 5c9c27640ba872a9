/** The engine's event queue: events come out by time, and in push order at equal times, whatever the mix. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventQueue, type QueuedEvent } from '../../../src/engine/index.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

test('pops follow (time, push order), against a sorted reference, with pushes and pops interleaved', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 3000 }),
      (script) => {
        const queue = new EventQueue();
        const reference: Array<{ time: number; order: number }> = [];
        const out: QueuedEvent = { time: 0, kind: 0, a: 0, b: 0, c: 0 };
        let order = 0;
        let now = 0;
        const popBoth = (): void => {
          reference.sort((x, y) => x.time - y.time || x.order - y.order);
          const want = reference.shift();
          assert.equal(queue.pop(out), want !== undefined);
          if (!want) return;
          assert.deepEqual(
            [out.time, out.a, out.b, out.c, out.kind],
            [want.time, want.order, -want.order - 1, 7, 3],
          );
          now = out.time;
        };
        for (const step of script) {
          if (step < 0) popBoth();
          else {
            // Events are never scheduled in the past, as in the engine.
            const time = now + step / 4;
            queue.push(time, 3, order, -order - 1, 7);
            reference.push({ time, order: order++ });
          }
          assert.equal(queue.length, reference.length);
        }
        while (reference.length > 0) popBoth();
        assert.equal(queue.pop(out), false);
        assert.equal(queue.peekTime(), Number.POSITIVE_INFINITY);
      },
    ),
    { numRuns: 100 },
  );
});
