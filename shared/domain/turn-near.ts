// "Your turn is near": FileVirtuelle's `call_by_people` chooses people (`ptc`) or minutes (`ttc`).
import type { Customer, Store } from './entities.js';
import type { Estimate } from './estimate.js';

type TurnNearRule = Pick<Store, 'callByPeople' | 'turnNearPeople' | 'turnNearMinutes'>;

export function isTurnNear(estimate: Estimate, store: TurnNearRule): boolean {
  return store.callByPeople
    ? estimate.peopleBefore <= store.turnNearPeople
    : estimate.waitMinutes <= store.turnNearMinutes;
}

/** At registration: too far from the turn, so the customer is told to come back when alerted. */
export function mustWaitAtRegistration(estimate: Estimate, store: TurnNearRule): boolean {
  return !isTurnNear(estimate, store);
}

/** Send the "come back" alert now (once): waiting, not yet alerted, and the turn is near. */
export function shouldAlert(
  customer: Pick<Customer, 'state' | 'alerted'>,
  estimate: Estimate,
  store: TurnNearRule,
): boolean {
  return customer.state === 'waiting' && !customer.alerted && isTurnNear(estimate, store);
}
