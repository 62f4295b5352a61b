// The relay between hub nodes on one Postgres database: socket.io's official Postgres adapter
// (LISTEN/NOTIFY on the same database, no other server to run). A change committed through one
// node is emitted to the store's room on every node. It is only a fast path: a device that misses
// a relayed change still gets it by position on its next pull.
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { runUnderMigrationLock } from './pg-migrations.js';

/** Payloads over NOTIFY's 8000-byte limit go through this table (the adapter's own format). */
const ATTACHMENTS_TABLE = 'socket_io_attachments';

export interface PgRelay {
  /** The socket.io adapter factory (`new Server(http, { adapter })`). */
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/** Opens the relay's own small pool (one LISTEN connection + publishes) on the hub's database. */
export async function openPgRelay(url: string): Promise<PgRelay> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // A lost connection (Postgres restarting) must not crash the hub: the adapter reconnects.
  pool.on('error', () => undefined);
  // The adapter's LISTEN connection is checked out for good, so the pool's handler does not
  // cover it: without this a Postgres restart would crash the hub with an unhandled 'error'.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await runUnderMigrationLock(
      pool,
      `CREATE TABLE IF NOT EXISTS ${ATTACHMENTS_TABLE} (
         id bigserial UNIQUE,
         created_at timestamptz DEFAULT NOW(),
         payload bytea
       )`,
    );
  } catch (error) {
    await pool.end();
    throw error;
  }
  // The adapter's client LISTENs as soon as it is made, and lets go only when its last namespace
  // closes: made on the first namespace, so a relay closed before any (a hub whose start failed)
  // does not keep the pool from ending.
  let create: ReturnType<typeof createAdapter> | undefined;
  // One adapter per namespace; closing them releases the LISTEN connection, so the pool can end.
  const made: ReturnType<ReturnType<typeof createAdapter>>[] = [];
  // socket.io calls the factory with `new`: a plain function (returning the adapter) allows it.
  const adapter = function (nsp: unknown) {
    create ??= createAdapter(pool, {
      tableName: ATTACHMENTS_TABLE,
      // Relay errors are not the hub's errors: devices recover by pulling.
      errorHandler: () => undefined,
    });
    const one = create(nsp);
    made.push(one);
    return one;
  } as ReturnType<typeof createAdapter>;
  return {
    adapter,
    close: async () => {
      for (const one of made.splice(0)) one.close();
      await pool.end();
    },
  };
}
