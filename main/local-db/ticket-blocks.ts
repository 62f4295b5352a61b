// Ticket blocks the hub reserved, each with the next number to hand out. Every lookup is an
// indexed query, so issuing a ticket costs the same at the 10th and the 10,000th ticket of a day.
import type { Customer } from '../../shared/domain/entities.js';
import type { TicketBlock } from '../../shared/protocol/sync.js';
import { statements, type Db } from './database.js';

export interface UsableBlock {
  block: TicketBlock;
  left: number;
}

export interface BlockRow {
  id: string;
  store_id: string;
  device_id: string;
  service_id: string;
  ticket_prefix: string;
  ticket_day: string;
  first: number;
  last: number;
  next: number;
}

export class TicketBlocks {
  private readonly sql: ReturnType<typeof statements>;
  constructor(private readonly db: Db) {
    this.sql = statements(db);
  }

  /**
   * Tracks a block (from the hub); a block known already keeps its usage. Numbers of its range
   * already held by customers we know (e.g. after a fresh database) count as used.
   */
  track(block: TicketBlock): void {
    this.sql(
      `INSERT INTO ticket_blocks
           (id, store_id, device_id, service_id, ticket_prefix, ticket_day, first, last, next)
         VALUES (@id, @storeId, @deviceId, @serviceId, @ticketPrefix, @ticketDay, @first, @last,
           MAX(@first, COALESCE((SELECT MAX(ticket_number) + 1 FROM entities
             WHERE kind = 'customer' AND ticket_prefix = @ticketPrefix AND ticket_day = @ticketDay
               AND ticket_number BETWEEN @first AND @last), 0)))
         ON CONFLICT (id) DO NOTHING`,
    ).run(block);
  }

  /** A customer holds a number: the block it falls in never hands it out again. */
  noteUsed(customer: Pick<Customer, 'ticketPrefix' | 'ticketDay' | 'ticketNumber'>): void {
    this.sql(
      `UPDATE ticket_blocks SET next = MAX(next, @n + 1)
         WHERE id = (SELECT id FROM ticket_blocks
                     WHERE ticket_prefix = @prefix AND ticket_day = @day AND first <= @n
                     ORDER BY first DESC LIMIT 1)
           AND last >= @n`,
    ).run({ prefix: customer.ticketPrefix, day: customer.ticketDay, n: customer.ticketNumber });
  }

  /** This device's blocks for a service, day and prefix with numbers left, in order. */
  usable(deviceId: string, serviceId: string, day: string, prefix: string): UsableBlock[] {
    const rows = this.sql(
      `SELECT * FROM ticket_blocks
         WHERE device_id = ? AND service_id = ? AND ticket_day = ? AND ticket_prefix = ?
           AND next <= last
         ORDER BY first`,
    ).all(deviceId, serviceId, day, prefix) as BlockRow[];
    return rows.map((row) => ({ block: toBlock(row), left: row.last - row.next + 1 }));
  }

  /** A block with its usage as salvaged from a set-aside file: the larger `next` wins. */
  restore(block: TicketBlock, next: number): void {
    this.track(block);
    this.sql('UPDATE ticket_blocks SET next = MAX(next, ?) WHERE id = ?').run(next, block.id);
  }

  /** Every block known now is used up: their usage was lost, so none of their numbers is safe. */
  burnAll(): number {
    return this.sql('UPDATE ticket_blocks SET next = last + 1 WHERE next <= last').run().changes;
  }

  /** Takes the next number of a block, or null when it is used up. */
  take(blockId: string): number | null {
    const row = this.sql('SELECT next, last FROM ticket_blocks WHERE id = ?').get(blockId) as
      { next: number; last: number } | undefined;
    if (row === undefined || row.next > row.last) return null;
    this.sql('UPDATE ticket_blocks SET next = next + 1 WHERE id = ?').run(blockId);
    return row.next;
  }
}

export function toBlock(row: BlockRow): TicketBlock {
  return {
    id: row.id,
    storeId: row.store_id,
    deviceId: row.device_id,
    serviceId: row.service_id,
    ticketPrefix: row.ticket_prefix,
    ticketDay: row.ticket_day,
    first: row.first,
    last: row.last,
  };
}
