import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Customer, Device, Service, Store } from '../../../shared/domain/entities.js';
import { transition } from '../../../shared/domain/lifecycle.js';
import {
  canDeskCall,
  compareQueueOrder,
  deskServiceIds,
  pickNext,
  queueFor,
} from '../../../shared/domain/queue.js';
import { T0, iso, makeCustomer, makeDesk, makeService, makeStore } from './fixtures.js';

const MIN = 60_000;

function ctx(services: Service[], devices: Device[], store = makeStore()) {
  return { services, devices, store };
}

describe('desks', () => {
  it('calls when open, also when pre-closing; not when paused, closed or redirected', () => {
    expect(canDeskCall(makeDesk('d'))).toBe(true);
    expect(canDeskCall(makeDesk('d', { preClose: true }))).toBe(true);
    expect(canDeskCall(makeDesk('d', { pause: true }))).toBe(false);
    expect(canDeskCall(makeDesk('d', { open: false }))).toBe(false);
    expect(canDeskCall(makeDesk('d', { open: false, redirect: true }))).toBe(false);
  });

  it('serves the services listing it or listing no desk, plus those of redirecting desks', () => {
    const services = [
      makeService('a', { deskIds: ['d1'] }),
      makeService('b', { deskIds: ['d2'] }),
      makeService('c'),
    ];
    const d1 = makeDesk('d1');
    const d2 = makeDesk('d2', { open: false, redirect: true });
    expect([...deskServiceIds('d1', ctx(services, [d1, d2]))].sort()).toEqual(['a', 'b', 'c']);
    // Without the store's redirect option, a redirecting desk's services stay with it.
    const noRedirect = makeStore({ redirectDesks: false });
    expect([...deskServiceIds('d1', ctx(services, [d1, d2], noRedirect))].sort()).toEqual([
      'a',
      'c',
    ]);
    // A desk merely closed (no redirect) keeps its services.
    const closed = makeDesk('d2', { open: false });
    expect([...deskServiceIds('d1', ctx(services, [d1, closed]))].sort()).toEqual(['a', 'c']);
  });
});

describe('who is next', () => {
  const services = [
    makeService('svc-a'),
    makeService('svc-prm', { prm: true }),
    makeService('svc-prio', { prioritize: true }),
    makeService('svc-appt', { appointment: true }),
    makeService('svc-other', { deskIds: ['d2'] }),
  ];
  const desk = makeDesk('d1');
  const base = { deskId: 'd1', services, devices: [desk, makeDesk('d2')], store: makeStore() };

  it('calls PRM, prioritized services and prioritized customers before earlier arrivals', () => {
    const early = makeCustomer('early', { arrivalSeq: 1 });
    for (const late of [
      makeCustomer('prm', { serviceId: 'svc-prm', arrivalSeq: 5 }),
      makeCustomer('prio', { serviceId: 'svc-prio', arrivalSeq: 5 }),
      makeCustomer('vip', { prioritized: true, arrivalSeq: 5 }),
    ]) {
      expect(pickNext({ ...base, customers: [early, late], now: new Date(T0) })?.id).toBe(late.id);
    }
  });

  it('then sort time, then arrival sequence', () => {
    const a = makeCustomer('a', { arrivalSeq: 1, sortAt: iso(T0 + 5000) });
    const b = makeCustomer('b', { arrivalSeq: 2, sortAt: iso(T0 + 1000) });
    const c = makeCustomer('c', { arrivalSeq: 3, sortAt: iso(T0 + 1000) });
    expect(
      queueFor({ ...base, customers: [a, c, b], now: new Date(T0 + 10_000) }).map((x) => x.id),
    ).toEqual(['b', 'c', 'a']);
  });

  it('compares sort times as instants, whatever their offset', () => {
    const servicesById = new Map(services.map((s) => [s.id, s]));
    const a = makeCustomer('a', { arrivalSeq: 2, sortAt: '2025-03-10T10:00:00+01:00' });
    const b = makeCustomer('b', { arrivalSeq: 1, sortAt: '2025-03-10T09:30:00Z' });
    expect(compareQueueOrder(a, b, servicesById)).toBeLessThan(0);
  });

  it('does not call a checked-in appointment before appointment time minus tbm, then sorts it there', () => {
    const store = makeStore({ appointmentLeadMinutes: 10 });
    const at = T0 + 60 * MIN;
    const appt = makeCustomer('appt', {
      serviceId: 'svc-appt',
      arrivalSeq: 1,
      appointment: { at: iso(at), expired: false },
      sortAt: iso(at - 10 * MIN),
    });
    const walkIn = makeCustomer('walk', { arrivalSeq: 2, sortAt: iso(T0 + 30 * MIN) });
    const only = { ...base, store, customers: [appt] };
    expect(pickNext({ ...only, now: new Date(at - 11 * MIN) })).toBeNull();
    expect(pickNext({ ...only, now: new Date(at - 10 * MIN) })?.id).toBe('appt');
    // A walk-in who arrived before appointment time − tbm goes first.
    expect(pickNext({ ...base, store, customers: [appt, walkIn], now: new Date(at) })?.id).toBe(
      'walk',
    );
  });

  it('skips services the desk does not serve, other states and other stores', () => {
    const customers = [
      makeCustomer('other-svc', { serviceId: 'svc-other', arrivalSeq: 1 }),
      makeCustomer('called', { state: 'called', arrivalSeq: 2 }),
      makeCustomer('booked', { state: 'booked', arrivalSeq: 3 }),
      makeCustomer('elsewhere', { storeId: 'store-2', arrivalSeq: 4 }),
      makeCustomer('me', { arrivalSeq: 9 }),
    ];
    expect(pickNext({ ...base, customers, now: new Date(T0) })?.id).toBe('me');
  });

  it('skips a ticket its machine has not handed out yet (held), wherever it would stand', () => {
    const held = makeCustomer('held', { arrivalSeq: 1, held: true });
    const sentHeld = makeCustomer('sent-held', { arrivalSeq: 2, held: true, deskId: 'd1' });
    const prioHeld = makeCustomer('prio-held', { arrivalSeq: 3, held: true, prioritized: true });
    const next = makeCustomer('next', { arrivalSeq: 9 });
    const customers = [held, sentHeld, prioHeld, next];
    expect(pickNext({ ...base, customers, now: new Date(T0) })?.id).toBe('next');
    expect(queueFor({ ...base, customers, now: new Date(T0) }).map((c) => c.id)).toEqual(['next']);
    expect(pickNext({ ...base, customers: [held], now: new Date(T0) })).toBeNull();
    // Handed out: called in its place, before later arrivals.
    const handedOut = { ...held, held: false };
    expect(pickNext({ ...base, customers: [handedOut, next], now: new Date(T0) })?.id).toBe('held');
  });

  it('gives a customer sent to a desk to that desk only', () => {
    const sent = makeCustomer('sent', { arrivalSeq: 1, deskId: 'd2', serviceId: 'svc-a' });
    expect(pickNext({ ...base, customers: [sent], now: new Date(T0) })).toBeNull();
    expect(pickNext({ ...base, deskId: 'd2', customers: [sent], now: new Date(T0) })?.id).toBe(
      'sent',
    );
  });

  it('calls nobody from a paused or unknown desk, or on an empty queue', () => {
    const customers = [makeCustomer('x')];
    const paused = { ...base, devices: [makeDesk('d1', { pause: true })] };
    expect(pickNext({ ...paused, customers, now: new Date(T0) })).toBeNull();
    expect(pickNext({ ...base, deskId: 'nope', customers, now: new Date(T0) })).toBeNull();
    expect(pickNext({ ...base, customers: [], now: new Date(T0) })).toBeNull();
  });
});

// ---- properties over random store workloads -------------------------------------------------

const DESKS = ['d1', 'd2', 'd3'];
const SERVICES = ['s1', 's2', 's3', 's4'];

const workload = fc.record({
  services: fc.tuple(
    ...SERVICES.map((id) =>
      fc.record({
        id: fc.constant(id),
        prioritize: fc.boolean(),
        prm: fc.boolean(),
        deskIds: fc.subarray(DESKS),
      }),
    ),
  ),
  // Mostly callable desks, some paused, closed or redirecting: contention is what matters.
  desks: fc.tuple(
    ...DESKS.map((id) =>
      fc
        .constantFrom(
          {},
          {},
          {},
          { preClose: true },
          { pause: true },
          { open: false },
          { open: false, redirect: true },
        )
        .map((status) => ({ id, ...status })),
    ),
  ),
  redirectDesks: fc.boolean(),
  lead: fc.integer({ min: 0, max: 30 }),
  nowOffsetMin: fc.integer({ min: 0, max: 60 }),
  customers: fc.array(
    fc.record({
      state: fc.constantFrom('booked', 'waiting', 'waiting', 'waiting', 'called', 'done'),
      serviceId: fc.constantFrom(...SERVICES),
      prioritized: fc.boolean(),
      // A small range so sort times tie and the arrival sequence decides.
      sortMin: fc.integer({ min: 0, max: 12 }),
      apptMin: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) },
      ),
      deskId: fc.constantFrom<string | null>(null, null, null, null, null, ...DESKS),
      otherStore: fc.constantFrom(false, false, false, false, true),
      // A ticket its machine has not handed out yet (issue 17).
      held: fc.constantFrom(false, false, false, false, false, true),
    }),
    { minLength: 2, maxLength: 30, size: 'medium' },
  ),
});

type Workload = typeof workload extends fc.Arbitrary<infer W> ? W : never;

function build(w: Workload) {
  const store = makeStore({ redirectDesks: w.redirectDesks, appointmentLeadMinutes: w.lead });
  const services = w.services.map((s) =>
    makeService(s.id, { prioritize: s.prioritize, prm: s.prm, deskIds: s.deskIds }),
  );
  const devices = w.desks.map(({ id, ...status }) => makeDesk(id, status));
  const customers: Customer[] = w.customers.map((c, i) =>
    makeCustomer(`c${i}`, {
      state: c.state,
      serviceId: c.serviceId,
      prioritized: c.prioritized,
      arrivalSeq: i,
      sortAt: iso(T0 + c.sortMin * MIN),
      appointment: c.apptMin === null ? null : { at: iso(T0 + c.apptMin * MIN), expired: false },
      deskId: c.deskId,
      storeId: c.otherStore ? 'store-2' : 'store-1',
      held: c.held,
    }),
  );
  return { store, services, devices, customers, now: new Date(T0 + w.nowOffsetMin * MIN) };
}

/** The rule, written independently of shared/domain/queue.ts, as issue 2 states it. */
function oracleEligible(
  c: Customer,
  deskId: string,
  w: { store: Store; services: Service[]; devices: Device[]; now: Date },
): boolean {
  const desk = w.devices.find((d) => d.id === deskId);
  if (desk === undefined) return false;
  if (!desk.status.open || desk.status.pause || desk.status.redirect) return false;
  if (c.state !== 'waiting' || c.storeId !== w.store.id || c.held) return false;
  if (c.deskId !== null) {
    if (c.deskId !== deskId) return false;
  } else {
    const svc = w.services.find((s) => s.id === c.serviceId);
    if (svc === undefined) return false;
    const mine = svc.deskIds.length === 0 || svc.deskIds.includes(deskId);
    const redirected =
      w.store.redirectDesks &&
      svc.deskIds.some(
        (id) => id !== deskId && w.devices.find((d) => d.id === id)?.status.redirect === true,
      );
    if (!mine && !redirected) return false;
  }
  if (c.appointment !== null) {
    const earliest = Date.parse(c.appointment.at) - w.store.appointmentLeadMinutes * MIN;
    if (w.now.getTime() < earliest) return false;
  }
  return true;
}

function oracleKey(c: Customer, services: Service[]): [number, number, number] {
  const svc = services.find((s) => s.id === c.serviceId);
  const prio = c.prioritized || svc?.prioritize === true || svc?.prm === true;
  return [prio ? 0 : 1, Date.parse(c.sortAt), c.arrivalSeq];
}

function keyLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number);
  }
  return false;
}

describe('queue properties', () => {
  it('pickNext returns an eligible customer and no eligible customer ranks before it', () => {
    let contended = 0;
    fc.assert(
      fc.property(workload, fc.constantFrom(...DESKS), (w, deskId) => {
        const world = build(w);
        const picked = pickNext({ ...world, deskId });
        const eligible = world.customers.filter((c) => oracleEligible(c, deskId, world));
        if (eligible.length > 1) contended += 1;
        if (picked === null) return eligible.length === 0;
        if (!eligible.some((c) => c.id === picked.id)) return false;
        const pk = oracleKey(picked, world.services);
        return eligible.every((c) => !keyLess(oracleKey(c, world.services), pk));
      }),
      { seed: 42, numRuns: 400 },
    );
    // The workload must really make desks choose, or the property proves nothing.
    expect(contended).toBeGreaterThan(120);
  });

  it('no customer is handed to two desks, whatever order the desks call and finish in', () => {
    const steps = fc.array(
      fc.record({ desk: fc.constantFrom(...DESKS), action: fc.constantFrom('call', 'finish') }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(workload, steps, (w, actions) => {
        const world = build(w);
        let customers = world.customers;
        const holder = new Map<string, string>(); // customer id → desk currently holding it
        const current = new Map<string, string>(); // desk → customer id
        for (const { desk, action } of actions) {
          if (action === 'finish') {
            const id = current.get(desk);
            if (id === undefined) continue;
            customers = customers.map((c) =>
              c.id === id ? { ...c, state: transition(transition(c.state, 'start'), 'finish') } : c,
            );
            current.delete(desk);
            holder.delete(id);
            continue;
          }
          if (current.has(desk)) continue; // a desk finishes before calling again
          const next = pickNext({ ...world, customers, deskId: desk });
          if (next === null) continue;
          if (holder.has(next.id)) return false;
          if (customers.filter((c) => c.id === next.id)[0]?.state !== 'waiting') return false;
          customers = customers.map((c) =>
            c.id === next.id ? { ...c, state: transition(c.state, 'call'), deskId: desk } : c,
          );
          holder.set(next.id, desk);
          current.set(desk, next.id);
        }
        return true;
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
