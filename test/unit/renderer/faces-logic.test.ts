// The faces' pure choices: what the wall screen's big card and list show (together, and only
// what is true), the desk's next step and when "Done" is allowed, the wait a kiosk tells.
import { describe, expect, it } from 'vitest';
import type { CallAnnouncement } from '../../../shared/api/appliance-api.js';
import { applyEvent, newCustomer } from '../../../shared/domain/customer.js';
import { DisplayRuleSchema, type Customer } from '../../../shared/domain/entities.js';
import { waitText, t } from '../../../shared/i18n/index.js';
import { canFinish, nextStep } from '../../../renderer/desk/desk-flow.js';
import { nowCalling } from '../../../renderer/screen/now-calling.js';

const T0 = Date.parse('2026-12-02T09:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const store = { appointmentLeadMinutes: 10 };

function customer(n: number, name = 'Ada Lovelace'): Customer {
  return newCustomer({
    id: `c${n}`,
    storeId: 's',
    service: { id: 'svc', ticketPrefix: 'A' },
    machineId: null,
    registeredBy: 'k',
    request: {
      servicePath: ['svc'],
      lang: 'EN',
      contactMode: 'name',
      contact: { name },
      pager: null,
      appointment: null,
    },
    ticketNumber: n,
    ticketDay: '2026-12-02',
    issuedAt: at(0).toISOString(),
    arrivalSeq: n,
  });
}

const called = (c: Customer, s: number, deskId = 'd1') =>
  applyEvent(c, 'call', { now: at(s), store, deskId });

const announcement = (c: Customer, key: string): CallAnnouncement => ({
  key,
  customerId: c.id,
  ticket: c.ticket,
  deskId: c.deskId ?? 'd1',
  deskName: 'Desk 1',
  lang: 'EN',
  display: null,
  recall: false,
  at: c.calledAt ?? at(0).toISOString(),
});

const base = {
  deskName: () => 'Desk 1',
  rule: DisplayRuleSchema.parse({ screen: 'masked-name' }),
  limit: 4,
};

describe('the screen: big card and list together, only what is true', () => {
  it('holds a queued call out of both until its turn, then moves the previous one to the list', () => {
    const a = called(customer(1), 10);
    const b = called(customer(2, 'Grace Hopper'), 10.4, 'd2');
    const whileA = nowCalling({
      ...base,
      customers: [a, b],
      playing: announcement(a, '1:1'),
      queuedCustomerIds: new Set([b.id]),
    });
    expect(whileA.banner?.ticket).toBe(a.ticket);
    expect(whileA.others.map((c) => c.ticket)).toEqual([]);
    const whileB = nowCalling({
      ...base,
      customers: [a, b],
      playing: announcement(b, '1:2'),
      queuedCustomerIds: new Set(),
    });
    expect(whileB.banner?.ticket).toBe(b.ticket);
    expect(whileB.banner?.display).toBe('Grace H.');
    expect(whileB.others.map((c) => c.ticket)).toEqual([a.ticket]);
  });

  it('a called customer marked no-show, done or cancelled leaves the big card', () => {
    const a = called(customer(1), 10);
    for (const end of ['no_show', 'cancel'] as const) {
      const gone = applyEvent(a, end, { now: at(20), store });
      const shown = nowCalling({
        ...base,
        customers: [gone],
        playing: announcement(a, '1:1'),
        queuedCustomerIds: new Set(),
      });
      expect(shown.banner).toBeNull();
      expect(shown.others.map((c) => c.ticket)).toEqual([a.ticket]);
    }
    const done = applyEvent(a, 'finish', {
      now: at(20),
      store: { ...store, finishFromCalled: true },
    });
    expect(
      nowCalling({ ...base, customers: [done], playing: null, queuedCustomerIds: new Set() })
        .banner,
    ).toBeNull();
  });

  it('shows the call being announced before the replica has it', () => {
    const waiting = customer(1);
    const call = { ...announcement(waiting, '1:1'), at: at(10).toISOString() };
    const shown = nowCalling({
      ...base,
      customers: [waiting],
      playing: call,
      queuedCustomerIds: new Set(),
    });
    expect(shown.banner?.ticket).toBe(waiting.ticket);
  });
});

describe('the desk: one obvious press per step', () => {
  const c = customer(1);
  it('call, start, done; or call, done when the store finishes from called', () => {
    expect(nextStep(null, false)).toBe('callNext');
    expect(nextStep(called(c, 1), false)).toBe('startServing');
    expect(nextStep(applyEvent(called(c, 1), 'start', { now: at(2), store }), false)).toBe(
      'finish',
    );
    expect(nextStep(called(c, 1), true)).toBe('finish');
    expect(canFinish(called(c, 1), false)).toBe(false);
    expect(canFinish(called(c, 1), true)).toBe(true);
  });
});

describe('the kiosk: the wait it tells', () => {
  it('the first customer is next, never "0 min"; a wait is at least a minute', () => {
    expect(waitText('EN', 0, 0)).toBe(t('EN', 'kiosk.youreNext'));
    expect(waitText('EN', 1, 0.2)).toBe(t('EN', 'kiosk.minutes', { minutes: 1 }));
    expect(waitText('EN', 2, 7.1)).toBe(t('EN', 'kiosk.minutes', { minutes: 8 }));
    expect(waitText('EN', 0, 5)).not.toContain('0 min');
  });
});
