import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  estimateFor,
  estimateWaitMinutes,
  observedServiceMinutes,
  peopleBefore,
} from '../../../shared/domain/estimate.js';
import {
  isTurnNear,
  mustWaitAtRegistration,
  shouldAlert,
} from '../../../shared/domain/turn-near.js';
import { storeOpenState } from '../../../shared/domain/store-status.js';
import { queueFor } from '../../../shared/domain/queue.js';
import { T0, iso, makeCustomer, makeDesk, makeService, makeStore } from './fixtures.js';

const MIN = 60_000;

describe('people before and wait estimate', () => {
  const services = [
    makeService('svc-a', { serviceMinutes: 6 }),
    makeService('svc-b', { serviceMinutes: 4, deskIds: ['d2'] }),
    makeService('svc-prm', { prm: true }),
  ];
  const store = makeStore();

  it('counts the waiting customers ahead who compete for the same desks', () => {
    const customers = [
      makeCustomer('w1', { arrivalSeq: 1 }),
      makeCustomer('w2', { arrivalSeq: 2 }),
      makeCustomer('called', { arrivalSeq: 3, state: 'called' }),
      makeCustomer('me', { arrivalSeq: 4 }),
      makeCustomer('prm', { arrivalSeq: 5, serviceId: 'svc-prm' }),
      makeCustomer('after', { arrivalSeq: 6 }),
    ];
    const devices = [makeDesk('d1')];
    const ctx = { customers, services, devices, store, now: new Date(T0 + 10 * MIN) };
    const me = customers[3];
    if (me === undefined) throw new Error('fixture');
    // w1, w2 and the PRM customer (served first) are before; the called one is not waiting.
    expect(peopleBefore(me, ctx)).toBe(3);
    // A draft at the kiosk ranks after everyone waiting in its tier.
    expect(peopleBefore({ serviceId: 'svc-a' }, ctx)).toBe(5);
    expect(peopleBefore({ serviceId: 'svc-a', prioritized: true }, ctx)).toBe(1);
  });

  it('does not count customers of services no shared desk serves', () => {
    const customers = [
      makeCustomer('b1', { arrivalSeq: 1, serviceId: 'svc-b' }),
      makeCustomer('a1', { arrivalSeq: 2 }),
    ];
    const devices = [makeDesk('d1'), makeDesk('d2')];
    const ctx = { customers, services, devices, store, now: new Date(T0 + 10 * MIN) };
    // svc-a is served by d1 and d2 (no list); d2 also serves svc-b: they compete.
    expect(peopleBefore({ serviceId: 'svc-a' }, ctx)).toBe(2);
    const onlyD1 = services.map((s) => (s.id === 'svc-a' ? { ...s, deskIds: ['d1'] } : s));
    expect(peopleBefore({ serviceId: 'svc-a' }, { ...ctx, services: onlyD1 })).toBe(1);
  });

  it('divides the work over open desks and rounds up', () => {
    expect(
      estimateWaitMinutes({
        peopleBefore: 5,
        serviceMinutes: 6,
        openDesks: 2,
        observedMinutes: null,
      }),
    ).toBe(15);
    expect(
      estimateWaitMinutes({ peopleBefore: 5, serviceMinutes: 6, openDesks: 2, observedMinutes: 3 }),
    ).toBe(8);
    expect(
      estimateWaitMinutes({
        peopleBefore: 3,
        serviceMinutes: 6,
        openDesks: 0,
        observedMinutes: null,
      }),
    ).toBe(18);
    expect(
      estimateWaitMinutes({
        peopleBefore: 0,
        serviceMinutes: 6,
        openDesks: 1,
        observedMinutes: null,
      }),
    ).toBe(0);
  });

  it('observes the median serving time of finished customers of the service', () => {
    const done = (id: string, start: number, minutes: number) =>
      makeCustomer(id, {
        state: 'done',
        servingAt: iso(T0 + start * MIN),
        finishedAt: iso(T0 + (start + minutes) * MIN),
      });
    expect(observedServiceMinutes([], 'svc-a')).toBeNull();
    const customers = [done('x', 0, 2), done('y', 10, 4), done('z', 20, 30), makeCustomer('w')];
    expect(observedServiceMinutes(customers, 'svc-a')).toBe(4);
    expect(observedServiceMinutes(customers, 'svc-b')).toBeNull();
  });

  it('estimates a draft from open desks and observed minutes', () => {
    const customers = [
      makeCustomer('w1', { arrivalSeq: 1 }),
      makeCustomer('w2', { arrivalSeq: 2 }),
      makeCustomer('w3', { arrivalSeq: 3 }),
      makeCustomer('w4', { arrivalSeq: 4 }),
    ];
    const devices = [makeDesk('d1'), makeDesk('d2'), makeDesk('d3', { pause: true })];
    const ctx = { customers, services, devices, store, now: new Date(T0 + 10 * MIN) };
    // 4 people × 6 min ÷ 2 open desks (d3 is paused).
    expect(estimateFor({ serviceId: 'svc-a' }, ctx)).toEqual({ peopleBefore: 4, waitMinutes: 12 });
  });
});

describe('turn is near', () => {
  it('counts people when call_by_people, minutes otherwise', () => {
    const byPeople = makeStore({ callByPeople: true, turnNearPeople: 2, turnNearMinutes: 10 });
    const byTime = makeStore({ callByPeople: false, turnNearPeople: 2, turnNearMinutes: 10 });
    expect(isTurnNear({ peopleBefore: 2, waitMinutes: 60 }, byPeople)).toBe(true);
    expect(isTurnNear({ peopleBefore: 3, waitMinutes: 1 }, byPeople)).toBe(false);
    expect(isTurnNear({ peopleBefore: 9, waitMinutes: 10 }, byTime)).toBe(true);
    expect(isTurnNear({ peopleBefore: 0, waitMinutes: 11 }, byTime)).toBe(false);
    expect(mustWaitAtRegistration({ peopleBefore: 5, waitMinutes: 20 }, byPeople)).toBe(true);
    const est = { peopleBefore: 1, waitMinutes: 5 };
    expect(shouldAlert({ state: 'waiting', alerted: false }, est, byPeople)).toBe(true);
    expect(shouldAlert({ state: 'waiting', alerted: true }, est, byPeople)).toBe(false);
    expect(shouldAlert({ state: 'called', alerted: false }, est, byPeople)).toBe(false);
  });
});

describe('store open state', () => {
  it('is closed with no open desk, closing soon when every open desk pre-closes', () => {
    expect(storeOpenState([])).toBe('closed');
    expect(storeOpenState([makeDesk('a', { open: false })])).toBe('closed');
    expect(storeOpenState([makeDesk('a', { open: false, redirect: true })])).toBe('closed');
    expect(
      storeOpenState([makeDesk('a', { preClose: true }), makeDesk('b', { open: false })]),
    ).toBe('closing_soon');
    expect(storeOpenState([makeDesk('a', { preClose: true }), makeDesk('b')])).toBe('open');
    expect(storeOpenState([makeDesk('a', { pause: true })])).toBe('open');
  });
});

describe('estimate and queue agree', () => {
  it('property: with one desk serving everything, people before = place in the call order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            serviceId: fc.constantFrom('svc-a', 'svc-b', 'svc-prm'),
            prioritized: fc.boolean(),
            sortMin: fc.integer({ min: 0, max: 10 }),
            state: fc.constantFrom('waiting', 'waiting', 'waiting', 'called', 'done'),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        (rows) => {
          const services = [
            makeService('svc-a'),
            makeService('svc-b'),
            makeService('svc-prm', { prm: true }),
          ];
          const store = makeStore();
          const devices = [makeDesk('d1')];
          const customers = rows.map((r, i) =>
            makeCustomer(`c${i}`, {
              serviceId: r.serviceId,
              prioritized: r.prioritized,
              state: r.state,
              arrivalSeq: i,
              sortAt: iso(T0 + r.sortMin * MIN),
            }),
          );
          const now = new Date(T0 + 60 * MIN);
          const order = queueFor({ deskId: 'd1', customers, services, devices, store, now });
          const ctx = { customers, services, devices, store, now };
          return order.every((c, i) => peopleBefore(c, ctx) === i);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
