import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OutboxMessageSchema,
  notificationsFor,
  type NotifyContext,
} from '../../../cloud/notify/notifications-for.js';
import { normalisePhone } from '../../../cloud/notify/phone.js';
import { signBody, verifyBody } from '../../../cloud/notify/signing.js';
import { render } from '../../../cloud/notify/texts.js';
import { backoffMs } from '../../../cloud/notify/worker.js';
import { DeliverySettingsSchema } from '../../../cloud/notify/settings.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { applyEvent, newCustomer } from '../../../shared/domain/customer.js';
import type { Customer, Store } from '../../../shared/domain/entities.js';
import type { Change, ChangeEvent } from '../../../shared/protocol/sync.js';

const EMPTY_TEXTS = { wait: {}, go: {}, comeback: {}, screen: {}, meeting: {} };

const store: Store = {
  ...demoStore.store,
  sms: {
    ...demoStore.store.sms,
    enabled: true,
    // Only the texts this test sends (not the demo's own).
    texts: { ...EMPTY_TEXTS, wait: { FR: 'Vous avez le numéro {customer.ticket}.' } },
  },
  email: {
    ...demoStore.store.email,
    enabled: true,
    texts: { ...EMPTY_TEXTS, comeback: { EN: 'Come back, {customer.ticket}' } },
  },
};

const customer = (over: Partial<Customer> = {}): Customer => ({
  ...newCustomer({
    id: 'c1',
    storeId: store.id,
    service: { id: 'demo-accessories', ticketPrefix: 'A' },
    machineId: 'demo-kiosk',
    registeredBy: 'api-key-1',
    request: {
      servicePath: [],
      lang: 'FR',
      contactMode: 'phone',
      contact: { phone: '06 89 09 13 14', email: 'c@example.test' },
      pager: null,
      appointment: null,
    },
    ticketNumber: 7,
    ticketDay: '2026-12-02',
    issuedAt: '2026-12-02T09:00:00.000Z',
    arrivalSeq: 1,
    mustWait: true,
  }),
  ...over,
});

const change = (event: ChangeEvent, c: Customer, seq = 1): Change => ({
  storeId: store.id,
  epoch: 'e1',
  seq,
  at: '2026-12-02T09:00:00.000Z',
  origin: 'demo-kiosk',
  commandId: null,
  event,
  entity: { kind: 'customer', customer: c },
});

const ctx: NotifyContext = {
  store,
  webhookUrl: 'https://partner.example/notify',
  pushId: 'USER_PUSH_ID',
  fvUrls: { apiKey: 'api-key-1', next: 'https://myorg.com/notify/next_customer', processed: '' },
  reminders: [
    { id: 1, minutesBefore: 1440 },
    { id: 2, minutesBefore: 120 },
  ],
};

describe('notificationsFor', () => {
  it('turns a registration into TICKET_BOOKED and the store\'s "wait" SMS in E.164', () => {
    const out = notificationsFor(change('registered', customer()), ctx);
    expect(out.map((e) => [e.id, e.channel, e.endpoint])).toEqual([
      ['c1.TICKET_BOOKED.webhook', 'webhook', 'https://partner.example/notify'],
      ['c1.wait.sms', 'sms', '+33689091314'],
    ]);
    const sms = OutboxMessageSchema.parse(out[1]?.message);
    expect(sms).toMatchObject({ kind: 'sms', text: 'Vous avez le numéro A7.' });
    const body = JSON.parse((OutboxMessageSchema.parse(out[0]?.message) as { body: string }).body);
    expect(body).toEqual({
      pushId: 'USER_PUSH_ID',
      message: {
        action: 'TICKET_BOOKED',
        content: 'Bienvenue ! Vous avez le ticket A7.',
        data: {
          id: 'c1',
          label: 'A7',
          date: '2026-12-02T09:00:00.000Z',
          queueId: 'demo-accessories',
          status: 'waiting',
          appointmentDate: null,
        },
      },
    });
  });

  it('sends the comeback email on the alert, and calls urls.next on a call', () => {
    const alerted = notificationsFor(
      change('alerted', customer({ alerted: true, lang: 'EN' })),
      ctx,
    );
    expect(alerted.map((e) => e.id)).toEqual(['c1.TICKET_ALERTED.webhook', 'c1.comeback.email']);
    const called = applyEvent(customer(), 'call', {
      now: new Date('2026-12-02T09:10:00.000Z'),
      store,
      deskId: 'demo-desk-1',
    });
    expect(notificationsFor(change('called', called), ctx).map((e) => e.id)).toEqual([
      'c1.TICKET_CALLED.e1-1.webhook',
      'c1.called.e1-1.fv_next',
    ]);
  });

  it('tells each call again after a hold or a transfer, with the call text, and each hold', () => {
    const callStore: Store = {
      ...store,
      notifyOnCall: true,
      sms: { ...store.sms, texts: { ...EMPTY_TEXTS, screen: { EN: 'Go to {desk.name}' } } },
    };
    const at = (minute: number) => new Date(`2026-12-02T09:${minute}:00.000Z`);
    let c = customer({ lang: 'EN', contact: { phone: '+33689091314' } });
    const ids: string[] = [];
    let seq = 1;
    for (const [event, logged] of [
      ['call', 'called'],
      ['hold', 'put_back'],
      ['call', 'called'],
      ['transfer', 'transferred'],
      ['call', 'called'],
    ] as const) {
      seq += 1;
      c = applyEvent(c, event, { now: at(10 + seq), store: callStore, deskId: 'demo-desk-1' });
      ids.push(
        ...notificationsFor(change(logged, c, seq), { ...ctx, store: callStore }).map((e) => e.id),
      );
    }
    // Three calls told three times on each channel, and the hold once: none is dropped as a
    // repeat of another.
    expect(ids.filter((id) => id.includes('.TICKET_CALLED.'))).toHaveLength(3);
    expect(ids.filter((id) => id.endsWith('.sms'))).toHaveLength(3);
    expect(ids.filter((id) => id.endsWith('.fv_next'))).toHaveLength(3);
    expect(ids.filter((id) => id.includes('.TICKET_ONHOLD.'))).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    // The same change made again (a retried transaction) has the same keys.
    expect(notificationsFor(change('called', c, seq), { ...ctx, store: callStore })).toEqual(
      notificationsFor(change('called', c, seq), { ...ctx, store: callStore }),
    );
  });

  it('schedules TICKET_REMIND_n before a booked appointment, and nothing without a pushID', () => {
    const booked = customer({
      state: 'booked',
      appointment: { at: '2026-12-04T15:00:00.000Z', expired: false },
    });
    const out = notificationsFor(change('registered', booked), ctx);
    expect(out.map((e) => [e.id, new Date(e.notBeforeMs).toISOString()])).toEqual([
      ['c1.TICKET_BOOKED.webhook', '2026-12-02T09:00:00.000Z'],
      ['c1.TICKET_REMIND_1.webhook', '2026-12-03T15:00:00.000Z'],
      ['c1.TICKET_REMIND_2.webhook', '2026-12-04T13:00:00.000Z'],
    ]);
    expect(notificationsFor(change('registered', booked), { ...ctx, pushId: null })).toEqual([]);
  });

  it('gives the same keys for the same change and different keys for different events', () => {
    const events: ChangeEvent[] = [
      'registered',
      'alerted',
      'called',
      'serving',
      'done',
      'no_show',
      'cancelled',
      'put_back',
    ];
    fc.assert(
      fc.property(
        fc.subarray(events, { minLength: 1 }),
        fc.integer({ min: 0, max: 3 }),
        (picked, recalls) => {
          const c = customer({ recalls });
          const ids = picked.flatMap((e) => notificationsFor(change(e, c), ctx).map((n) => n.id));
          expect(new Set(ids).size).toBe(ids.length);
          const again = picked.flatMap((e) => notificationsFor(change(e, c), ctx).map((n) => n.id));
          expect(again).toEqual(ids);
        },
      ),
      { seed: 10, numRuns: 100 },
    );
  });
});

describe('notification helpers', () => {
  it('fills the seed placeholders and leaves unknown ones visible', () => {
    expect(
      render('{customer.ticket} à {customer.mt_str} {x.y}', {
        'customer.ticket': 'A1',
        'customer.mt_str': '14:00',
      }),
    ).toBe('A1 à 14:00 {x.y}');
  });

  it('normalises phone numbers with the store country', () => {
    expect(normalisePhone('0689091314', 'FR')).toBe('+33689091314');
    expect(normalisePhone('+46 70 123 45 67', 'FR')).toBe('+46701234567');
    expect(normalisePhone('12', 'FR')).toBeNull();
  });

  it('signs timestamp and body; any change breaks the signature', () => {
    const sig = signBody('s3cret', '1700000000', '{"a":1}');
    expect(verifyBody('s3cret', '1700000000', '{"a":1}', sig)).toBe(true);
    expect(verifyBody('s3cret', '1700000001', '{"a":1}', sig)).toBe(false);
    expect(verifyBody('s3cret', '1700000000', '{"a":2}', sig)).toBe(false);
  });

  it('backs off exponentially with jitter, capped', () => {
    const settings = DeliverySettingsSchema.parse({ backoffMs: 1000, maxBackoffMs: 60_000 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, r) => {
          const full = Math.min(60_000, 1000 * 2 ** attempts);
          const d = backoffMs(attempts, settings, () => r);
          expect(d).toBeGreaterThanOrEqual(full / 2 - 1);
          expect(d).toBeLessThanOrEqual(full);
        },
      ),
      { seed: 10 },
    );
  });
});
