// A read-only connection to the hub's SQLite file for long reads (the console's statistics): in
// WAL mode a reader never blocks the writer, and on its own connection (in its own thread, see
// cloud/console/stats-runner.ts) it does not hold the sequencer's connection either.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HUB_DB_FILE } from './hub-db.js';

/** A customer change reduced to its event, time and the customer `fields` asked for. */
export interface CustomerChangeFields {
  event: string;
  at: string;
  customer: Record<string, unknown>;
}

export interface LogReader {
  /**
   * The store's customer changes logged in [fromIso, toIso), in log order (any epoch), each with
   * only these customer fields (one JSON parse per row in SQLite, a small array to JavaScript).
   */
  customerChanges(
    storeId: string,
    fromIso: string,
    toIso: string,
    fields: readonly string[],
  ): Promise<CustomerChangeFields[]>;
  close(): Promise<void>;
}

/** Only plain customer field names go into a query's JSON paths. */
export function checkCustomerFields(fields: readonly string[]): void {
  for (const f of fields) {
    if (!/^[A-Za-z]+$/.test(f)) throw new Error(`not a customer field: ${f}`);
  }
}

/** One log row as [event, at, ...field values] → a change with those customer fields. */
export function changeFromValues(
  values: readonly unknown[],
  fields: readonly string[],
): CustomerChangeFields {
  const [event, at, ...rest] = values;
  const customer: Record<string, unknown> = {};
  fields.forEach((f, i) => (customer[f] = rest[i] ?? null));
  return { event: String(event), at: String(at), customer };
}

export function openLogReader(dataDir: string): LogReader {
  const db = new Database(join(dataDir, HUB_DB_FILE), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Uses the (store_id, at) index of migration 9; `at` strings of one store compare as times
  // (all UTC ISO with the same precision, as the sequencer writes them). json_extract with
  // several paths answers one JSON array.
  const statements = new Map<string, Database.Statement>();
  const statementFor = (fields: readonly string[]) => {
    const key = fields.join(',');
    let statement = statements.get(key);
    if (statement === undefined) {
      checkCustomerFields(fields);
      const paths = ['$.event', '$.at', ...fields.map((f) => `$.entity.customer.${f}`)]
        .map((path) => `'${path}'`)
        .join(', ');
      statement = db.prepare(
        `SELECT json_extract(data, ${paths}) AS row FROM log
           WHERE store_id = ? AND json_extract(data, '$.at') >= ? AND json_extract(data, '$.at') < ?
             AND json_extract(data, '$.entity.kind') = 'customer'
           ORDER BY json_extract(data, '$.at'), epoch, seq`,
      );
      statements.set(key, statement);
    }
    return statement;
  };
  return {
    customerChanges: async (storeId, fromIso, toIso, fields) =>
      (statementFor(fields).all(storeId, fromIso, toIso) as { row: string }[]).map((r) =>
        changeFromValues(JSON.parse(r.row) as unknown[], fields),
      ),
    close: async () => {
      db.close();
    },
  };
}
