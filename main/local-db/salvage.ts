// What can still be read from a database set aside as damaged: the saved config (with the
// credential), unsent commands, tickets the hub does not know yet, and how far each ticket block
// was used. Each part is read on its own: one unreadable table does not lose the others.
import Database from 'better-sqlite3';
import { CustomerSchema, type Customer } from '../../shared/domain/entities.js';
import {
  CommandEnvelopeSchema,
  TicketBlockSchema,
  type CommandEnvelope,
  type TicketBlock,
} from '../../shared/protocol/sync.js';
import { ProvisionedConfigSchema, type ProvisionedConfig } from './config.js';
import { readBody } from './set-aside.js';
import { toBlock, type BlockRow } from './ticket-blocks.js';

export interface Salvage {
  config: ProvisionedConfig | null;
  outbox: CommandEnvelope[];
  localCustomers: Customer[];
  /** Blocks with the next number to hand out; `blocksKnown` false when their usage was lost. */
  blocks: { block: TicketBlock; next: number }[];
  blocksKnown: boolean;
}

function attempt<T>(read: () => T, fallback: T): { value: T; ok: boolean } {
  try {
    return { value: read(), ok: true };
  } catch {
    return { value: fallback, ok: false };
  }
}

function parsedRows<T>(rows: { body: string }[], schema: Parameters<typeof readBody<T>>[1]): T[] {
  const out: T[] = [];
  for (const row of rows) {
    const read = readBody(row.body, schema);
    if (read.ok) out.push(read.value);
  }
  return out;
}

/** Null when the file cannot be opened at all. */
export function salvage(path: string): Salvage | null {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    const config = attempt(() => {
      const row = db.prepare(`SELECT value FROM config WHERE key = 'provisioned'`).get() as
        { value: string } | undefined;
      if (row === undefined) return null;
      const read = readBody(row.value, ProvisionedConfigSchema);
      return read.ok ? read.value : null;
    }, null);
    const outbox = attempt(
      () =>
        parsedRows(
          db.prepare('SELECT body FROM outbox ORDER BY seq').all() as { body: string }[],
          CommandEnvelopeSchema,
        ),
      [],
    );
    const localCustomers = attempt(
      () =>
        parsedRows(
          db.prepare(`SELECT body FROM entities WHERE kind = 'customer' AND local = 1`).all() as {
            body: string;
          }[],
          CustomerSchema,
        ),
      [],
    );
    const blocks = attempt(() => readBlocks(db), []);
    if (!config.ok && !outbox.ok && !localCustomers.ok && !blocks.ok) return null;
    return {
      config: config.value,
      outbox: outbox.value,
      localCustomers: localCustomers.value,
      blocks: blocks.value,
      blocksKnown: blocks.ok,
    };
  } finally {
    db.close();
  }
}

function readBlocks(db: Database.Database): { block: TicketBlock; next: number }[] {
  const version = db.pragma('user_version', { simple: true }) as number;
  // Schema 3 keeps blocks with their usage; older files kept usage in block_usage.
  if (version >= 3)
    return (db.prepare('SELECT * FROM ticket_blocks').all() as BlockRow[]).map((row) => ({
      block: toBlock(row),
      next: row.next,
    }));
  const rows = db
    .prepare(
      `SELECT e.body, COALESCE(u.next, 0) AS next FROM entities e
       LEFT JOIN block_usage u ON u.block_id = e.id WHERE e.kind = 'block'`,
    )
    .all() as { body: string; next: number }[];
  const out: { block: TicketBlock; next: number }[] = [];
  for (const row of rows) {
    const read = readBody(row.body, TicketBlockSchema);
    if (read.ok) out.push({ block: read.value, next: Math.max(row.next, read.value.first) });
  }
  return out;
}
