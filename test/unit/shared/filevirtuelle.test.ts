import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FV_ERRORS,
  FvCustomerSchema,
  FvCustomerTypeSchema,
  WireMappingError,
  applyCustomerUpdate,
  customerFromWire,
  customerToWire,
  deviceFromWire,
  deviceToWire,
  flagsToState,
  fvErrorBody,
  organizationFromWire,
  organizationToWire,
  registerFromWire,
  serviceFromWire,
  serviceToWire,
  stateToFlags,
  storeFromWire,
  storeToWire,
} from '../../../shared/adapters/filevirtuelle.js';
import { CUSTOMER_STATES } from '../../../shared/domain/lifecycle.js';
import { DisplayRuleSchema } from '../../../shared/domain/entities.js';
import { FV_EXAMPLES } from './fv-examples.js';
import { T0, iso, makeCustomer } from './fixtures.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('FileVirtuelle entities', () => {
  it('maps the documented organization both ways', () => {
    const org = organizationFromWire(FV_EXAMPLES.organization);
    expect(org).toMatchObject({
      id: '5693bcd506c3c0b5bc68eaf1',
      name: 'Apple',
      colorOne: '#000000',
    });
    expect(organizationToWire(org)).toEqual(FV_EXAMPLES.organization);
  });

  it('maps the documented suborganization with its whole config both ways', () => {
    const store = storeFromWire(FV_EXAMPLES.suborganization);
    expect(store).toMatchObject({
      id: '57be88e6da119ee36dcd0084',
      timeZone: 'Europe/Paris',
      langs: ['FR'],
      storeCode: '907029',
      callByPeople: true,
      appointmentLeadMinutes: 10,
      turnNearPeople: 2,
      turnNearMinutes: 10,
      allowNameRegistration: true,
      redirectDesks: true,
      floatingDesks: true,
      cssTemplate: 'apple',
      pagers: { enabled: true, provider: 'syscall' },
      appointments: { onMachine: true, block: 10, expiredAfterMinutes: 10, provider: 'affluences' },
    });
    expect(store.sms.sender).toBe('Darty');
    expect(store.sms.texts.wait.FR).toMatch(/^Vous avez le numéro \{customer.ticket\}/);
    expect(store.sms.texts.meeting.FR).toContain('{customer.mt_str}');
    expect(store.email.provider).toBe('');
    // `display` is an empty object in the documentation: Lineup writes its rule there.
    const expected = {
      ...clone(FV_EXAMPLES.suborganization),
      display: { screen: 'ticket', desk: 'full-name' },
    };
    expect(storeToWire(store)).toEqual(expected);
    expect(storeFromWire(storeToWire(store))).toEqual(store);
  });

  it('maps the documented device; an empty suborganization is a clear error', () => {
    expect(() => deviceFromWire(FV_EXAMPLES.device)).toThrow(WireMappingError);
    expect(() => deviceFromWire(FV_EXAMPLES.device)).toThrow(/storeId/);
    const wire = { ...clone(FV_EXAMPLES.device), suborganization: '57be88e6da119ee36dcd0084' };
    const device = deviceFromWire(wire);
    expect(device).toMatchObject({
      role: 'desk',
      mac: 'AC:AF:B9:37:CB:46',
      status: { open: true, pause: false, preClose: false, redirect: false },
      pause: { since: '2018-06-01T05:59:21.371Z', minutes: 0 },
    });
    expect(deviceToWire(device)).toEqual(wire);
  });

  it('maps the documented prequalification and keeps the Lineup-only ticket prefix from base', () => {
    const service = serviceFromWire(FV_EXAMPLES.prequalification, { ticketPrefix: 'C' });
    expect(service).toMatchObject({
      isRoot: true,
      serviceMinutes: 0,
      deskOrder: 3,
      ticketPrefix: 'C',
    });
    expect(service.htmlName.EN).toBe('I have<br />an appointment');
    expect(serviceToWire(service)).toEqual(FV_EXAMPLES.prequalification);
  });

  it('maps the documented customers', () => {
    const c = customerFromWire(FV_EXAMPLES.customer, { timeZone: 'Europe/Paris', arrivalSeq: 4 });
    expect(c).toMatchObject({
      id: '5b5c2394145bec468791489e',
      state: 'waiting',
      contactMode: 'name',
      contact: { name: 'John Smith' },
      ticket: '1',
      ticketPrefix: '',
      ticketNumber: 1,
      ticketDay: '2018-07-28',
      servicePath: ['59730cbc8543a51c99b6c388', '599340cba4d52e429cbc44b3'],
      deskId: null,
      appointment: null,
    });
    const wire = customerToWire(c, { display: DisplayRuleSchema.parse({ screen: 'first-name' }) });
    const { display, display_desk, desk, ...rest } = wire;
    const { display: _d, display_desk: _dd, desk: _k, ...original } = clone(FV_EXAMPLES.customer);
    expect(rest).toEqual(original);
    expect([display, display_desk, desk]).toEqual(['John', 'John Smith', '']);

    const a = customerFromWire(FV_EXAMPLES.customerWithAppointment, { timeZone: 'Europe/Paris' });
    expect(a).toMatchObject({
      state: 'booked',
      contactMode: 'phone',
      contact: { phone: '0033688912727', name: 'Corentin Ribeyre' },
      appointment: { at: '2018-07-28T20:00:00.000Z', externalId: '167839', expired: false },
      checkedInAt: null,
    });
    const aw = customerToWire(a, { display: DisplayRuleSchema.parse({ screen: 'masked-name' }) });
    expect(aw).toMatchObject({
      rsvp: false,
      meeting: true,
      digital: true,
      type: 'phone',
      display: 'Corentin R.',
    });
  });

  it('refuses a customer that does not fit, saying which field', () => {
    const bad = { ...clone(FV_EXAMPLES.customer), utimestamp: 'yesterday' };
    expect(() => customerFromWire(bad, { timeZone: 'Europe/Paris' })).toThrow(/utimestamp/);
  });
});

describe('lifecycle state ↔ FileVirtuelle flags', () => {
  it('documents each state as rsvp / called / processed', () => {
    expect(CUSTOMER_STATES.map((s) => [s, stateToFlags(s)])).toEqual([
      ['booked', { rsvp: false, called: false, processed: false }],
      ['waiting', { rsvp: true, called: false, processed: false }],
      ['called', { rsvp: true, called: true, processed: false }],
      ['serving', { rsvp: true, called: true, processed: false }],
      ['done', { rsvp: true, called: true, processed: true }],
      ['no_show', { rsvp: true, called: false, processed: true }],
      ['cancelled', { rsvp: true, called: false, processed: true }],
    ]);
  });

  it('reads every state back, knowing the previous one', () => {
    for (const s of CUSTOMER_STATES) expect(flagsToState(stateToFlags(s), s)).toBe(s);
    expect(flagsToState({ rsvp: true, called: false, processed: true }, 'called')).toBe('no_show');
    expect(flagsToState({ rsvp: true, called: false, processed: true }, 'waiting')).toBe(
      'cancelled',
    );
    expect(flagsToState({ rsvp: true, called: true, processed: false }, 'waiting')).toBe('called');
  });

  it('property: a domain customer survives the wire with its state and never shows contact data on screens', () => {
    const arb = fc.record({
      state: fc.constantFrom(...CUSTOMER_STATES),
      name: fc.option(fc.constantFrom('Ann Lee', 'Björn Ek', 'سارة علي'), { nil: undefined }),
      phone: fc.option(fc.constant('+46 70 123 45 67'), { nil: undefined }),
      email: fc.option(fc.constant('ann@example.com'), { nil: undefined }),
      prioritized: fc.boolean(),
      appt: fc.boolean(),
      screen: fc.constantFrom('ticket', 'first-name', 'masked-name'),
    });
    fc.assert(
      fc.property(arb, (v) => {
        const contact = {
          ...(v.name === undefined ? {} : { name: v.name }),
          ...(v.phone === undefined ? {} : { phone: v.phone }),
          ...(v.email === undefined ? {} : { email: v.email }),
        };
        const called = ['called', 'serving', 'done', 'no_show'].includes(v.state);
        const c = makeCustomer('c1', {
          state: v.state,
          contact,
          contactMode:
            v.phone !== undefined ? 'phone' : v.email !== undefined ? 'email' : 'anonymous',
          prioritized: v.prioritized,
          // A booked customer always has an appointment.
          appointment:
            v.appt || v.state === 'booked' ? { at: iso(T0 + 3_600_000), expired: false } : null,
          checkedInAt: v.state === 'booked' ? null : iso(T0),
          calledAt: called ? iso(T0 + 60_000) : null,
          deskId: called ? 'desk-1' : null,
        });
        const wire = customerToWire(c, { display: DisplayRuleSchema.parse({ screen: v.screen }) });
        FvCustomerSchema.parse(wire);
        const shown = `${wire.display ?? ''}`;
        if (shown.includes('@') || shown.includes('70 123')) return false;
        const back = customerFromWire(wire, { base: c, timeZone: 'Europe/Paris' });
        return (
          back.state === c.state &&
          back.prioritized === c.prioritized &&
          JSON.stringify(back.contact) === JSON.stringify(c.contact) &&
          back.deskId === c.deskId &&
          (back.appointment?.at ?? null) === (c.appointment?.at ?? null)
        );
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('FileVirtuelle requests', () => {
  const body = {
    lang: 'FR',
    phone: '0689091314',
    prequalification: '507f1f77bcf86cd799439011',
    suborganization: '57be88e6da119ee36dcd0084',
    prequalifications_path: ['507f1f77bcf86cd799439011'],
    machine: '508f1f79bcf97cd799439018',
  };

  it('reads the documented /register bodies', () => {
    const r = registerFromWire(body);
    expect(r).toEqual({
      ok: true,
      storeId: body.suborganization,
      machineId: body.machine,
      registration: {
        serviceId: body.prequalification,
        servicePath: body.prequalifications_path,
        lang: 'FR',
        contactMode: 'phone',
        contact: { phone: '0689091314' },
        appointment: null,
      },
    });
    const appt = registerFromWire({
      ...body,
      name: 'John Smith',
      mtimestamp: '2018-06-25T15:15:00.000Z',
      meeting: true,
      external_meeting_id: 'john_smith_201806251515',
    });
    expect(appt.ok && appt.registration.appointment).toEqual({
      at: '2018-06-25T15:15:00.000Z',
      externalId: 'john_smith_201806251515',
    });
  });

  it('names the documented error for bad bodies', () => {
    const { phone: _p, ...noContact } = body;
    expect(registerFromWire(noContact)).toEqual({
      ok: false,
      field: 'name',
      error: 'InvalidContactInformation',
    });
    expect(registerFromWire({ ...body, lang: 'French' })).toEqual({
      ok: false,
      field: 'lang',
      error: 'InvalidLang',
    });
    expect(registerFromWire({ ...body, meeting: true, mtimestamp: '25/06/2018' })).toEqual({
      ok: false,
      field: 'mtimestamp',
      error: 'InvalidIso8601',
    });
    expect(registerFromWire({ ...body, prequalification: 3 })).toEqual({
      ok: false,
      field: 'prequalification',
      error: 'InvalidPrequalification',
    });
    expect(fvErrorBody('InvalidLang')).toEqual({
      code: 422,
      error: 'InvalidLang',
      message: 'Invalid lang. Use ISO 639-1 two characters codename',
    });
    expect(Object.keys(FV_ERRORS)).toHaveLength(20);
  });

  it('reads a body without suborganization, as the documented examples send it', () => {
    const { suborganization: _s, ...documented } = body;
    expect(registerFromWire(documented)).toMatchObject({ ok: true, storeId: null });
  });

  it.each([
    [{ prequalifications_path: 'x' }, 'prequalifications_path', 'InvalidPrequalification'],
    [
      { prequalifications_path: ['not an id!'] },
      'prequalifications_path',
      'InvalidPrequalification',
    ],
    [{ phone: 'call me maybe' }, 'phone', 'InvalidContactInformation'],
    [{ phone: undefined, email: 'nope' }, 'email', 'InvalidContactInformation'],
    [{ machine: 42 }, 'machine', 'InvalidDevice'],
    [{ suborganization: false }, 'suborganization', 'InvalidSuborganization'],
    [{ meeting: 'true' }, 'meeting', null],
    [
      { meeting: true, mtimestamp: '2030-01-01T10:00:00Z', external_meeting_id: 'x'.repeat(201) },
      'external_meeting_id',
      null,
    ],
  ])('names the field at fault in %j', (over, field, error) => {
    expect(registerFromWire({ ...body, ...over })).toEqual({ ok: false, field, error });
  });

  it('refuses a body that is not an object', () => {
    for (const bad of [null, [], 'x', 3]) {
      expect(registerFromWire(bad)).toEqual({ ok: false, field: 'body', error: null });
    }
  });

  it('writes only the documented customer types, a ticket-only customer as name', () => {
    expect(FvCustomerTypeSchema.options).toEqual(['name', 'phone', 'email', 'vibration']);
    const ticketOnly = makeCustomer('c1', { contactMode: 'anonymous', contact: {} });
    const wire = customerToWire(ticketOnly, { display: DisplayRuleSchema.parse({}) });
    expect(wire.type).toBe('name');
    expect(customerFromWire(wire, { timeZone: 'Europe/Paris' }).contactMode).toBe('anonymous');
    expect(FvCustomerSchema.safeParse({ ...wire, type: 'anonymous' }).success).toBe(false);
  });

  it('turns a PUT /customer into field changes and legal lifecycle events', () => {
    const c = makeCustomer('c1', { contact: { name: 'Old' } });
    const done = applyCustomerUpdate(c, { _id: 'c1', called: true, processed: true, name: 'New' });
    expect(done.events).toEqual(['call', 'start', 'finish']);
    expect(done.targetState).toBe('done');
    expect(done.customer.contact.name).toBe('New');
    expect(done.customer.state).toBe('waiting'); // the caller applies the events
    const moved = applyCustomerUpdate(c, {
      _id: 'c1',
      mtimestamp: '2018-07-30T15:00:00.000Z',
      expired: false,
      name: 'New Name of the Customer',
    });
    expect(moved.events).toEqual([]);
    expect(moved.customer.appointment).toEqual({ at: '2018-07-30T15:00:00.000Z', expired: false });
    const finished = makeCustomer('c2', { state: 'done' });
    expect(() =>
      applyCustomerUpdate(finished, { _id: 'c2', processed: false, called: false }),
    ).toThrow(/done cannot become waiting/);
    expect(() => applyCustomerUpdate(c, { _id: 'c1', prioritized: 'yes' })).toThrow(
      WireMappingError,
    );
  });
});
