// Bloom Enterprise virtual tickets (mobile join): a Lineup customer seen as a Bloom ticket, a
// store as a Bloom location, and the create/cancel requests. Bloom writes local wall-clock times
// ("yyyy-MM-dd HH:mm:ss" in the location's timezone) and numbers tickets "A 006".
import { z } from 'zod';
import type { Customer, CustomerState, Service, Store } from '../domain/entities.js';
import { formatZoned } from '../domain/time.js';
import { pickText } from '../i18n/index.js';

/**
 * Bloom documents only `state: 0` (waiting). Lineup numbers the others in lifecycle order;
 * a booked ticket is not yet in the line, so it reads as waiting too.
 */
export const BLOOM_STATE: Readonly<Record<CustomerState, number>> = {
  booked: 0,
  waiting: 0,
  called: 1,
  serving: 2,
  done: 3,
  no_show: 4,
  cancelled: 5,
};

const Nullable = z.string().nullable();

export const BloomMasterSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  phone: z.string(),
  email: z.string(),
  website: z.string(),
  coordinates: z.string(),
  timezone: z.string(),
});

export const BloomTicketSchema = z.object({
  id: z.string(),
  description: z.string(),
  ticket_number: z.string(),
  tag: z.string(),
  number: z.number().int(),
  create_date: z.string(),
  startcall_date: Nullable,
  endcall_date: Nullable,
  waiting_tickets: z.string(),
  hours: z.string(),
  minutes: z.string(),
  state: z.number().int(),
  customer: z.object({
    id: z.string(),
    display_name: z.string(),
    phone: Nullable,
    email: Nullable,
  }),
  master: BloomMasterSchema,
  service: z.object({
    id: z.string(),
    master_id: Nullable,
    tag: z.string(),
    description: z.string(),
    name: z.string(),
    color: Nullable,
  }),
});
export type BloomTicket = z.infer<typeof BloomTicketSchema>;

/** "A 006": prefix, a space, the number on three digits. */
export function bloomTicketNumber(prefix: string, n: number): string {
  return `${prefix} ${String(n).padStart(3, '0')}`;
}

const two = (n: number): string => String(Math.max(0, Math.floor(n))).padStart(2, '0');

export interface BloomContext {
  store: Store;
  service: Service;
  lang: string;
  peopleBefore: number;
  waitMinutes: number;
}

/** "41.572408,-8.426258", or "" when the store has no position. */
export function bloomCoordinates(store: Store): string {
  const { latitude, longitude } = store.location;
  return latitude === null || longitude === null ? '' : `${latitude},${longitude}`;
}

export function storeToBloomMaster(store: Store): z.infer<typeof BloomMasterSchema> {
  return {
    id: store.id,
    name: store.name,
    address: store.location.address,
    phone: '',
    email: '',
    website: '',
    coordinates: bloomCoordinates(store),
    timezone: store.timeZone,
  };
}

export function customerToBloom(c: Customer, ctx: BloomContext): BloomTicket {
  const tz = ctx.store.timeZone;
  const at = (iso: string | null) => (iso === null ? null : formatZoned(new Date(iso), tz, true));
  const name = pickText(ctx.service.name, ctx.lang, ctx.store.langs);
  return {
    id: c.id,
    description: name,
    ticket_number: bloomTicketNumber(c.ticketPrefix, c.ticketNumber),
    tag: c.ticketPrefix,
    number: c.ticketNumber,
    create_date: formatZoned(new Date(c.registeredAt), tz, true),
    startcall_date: at(c.calledAt),
    endcall_date: at(c.finishedAt),
    waiting_tickets: String(ctx.peopleBefore),
    hours: two(ctx.waitMinutes / 60),
    minutes: two(ctx.waitMinutes % 60),
    state: BLOOM_STATE[c.state],
    customer: {
      id: c.id,
      display_name: c.contact.name ?? '',
      phone: c.contact.phone ?? null,
      email: c.contact.email ?? null,
    },
    master: storeToBloomMaster(ctx.store),
    service: {
      id: ctx.service.id,
      master_id: null,
      tag: ctx.service.ticketPrefix,
      description: '',
      name,
      color: null,
    },
  };
}

/** A location's service line: waiting count and average wait as "hh:mm". */
export function bloomLocationService(
  service: Service,
  lang: string,
  fallbacks: readonly string[],
  waiting: number,
  avgWaitMinutes: number,
): {
  id: string;
  tag: string;
  description: string;
  waiting_tickets: string;
  waiting_avg: string;
  state: number;
} {
  return {
    id: service.id,
    tag: service.ticketPrefix,
    description: pickText(service.name, lang, fallbacks),
    waiting_tickets: String(waiting),
    waiting_avg: `${two(avgWaitMinutes / 60)}:${two(avgWaitMinutes % 60)}`,
    state: 0,
  };
}

export const BloomCreateTicketRequestSchema = z.object({
  tickets: z
    .array(z.object({ master_id: z.string().min(1), service_id: z.string().min(1) }))
    .min(1),
});
export const BloomCancelTicketRequestSchema = z.object({ ticket: z.string().min(1) });

/** Bloom's notification templates: `%{ticket.tag}%{ticket.number}`, `%{ticket.desk.tag}`... */
export function renderBloomTemplate(
  template: string,
  vars: Readonly<Record<string, string | number>>,
): string {
  return template.replace(/%\{([\w.]+)\}/g, (whole, key: string) => {
    const v = vars[key];
    return v === undefined ? whole : String(v);
  });
}

export const BLOOM_NOTIFICATION_TEXTS = {
  your_turn: {
    title: "It's your turn!",
    message:
      'Your ticket %{ticket.tag}%{ticket.number} was just called. Please head to desk %{ticket.desk.tag}.',
  },
  almost_your_turn: {
    title: "Heads up! It's almost your turn!",
    message: 'There are only %{ticket.customers_ahead} customers ahead of you.',
  },
} as const;
