// What a scanned code means. Pure (runs in the renderer and the runtime). Formats:
//   Ombori check-in      {"type":"check-in-position","positionId":"<uuid>"}
//   ticket page URL      https://<hub>/t/<customerId>.<mac>           (printed on tickets: a phone
//                        opens the ticket's page, a scanner reads the customer from the path)
//   Lineup ticket QR     LINEUP:1:<storeId>:<customerId>:<ticket>      (tickets printed offline)
//   Lineup appointment   LINEUP:APPT:<storeId>:<customerId>            (booking confirmations)
//   partner appointment  APPT-<externalId> or APT-<externalId>
// Anything else, and anything too long or with control characters, is refused with a reason.
import { z } from 'zod';
import { IdSchema } from '../domain/entities.js';

export const MAX_SCAN_LENGTH = 512;

const TicketSchema = z.string().regex(/^[A-Za-z0-9-]{1,12}$/);
const ExternalIdSchema = z.string().regex(/^[A-Za-z0-9_-]{3,200}$/);
/** A ticket page token as the hub makes it: the customer id, a dot, 27 base64url MAC characters. */
export const PageTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{27}$/);

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
  z.object({
    kind: z.literal('lineup-ticket-page'),
    /** The hub the page is on (`ticketPageBase`): a device refuses pages of another hub. */
    hub: z.string().min(1).max(300),
    customerId: IdSchema,
    token: PageTokenSchema,
  }),
]);
export type ScanPayload = z.infer<typeof ScanPayloadSchema>;

export type ScanParseResult = { ok: true; payload: ScanPayload } | { ok: false; reason: string };

const OmboriCheckInSchema = z.object({
  type: z.literal('check-in-position'),
  positionId: IdSchema,
});

const fail = (reason: string): ScanParseResult => ({ ok: false, reason });

export interface ScanParseOptions {
  /** The hub this device uses: a ticket page URL of any other site is refused. */
  hubUrl?: string | undefined;
}

/** A hub URL as ticket page URLs start: scheme, lower-case host, port unless default, path. */
export function ticketPageBase(hubUrl: string): string {
  const url = new URL(hubUrl);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The URL printed in a ticket's QR: the hub's `/t/TOKEN` page (the hub makes the token). */
export function formatTicketPageUrl(hubUrl: string, token: string): string {
  PageTokenSchema.parse(token);
  return `${ticketPageBase(hubUrl)}/t/${token}`;
}

// Strict on purpose (no `new URL` leniency first): http(s), a plain host name or IP, an optional
// port and path prefix, then `/t/<token>` and nothing after it (no query, fragment or user info).
const TICKET_PAGE_URL =
  /^([Hh][Tt][Tt][Pp][Ss]?):\/\/([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?((?:\/[A-Za-z0-9._~-]{1,64}){0,8})\/t\/([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{27})\/?$/;

const baseOf = (hubUrl: string): string | null => {
  try {
    return ticketPageBase(hubUrl);
  } catch {
    return null;
  }
};

function parseTicketPageUrl(text: string, options: ScanParseOptions): ScanParseResult {
  const m = TICKET_PAGE_URL.exec(text);
  if (m === null) return fail('a web address that is not a Lineup ticket page');
  const [, , host = '', port, prefix = '', customerId = '', mac = ''] = m;
  if (/^[.-]|[.-]$|\.\./.test(host)) return fail('a ticket page address with a bad host name');
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return fail('a ticket page address with a bad port');
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..'))
    return fail('a ticket page address with a bad path');
  if (!IdSchema.safeParse(customerId).success) return fail('a ticket page with a bad ticket id');
  const scheme = (m[1] ?? '').toLowerCase();
  const hub = baseOf(`${scheme}://${host}${port === undefined ? '' : `:${port}`}${prefix}`);
  if (hub === null) return fail('a ticket page address with a bad host name');
  if (options.hubUrl !== undefined && baseOf(options.hubUrl) !== hub)
    return fail("a ticket page of another site, not of this store's hub");
  return {
    ok: true,
    payload: { kind: 'lineup-ticket-page', hub, customerId, token: `${customerId}.${mac}` },
  };
}

export function parseScanPayload(input: string, options: ScanParseOptions = {}): ScanParseResult {
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

  if (/^https?:/i.test(text)) return parseTicketPageUrl(text, options);

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
