// Damaging a real SQLite file the way a disk does, for the tests of what a device does next.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Folds the WAL into the file, so the damage below hits what SQLite will read. */
function checkpoint(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return db;
}

function overwrite(path: string, offset: number, length: number, byte: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(length, byte), 0, length, offset);
  closeSync(fd);
}

/** Garbage over the first page of one table: the file fails its check, the rest stays readable. */
export function damageTable(path: string, table: string): void {
  const db = checkpoint(path);
  const root = (
    db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as {
      rootpage: number;
    }
  ).rootpage;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  overwrite(path, (root - 1) * pageSize, pageSize, 0xa5);
}

/** Garbage over the header: nothing can be read from the file any more. */
export function damageHeader(path: string): void {
  checkpoint(path).close();
  overwrite(path, 0, 4096, 0x5a);
  rmSync(`${path}-wal`, { force: true });
}
