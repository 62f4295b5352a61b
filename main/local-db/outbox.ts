// Local commands waiting for the hub, in the order they were made. Rows are written by the
// LocalDb facade in the same transaction as their local effect.
import { CommandEnvelopeSchema, type CommandEnvelope } from '../../shared/protocol/sync.js';
import type { Db } from './database.js';
import { readBody, type SetAside } from './set-aside.js';

export interface OutboxEntry {
  seq: number;
  envelope: CommandEnvelope;
  abandoned: boolean;
}

export class Outbox {
  constructor(
    private readonly db: Db,
    private readonly setAside: SetAside,
  ) {}

  add(envelope: CommandEnvelope): void {
    this.db
      .prepare('INSERT INTO outbox (id, type, body, created_at) VALUES (?, ?, ?, ?)')
      .run(envelope.id, envelope.type, JSON.stringify(envelope), envelope.issuedAt);
  }

  list(): OutboxEntry[] {
    const rows = this.db
      .prepare('SELECT seq, id, body, abandoned FROM outbox ORDER BY seq')
      .all() as { seq: number; id: string; body: string; abandoned: number }[];
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
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
  }

  markAbandoned(id: string): void {
    this.db.prepare('UPDATE outbox SET abandoned = 1 WHERE id = ?').run(id);
  }

  abandonPendingRegisters(): number {
    return this.db.prepare(`UPDATE outbox SET abandoned = 1 WHERE type = 'register'`).run().changes;
  }
}
