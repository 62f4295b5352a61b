import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerState } from '../../../shared/domain/entities.js';
import {
  CUSTOMER_EVENTS,
  CUSTOMER_STATES,
  IllegalTransitionError,
  allowedEvents,
  canTransition,
  isActiveState,
  isFinalState,
  transition,
  type CustomerEventName,
} from '../../../shared/domain/lifecycle.js';

// The machine as issue 2 and shared-names.md write it: the oracle the code is checked against.
const SPEC: [CustomerState, CustomerEventName, CustomerState][] = [
  ['booked', 'check_in', 'waiting'],
  ['waiting', 'call', 'called'],
  ['called', 'recall', 'called'],
  ['called', 'start', 'serving'],
  ['serving', 'finish', 'done'],
  ['called', 'no_show', 'no_show'],
  ['booked', 'cancel', 'cancelled'],
  ['waiting', 'cancel', 'cancelled'],
  ['called', 'cancel', 'cancelled'],
  ['called', 'hold', 'waiting'],
  ['waiting', 'transfer', 'waiting'],
  ['called', 'transfer', 'waiting'],
  ['serving', 'transfer', 'waiting'],
];

describe('customer lifecycle', () => {
  it('walks the happy path booked → waiting → called → serving → done', () => {
    let s: CustomerState = 'booked';
    for (const e of ['check_in', 'call', 'recall', 'start', 'finish'] as const)
      s = transition(s, e);
    expect(s).toBe('done');
  });

  it('follows every documented edge', () => {
    for (const [from, event, to] of SPEC) expect(transition(from, event)).toBe(to);
    const legal = CUSTOMER_STATES.flatMap((s) => allowedEvents(s).map((e) => `${s}:${e}`));
    expect(legal.sort()).toEqual(SPEC.map(([f, e]) => `${f}:${e}`).sort());
  });

  it('refuses an illegal transition with a typed error that names it', () => {
    let caught: unknown;
    try {
      transition('done', 'call');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    const err = caught as IllegalTransitionError;
    expect(err.code).toBe('illegal_transition');
    expect(err.from).toBe('done');
    expect(err.event).toBe('call');
    expect(err.message).toMatch(/done.*call/);
    expect(() => transition('waiting', 'start')).toThrow(IllegalTransitionError);
    expect(() => transition('booked', 'call')).toThrow(IllegalTransitionError);
  });

  it('classifies states', () => {
    expect(CUSTOMER_STATES.filter(isFinalState)).toEqual(['done', 'no_show', 'cancelled']);
    expect(CUSTOMER_STATES.filter(isActiveState)).toEqual(['waiting', 'called', 'serving']);
    for (const s of CUSTOMER_STATES.filter(isFinalState)) expect(allowedEvents(s)).toEqual([]);
  });

  it('property: random event sequences never leave the machine; refusals are exactly canTransition', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CUSTOMER_STATES),
        fc.array(fc.constantFrom(...CUSTOMER_EVENTS), { maxLength: 40 }),
        (start, events) => {
          let s = start;
          for (const e of events) {
            const before = s;
            const allowed = canTransition(s, e);
            let refused = false;
            try {
              s = transition(s, e);
            } catch (err) {
              if (!(err instanceof IllegalTransitionError)) throw err;
              refused = true;
            }
            const spec = SPEC.find(([f, ev]) => f === before && ev === e);
            if (refused !== (spec === undefined) || refused === allowed) return false;
            if (spec !== undefined && s !== spec[2]) return false;
            if (!CUSTOMER_STATES.includes(s)) return false;
          }
          return true;
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
