// What a scanned code means. Pure (runs in the renderer and the runtime). Formats:
//   Ombori check-in      {"type":"check-in-position","positionId":"<uuid>"}
//   Lineup ticket QR     LINEUP:1:<storeId>:<customerId>:<ticket>      (printed on every ticket)
//   Lineup appointment   LINEUP:APPT:<storeId>:<customerId>            (booking confirmations)
//   partner appointment  APPT-<externalId> or APT-<externalId>
// Anything else, and anything too long or with control characters, is refused with a reason.
import { z } from 'zod';
import { IdSchema } from '../domain/entities.js';

export const MAX_SCAN_LENGTH = 512;

const TicketSchema = z.string().regex(/^[A-Za-z0-9-]{1,12}$/);
const ExternalIdSchema = z.string().regex(/^[A-Za-z0-9_-]{3,200}$/);

/** What a code means, once read (also the classified payload of the hub's `check_in`). */
export const ScanPayloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ombori-check-in'), positionId: IdSchema }),
  z.object({
    kind: z.literal('lineup-ticket'),
    version: z.literal(1),
    storeId: IdSchema,
    customerId: IdSchema,
    ticket: TicketSchema,
  }),
  z.object({ kind: z.literal('lineup-appointment'), storeId: IdSchema, customerId: IdSchema }),
  z.object({ kind: z.literal('appointment'), externalId: ExternalIdSchema }),
]);
export type ScanPayload = z.infer<typeof ScanPayloadSchema>;

export type ScanParseResult = { ok: true; payload: ScanPayload } | { ok: false; reason: string };

const OmboriCheckInSchema = z.object({
  type: z.literal('check-in-position'),
  positionId: IdSchema,
});

const fail = (reason: string): ScanParseResult => ({ ok: false, reason });

export function parseScanPayload(input: string): ScanParseResult {
  if (typeof input !== 'string') return fail('not text');
  if (input.length > MAX_SCAN_LENGTH * 2)
    return fail(`too long (over ${MAX_SCAN_LENGTH} characters)`);
  // Scanners end codes with CR, LF or Tab; BOMs and NULs show up with some firmware.
  const text = input.replace(/^[\s\uFEFF\0]+|[\s\0]+$/g, '');
  if (!text) return fail('empty scan');
  if (text.length > MAX_SCAN_LENGTH) return fail(`too long (over ${MAX_SCAN_LENGTH} characters)`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return fail('contains control characters');

  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail('looks like JSON but is not valid JSON');
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (type !== 'check-in-position') {
      return fail(
        typeof type === 'string'
          ? `unknown code type "${type.slice(0, 40)}"`
          : 'JSON code without a type',
      );
    }
    const parsed = OmboriCheckInSchema.safeParse(json);
    if (!parsed.success) return fail('check-in code without a valid positionId');
    return { ok: true, payload: { kind: 'ombori-check-in', positionId: parsed.data.positionId } };
  }

  if (/^LINEUP:/i.test(text)) {
    const parts = text.split(':');
    if (parts[1]?.toUpperCase() === 'APPT') {
      if (parts.length !== 4) return fail('Lineup appointment code with a wrong number of fields');
      const [, , storeId, customerId] = parts;
      if (!IdSchema.safeParse(storeId).success || !IdSchema.safeParse(customerId).success) {
        return fail('Lineup appointment code with a bad store or customer id');
      }
      return {
        ok: true,
        payload: {
          kind: 'lineup-appointment',
          storeId: storeId as string,
          customerId: customerId as string,
        },
      };
    }
    if (parts[1] !== '1')
      return fail(`unsupported Lineup code version "${(parts[1] ?? '').slice(0, 10)}"`);
    if (parts.length !== 5) return fail('Lineup ticket code with a wrong number of fields');
    const [, , storeId, customerId, ticket] = parts;
    if (!IdSchema.safeParse(storeId).success) return fail('Lineup ticket code with a bad store id');
    if (!IdSchema.safeParse(customerId).success)
      return fail('Lineup ticket code with a bad customer id');
    if (!TicketSchema.safeParse(ticket).success)
      return fail('Lineup ticket code with a bad ticket number');
    return {
      ok: true,
      payload: {
        kind: 'lineup-ticket',
        version: 1,
        storeId: storeId as string,
        customerId: customerId as string,
        ticket: ticket as string,
      },
    };
  }

  const appointment = /^APP?T-(.+)$/i.exec(text);
  if (appointment) {
    const id = appointment[1] ?? '';
    if (!ExternalIdSchema.safeParse(id).success) return fail('appointment code with a bad id');
    return { ok: true, payload: { kind: 'appointment', externalId: id } };
  }

  return fail('not a Lineup ticket, check-in or appointment code');
}

/** The QR payload printed on Lineup tickets. */
export function formatLineupTicketQr(ref: {
  storeId: string;
  customerId: string;
  ticket: string;
}): string {
  IdSchema.parse(ref.storeId);
  IdSchema.parse(ref.customerId);
  TicketSchema.parse(ref.ticket);
  return `LINEUP:1:${ref.storeId}:${ref.customerId}:${ref.ticket}`;
}

export function formatLineupAppointmentQr(ref: { storeId: string; customerId: string }): string {
  IdSchema.parse(ref.storeId);
  IdSchema.parse(ref.customerId);
  return `LINEUP:APPT:${ref.storeId}:${ref.customerId}`;
}
