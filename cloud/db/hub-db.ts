// The hub's SQLite file: one connection, WAL, synchronous=FULL so that a change is on disk
// before its command is acknowledged. All writes of a store go through one IMMEDIATE
// transaction at a time, which is what makes the per-store sequence gapless.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export const HUB_DB_FILE = 'hub.sqlite';

/** Opens (and creates, and migrates) the hub database in `dataDir`. */
export function openHubDb(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  return openDbFile(join(dataDir, HUB_DB_FILE));
}

export function openDbFile(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The CLI may write (device add, apikey create) while a hub serves the same file.
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const apply = db.transaction((m: Migration) => {
    db.exec(m.sql);
    db.pragma(`user_version = ${m.version}`);
  });
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    // Re-read inside the loop: another process may have migrated meanwhile.
    if (m.version <= schemaVersion(db)) continue;
    apply.immediate(m);
  }
  const latest = migrations.at(-1)?.version ?? 0;
  if (schemaVersion(db) > latest) {
    throw new Error(
      `This hub database is at schema ${schemaVersion(db)}, newer than this program (${latest}).`,
    );
  }
}
