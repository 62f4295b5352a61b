// Which notifications a logged change makes: a pure function of the change and what the hub
// knows of the ticket (its Lineberty pushID, the organization's webhook, the registering API
// key's callback URLs, the store's texts). The outbox hook (outbox-hook.ts) writes the result in
// the transaction of the change, so a notification exists if and only if its change does.
import { z } from 'zod';
import {
  linebertyAction,
  linebertyMessage,
  type LinebertyAction,
  type LinebertyTrigger,
} from '../../shared/adapters/lineberty.js';
import { customerToWire } from '../../shared/adapters/filevirtuelle.js';
import { CUSTOMER_LOG_EVENTS } from '../../shared/domain/customer.js';
import type { Customer, CustomerState, Store } from '../../shared/domain/entities.js';
import type { CustomerEventName } from '../../shared/domain/lifecycle.js';
import type { Change } from '../../shared/protocol/sync.js';
import type { OutboxEntry } from '../db/hub-repo.js';
import { normalisePhone } from './phone.js';
import type { Reminder } from './settings.js';
import { linebertyContent, storeText } from './texts.js';

/** What an outbox row carries, per channel (stored as the row's data). */
export const OutboxMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('webhook'),
    organizationId: z.string(),
    /** The JSON body, exactly as sent and signed. */
    body: z.string(),
    /** Sent only if the ticket is still in one of these states (reminders). */
    onlyIfStates: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('fv'), apiKey: z.string(), body: z.string() }),
  z.object({
    kind: z.literal('sms'),
    to: z.string(),
    text: z.string(),
    apiKey: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('email'),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    apiKey: z.string().nullable(),
  }),
]);
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

export interface NotifyContext {
  store: Store;
  /** The organization's partner webhook URL, when one is set. */
  webhookUrl: string | null;
  /** The ticket's Lineberty pushID, when the partner subscribed. */
  pushId: string | null;
  /** Callback URLs of the API key that registered the customer (FileVirtuelle `urls`). */
  fvUrls: { apiKey: string; next: string; processed: string } | null;
  reminders: readonly Reminder[];
}

const TRIGGER_OF_LOG_EVENT = new Map<string, LinebertyTrigger>([
  ['registered', 'registered'],
  ['alerted', 'alerted'],
  ...Object.entries(CUSTOMER_LOG_EVENTS).map(
    ([name, logged]) => [logged, name as CustomerEventName] as [string, LinebertyTrigger],
  ),
]);

/** The trigger a logged change stands for, or null when it is not a customer's event. */
export function triggerOf(
  change: Change,
): { customer: Customer; trigger: LinebertyTrigger } | null {
  if (change.entity.kind !== 'customer') return null;
  const trigger = TRIGGER_OF_LOG_EVENT.get(change.event);
  return trigger === undefined ? null : { customer: change.entity.customer, trigger };
}

/** Every notification `change` makes, each with its stable idempotency key. */
export function notificationsFor(change: Change, ctx: NotifyContext): OutboxEntry[] {
  const found = triggerOf(change);
  if (found === null) return [];
  const { customer, trigger } = found;
  const at: NotifyOccasion = {
    ms: Date.parse(change.at),
    change: { epoch: change.epoch, seq: change.seq },
  };
  return [
    ...linebertyNotifications(customer, trigger, ctx, at),
    ...contactNotifications(customer, trigger, ctx.store, at),
    ...callbackNotifications(customer, trigger, ctx, at),
  ];
}

/** When notifications are made, and the log change that made them (none for a subscription). */
export interface NotifyOccasion {
  ms: number;
  change: { epoch: string; seq: number } | null;
}

/** Events a ticket can have more than once: a call (again after a transfer or a hold), a hold. */
const REPEATING = new Set(['TICKET_CALLED', 'TICKET_ONHOLD', 'called', 'screen']);

/**
 * `<ticket>.<event>.<channel>`: one notification per ticket and event, however often it is made.
 * A repeating event's key also names the log change that made it, so each call is told once.
 */
export function idempotencyKey(
  c: Customer,
  event: string,
  channel: string,
  at: NotifyOccasion,
): string {
  // Only a log change repeats (a subscription sends BOOKED and reminders, which do not).
  if (!REPEATING.has(event) || at.change === null) return `${c.id}.${event}.${channel}`;
  return `${c.id}.${event}.${at.change.epoch}-${at.change.seq}.${channel}`;
}

/** Lineberty TICKET_* messages to the organization's webhook, and reminders for appointments. */
export function linebertyNotifications(
  customer: Customer,
  trigger: LinebertyTrigger,
  ctx: Pick<NotifyContext, 'store' | 'webhookUrl' | 'pushId' | 'reminders'>,
  at: NotifyOccasion,
): OutboxEntry[] {
  const { webhookUrl, pushId, store } = ctx;
  if (webhookUrl === null || pushId === null) return [];
  const action = linebertyAction(trigger);
  if (action === null) return [];
  const entry = (a: LinebertyAction, notBeforeMs: number, onlyIfStates?: CustomerState[]) => {
    const message = linebertyMessage(
      customer,
      trigger,
      pushId,
      linebertyContent(a, customer, store),
    );
    if (message === null) return null;
    const body = JSON.stringify({ ...message, message: { ...message.message, action: a } });
    const data: OutboxMessage = {
      kind: 'webhook',
      organizationId: store.organizationId,
      body,
      ...(onlyIfStates === undefined ? {} : { onlyIfStates }),
    };
    return {
      id: idempotencyKey(customer, a, 'webhook', at),
      storeId: store.id,
      customerId: customer.id,
      channel: 'webhook' as const,
      endpoint: webhookUrl,
      notBeforeMs,
      message: data,
    };
  };
  const out = [entry(action, at.ms)];
  if (action === 'TICKET_BOOKED' && customer.appointment !== null && customer.state === 'booked') {
    const appointmentMs = Date.parse(customer.appointment.at);
    for (const r of ctx.reminders) {
      const when = appointmentMs - r.minutesBefore * 60_000;
      if (when > at.ms) out.push(entry(`TICKET_REMIND_${r.id}`, when, ['booked']));
    }
  }
  return out.filter((e): e is NonNullable<typeof e> => e !== null);
}

type TextKind = 'wait' | 'go' | 'comeback' | 'screen' | 'meeting';

/** Which of the store's texts a trigger sends (FileVirtuelle's wait/go/comeback/screen/meeting). */
export function textKindFor(c: Customer, trigger: LinebertyTrigger, store: Store): TextKind | null {
  switch (trigger) {
    case 'registered':
      return c.state === 'waiting' ? (c.mustWait ? 'wait' : 'go') : null;
    case 'alerted':
      return 'comeback';
    case 'call':
      return store.notifyOnCall ? 'screen' : null;
    case 'check_in':
      return store.notifyOnCheckIn && c.appointment !== null ? 'meeting' : null;
    default:
      return null;
  }
}

/** SMS and email with the store's texts, where the customer gave a number or an address. */
export function contactNotifications(
  customer: Customer,
  trigger: LinebertyTrigger,
  store: Store,
  at: NotifyOccasion,
): OutboxEntry[] {
  const kind = textKindFor(customer, trigger, store);
  if (kind === null) return [];
  // The API key (or device) that registered: fair use is charged to it when a message goes out.
  const apiKey = customer.registeredBy;
  const base = { storeId: store.id, customerId: customer.id, notBeforeMs: at.ms };
  const out: OutboxEntry[] = [];
  const phone =
    customer.contact.phone === undefined
      ? null
      : normalisePhone(customer.contact.phone, store.sms.defaultCountry);
  const smsText = storeText(store.sms.texts[kind], customer, store);
  if (store.sms.enabled && phone !== null && smsText !== '') {
    const data: OutboxMessage = { kind: 'sms', to: phone, text: smsText, apiKey };
    out.push({
      ...base,
      id: idempotencyKey(customer, kind, 'sms', at),
      channel: 'sms',
      endpoint: phone,
      message: data,
    });
  }
  const to = customer.contact.email;
  const mailText = storeText(store.email.texts[kind], customer, store);
  if (store.email.enabled && to !== undefined && mailText !== '') {
    const subject = storeText(store.email.subjects[kind], customer, store) || store.name;
    const data: OutboxMessage = { kind: 'email', to, subject, text: mailText, apiKey };
    out.push({
      ...base,
      id: idempotencyKey(customer, kind, 'email', at),
      channel: 'email',
      endpoint: to,
      message: data,
    });
  }
  return out;
}

/** FileVirtuelle `urls.next` (a desk called the customer) and `urls.processed` (served). */
export function callbackNotifications(
  customer: Customer,
  trigger: LinebertyTrigger,
  ctx: Pick<NotifyContext, 'store' | 'fvUrls'>,
  at: NotifyOccasion,
): OutboxEntry[] {
  const urls = ctx.fvUrls;
  if (urls === null) return [];
  const which = trigger === 'call' ? 'next' : trigger === 'finish' ? 'processed' : null;
  if (which === null || urls[which] === '') return [];
  const body = JSON.stringify({
    event: which,
    customer: customerToWire(customer, { display: ctx.store.display }),
  });
  const data: OutboxMessage = { kind: 'fv', apiKey: urls.apiKey, body };
  const channel = which === 'next' ? 'fv_next' : 'fv_processed';
  return [
    {
      id: idempotencyKey(customer, which === 'next' ? 'called' : 'processed', channel, at),
      storeId: ctx.store.id,
      customerId: customer.id,
      channel,
      endpoint: urls[which],
      notBeforeMs: at.ms,
      message: data,
    },
  ];
}
