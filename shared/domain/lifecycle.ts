// The customer lifecycle as one explicit state machine. Every adapter (FileVirtuelle flags,
// Ombori statuses, Lineberty actions) maps onto these states and events, never around them.
import { CustomerStateSchema, type CustomerState } from './entities.js';

export const CUSTOMER_EVENTS = [
  'check_in',
  'call',
  'recall',
  'start',
  'finish',
  'no_show',
  'cancel',
  'hold',
  'transfer',
] as const;
export type CustomerEventName = (typeof CUSTOMER_EVENTS)[number];

/** Every state, in the order the schema declares them. */
export const CUSTOMER_STATES: readonly CustomerState[] = CustomerStateSchema.options;

/** The whole machine: state → event → next state. Anything missing is illegal. */
export const TRANSITIONS: Readonly<
  Record<CustomerState, Readonly<Partial<Record<CustomerEventName, CustomerState>>>>
> = {
  booked: { check_in: 'waiting', cancel: 'cancelled' },
  waiting: { call: 'called', cancel: 'cancelled', transfer: 'waiting' },
  called: {
    recall: 'called',
    start: 'serving',
    no_show: 'no_show',
    cancel: 'cancelled',
    hold: 'waiting',
    transfer: 'waiting',
  },
  serving: { finish: 'done', transfer: 'waiting' },
  done: {},
  no_show: {},
  cancelled: {},
};

/** Thrown by `transition`; the hub turns it into the `illegal_transition` refusal. */
export class IllegalTransitionError extends Error {
  readonly code = 'illegal_transition' as const;
  constructor(
    readonly from: CustomerState,
    readonly event: CustomerEventName,
  ) {
    super(`A customer who is ${from.replace('_', ' ')} cannot be given "${event}".`);
    this.name = 'IllegalTransitionError';
  }
}

export function canTransition(state: CustomerState, event: CustomerEventName): boolean {
  return TRANSITIONS[state]?.[event] !== undefined;
}

export function transition(state: CustomerState, event: CustomerEventName): CustomerState {
  const next = TRANSITIONS[state]?.[event];
  if (next === undefined) throw new IllegalTransitionError(state, event);
  return next;
}

/** Events the customer in `state` may be given (for desks: which buttons to enable). */
export function allowedEvents(state: CustomerState): CustomerEventName[] {
  return CUSTOMER_EVENTS.filter((event) => canTransition(state, event));
}

/** In the store and in the flow: waiting, called or being served (not booked, not ended). */
export function isActiveState(state: CustomerState): boolean {
  return state === 'waiting' || state === 'called' || state === 'serving';
}

/** No event leaves these states. */
export function isFinalState(state: CustomerState): boolean {
  return state === 'done' || state === 'no_show' || state === 'cancelled';
}

/**
 * The shortest event sequence that takes a customer from `from` to `to` (empty when equal), or
 * null when the machine has no such path. Adapters use it when an outside API sets a state
 * directly (FileVirtuelle flags, an Ombori status), so every step still goes through the machine.
 */
export function pathBetween(from: CustomerState, to: CustomerState): CustomerEventName[] | null {
  if (from === to) return [];
  const seen = new Set<CustomerState>([from]);
  let frontier: { state: CustomerState; path: CustomerEventName[] }[] = [{ state: from, path: [] }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { state, path } of frontier) {
      for (const event of CUSTOMER_EVENTS) {
        const target = TRANSITIONS[state][event];
        if (target === undefined || seen.has(target)) continue;
        if (target === to) return [...path, event];
        seen.add(target);
        next.push({ state: target, path: [...path, event] });
      }
    }
    frontier = next;
  }
  return null;
}
