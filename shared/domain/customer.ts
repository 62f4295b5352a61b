// The one way a customer is made and the one way a lifecycle event changes one. The kiosk (a
// ticket from its own block), the hub (every command, REST route and adapter) and the tests all
// build and step customers here, so they cannot disagree on a field or a timestamp.
import type { Appointment, Contact, ContactMode, Customer, Service, Store } from './entities.js';
import { IllegalTransitionError, transition, type CustomerEventName } from './lifecycle.js';
import { formatTicket } from './numbering.js';
import { sortTimeAt } from './queue.js';

/** What the person (or partner) registering chose. */
export interface CustomerRequest {
  servicePath: readonly string[];
  lang: string;
  contactMode: ContactMode;
  contact: Contact;
  pager: number | null;
  appointment: Pick<Appointment, 'at' | 'externalId'> | null;
}

export interface NewCustomerInput {
  id: string;
  storeId: string;
  service: Pick<Service, 'id' | 'ticketPrefix'>;
  /** The ticket machine it was issued for (REST registrations name one too). */
  machineId: string | null;
  /** The device or API key that registered it (FileVirtuelle `registered_by`). */
  registeredBy: string;
  request: CustomerRequest;
  ticketNumber: number;
  ticketDay: string;
  /** When the ticket was issued (an offline ticket keeps its printing time). */
  issuedAt: string;
  arrivalSeq: number;
  peopleBefore?: number;
  mustWait?: boolean;
  /** Defaults to `issuedAt`. */
  now?: string;
  /** A ticket machine's ticket not yet handed out (see Customer.held); false by default. */
  held?: boolean;
}

/**
 * A new ticket: booked when it is an appointment not yet checked in, else waiting. The service's
 * own priority (prioritize, PRM) is read by the queue rule from the service; `prioritized` is
 * the customer's own flag (set by staff or a partner), so it starts false.
 */
export function newCustomer(input: NewCustomerInput): Customer {
  const { request, service } = input;
  return {
    id: input.id,
    storeId: input.storeId,
    serviceId: service.id,
    servicePath: request.servicePath.length > 0 ? [...request.servicePath] : [service.id],
    machineId: input.machineId,
    lang: request.lang,
    registeredBy: input.registeredBy,
    contactMode: request.contactMode,
    contact: request.contact,
    pager: request.pager,
    state: request.appointment === null ? 'waiting' : 'booked',
    ticketPrefix: service.ticketPrefix,
    ticketNumber: input.ticketNumber,
    ticketDay: input.ticketDay,
    ticket: formatTicket(service.ticketPrefix, input.ticketNumber),
    prioritized: false,
    appointment:
      request.appointment === null
        ? null
        : {
            at: request.appointment.at,
            ...(request.appointment.externalId === undefined
              ? {}
              : { externalId: request.appointment.externalId }),
            expired: false,
          },
    registeredAt: input.issuedAt,
    checkedInAt: null,
    // It keeps its place from the time it was issued (or its appointment time).
    sortAt: request.appointment?.at ?? input.issuedAt,
    arrivalSeq: input.arrivalSeq,
    calledAt: null,
    servingAt: null,
    finishedAt: null,
    updatedAt: input.now ?? input.issuedAt,
    deskId: null,
    recalls: 0,
    peopleBefore: input.peopleBefore ?? 0,
    mustWait: input.mustWait ?? false,
    alerted: false,
    visits: 0,
    printState: 'printed',
    printProblem: null,
    held: input.held ?? false,
  };
}

/** A ticket its machine has not handed out yet cannot be called (see Customer.held). */
export class HeldTicketError extends IllegalTransitionError {
  constructor(customer: Pick<Customer, 'state' | 'ticket'>) {
    super(customer.state, 'call');
    this.message = `Ticket ${customer.ticket} has not reached its customer yet: it cannot be called.`;
  }
}

/** What some events need besides the customer. */
export interface EventContext {
  now: Date;
  store: Pick<Store, 'appointmentLeadMinutes'> & { finishFromCalled?: boolean };
  /** `call`: the desk calling. */
  deskId?: string;
  /** `call`: the staff member signed in at that desk, if any. */
  staffId?: string;
  /** `transfer`: where the customer goes (a service, a desk, or both). */
  toService?: Pick<Service, 'id'> | null;
  toDeskId?: string | null;
}

/**
 * One lifecycle event applied to a customer: the state machine's next state and the timestamps
 * and fields that event sets. Throws IllegalTransitionError when the state does not allow it.
 * `finish` from called is allowed when the store lets desks finish without "start serving"; the
 * service then counts from the call.
 */
export function applyEvent(
  customer: Customer,
  event: CustomerEventName,
  ctx: EventContext,
): Customer {
  const now = ctx.now.toISOString();
  const base = { ...customer, updatedAt: now };
  if (event === 'call' && customer.held) throw new HeldTicketError(customer);
  if (event === 'finish' && customer.state === 'called' && ctx.store.finishFromCalled === true) {
    const serving = applyEvent(customer, 'start', {
      ...ctx,
      now: new Date(customer.calledAt ?? now),
    });
    return {
      ...serving,
      state: transition(serving.state, 'finish'),
      finishedAt: now,
      updatedAt: now,
    };
  }
  const state = transition(customer.state, event);
  switch (event) {
    case 'check_in':
      return {
        ...base,
        state,
        checkedInAt: now,
        sortAt: sortTimeAt(ctx.now, customer.appointment?.at, ctx.store).toISOString(),
      };
    case 'call': {
      const deskId = ctx.deskId ?? customer.deskId;
      const staffCalls =
        ctx.staffId === undefined || deskId === null
          ? customer.staffCalls
          : [...(customer.staffCalls ?? []), { staffId: ctx.staffId, deskId, at: now }].slice(-100);
      return { ...base, state, deskId, calledAt: now, ...(staffCalls ? { staffCalls } : {}) };
    }
    case 'recall':
      return { ...base, state, recalls: customer.recalls + 1 };
    case 'start':
      return { ...base, state, servingAt: now };
    case 'finish':
    case 'no_show':
    case 'cancel':
      return { ...base, state, finishedAt: now };
    case 'hold':
      return { ...base, state, deskId: null, calledAt: null };
    case 'transfer': {
      const service = ctx.toService ?? null;
      return {
        ...base,
        state,
        serviceId: service?.id ?? customer.serviceId,
        servicePath:
          service === null
            ? customer.servicePath
            : [...customer.servicePath.slice(0, -1), service.id],
        deskId: ctx.toDeskId ?? null,
        calledAt: null,
        servingAt: null,
      };
    }
  }
}

/** The log's name for each lifecycle event: screens, notifications and statistics read these. */
export const CUSTOMER_LOG_EVENTS = {
  check_in: 'checked_in',
  call: 'called',
  recall: 'recalled',
  start: 'serving',
  finish: 'done',
  no_show: 'no_show',
  cancel: 'cancelled',
  hold: 'put_back',
  transfer: 'transferred',
} as const satisfies Record<CustomerEventName, string>;
export type CustomerLogEvent = (typeof CUSTOMER_LOG_EVENTS)[CustomerEventName];

/** A log event that a customer change may carry besides the lifecycle ones. */
/** `alerted`: the hub marked the customer's turn as near (once), see shared/domain/turn-near.ts. */
export const CUSTOMER_OTHER_LOG_EVENTS = [
  'registered',
  'customer_updated',
  'postponed',
  'alerted',
  // The ticket machine confirmed a held ticket reached its customer (see Customer.held).
  'handed_out',
] as const;

/**
 * Several events in a row (an outside API setting a state directly): the customer after them,
 * and the log event the change records (the last lifecycle event, so a partner's "called" is
 * announced like a desk's call), or `customer_updated` when only fields changed.
 */
export function applyEvents(
  customer: Customer,
  events: readonly CustomerEventName[],
  ctx: EventContext,
): { customer: Customer; logEvent: CustomerLogEvent | 'customer_updated' } {
  let next = { ...customer, updatedAt: ctx.now.toISOString() };
  for (const event of events) next = applyEvent(next, event, ctx);
  const last = events.at(-1);
  return {
    customer: next,
    logEvent: last === undefined ? 'customer_updated' : CUSTOMER_LOG_EVENTS[last],
  };
}
