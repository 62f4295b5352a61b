// Row shapes both storage engines share (same tables, same columns): mapped to the port's
// records in one place, so SQLite and Postgres cannot drift apart.
import type { OutboxRecord, OutboxStatus } from './hub-repo.js';

/** The states a customer is still in the flow (or booked) in, as SQL. */
export const ACTIVE_OR_BOOKED = `('booked','waiting','called','serving')`;

/** An ISO time as epoch ms for an indexed column; null stays null. */
export const ms = (iso: string | null | undefined): number | null =>
  iso === null || iso === undefined ? null : Date.parse(iso);

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
