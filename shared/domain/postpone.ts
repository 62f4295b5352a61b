// "I'm running late": a waiting customer steps back N places in its own queue. The customer
// takes the place just after the N-th person now behind it (or the last place when fewer are
// behind), by taking that person's sort time and a fresh arrival number, so the one call order
// (queue.ts) stays the only rule. Whoever shares that person's sort time to the millisecond
// also passes (a fresh arrival number sorts after them all).
import type { Customer, Service } from './entities.js';
import { compareQueueOrder, isPrioritized } from './queue.js';

export const MAX_POSTPONE_PLACES = 20;

/**
 * The customer moved back `places` places among `competitors` (the waiting customers it queues
 * with, in any order; itself may be among them). `nextArrivalSeq` is larger than any issued.
 * Returns the customer unchanged when nobody is behind it.
 */
export function postponeCustomer(
  customer: Customer,
  places: number,
  competitors: readonly Customer[],
  services: readonly Service[],
  nextArrivalSeq: number,
  now: Date,
): Customer {
  const byId = new Map(services.map((s) => [s.id, s]));
  const behind = competitors
    .filter((c) => c.id !== customer.id && c.state === 'waiting')
    // Only within its tier: a prioritized customer stays ahead of the unprioritized ones.
    .filter((c) => isPrioritized(c, byId) === isPrioritized(customer, byId))
    .filter((c) => compareQueueOrder(customer, c, byId) < 0)
    .sort((a, b) => compareQueueOrder(a, b, byId));
  const target = behind[Math.min(places, behind.length) - 1];
  if (target === undefined) return customer;
  return {
    ...customer,
    sortAt: target.sortAt,
    arrivalSeq: nextArrivalSeq,
    updatedAt: now.toISOString(),
  };
}
