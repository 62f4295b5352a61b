// "I'm running late": the customer lets exactly N people of its tier pass (or goes last), and
// nobody else's order changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../shared/domain/entities.js';
import { postponeCustomer } from '../../../shared/domain/postpone.js';
import { compareQueueOrder } from '../../../shared/domain/queue.js';
import { T0, iso, makeCustomer, makeService } from './fixtures.js';

const services = [makeService('svc-a')];
const byId = new Map(services.map((s) => [s.id, s]));
const order = (cs: readonly Customer[]): string[] =>
  [...cs].sort((a, b) => compareQueueOrder(a, b, byId)).map((c) => c.id);

describe('postponeCustomer', () => {
  it('with a tie at the same instant, also lets pass whoever arrived then', () => {
    const at = iso(T0);
    const queue = [0, 1, 2].map((i) => makeCustomer(`c${i}`, { arrivalSeq: i + 1, sortAt: at }));
    const moved = postponeCustomer(queue[0] as Customer, 1, queue, services, 9, new Date(T0));
    expect(order([moved, ...queue.slice(1)])).toEqual(['c1', 'c2', 'c0']);
  });

  it('moves back N places, or to the end, keeping everyone else in order', () => {
    fc.assert(
      fc.property(
        // Seconds of arrival (distinct: see the rule on ties), who is late, by how many places.
        fc.uniqueArray(fc.integer({ min: 0, max: 3600 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (minutes, pick, places, prioritized) => {
          const queue = minutes.map((m, i) =>
            makeCustomer(`c${i}`, {
              arrivalSeq: i + 1,
              sortAt: iso(T0 + m * 1000),
              prioritized: prioritized[i] ?? false,
            }),
          );
          const late = queue[pick % queue.length] as Customer;
          const before = order(queue);
          const tier = queue.filter((c) => c.prioritized === late.prioritized);
          const tierBefore = order(tier);
          const moved = postponeCustomer(late, places, queue, services, 1000, new Date(T0));
          const after = order(queue.map((c) => (c.id === late.id ? moved : c)));
          const tierAfter = order(tier.map((c) => (c.id === late.id ? moved : c)));
          const from = tierBefore.indexOf(late.id);
          expect(tierAfter.indexOf(late.id)).toBe(Math.min(from + places, tier.length - 1));
          const others = (ids: string[]) => ids.filter((id) => id !== late.id);
          expect(others(after)).toEqual(others(before));
          // A prioritized customer stays ahead of every unprioritized one.
          if (late.prioritized) {
            const last = Math.max(
              ...queue.filter((c) => c.prioritized).map((c) => after.indexOf(c.id)),
            );
            expect(last).toBeLessThan(queue.filter((c) => c.prioritized).length);
          }
        },
      ),
      { seed: 9009, numRuns: 300 },
    );
  });
});
