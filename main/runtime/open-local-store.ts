// Opening the device's local database at boot. A damaged file is set aside (and said so); a file
// from a newer Lineup is left alone: the appliance then starts in error rather than lose it.
import { join } from 'node:path';
import { isNewerSchemaError, openDatabase } from '../store/database.js';
import { LocalStore } from '../store/local-store.js';
import type { Logger } from './logger.js';

export type OpenedLocalStore =
  | { store: LocalStore; problem: null; notice: string | null }
  | { store: null; problem: string; notice: null };

export function openLocalStore(dataDir: string, log: Logger): OpenedLocalStore {
  try {
    const opened = openDatabase(join(dataDir, 'lineup.db'));
    const store = new LocalStore(opened.db);
    let notice: string | null = null;
    if (opened.setAsidePath !== null) {
      notice = `The local database was damaged; it was set aside as ${opened.setAsidePath} and a fresh one was started.`;
      log.error(notice);
    }
    return { store, problem: null, notice };
  } catch (error) {
    const problem = isNewerSchemaError(error)
      ? `The local database was written by a newer Lineup: ${(error as Error).message}. Update this device.`
      : `The local database cannot be opened: ${(error as Error).message}`;
    log.error(problem);
    return { store: null, problem, notice: null };
  }
}
