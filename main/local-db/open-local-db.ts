// Opening the device's local database at boot. A damaged file is set aside (and said so), and
// what can still be read from it is taken into the fresh one: the config and credential, unsent
// commands, offline tickets, block usage. A lock, a read-only file or a file from a newer Lineup
// is left alone and reported: the appliance then starts in error rather than lose anything.
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { CREDENTIAL_FILE } from './credential-file.js';
import {
  DatabaseLockedError,
  DatabaseReadOnlyError,
  isNewerSchemaError,
  openDatabase,
} from './database.js';
import { LocalDb } from './local-db.js';
import { salvage } from './salvage.js';

export type OpenedLocalDb =
  | { db: LocalDb; problem: null; notice: string | null }
  | { db: null; problem: string; notice: null };

/** `report` hears every later problem with a row (set aside while running). */
export function openLocalDb(
  dataDir: string,
  log: Logger,
  report: (message: string) => void = (m) => log.error(m),
  busyTimeoutMs?: number,
): OpenedLocalDb {
  try {
    const opened = openDatabase(join(dataDir, 'lineup.db'), { busyTimeoutMs });
    const db = new LocalDb(opened.db, {
      report,
      credentialPath: join(dataDir, CREDENTIAL_FILE),
    });
    let notice: string | null = null;
    if (opened.setAsidePath !== null) {
      const recovered = db.restore(salvage(opened.setAsidePath));
      notice = `The local database was damaged; it was set aside as ${opened.setAsidePath} and a fresh one was started. ${recovered}`;
      log.error(notice);
    }
    return { db, problem: null, notice };
  } catch (error) {
    const message = (error as Error).message;
    const problem = isNewerSchemaError(error)
      ? `The local database was written by a newer Lineup: ${message}. Update this device.`
      : error instanceof DatabaseLockedError
        ? `The local database is in use by another program: ${message}.`
        : error instanceof DatabaseReadOnlyError
          ? `The local database is read-only: ${message}.`
          : `The local database cannot be opened: ${message}`;
    log.error(problem);
    return { db: null, problem, notice: null };
  }
}
