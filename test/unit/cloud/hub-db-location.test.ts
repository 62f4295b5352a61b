// Which storage a `lineup-hub` command opens: --db (Postgres), --data (SQLite), else the
// LINEUP_HUB_DB variable; never both flags, never a URL that is not Postgres.
import { describe, expect, it } from 'vitest';
import { HubDbLocationError, hubDbLocation } from '../../../cloud/db/open-hub-repo.js';

const PG = 'postgres://hub@db.example/lineup';

describe('hub storage location', () => {
  it('reads --data as SQLite and --db as Postgres', () => {
    expect(hubDbLocation({ data: '/var/lib/hub' }, {})).toEqual({
      engine: 'sqlite',
      dataDir: '/var/lib/hub',
    });
    expect(hubDbLocation({ db: PG }, {})).toEqual({ engine: 'postgres', url: PG });
    expect(hubDbLocation({ db: 'postgresql://h/db' }, {})).toEqual({
      engine: 'postgres',
      url: 'postgresql://h/db',
    });
  });

  it('falls back to LINEUP_HUB_DB only when no flag names the storage', () => {
    expect(hubDbLocation({}, { LINEUP_HUB_DB: PG })).toEqual({ engine: 'postgres', url: PG });
    expect(hubDbLocation({ data: '/d' }, { LINEUP_HUB_DB: PG })).toEqual({
      engine: 'sqlite',
      dataDir: '/d',
    });
  });

  it.each([
    [{}, {}, /--data DIR or --db/],
    [{ data: '/d', db: PG }, {}, /not both/],
    [{ db: 'mysql://h/db' }, {}, /postgres:\/\//],
    [{}, { LINEUP_HUB_DB: '/some/dir' }, /postgres:\/\//],
  ])('refuses %j (env %j)', (options, env, message) => {
    expect(() => hubDbLocation(options, env)).toThrow(HubDbLocationError);
    expect(() => hubDbLocation(options, env)).toThrow(message);
  });
});
