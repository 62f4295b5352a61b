// Lineberty notification messages (outbound webhooks): each lifecycle transition is one
// TICKET_* action; ALERTED comes from the "turn is near" rule, not from a transition.
import { z } from 'zod';
import type { Customer } from '../domain/entities.js';
import type { CustomerEventName } from '../domain/lifecycle.js';

export const LINEBERTY_ACTIONS = [
  'TICKET_BOOKED',
  'TICKET_ALERTED',
  'TICKET_CALLED',
  'TICKET_ONHOLD',
  'TICKET_NOSHOW',
  'TICKET_INPROGRESS',
  'TICKET_CANCELED',
  'TICKET_DONE',
] as const;
export type LinebertyCoreAction = (typeof LINEBERTY_ACTIONS)[number];

/** Core actions plus the reminder family `TICKET_REMIND_<n>`. */
export const LinebertyActionSchema = z.union([
  z.enum(LINEBERTY_ACTIONS),
  z.string().regex(/^TICKET_REMIND_\d+$/, 'TICKET_REMIND_<number>'),
]);
export type LinebertyAction = z.infer<typeof LinebertyActionSchema>;

/** What happened to the ticket: a lifecycle event, its registration, or the turn-near alert. */
export type LinebertyTrigger = CustomerEventName | 'registered' | 'alerted';

const ACTION_OF: Record<LinebertyTrigger, LinebertyCoreAction | null> = {
  registered: 'TICKET_BOOKED',
  alerted: 'TICKET_ALERTED',
  call: 'TICKET_CALLED',
  recall: 'TICKET_CALLED',
  // "The client did not show up, the ticket is pending": put back in the queue.
  hold: 'TICKET_ONHOLD',
  no_show: 'TICKET_NOSHOW',
  start: 'TICKET_INPROGRESS',
  cancel: 'TICKET_CANCELED',
  finish: 'TICKET_DONE',
  // Checking in and transfers keep the ticket alive without a Lineberty action.
  check_in: null,
  transfer: null,
};

/** The action to send for what happened, or null when Lineberty has none for it. */
export function linebertyAction(trigger: LinebertyTrigger): LinebertyCoreAction | null {
  return ACTION_OF[trigger];
}

export const LinebertyTicketDataSchema = z.object({
  id: z.string(),
  label: z.string(),
  date: z.string(),
  queueId: z.string(),
  status: z.string(),
  appointmentDate: z.string().nullable(),
});
export type LinebertyTicketData = z.infer<typeof LinebertyTicketDataSchema>;

export const LinebertyMessageSchema = z.object({
  pushId: z.string().min(1),
  message: z.object({
    action: LinebertyActionSchema,
    content: z.string(),
    data: LinebertyTicketDataSchema,
  }),
});
export type LinebertyMessage = z.infer<typeof LinebertyMessageSchema>;

export function linebertyTicketData(c: Customer): LinebertyTicketData {
  return {
    id: c.id,
    label: c.ticket,
    date: c.registeredAt,
    queueId: c.serviceId,
    status: c.state,
    appointmentDate: c.appointment?.at ?? null,
  };
}

/**
 * The message for a customer after `trigger`, or null when there is nothing to send.
 * `content` is the text shown to the user (from the store's texts or shared/i18n).
 */
export function linebertyMessage(
  c: Customer,
  trigger: LinebertyTrigger,
  pushId: string,
  content: string,
): LinebertyMessage | null {
  const action = linebertyAction(trigger);
  if (action === null) return null;
  return { pushId, message: { action, content, data: linebertyTicketData(c) } };
}
