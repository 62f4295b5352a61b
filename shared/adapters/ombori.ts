// Ombori queue ticket JSON: export a Lineup customer as an Ombori ticket, import one back.
// Lineup's reading of the format: `queue` is the store, `station` the service (its label is the
// ticket prefix), `servedBy` the staff member who called the customer last. Booking times are
// the store's wall clock. An imported ticket is kept whole on the customer (`partner`), so what
// Lineup does not model (appointment, virtualAppointment, servedBy from Ombori, location...)
// goes back out unchanged; what Lineup runs (status, label, timestamps) is Lineup's.
import { z } from 'zod';
import {
  CustomerSchema,
  type ContactMode,
  type Customer,
  type CustomerState,
} from '../domain/entities.js';
import { parseTicket, storeDay } from '../domain/numbering.js';
import { formatZoned, parseZoned } from '../domain/time.js';
import { WireMappingError } from './filevirtuelle.js';

export const OmboriStatusSchema = z.enum([
  'draft',
  'pending',
  'notified',
  'fulfilled',
  'completed',
  'rejected',
]);
export type OmboriStatus = z.infer<typeof OmboriStatusSchema>;

const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date-time');
const Local = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'yyyy-MM-dd HH:mm');

export const OmboriTicketSchema = z.object({
  id: z.string().min(1),
  location: z.string().nullable().default(null),
  type: z.enum(['anonymous', 'booking', 'manual']),
  priority: z.number().default(100),
  locale: z.string().default('en'),
  registrationData: z.record(z.string(), z.object({ value: z.string() })).optional(),
  notification: z
    .object({
      type: z.enum(['phoneNumber', 'email']),
      settings: z
        .object({
          from: z.string().optional(),
          to: z.string().optional(),
          recipient: z.string().optional(),
        })
        .prefault({}),
    })
    .optional(),
  booking: z
    .object({
      start: Local,
      end: Local,
      appointment: z
        .object({
          displayName: z.string().optional(),
          eventId: z.string().optional(),
          managerEmail: z.string().optional(),
          managerId: z.string().optional(),
        })
        .optional(),
      virtualAppointment: z
        .object({
          isEnabled: z.boolean(),
          eventId: z.string().optional(),
          url: z.string().optional(),
          managerId: z.string().optional(),
          managerEmail: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  servedBy: z
    .object({
      id: z.string(),
      email: z.string().default(''),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      displayName: z.string().optional(),
    })
    .optional(),
  station: z.object({ id: z.string(), label: z.string() }).optional(),
  status: OmboriStatusSchema,
  extraStatus: z
    .object({
      goToEntrance: z.boolean().optional(),
      rejectedByCustomer: z.boolean().optional(),
    })
    .optional(),
  label: z.string().default(''),
  queue: z.string(),
  createdAt: Iso,
  fulfilledAt: Iso.nullable().optional(),
  calledAt: Iso.nullable().optional(),
  completedAt: Iso.nullable().optional(),
  rejectedAt: Iso.nullable().optional(),
  bookingReminderAt: Iso.nullable().default(null),
  QRCodeCheckInPositionId: z.string().optional(),
});
export type OmboriTicket = z.infer<typeof OmboriTicketSchema>;

/** Lifecycle state → Ombori status. Serving is Ombori's "fulfilled" (checked in at the desk). */
export function stateToOmboriStatus(state: CustomerState): OmboriStatus {
  const map: Record<CustomerState, OmboriStatus> = {
    booked: 'draft',
    waiting: 'pending',
    called: 'notified',
    serving: 'fulfilled',
    done: 'completed',
    no_show: 'rejected',
    cancelled: 'rejected',
  };
  return map[state];
}

/**
 * Ombori status → lifecycle state. A rejected ticket that was called and not rejected by the
 * customer is a no-show; any other rejection is a cancellation.
 */
export function omboriStatusToState(
  status: OmboriStatus,
  hints: { rejectedByCustomer?: boolean; wasCalled?: boolean } = {},
): CustomerState {
  switch (status) {
    case 'draft':
      return 'booked';
    case 'pending':
      return 'waiting';
    case 'notified':
      return 'called';
    case 'fulfilled':
      return 'serving';
    case 'completed':
      return 'done';
    case 'rejected':
      return hints.wasCalled === true && hints.rejectedByCustomer !== true
        ? 'no_show'
        : 'cancelled';
  }
}

/** The QR payload staff scan to check a ticket in: `{"type":"check-in-position","positionId":…}`. */
export function checkInPositionPayload(positionId: string): string {
  return JSON.stringify({ type: 'check-in-position', positionId });
}

const CheckInSchema = z.object({
  type: z.literal('check-in-position'),
  positionId: z.string().min(1),
});

/** The position id in a scanned check-in QR, or null when the text is not one. */
export function parseCheckInPosition(text: string): string | null {
  try {
    const r = CheckInSchema.safeParse(JSON.parse(text));
    return r.success ? r.data.positionId : null;
  } catch {
    return null;
  }
}

export interface OmboriExportOptions {
  timeZone: string;
  /** Queue display name (store, department...). */
  location?: string | null;
  /** Length of a booking slot, for `booking.end` when the booking has no end of its own. */
  slotMinutes?: number;
  /** The staff member who served it (called it last), with their email. */
  servedBy?: OmboriTicket['servedBy'];
}

export const OMBORI_SOURCE = 'ombori';

/** The Ombori ticket an imported customer came from, as it was imported. */
export function keptOmboriTicket(c: Customer): OmboriTicket | undefined {
  if (c.partner?.source !== OMBORI_SOURCE) return undefined;
  const r = OmboriTicketSchema.safeParse(c.partner.data);
  return r.success ? r.data : undefined;
}

const PRIORITY_NORMAL = 100;
const PRIORITY_HIGH = 200;

export function customerToOmbori(c: Customer, opts: OmboriExportOptions): OmboriTicket {
  const kept = keptOmboriTicket(c);
  const status = stateToOmboriStatus(c.state);
  const ended = c.finishedAt ?? c.updatedAt;
  const ticket: OmboriTicket = {
    id: kept?.id ?? c.id,
    location: kept === undefined ? (opts.location ?? null) : kept.location,
    type:
      kept?.type ??
      (c.appointment !== null ? 'booking' : c.machineId === null ? 'manual' : 'anonymous'),
    priority: kept?.priority ?? (c.prioritized ? PRIORITY_HIGH : PRIORITY_NORMAL),
    locale: kept?.locale ?? c.lang.toLowerCase(),
    station: kept?.station ?? { id: c.serviceId, label: c.ticketPrefix },
    status,
    extraStatus: {
      goToEntrance: c.state === 'waiting' && c.alerted,
      rejectedByCustomer: kept?.extraStatus?.rejectedByCustomer ?? false,
    },
    // The seed: a draft's label "will be generated when time comes".
    label: c.state === 'booked' ? '' : c.ticket,
    queue: kept?.queue ?? c.storeId,
    createdAt: c.registeredAt,
    fulfilledAt: c.servingAt,
    calledAt: c.calledAt,
    completedAt: c.state === 'done' ? ended : null,
    rejectedAt: status === 'rejected' ? ended : null,
    // No reminder schedule exists in Lineup yet: nothing will be sent.
    bookingReminderAt: null,
    QRCodeCheckInPositionId: kept?.QRCodeCheckInPositionId ?? checkInPositionPayload(c.id),
  };
  const data: Record<string, { value: string }> = {};
  if (c.contact.phone !== undefined) data.phone = { value: c.contact.phone };
  if (c.contact.name !== undefined) data.name = { value: c.contact.name };
  const registrationData = kept?.registrationData ?? (Object.keys(data).length > 0 ? data : null);
  if (registrationData !== null) ticket.registrationData = registrationData;
  if (kept?.notification !== undefined) ticket.notification = kept.notification;
  else if (c.contact.phone !== undefined || c.contact.email !== undefined) {
    ticket.notification = {
      type: c.contactMode === 'email' || c.contact.phone === undefined ? 'email' : 'phoneNumber',
      settings: {
        from: '',
        ...(c.contact.phone === undefined ? {} : { to: c.contact.phone }),
        ...(c.contact.email === undefined ? {} : { recipient: c.contact.email }),
      },
    };
  }
  if (c.appointment !== null) {
    const start = new Date(c.appointment.at);
    const end =
      c.appointment.endsAt === undefined
        ? new Date(start.getTime() + (opts.slotMinutes ?? 15) * 60_000)
        : new Date(c.appointment.endsAt);
    const appointment =
      kept?.booking?.appointment ??
      (c.appointment.externalId === undefined ? undefined : { eventId: c.appointment.externalId });
    const virtualAppointment = kept?.booking?.virtualAppointment;
    ticket.booking = {
      start: formatZoned(start, opts.timeZone),
      end: formatZoned(end, opts.timeZone),
      ...(appointment === undefined ? {} : { appointment }),
      ...(virtualAppointment === undefined ? {} : { virtualAppointment }),
    };
  }
  const servedBy = opts.servedBy ?? kept?.servedBy;
  if (servedBy !== undefined) ticket.servedBy = servedBy;
  return ticket;
}

/**
 * The check-in QR to print or show on a booking confirmation of a ticket that came from Ombori
 * (its own `QRCodeCheckInPositionId`, which the kiosk and desks scan as `ombori-check-in`); null
 * for Lineup's own tickets, which carry Lineup's QR.
 */
export function omboriCheckInQr(c: Customer): string | null {
  return keptOmboriTicket(c)?.QRCodeCheckInPositionId ?? null;
}

export interface OmboriImportOptions {
  timeZone: string;
  /** The store the ticket joins (Ombori's `queue` is kept only as a correlation id). */
  storeId: string;
  /** The service, when the station is not a Lineup service id. */
  serviceId?: string;
  arrivalSeq: number;
  /** Number for a ticket that has no label yet (a draft booking). */
  ticketNumber?: number;
  /** Prefix for a ticket that has no label yet (default: the station's label). */
  ticketPrefix?: string;
  /** Store day of that number (default: the day it was created). */
  ticketDay?: string;
  registeredBy?: string;
  /** The Lineup id it gets (default: the Ombori id). */
  customerId?: string;
}

export function customerFromOmbori(input: unknown, opts: OmboriImportOptions): Customer {
  const r = OmboriTicketSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new WireMappingError(
      `This Ombori ticket does not fit (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
    );
  }
  const t = r.data;
  const state = omboriStatusToState(t.status, {
    rejectedByCustomer: t.extraStatus?.rejectedByCustomer,
    wasCalled: t.calledAt !== null && t.calledAt !== undefined,
  });
  const serviceId = opts.serviceId ?? t.station?.id;
  if (serviceId === undefined)
    throw new WireMappingError('This Ombori ticket has no station: say which service it joins.');
  const parsed = parseTicket(t.label.replace(/\s+/g, ''));
  const number = parsed?.number ?? opts.ticketNumber;
  if (number === undefined)
    throw new WireMappingError('This Ombori ticket has no label yet: give it a ticket number.');
  const prefix = parsed?.prefix ?? opts.ticketPrefix ?? t.station?.label ?? '';
  const phone = t.registrationData?.phone?.value ?? t.notification?.settings.to;
  const email = t.notification?.settings.recipient;
  const name = t.registrationData?.name?.value;
  const contactMode: ContactMode =
    t.notification?.type === 'phoneNumber' && phone !== undefined && phone !== ''
      ? 'phone'
      : t.notification?.type === 'email' && email !== undefined && email !== ''
        ? 'email'
        : name !== undefined
          ? 'name'
          : 'anonymous';
  let appointment: Customer['appointment'] = null;
  if (t.booking !== undefined) {
    const at = parseZoned(t.booking.start, opts.timeZone);
    if (at === null) throw new WireMappingError('booking.start is not a local time.');
    const end = parseZoned(t.booking.end, opts.timeZone);
    if (end === null || end < at)
      throw new WireMappingError('booking.end is not a local time after booking.start.');
    const externalId = t.booking.appointment?.eventId;
    appointment = {
      at: at.toISOString(),
      expired: false,
      endsAt: end.toISOString(),
      ...(externalId === undefined ? {} : { externalId }),
    };
  }
  const created = new Date(t.createdAt).toISOString();
  const ended = t.completedAt ?? t.rejectedAt ?? null;
  // A ticket not called yet has none of the later times (the seed's own draft example has them).
  const notCalled = state === 'booked' || state === 'waiting';
  const toIso = (v: string | null | undefined) =>
    v === null || v === undefined || notCalled ? null : new Date(v).toISOString();
  const checkedIn = state === 'booked' ? null : created;
  const result = CustomerSchema.safeParse({
    id: opts.customerId ?? t.id,
    storeId: opts.storeId,
    serviceId,
    servicePath: [serviceId],
    machineId: null,
    lang: t.locale.slice(0, 2).toUpperCase(),
    registeredBy: opts.registeredBy ?? 'ombori',
    contactMode,
    contact: {
      ...(name === undefined || name === '' ? {} : { name }),
      ...(phone === undefined || phone === '' ? {} : { phone }),
      ...(email === undefined || email === '' ? {} : { email }),
    },
    state,
    ticketPrefix: prefix,
    ticketNumber: number,
    ticketDay:
      parsed === null
        ? (opts.ticketDay ?? storeDay(new Date(created), opts.timeZone))
        : storeDay(new Date(created), opts.timeZone),
    ticket: parsed === null ? `${prefix}${number}` : t.label.replace(/\s+/g, ''),
    prioritized: t.priority > PRIORITY_NORMAL,
    appointment,
    registeredAt: created,
    checkedInAt: checkedIn,
    sortAt: created,
    arrivalSeq: opts.arrivalSeq,
    calledAt: toIso(t.calledAt),
    servingAt: toIso(t.fulfilledAt),
    finishedAt: toIso(ended),
    updatedAt: toIso(ended ?? t.fulfilledAt ?? t.calledAt) ?? created,
    // Ombori's servedBy is a person of Ombori's, not a Lineup desk: kept in `partner`.
    deskId: null,
    alerted: t.extraStatus?.goToEntrance ?? false,
    partner: { source: OMBORI_SOURCE, data: t },
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new WireMappingError(
      `This Ombori ticket does not fit Lineup (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
    );
  }
  return result.data;
}
