// Opens the device's SQLite file: WAL, FULL sync (a ticket handed to a customer must survive a
// power cut), numbered migrations. A file that is not a usable database is set aside under a
// dated name, never deleted, and a fresh one is started so the device keeps working.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Migration N brings the file from user_version N-1 to N. Append only; never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  // 1: config, replica of the store's log, cursor, outbox, local use of offline ticket blocks.
  `
  CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL,
    epoch TEXT NOT NULL,
    seq INTEGER NOT NULL
  );
  CREATE TABLE entities (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    epoch TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL DEFAULT 0,
    local INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, id)
  );
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    abandoned INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE block_usage (block_id TEXT PRIMARY KEY, next INTEGER NOT NULL);
  `,
  // 2: calls a screen already announced, so a restart or a re-pull never announces twice.
  `
  CREATE TABLE announced (key TEXT PRIMARY KEY, at TEXT NOT NULL);
  `,
  // 3: a customer's ticket number in columns, so the numbers used in a block are one indexed MAX
  // query; ticket blocks with their usage in one table (the next number to hand out); rows that
  // could not be read, set aside instead of stopping the device.
  `
  ALTER TABLE entities ADD COLUMN ticket_prefix TEXT;
  ALTER TABLE entities ADD COLUMN ticket_day TEXT;
  ALTER TABLE entities ADD COLUMN ticket_number INTEGER;
  UPDATE entities SET
    ticket_prefix = json_extract(body, '$.ticketPrefix'),
    ticket_day = json_extract(body, '$.ticketDay'),
    ticket_number = json_extract(body, '$.ticketNumber')
  WHERE kind = 'customer' AND json_valid(body);
  CREATE INDEX entities_ticket ON entities (ticket_prefix, ticket_day, ticket_number)
    WHERE kind = 'customer';
  CREATE TABLE ticket_blocks (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    ticket_prefix TEXT NOT NULL,
    ticket_day TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    next INTEGER NOT NULL
  );
  CREATE INDEX ticket_blocks_usable
    ON ticket_blocks (device_id, service_id, ticket_day, ticket_prefix, first) WHERE next <= last;
  CREATE INDEX ticket_blocks_range ON ticket_blocks (ticket_prefix, ticket_day, first);
  INSERT OR IGNORE INTO ticket_blocks
    SELECT e.id, json_extract(e.body, '$.storeId'), json_extract(e.body, '$.deviceId'),
      json_extract(e.body, '$.serviceId'), json_extract(e.body, '$.ticketPrefix'),
      json_extract(e.body, '$.ticketDay'), json_extract(e.body, '$.first'),
      json_extract(e.body, '$.last'),
      COALESCE(u.next, json_extract(e.body, '$.first'))
    FROM entities e LEFT JOIN block_usage u ON u.block_id = e.id
    WHERE e.kind = 'block' AND json_valid(e.body);
  UPDATE ticket_blocks SET next = MAX(next, COALESCE((
    SELECT MAX(c.ticket_number) + 1 FROM entities c
    WHERE c.kind = 'customer' AND c.ticket_prefix = ticket_blocks.ticket_prefix
      AND c.ticket_day = ticket_blocks.ticket_day
      AND c.ticket_number BETWEEN ticket_blocks.first AND ticket_blocks.last), 0));
  DROP TABLE block_usage;
  CREATE TABLE set_aside (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
  );
  `,
];

/** Prepared statements made once per SQL text: preparing costs more than most of our queries. */
export function statements(db: Db): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

export interface OpenedDatabase {
  db: Db;
  /** Where a damaged file was moved, when it was. */
  setAsidePath: string | null;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length)
    throw new Error(
      `the database was written by a newer Lineup (schema ${current}, this one knows ${MIGRATIONS.length})`,
    );
  for (let v = current; v < MIGRATIONS.length; v += 1) {
    const sql = MIGRATIONS[v] ?? '';
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** The file is damaged (only this sets a file aside). */
class DamagedDatabaseError extends Error {}

/** Another program holds the file locked past the wait: report it, never set the file aside. */
export class DatabaseLockedError extends Error {}

/** The file (or its folder) cannot be written: report it plainly. */
export class DatabaseReadOnlyError extends Error {}

const DAMAGE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

function classify(error: unknown, path: string, busyTimeoutMs: number): Error {
  if (error instanceof DamagedDatabaseError || isNewerSchemaError(error)) return error as Error;
  const code = String((error as { code?: unknown }).code ?? '');
  const message = (error as Error).message;
  if (DAMAGE_CODES.has(code)) return new DamagedDatabaseError(message);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new DatabaseLockedError(
      `another program kept ${path} locked for more than ${Math.round(busyTimeoutMs / 1000)} s (${message}); close it and restart Lineup`,
    );
  if (
    code.startsWith('SQLITE_READONLY') ||
    code === 'EACCES' ||
    code === 'EROFS' ||
    code === 'EPERM'
  )
    return new DatabaseReadOnlyError(
      `${path} cannot be written (${message}); check the permissions of the file and its folder`,
    );
  return error as Error;
}

function openAndCheck(path: string, busyTimeoutMs: number): Db {
  const db = new Database(path);
  try {
    // First: every later statement, even setting the journal mode, then waits for a lock.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DamagedDatabaseError(`integrity check failed: ${String(check)}`);
    migrate(db);
    // A file that cannot be written is found now, not at the first ticket: write and roll back.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    } finally {
      db.exec('ROLLBACK');
    }
    return db;
  } catch (error) {
    db.close();
    throw classify(error, path, busyTimeoutMs);
  }
}

function stamp(now: Date): string {
  return now
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
}

export function isNewerSchemaError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('newer Lineup');
}

export interface OpenOptions {
  now?: () => Date;
  /** How long to wait for a lock another program holds before reporting it. */
  busyTimeoutMs?: number;
}

/**
 * Opens (or creates) the database at `path`. Only a damaged file (integrity check, "not a
 * database", "malformed") is set aside and replaced; a lock or a read-only file is reported.
 */
export function openDatabase(path: string, options: OpenOptions = {}): OpenedDatabase {
  const now = options.now ?? (() => new Date());
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = openAndCheck(path, busyTimeoutMs);
  } catch (error) {
    if (!(error instanceof DamagedDatabaseError) || !existsSync(path)) throw error;
    const aside = `${path}.corrupt-${stamp(now())}`;
    renameSync(path, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    }
    return { db: openAndCheck(path, busyTimeoutMs), setAsidePath: aside };
  }
  return { db, setAsidePath: null };
}
