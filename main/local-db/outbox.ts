// Local commands waiting for the hub, in the order they were made. Rows are written by the
// LocalDb facade in the same transaction as their local effect.
import { CommandEnvelopeSchema, type CommandEnvelope } from '../../shared/protocol/sync.js';
import { statements, type Db } from './database.js';
import { readBody, type SetAside } from './set-aside.js';

export interface OutboxEntry {
  seq: number;
  envelope: CommandEnvelope;
  abandoned: boolean;
}

export class Outbox {
  private readonly sql: ReturnType<typeof statements>;
  constructor(
    private readonly db: Db,
    private readonly setAside: SetAside,
  ) {
    this.sql = statements(db);
  }

  add(envelope: CommandEnvelope): void {
    this.sql('INSERT INTO outbox (id, type, body, created_at) VALUES (?, ?, ?, ?)').run(
      envelope.id,
      envelope.type,
      JSON.stringify(envelope),
      envelope.issuedAt,
    );
  }

  /** Queues a command before every other one: it reaches the hub first on reconnect. */
  addFirst(envelope: CommandEnvelope): void {
    this.sql(
      `INSERT INTO outbox (seq, id, type, body, created_at)
         VALUES ((SELECT COALESCE(MIN(seq), 1) - 1 FROM outbox), ?, ?, ?, ?)`,
    ).run(envelope.id, envelope.type, JSON.stringify(envelope), envelope.issuedAt);
  }

  /** Takes out the registration of a ticket this device numbered itself, if still queued. */
  removeBlockRegistration(customerId: string): void {
    this.sql(
      `DELETE FROM outbox WHERE type = 'register_from_block'
         AND json_extract(body, '$.payload.customerId') = ?`,
    ).run(customerId);
  }

  list(): OutboxEntry[] {
    const rows = this.sql('SELECT seq, id, body, abandoned FROM outbox ORDER BY seq').all() as {
      seq: number;
      id: string;
      body: string;
      abandoned: number;
    }[];
    const out: OutboxEntry[] = [];
    for (const row of rows) {
      const read = readBody(row.body, CommandEnvelopeSchema);
      if (read.ok) out.push({ seq: row.seq, envelope: read.value, abandoned: row.abandoned === 1 });
      else {
        this.setAside.keep('outbox', row.id, row.body, read.reason);
        this.remove(row.id);
      }
    }
    return out;
  }

  count(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  remove(id: string): void {
    this.sql('DELETE FROM outbox WHERE id = ?').run(id);
  }

  markAbandoned(id: string): void {
    this.sql('UPDATE outbox SET abandoned = 1 WHERE id = ?').run(id);
  }

  abandonPendingRegisters(): number {
    return this.sql(`UPDATE outbox SET abandoned = 1 WHERE type = 'register'`).run().changes;
  }
}
