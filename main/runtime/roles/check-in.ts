// Check-in codes, normalised in one place for every way a code reaches the runtime (the UI's
// check-in call, a wedge scan the UI forwards, the serial scanner): the raw text is parsed
// (shared/scanner) and turned into the id the hub looks customers up by. What cannot be read is
// refused here with a reason, before anything is sent.
import { ApplianceError } from '../../../shared/api/appliance-api.js';
import { IdSchema } from '../../../shared/domain/entities.js';
import { parseScanPayload, type ScanPayload } from '../../../shared/scanner/index.js';

export type CheckInCode =
  /** A Lineup ticket or booking QR: the customer is known by id (and store). */
  | { kind: 'customer'; code: string; storeId: string; ticket: string | null }
  /** Ombori's check-in QR: the position id is the customer id at the hub. */
  | { kind: 'position'; code: string }
  /** A partner's appointment id (APPT-…), or a booking reference typed on the ticket machine. */
  | { kind: 'appointment'; code: string };

function fromPayload(payload: ScanPayload): CheckInCode {
  switch (payload.kind) {
    case 'lineup-ticket':
      return {
        kind: 'customer',
        code: payload.customerId,
        storeId: payload.storeId,
        ticket: payload.ticket,
      };
    case 'lineup-appointment':
      return { kind: 'customer', code: payload.customerId, storeId: payload.storeId, ticket: null };
    case 'ombori-check-in':
      return { kind: 'position', code: payload.positionId };
    case 'appointment':
      return { kind: 'appointment', code: payload.externalId };
  }
}

/**
 * The code to send to the hub, or an ApplianceError 'invalid' saying why the text is not one.
 * A bare identifier (letters, digits, _ and -, as typed in the ticket machine's booking-code field) is
 * taken as it is: the hub matches it against customer ids, appointment ids and booked tickets.
 */
export function normaliseCheckInCode(raw: string, storeId: string | null): CheckInCode {
  const parsed = parseScanPayload(raw);
  let code: CheckInCode;
  if (parsed.ok) code = fromPayload(parsed.payload);
  else {
    const bare = typeof raw === 'string' ? raw.trim() : '';
    if (!IdSchema.safeParse(bare).success)
      throw new ApplianceError(
        'invalid',
        `This code cannot be used to check in: ${parsed.reason}.`,
      );
    code = { kind: 'appointment', code: bare };
  }
  if (code.kind === 'customer' && storeId !== null && code.storeId !== storeId)
    throw new ApplianceError(
      'invalid',
      'This ticket belongs to another store: it cannot be checked in here.',
    );
  return code;
}
