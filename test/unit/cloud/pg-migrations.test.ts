// The two dialects' migrations are one history: the same versions, in the same order, with the
// same names (what each does), so a hub database means the same schema on either engine.
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../cloud/db/migrations.js';
import { PG_MIGRATIONS } from '../../../cloud/db/pg-migrations.js';

describe('Postgres migrations', () => {
  it('stay aligned with the SQLite ones: same versions and names, in order', () => {
    const summary = (list: typeof MIGRATIONS) =>
      list.map(({ version, name }) => ({ version, name }));
    expect(summary(PG_MIGRATIONS)).toEqual(summary(MIGRATIONS));
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
  });

  it('create every table the SQLite schema has', () => {
    const tables = (list: typeof MIGRATIONS) =>
      [
        ...list
          .map((m) => m.sql)
          .join('\n')
          .matchAll(/CREATE TABLE (\w+)/g),
      ]
        .map((m) => m[1])
        .sort();
    expect(tables(PG_MIGRATIONS)).toEqual(tables(MIGRATIONS));
  });
});
