import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDbFile, schemaVersion } from '../../../cloud/db/hub-db.js';
import { MIGRATIONS } from '../../../cloud/db/migrations.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineup-mig-'));
  dirs.push(dir);
  return join(dir, 'hub.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('hub migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('build the whole schema from an empty file, in WAL with synchronous=FULL', () => {
    const db = openDbFile(tempFile());
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'applied_commands',
        'customers',
        'devices',
        'log',
        'stores',
        'ticket_blocks',
        'ticket_counters',
      ]),
    );
    db.close();
  });

  it('are applied once: reopening changes nothing', () => {
    const file = tempFile();
    openDbFile(file).close();
    const db = openDbFile(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('apply a later migration to an existing file and keep its data', () => {
    const file = tempFile();
    const db = new Database(file);
    migrate(db, [{ version: 1, name: 'one', sql: 'CREATE TABLE t (x INTEGER);' }]);
    db.prepare('INSERT INTO t VALUES (42)').run();
    migrate(db, [
      { version: 1, name: 'one', sql: 'CREATE TABLE t (x INTEGER);' },
      { version: 2, name: 'two', sql: 'ALTER TABLE t ADD COLUMN y TEXT;' },
    ]);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT x, y FROM t').get()).toEqual({ x: 42, y: null });
    db.close();
  });

  it('roll a failing migration back whole and refuse a newer file', () => {
    const file = tempFile();
    const db = new Database(file);
    expect(() =>
      migrate(db, [{ version: 1, name: 'bad', sql: 'CREATE TABLE ok (x); CREATE TABLE ok (x);' }]),
    ).toThrow();
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok'").get()).toEqual({
      n: 0,
    });
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(/newer than this program/);
    db.close();
  });
});
