// The one place that picks the hub's storage engine: SQLite in a data dir (the default: no
// database server) or Postgres at a URL (several hub nodes on one database).
import type { HubRepo } from './hub-repo.js';
import { openPgHubRepo } from './pg-hub-repo.js';
import { openHubRepo as openSqliteHubRepo } from './sqlite-hub-repo.js';

export type HubDbLocation =
  { engine: 'sqlite'; dataDir: string } | { engine: 'postgres'; url: string };

/** The environment variable that names a Postgres URL when no `--data`/`--db` is given. */
export const HUB_DB_ENV = 'LINEUP_HUB_DB';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** Why a location cannot be read from the options (the CLI prints it as a usage error). */
export class HubDbLocationError extends Error {
  override name = 'HubDbLocationError';
}

/**
 * Where the hub's data is: `--db URL` (Postgres), else `--data DIR` (SQLite), else the
 * LINEUP_HUB_DB variable. Both flags at once is an error: one hub has one store of data.
 */
export function hubDbLocation(
  options: { data?: unknown; db?: unknown },
  env: NodeJS.ProcessEnv = process.env,
): HubDbLocation {
  const data = typeof options.data === 'string' && options.data !== '' ? options.data : undefined;
  const db = typeof options.db === 'string' && options.db !== '' ? options.db : undefined;
  if (data !== undefined && db !== undefined) {
    throw new HubDbLocationError('give --data DIR (SQLite) or --db URL (Postgres), not both');
  }
  const url = db ?? (data === undefined ? env[HUB_DB_ENV] : undefined);
  if (url !== undefined && url !== '') {
    if (!POSTGRES_URL.test(url)) {
      throw new HubDbLocationError(`--db must be a postgres://… URL`);
    }
    return { engine: 'postgres', url };
  }
  if (data !== undefined) return { engine: 'sqlite', dataDir: data };
  throw new HubDbLocationError(`--data DIR or --db postgres://… (or ${HUB_DB_ENV}) is required`);
}

/** Opens (creating and migrating) the hub's storage at `location`. */
export async function openHubRepo(location: HubDbLocation): Promise<HubRepo> {
  return location.engine === 'postgres'
    ? openPgHubRepo(location.url)
    : openSqliteHubRepo(location.dataDir);
}
