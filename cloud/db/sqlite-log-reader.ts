// A read-only connection to the hub's SQLite file for long reads (the console's statistics): in
// WAL mode a reader never blocks the writer, and on its own connection (in its own thread, see
// cloud/console/stats-runner.ts) it does not hold the sequencer's connection either.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Change } from '../../shared/protocol/sync.js';
import { HUB_DB_FILE } from './hub-db.js';

export interface LogReader {
  /** The store's customer changes logged in [fromIso, toIso), in log order (any epoch). */
  customerChanges(storeId: string, fromIso: string, toIso: string): Change[];
  close(): void;
}

export function openLogReader(dataDir: string): LogReader {
  const db = new Database(join(dataDir, HUB_DB_FILE), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Uses the (store_id, at) index of migration 9; `at` strings of one store compare as times
  // (all UTC ISO with the same precision, as the sequencer writes them).
  const select = db.prepare(
    `SELECT data FROM log
       WHERE store_id = ? AND json_extract(data, '$.at') >= ? AND json_extract(data, '$.at') < ?
         AND json_extract(data, '$.entity.kind') = 'customer'
       ORDER BY json_extract(data, '$.at'), epoch, seq`,
  );
  return {
    customerChanges: (storeId, fromIso, toIso) =>
      (select.all(storeId, fromIso, toIso) as { data: string }[]).map(
        (r) => JSON.parse(r.data) as Change,
      ),
    close: () => db.close(),
  };
}
