// Opening the device's local database at boot. A damaged file is set aside (and said so); a file
// from a newer Lineup is left alone: the appliance then starts in error rather than lose it.
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { isNewerSchemaError, openDatabase } from './database.js';
import { LocalDb } from './local-db.js';

export type OpenedLocalDb =
  | { db: LocalDb; problem: null; notice: string | null }
  | { db: null; problem: string; notice: null };

/** `report` hears every later problem with a row (set aside while running). */
export function openLocalDb(
  dataDir: string,
  log: Logger,
  report: (message: string) => void = (m) => log.error(m),
): OpenedLocalDb {
  try {
    const opened = openDatabase(join(dataDir, 'lineup.db'));
    const db = new LocalDb(opened.db, report);
    let notice: string | null = null;
    if (opened.setAsidePath !== null) {
      notice = `The local database was damaged; it was set aside as ${opened.setAsidePath} and a fresh one was started.`;
      log.error(notice);
    }
    return { db, problem: null, notice };
  } catch (error) {
    const problem = isNewerSchemaError(error)
      ? `The local database was written by a newer Lineup: ${(error as Error).message}. Update this device.`
      : `The local database cannot be opened: ${(error as Error).message}`;
    log.error(problem);
    return { db: null, problem, notice: null };
  }
}
