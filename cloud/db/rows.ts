// Row shapes both storage engines share (same tables, same columns): mapped to the port's
// records in one place, so SQLite and Postgres cannot drift apart.
import type { Customer } from '../../shared/domain/entities.js';
import type { OutboxRecord, OutboxStatus } from './hub-repo.js';

/** The states a customer is still in the flow (or booked) in, as SQL. */
export const ACTIVE_OR_BOOKED = `('booked','waiting','called','serving')`;

/** An ISO time as epoch ms for an indexed column; null stays null. */
export const ms = (iso: string | null | undefined): number | null =>
  iso === null || iso === undefined ? null : Date.parse(iso);

/** The columns of `customers`, in the order `customerRow` gives their values. */
export const CUSTOMER_COLUMNS = `id, store_id, state, ticket_prefix, ticket_day, ticket_number,
  service_id, desk_id, prioritized, sort_ms, arrival_seq, appointment_ms, external_id, ticket,
  finished_ms, held, data`;

/** A customer's row: the indexed columns the queue reads, then the whole record as JSON. */
export function customerRow(storeId: string, c: Customer): (string | number | boolean | null)[] {
  return [
    c.id,
    storeId,
    c.state,
    c.ticketPrefix,
    c.ticketDay,
    c.ticketNumber,
    c.serviceId,
    c.deskId,
    c.prioritized,
    Date.parse(c.sortAt),
    c.arrivalSeq,
    ms(c.appointment?.at),
    c.appointment?.externalId ?? null,
    c.ticket,
    ms(c.finishedAt),
    c.held === true,
    JSON.stringify(c),
  ];
}

export interface OutboxRow {
  id: string;
  store_id: string;
  customer_id: string;
  channel: OutboxRecord['channel'];
  endpoint: string;
  status: OutboxStatus;
  attempts: number;
  created_ms: number;
  next_ms: number;
  done_ms: number | null;
  last_error: string | null;
  data: string;
}

export function outboxRecord(r: OutboxRow): OutboxRecord {
  return {
    id: r.id,
    storeId: r.store_id,
    customerId: r.customer_id,
    channel: r.channel,
    endpoint: r.endpoint,
    notBeforeMs: r.next_ms,
    message: JSON.parse(r.data) as unknown,
    status: r.status,
    attempts: r.attempts,
    createdMs: r.created_ms,
    nextMs: r.next_ms,
    doneMs: r.done_ms,
    lastError: r.last_error,
  };
}
