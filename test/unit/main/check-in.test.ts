// Check-in codes: every scan format becomes the id the hub looks up; anything else is refused
// with a reason before it could reach the hub.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApplianceError } from '../../../shared/api/appliance-api.js';
import { formatLineupAppointmentQr, formatLineupTicketQr } from '../../../shared/scanner/index.js';
import { checkInPayload } from '../../../main/runtime/roles/check-in.js';

function refusal(raw: string, storeId: string | null = 'demo-store'): ApplianceError {
  try {
    checkInPayload(raw, storeId);
  } catch (error) {
    if (error instanceof ApplianceError) return error;
    throw error;
  }
  throw new Error(`"${raw}" was accepted`);
}

describe('checkInPayload', () => {
  it('takes the customer id out of the QR printed on Lineup tickets', () => {
    const qr = formatLineupTicketQr({
      storeId: 'demo-store',
      customerId: 'c0ffee42',
      ticket: 'A7',
    });
    expect(checkInPayload(`${qr}\r\n`, 'demo-store')).toEqual({
      kind: 'lineup-ticket',
      version: 1,
      customerId: 'c0ffee42',
      storeId: 'demo-store',
      ticket: 'A7',
    });
  });

  it('takes the customer id out of a Lineup booking QR', () => {
    const qr = formatLineupAppointmentQr({ storeId: 'demo-store', customerId: 'b00k1' });
    expect(checkInPayload(qr, 'demo-store')).toMatchObject({
      kind: 'lineup-appointment',
      customerId: 'b00k1',
    });
  });

  it("takes the position id out of Ombori's check-in QR", () => {
    expect(
      checkInPayload('{"type":"check-in-position","positionId":"pos-77"}', 'demo-store'),
    ).toEqual({ kind: 'ombori-check-in', positionId: 'pos-77' });
  });

  it('takes the appointment id out of APPT-/APT- codes, and keeps a typed booking reference', () => {
    expect(checkInPayload('APPT-E2E123', 'demo-store')).toEqual({
      kind: 'appointment',
      externalId: 'E2E123',
    });
    expect(checkInPayload('apt-xyz_9', null)).toEqual({ kind: 'appointment', externalId: 'xyz_9' });
    expect(checkInPayload('  BOOK-4411 ', 'demo-store')).toEqual({
      kind: 'typed',
      code: 'BOOK-4411',
    });
  });

  it('refuses a ticket of another store', () => {
    const qr = formatLineupTicketQr({ storeId: 'other-store', customerId: 'c1', ticket: 'A1' });
    expect(refusal(qr)).toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/another store/),
    });
  });

  it('refuses garbage, broken JSON, unknown code types and oversized input with the reason', () => {
    expect(refusal('')).toMatchObject({ code: 'invalid', message: expect.stringMatching(/empty/) });
    expect(refusal('\u0000\u00ff\u0001garbage')).toMatchObject({
      message: expect.stringMatching(/cannot be used to check in: contains control characters/),
    });
    expect(refusal('{"type":"check-in-position"')).toMatchObject({
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(refusal('{"type":"coupon","id":1}')).toMatchObject({
      message: expect.stringMatching(/unknown code type "coupon"/),
    });
    expect(refusal('LINEUP:9:demo-store:c1:A1')).toMatchObject({
      message: expect.stringMatching(/unsupported Lineup code version/),
    });
    expect(refusal('A'.repeat(5000))).toMatchObject({ message: expect.stringMatching(/too long/) });
    expect(refusal('hello world')).toMatchObject({ code: 'invalid' });
  });

  it('never lets through text that is neither a known format nor a plain identifier', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700, unit: 'binary' }), (raw) => {
        let code;
        try {
          code = checkInPayload(raw, 'demo-store');
        } catch (error) {
          expect(error).toBeInstanceOf(ApplianceError);
          expect((error as ApplianceError).code).toBe('invalid');
          return;
        }
        // Whatever is accepted names an id the hub can look up: no spaces, no controls.
        const id =
          code.kind === 'typed'
            ? code.code
            : code.kind === 'appointment'
              ? code.externalId
              : code.kind === 'ombori-check-in'
                ? code.positionId
                : code.customerId;
        expect(id).toMatch(/^[A-Za-z0-9_-]{1,200}$/);
      }),
      { seed: 20260301, numRuns: 400 },
    );
  });
});
