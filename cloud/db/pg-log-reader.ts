// The console statistics' long reads on Postgres: the same answers as sqlite-log-reader.ts, on a
// connection of its own (in the statistics thread), so the engine's pool is not held by them.
import pg from 'pg';
import { changeFromValues, checkCustomerFields, type LogReader } from './sqlite-log-reader.js';

export function openPgLogReader(url: string): LogReader {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    customerChanges: async (storeId, fromIso, toIso, fields) => {
      checkCustomerFields(fields);
      const values = [
        `d->'event'`,
        `d->'at'`,
        ...fields.map((f) => `d->'entity'->'customer'->'${f}'`),
      ].join(', ');
      // Uses the (store_id, at) index of migration 10 (the same expression).
      const { rows } = await pool.query<{ row: unknown[] }>(
        `SELECT jsonb_build_array(${values}) AS row
           FROM (SELECT data::jsonb AS d, epoch, seq FROM log
                  WHERE store_id = $1 AND (data::jsonb)->>'at' >= $2
                    AND (data::jsonb)->>'at' < $3) AS l
          WHERE d->'entity'->>'kind' = 'customer'
          ORDER BY d->>'at', epoch, seq`,
        [storeId, fromIso, toIso],
      );
      return rows.map((r) => changeFromValues(r.row, fields));
    },
    close: () => pool.end(),
  };
}
