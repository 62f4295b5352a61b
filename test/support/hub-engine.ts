// Which storage engine the hub suite runs on: SQLite (default) or Postgres, chosen per vitest
// project by LINEUP_TEST_HUB_ENGINE (vitest.config.ts runs the hub suite once per engine). A
// test keeps naming its hub's storage by a data dir; on Postgres each such dir stands for a
// fresh database of the run's throw-away cluster (LINEUP_TEST_PG_URL, set by
// postgres-global-setup.ts), and the bins get `--db URL` for `--data DIR`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openHubRepo } from '../../cloud/db/open-hub-repo.js';
import { createDatabaseSync } from './postgres.js';

export type HubEngineName = 'sqlite' | 'postgres';

export const HUB_ENGINE: HubEngineName =
  process.env.LINEUP_TEST_HUB_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** Data dirs that stand for a Postgres database, by dir. */
const databases = new Map<string, string>();
let made = 0;

/** A fresh, empty place for a hub's data: a temp dir, and on Postgres a new database. */
export function newHubData(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lineup-${prefix}-`));
  if (HUB_ENGINE === 'postgres') {
    const name = `hub_${process.pid}_${++made}`;
    const adminUrl = process.env.LINEUP_TEST_PG_URL;
    if (adminUrl === undefined) {
      throw new Error(
        'LINEUP_TEST_PG_URL is not set: run the Postgres project of vitest.config.ts.',
      );
    }
    databases.set(dir, createDatabaseSync(adminUrl, name));
  }
  return dir;
}

/** A temp dir that stands for the Postgres database at `url` (a test's own cluster). */
export function hubDataAt(url: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lineup-${prefix}-`));
  databases.set(dir, url);
  return dir;
}

/** The Postgres URL a data dir stands for (undefined on SQLite). */
export function hubDatabaseUrl(dir: string): string | undefined {
  return databases.get(dir);
}

/** A bin's arguments with `--data DIR` as `--db URL` when DIR stands for a database. */
export function hubDbArgs(args: readonly string[]): string[] {
  return args.flatMap((arg, i) => {
    const prev = args[i - 1];
    if (arg === '--data' && databases.has(args[i + 1] ?? '')) return ['--db'];
    if (prev === '--data' && databases.has(arg)) return [databases.get(arg) ?? arg];
    return [arg];
  });
}

/** Opens a hub's storage in the test process, on the engine its data dir stands for. */
export function openTestHubRepo(dir: string): ReturnType<typeof openHubRepo> {
  const url = databases.get(dir);
  return openHubRepo(
    url === undefined ? { engine: 'sqlite', dataDir: dir } : { engine: 'postgres', url },
  );
}

/**
 * Runs SQL straight on a hub's database, beside the hub (e.g. to break a table under it): both
 * engines have the same table names, so one statement serves both.
 */
export async function execHubSql(dir: string, sql: string): Promise<void> {
  const url = databases.get(dir);
  if (url === undefined) {
    const db = new Database(join(dir, 'hub.sqlite'));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
