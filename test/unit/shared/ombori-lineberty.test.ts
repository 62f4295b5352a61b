import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OmboriTicketSchema,
  checkInPositionPayload,
  customerFromOmbori,
  customerToOmbori,
  omboriCheckInQr,
  omboriStatusToState,
  parseCheckInPosition,
  stateToOmboriStatus,
} from '../../../shared/adapters/ombori.js';
import {
  LinebertyMessageSchema,
  linebertyAction,
  linebertyMessage,
} from '../../../shared/adapters/lineberty.js';
import { WireMappingError } from '../../../shared/adapters/filevirtuelle.js';
import { CUSTOMER_EVENTS, CUSTOMER_STATES } from '../../../shared/domain/lifecycle.js';
import { T0, iso, makeCustomer } from './fixtures.js';
import { OMBORI_SEED_TICKET } from '../../support/ombori-seed.js';

// The seed's example with real booking times, so it can be imported as it stands.
const SEED_TICKET = {
  ...OMBORI_SEED_TICKET,
  booking: { ...OMBORI_SEED_TICKET.booking, start: '2020-05-26 17:00', end: '2020-05-26 17:15' },
};

describe('Ombori tickets', () => {
  it('maps every lifecycle state to the documented statuses and back', () => {
    expect(CUSTOMER_STATES.map(stateToOmboriStatus)).toEqual([
      'draft',
      'pending',
      'notified',
      'fulfilled',
      'completed',
      'rejected',
      'rejected',
    ]);
    for (const s of CUSTOMER_STATES) {
      const back = omboriStatusToState(stateToOmboriStatus(s), { wasCalled: s === 'no_show' });
      expect(back).toBe(s);
    }
    expect(omboriStatusToState('rejected', { wasCalled: true, rejectedByCustomer: true })).toBe(
      'cancelled',
    );
  });

  it('reads the seed example (schema), and imports it as a booked customer', () => {
    expect(OmboriTicketSchema.safeParse(SEED_TICKET).success).toBe(true);
    const c = customerFromOmbori(SEED_TICKET, {
      timeZone: 'Europe/Stockholm',
      storeId: 'store-1',
      arrivalSeq: 3,
      ticketNumber: 7,
    });
    expect(c).toMatchObject({
      state: 'booked',
      serviceId: '1234_id',
      ticket: 'A7',
      lang: 'EN',
      contactMode: 'phone',
      contact: { phone: '+48888888888', email: 'test@email.com' },
      // 17:00 in Stockholm (summer, UTC+2).
      appointment: { at: '2020-05-26T15:00:00.000Z', externalId: '****' },
      checkedInAt: null,
    });
    expect(() =>
      customerFromOmbori(SEED_TICKET, {
        timeZone: 'Europe/Stockholm',
        storeId: 's',
        arrivalSeq: 0,
      }),
    ).toThrow(/no label yet/);
    // A confirmation of this booking carries Ombori's own check-in QR; a Lineup ticket none.
    expect(omboriCheckInQr(c)).toBe(SEED_TICKET.QRCodeCheckInPositionId);
    expect(omboriCheckInQr(makeCustomer('native'))).toBeNull();
    expect(() =>
      customerFromOmbori(
        { ...SEED_TICKET, status: 'lost' },
        { timeZone: 'UTC', storeId: 's', arrivalSeq: 0 },
      ),
    ).toThrow(WireMappingError);
  });

  it('exports a customer with the check-in QR payload and local booking times', () => {
    const c = makeCustomer('c-1', {
      state: 'called',
      contactMode: 'phone',
      contact: { phone: '+46701234567', name: 'Sara' },
      appointment: { at: '2025-07-01T08:00:00.000Z', expired: false },
      calledAt: iso(T0),
      deskId: 'desk-2',
      lang: 'SV',
    });
    const servedBy = { id: 'staff-1', email: 'ann@example.com', displayName: 'Ann' };
    const t = customerToOmbori(c, { timeZone: 'Europe/Stockholm', slotMinutes: 20, servedBy });
    expect(t).toMatchObject({
      id: 'c-1',
      type: 'booking',
      status: 'notified',
      locale: 'sv',
      label: c.ticket,
      queue: 'store-1',
      station: { id: 'svc-a', label: 'A' },
      booking: { start: '2025-07-01 10:00', end: '2025-07-01 10:20' },
      registrationData: { phone: { value: '+46701234567' }, name: { value: 'Sara' } },
      notification: { type: 'phoneNumber', settings: { to: '+46701234567' } },
      servedBy,
    });
    expect(parseCheckInPosition(t.QRCodeCheckInPositionId ?? '')).toBe('c-1');
    expect(parseCheckInPosition(SEED_TICKET.QRCodeCheckInPositionId)).toBe(
      'ce4a66df-51ff-47af-bf5e-4e26f82d266b',
    );
    expect(parseCheckInPosition('A12')).toBeNull();
    expect(parseCheckInPosition('{"type":"other","positionId":"x"}')).toBeNull();
    expect(checkInPositionPayload('p')).toBe('{"type":"check-in-position","positionId":"p"}');
  });

  it('property: export then import keeps state, ticket, contact, appointment and priority', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CUSTOMER_STATES),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('EN', 'AR', 'SV'),
        (state, prioritized, hasPhone, lang) => {
          const wasCalled = ['called', 'serving', 'done', 'no_show'].includes(state);
          const c = makeCustomer('c-9', {
            state,
            prioritized,
            lang,
            contactMode: hasPhone ? 'phone' : 'anonymous',
            contact: hasPhone ? { phone: '+33612345678' } : {},
            appointment:
              state === 'booked' ? { at: '2025-03-10T15:30:00.000Z', expired: false } : null,
            checkedInAt: state === 'booked' ? null : iso(T0),
            calledAt: wasCalled ? iso(T0 + 60_000) : null,
            servingAt: ['serving', 'done'].includes(state) ? iso(T0 + 120_000) : null,
            finishedAt: ['done', 'no_show', 'cancelled'].includes(state) ? iso(T0 + 300_000) : null,
            deskId: wasCalled ? 'desk-1' : null,
            machineId: 'kiosk-1',
          });
          const t = OmboriTicketSchema.parse(
            JSON.parse(JSON.stringify(customerToOmbori(c, { timeZone: 'Europe/Paris' }))),
          );
          // A draft has no label yet: it is numbered where it is imported.
          const back = customerFromOmbori(t, {
            timeZone: 'Europe/Paris',
            storeId: 'store-1',
            arrivalSeq: 1,
            ticketNumber: c.ticketNumber,
            ticketPrefix: c.ticketPrefix,
          });
          return (
            back.state === c.state &&
            back.ticket === c.ticket &&
            back.prioritized === c.prioritized &&
            back.lang === c.lang &&
            back.contactMode === c.contactMode &&
            back.contact.phone === c.contact.phone &&
            (back.appointment?.at ?? null) === (c.appointment?.at ?? null) &&
            back.calledAt === c.calledAt &&
            // Kept whole, so the ticket goes back out as it came in.
            isDeepStrictEqual(
              JSON.parse(JSON.stringify(customerToOmbori(back, { timeZone: 'Europe/Paris' }))),
              t,
            )
          );
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('Lineberty actions', () => {
  it('gives each transition its documented action, ALERTED for the turn-near alert', () => {
    expect(Object.fromEntries(CUSTOMER_EVENTS.map((e) => [e, linebertyAction(e)]))).toEqual({
      check_in: null,
      call: 'TICKET_CALLED',
      recall: 'TICKET_CALLED',
      start: 'TICKET_INPROGRESS',
      finish: 'TICKET_DONE',
      no_show: 'TICKET_NOSHOW',
      cancel: 'TICKET_CANCELED',
      hold: 'TICKET_ONHOLD',
      transfer: null,
    });
    expect(linebertyAction('registered')).toBe('TICKET_BOOKED');
    expect(linebertyAction('alerted')).toBe('TICKET_ALERTED');
  });

  it('builds the documented message shape', () => {
    const c = makeCustomer('c-1', { ticket: 'A12' });
    const m = linebertyMessage(
      c,
      'call',
      'PUSH',
      "Dear Client, it's now your turn, please go to counter 3",
    );
    expect(LinebertyMessageSchema.parse(m)).toEqual({
      pushId: 'PUSH',
      message: {
        action: 'TICKET_CALLED',
        content: "Dear Client, it's now your turn, please go to counter 3",
        data: {
          id: 'c-1',
          label: 'A12',
          date: c.registeredAt,
          queueId: 'svc-a',
          status: 'waiting',
          appointmentDate: null,
        },
      },
    });
    expect(linebertyMessage(c, 'transfer', 'PUSH', '')).toBeNull();
    expect(
      LinebertyMessageSchema.safeParse({
        ...m,
        message: { ...m?.message, action: 'TICKET_REMIND_12345' },
      }).success,
    ).toBe(true);
    expect(
      LinebertyMessageSchema.safeParse({ ...m, message: { ...m?.message, action: 'TICKET_LOST' } })
        .success,
    ).toBe(false);
  });
});
