// The one way a customer is made (newCustomer) and stepped (applyEvent, applyEvents): the state
// follows the lifecycle table, and each event sets exactly the timestamps it documents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_LOG_EVENTS,
  applyEvent,
  applyEvents,
  newCustomer,
} from '../../../shared/domain/customer.js';
import { CustomerSchema, type Customer } from '../../../shared/domain/entities.js';
import {
  CUSTOMER_EVENTS,
  CUSTOMER_STATES,
  IllegalTransitionError,
  TRANSITIONS,
  type CustomerEventName,
} from '../../../shared/domain/lifecycle.js';
import {
  ChangeEventSchema,
  CommandSchema,
  checkInPayloadOf,
} from '../../../shared/protocol/sync.js';
import { T0, iso, makeCustomer, makeStore } from './fixtures.js';

const MIN = 60_000;
const store = makeStore({ appointmentLeadMinutes: 10 });

const request = {
  servicePath: [],
  lang: 'EN',
  contactMode: 'name' as const,
  contact: { name: 'Ada' },
  pager: null,
  appointment: null,
};

describe('newCustomer', () => {
  it('makes a waiting ticket, not prioritized, numbered by its service prefix', () => {
    const c = newCustomer({
      id: 'c1',
      storeId: 'store-1',
      service: { id: 'svc-a', ticketPrefix: 'A' },
      machineId: 'kiosk',
      registeredBy: 'kiosk',
      request,
      ticketNumber: 7,
      ticketDay: '2025-03-10',
      issuedAt: iso(T0),
      arrivalSeq: 3,
    });
    expect(CustomerSchema.parse(c)).toEqual(c);
    expect(c).toMatchObject({
      state: 'waiting',
      ticket: 'A7',
      prioritized: false,
      servicePath: ['svc-a'],
      registeredAt: iso(T0),
      sortAt: iso(T0),
      updatedAt: iso(T0),
      calledAt: null,
      servingAt: null,
      finishedAt: null,
      checkedInAt: null,
      peopleBefore: 0,
      mustWait: false,
    });
  });

  it('books an appointment, sorted by its time; an offline ticket keeps its issue time', () => {
    const at = iso(T0 + 30 * MIN);
    const c = newCustomer({
      id: 'c2',
      storeId: 'store-1',
      service: { id: 'svc-b', ticketPrefix: 'B' },
      machineId: null,
      registeredBy: 'api-key',
      request: {
        ...request,
        servicePath: ['menu', 'svc-b'],
        appointment: { at, externalId: 'ext-1' },
      },
      ticketNumber: 1,
      ticketDay: '2025-03-10',
      issuedAt: iso(T0 - 5 * MIN),
      arrivalSeq: 9,
      peopleBefore: 4,
      mustWait: true,
      now: iso(T0),
    });
    expect(c).toMatchObject({
      state: 'booked',
      servicePath: ['menu', 'svc-b'],
      appointment: { at, externalId: 'ext-1', expired: false },
      sortAt: at,
      registeredAt: iso(T0 - 5 * MIN),
      updatedAt: iso(T0),
      peopleBefore: 4,
      mustWait: true,
    });
  });
});

const TIMESTAMPS = [
  'registeredAt',
  'checkedInAt',
  'sortAt',
  'calledAt',
  'servingAt',
  'finishedAt',
  'updatedAt',
] as const;
type Stamp = (typeof TIMESTAMPS)[number];

/** The documented effect of each event on the timestamps, given the customer before and now. */
function documented(
  event: CustomerEventName,
  before: Customer,
  now: string,
): Partial<Record<Stamp, string | null>> {
  switch (event) {
    case 'check_in':
      return {
        checkedInAt: now,
        sortAt:
          before.appointment === null
            ? now
            : iso(Date.parse(before.appointment.at) - store.appointmentLeadMinutes * MIN),
      };
    case 'call':
      return { calledAt: now };
    case 'start':
      return { servingAt: now };
    case 'finish':
    case 'no_show':
    case 'cancel':
      return { finishedAt: now };
    case 'hold':
      return { calledAt: null };
    case 'transfer':
      return { calledAt: null, servingAt: null };
    case 'recall':
      return {};
  }
}

const stamp = fc.integer({ min: -120, max: 120 }).map((m) => iso(T0 + m * MIN));
const customerArb = fc
  .record({
    state: fc.constantFrom(...CUSTOMER_STATES),
    appointment: fc.option(stamp, { nil: null }),
    calledAt: fc.option(stamp, { nil: null }),
    servingAt: fc.option(stamp, { nil: null }),
    checkedInAt: fc.option(stamp, { nil: null }),
    deskId: fc.option(fc.constantFrom('desk-1', 'desk-2'), { nil: null }),
    recalls: fc.nat({ max: 3 }),
  })
  .map(({ appointment, ...over }) =>
    makeCustomer('c', {
      ...over,
      appointment: appointment === null ? null : { at: appointment, expired: false },
    }),
  );

describe('applyEvent', () => {
  it('follows the lifecycle table and sets exactly the documented timestamps (seeded)', () => {
    fc.assert(
      fc.property(
        customerArb,
        fc.constantFrom(...CUSTOMER_EVENTS),
        fc.integer({ min: 0, max: 600 }).map((m) => new Date(T0 + m * MIN)),
        (before, event, nowDate) => {
          const now = nowDate.toISOString();
          const target = TRANSITIONS[before.state][event];
          const ctx = {
            now: nowDate,
            store,
            deskId: 'desk-9',
            toService: { id: 'svc-z' },
            toDeskId: null,
          };
          if (target === undefined) {
            expect(() => applyEvent(before, event, ctx)).toThrow(IllegalTransitionError);
            return;
          }
          const after = applyEvent(before, event, ctx);
          expect(CustomerSchema.safeParse(after).success).toBe(true);
          expect(after.state).toBe(target);
          const expected: Partial<Record<Stamp, string | null>> = {
            ...documented(event, before, now),
            updatedAt: now,
          };
          for (const field of TIMESTAMPS) {
            expect(after[field]).toBe(field in expected ? expected[field] : before[field]);
          }
          // The fields some events carry besides timestamps.
          expect(after.recalls).toBe(before.recalls + (event === 'recall' ? 1 : 0));
          const desk =
            event === 'call'
              ? 'desk-9'
              : event === 'hold' || event === 'transfer'
                ? null
                : before.deskId;
          expect(after.deskId).toBe(desk);
          expect(after.serviceId).toBe(event === 'transfer' ? 'svc-z' : before.serviceId);
        },
      ),
      { seed: 1515, numRuns: 400 },
    );
  });

  it('lets a desk finish a called customer when the store allows it, serving from the call', () => {
    const called = makeCustomer('c', { state: 'called', calledAt: iso(T0), deskId: 'desk-1' });
    const now = new Date(T0 + 7 * MIN);
    expect(() => applyEvent(called, 'finish', { now, store })).toThrow(IllegalTransitionError);
    const done = applyEvent(called, 'finish', { now, store: { ...store, finishFromCalled: true } });
    expect(done).toMatchObject({
      state: 'done',
      calledAt: iso(T0),
      servingAt: iso(T0),
      finishedAt: iso(T0 + 7 * MIN),
      updatedAt: iso(T0 + 7 * MIN),
    });
  });
});

describe('held tickets (issue 17)', () => {
  it('cannot be called until handed out; other events still apply (a machine cancels it)', () => {
    const held = makeCustomer('h', { held: true });
    expect(() => applyEvent(held, 'call', { now: new Date(T0), store })).toThrow(
      IllegalTransitionError,
    );
    expect(() => applyEvents(held, ['call'], { now: new Date(T0), store })).toThrow(
      /has not reached its customer/,
    );
    expect(applyEvent(held, 'cancel', { now: new Date(T0), store }).state).toBe('cancelled');
    expect(applyEvent({ ...held, held: false }, 'call', { now: new Date(T0), store }).state).toBe(
      'called',
    );
  });
});

describe('applyEvents', () => {
  it('logs the last lifecycle event, so a partner setting "called" is announced', () => {
    const waiting = makeCustomer('c');
    const now = new Date(T0 + MIN);
    const called = applyEvents(waiting, ['call'], { now, store, deskId: 'desk-1' });
    expect(called.logEvent).toBe('called');
    expect(called.customer).toMatchObject({
      state: 'called',
      deskId: 'desk-1',
      calledAt: iso(T0 + MIN),
    });
    const done = applyEvents(called.customer, ['start', 'finish'], { now, store });
    expect(done.logEvent).toBe('done');
    const edited = applyEvents({ ...waiting, prioritized: true }, [], { now, store });
    expect(edited).toMatchObject({
      logEvent: 'customer_updated',
      customer: { prioritized: true, updatedAt: iso(T0 + MIN) },
    });
  });

  it('names every lifecycle event in the log vocabulary', () => {
    for (const event of CUSTOMER_EVENTS) {
      expect(ChangeEventSchema.safeParse(CUSTOMER_LOG_EVENTS[event]).success).toBe(true);
    }
  });
});

describe('check-in payloads', () => {
  it('classify scanned codes, take a typed reference as typed, and refuse the rest', () => {
    expect(checkInPayloadOf('LINEUP:1:demo-store:abc123:A7\r')).toEqual({
      ok: true,
      payload: {
        kind: 'lineup-ticket',
        version: 1,
        storeId: 'demo-store',
        customerId: 'abc123',
        ticket: 'A7',
      },
    });
    expect(checkInPayloadOf('APPT-ext-42')).toEqual({
      ok: true,
      payload: { kind: 'appointment', externalId: 'ext-42' },
    });
    expect(checkInPayloadOf(' B12 ')).toEqual({
      ok: true,
      payload: { kind: 'typed', code: 'B12' },
    });
    expect(checkInPayloadOf('not a code!')).toMatchObject({ ok: false });
    for (const text of ['LINEUP:1:demo-store:abc123:A7', 'APPT-ext-42', 'B12']) {
      const r = checkInPayloadOf(text);
      if (!r.ok) throw new Error(r.reason);
      expect(CommandSchema.parse({ type: 'check_in', payload: r.payload })).toEqual({
        type: 'check_in',
        payload: r.payload,
      });
    }
  });
});
