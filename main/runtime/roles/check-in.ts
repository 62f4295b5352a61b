// Check-in codes, classified in one place for every way a code reaches the runtime (the UI's
// check-in call, a wedge scan the UI forwards, the serial scanner): the raw text becomes the
// `check_in` payload the hub acts on as it is (shared/protocol `checkInPayloadOf`), so the hub
// never guesses again. What cannot be read is refused here with a reason, before anything is sent.
import { ApplianceError } from '../../../shared/api/appliance-api.js';
import { checkInPayloadOf, type CheckInPayload } from '../../../shared/protocol/sync.js';

/** The customer a payload names directly (Lineup QR codes), if any: known locally perhaps. */
export function namedCustomerId(payload: CheckInPayload): string | null {
  return payload.kind === 'lineup-ticket' ||
    payload.kind === 'lineup-appointment' ||
    payload.kind === 'lineup-ticket-page'
    ? payload.customerId
    : null;
}

/**
 * The payload to send to the hub, or an ApplianceError 'invalid' saying why the text is not one.
 * A bare identifier (letters, digits, _ and -, as typed in the ticket machine's booking-code
 * field) is sent as typed: the hub matches it against customer ids, appointment ids and tickets.
 * A ticket page URL counts only when it is on this device's hub (`hubUrl`).
 */
export function checkInPayload(
  raw: string,
  storeId: string | null,
  hubUrl?: string,
): CheckInPayload {
  const classified = checkInPayloadOf(raw, { hubUrl });
  if (!classified.ok)
    throw new ApplianceError(
      'invalid',
      `This code cannot be used to check in: ${classified.reason}.`,
    );
  const payload = classified.payload;
  if (
    (payload.kind === 'lineup-ticket' || payload.kind === 'lineup-appointment') &&
    storeId !== null &&
    payload.storeId !== storeId
  )
    throw new ApplianceError(
      'invalid',
      'This ticket belongs to another store: it cannot be checked in here.',
    );
  return payload;
}
