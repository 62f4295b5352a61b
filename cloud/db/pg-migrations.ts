// The hub's schema migrations in the Postgres dialect: the same versions, names and meaning as
// migrations.ts (SQLite), one for one (a unit test keeps the two lists aligned). Applied by
// `migratePg` in order, each in its own transaction under one advisory lock, so hub nodes that
// start together apply each migration once. `schema_migrations` holds the versions applied.
//
// Dialect choices: text keys are COLLATE "C" so ORDER BY and row comparisons sort bytewise like
// SQLite whatever the database's locale; epoch milliseconds are BIGINT; flags are BOOLEAN; the
// tables that SQLite orders by rowid get an identity column `row_no` (insertion order). Entities
// stay TEXT JSON, byte for byte what SQLite stores.
import type pg from 'pg';
import type { Migration } from './migrations.js';

const KEY = 'TEXT COLLATE "C"';

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'entities, per-store log, idempotency, numbering',
    // The stores row is also the store's sequence row: a write transaction locks it FOR UPDATE
    // before anything else, which makes the store's writes (and its log) one at a time.
    sql: `
      CREATE TABLE organizations (id ${KEY} PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE stores (
        id ${KEY} PRIMARY KEY,
        organization_id ${KEY} NOT NULL REFERENCES organizations(id),
        epoch ${KEY} NOT NULL,
        head_seq BIGINT NOT NULL DEFAULT 0,
        arrival_seq BIGINT NOT NULL DEFAULT 0,
        data TEXT NOT NULL
      );
      CREATE TABLE services (
        id ${KEY} PRIMARY KEY,
        store_id ${KEY} NOT NULL REFERENCES stores(id),
        data TEXT NOT NULL
      );
      CREATE INDEX services_store ON services(store_id);
      CREATE TABLE devices (
        id ${KEY} PRIMARY KEY,
        store_id ${KEY} NOT NULL REFERENCES stores(id),
        mac ${KEY} NOT NULL,
        hostname TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX devices_store ON devices(store_id);
      CREATE INDEX devices_mac ON devices(mac);
      CREATE TABLE device_credentials (
        device_id ${KEY} PRIMARY KEY,
        token_hash TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE customers (
        id ${KEY} PRIMARY KEY,
        row_no BIGINT GENERATED ALWAYS AS IDENTITY,
        store_id ${KEY} NOT NULL REFERENCES stores(id),
        state ${KEY} NOT NULL,
        ticket_prefix ${KEY} NOT NULL,
        ticket_day ${KEY} NOT NULL,
        ticket_number BIGINT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE UNIQUE INDEX customers_ticket ON customers(store_id, ticket_prefix, ticket_day, ticket_number);
      CREATE INDEX customers_store_state ON customers(store_id, state);
      CREATE TABLE log (
        store_id ${KEY} NOT NULL,
        epoch ${KEY} NOT NULL,
        seq BIGINT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (store_id, epoch, seq)
      );
      CREATE TABLE applied_commands (
        id ${KEY} PRIMARY KEY,
        store_id ${KEY} NOT NULL,
        device_id ${KEY} NOT NULL,
        type TEXT NOT NULL,
        result TEXT NOT NULL,
        applied_at TEXT NOT NULL
      );
      CREATE TABLE ticket_counters (
        store_id ${KEY} NOT NULL,
        prefix ${KEY} NOT NULL,
        day ${KEY} NOT NULL,
        last BIGINT NOT NULL,
        PRIMARY KEY (store_id, prefix, day)
      );
      CREATE TABLE ticket_blocks (
        id ${KEY} PRIMARY KEY,
        row_no BIGINT GENERATED ALWAYS AS IDENTITY,
        store_id ${KEY} NOT NULL,
        device_id ${KEY} NOT NULL,
        prefix ${KEY} NOT NULL,
        day ${KEY} NOT NULL,
        first BIGINT NOT NULL,
        last BIGINT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX ticket_blocks_range ON ticket_blocks(store_id, prefix, day);
      CREATE TABLE api_keys (
        key ${KEY} PRIMARY KEY,
        secret TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at ${KEY} NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'device credentials are claimed once',
    sql: `
      ALTER TABLE device_credentials ADD COLUMN claimed_at TEXT;
      UPDATE device_credentials SET claimed_at = issued_at;
    `,
  },
  {
    version: 3,
    name: 'indexed queue columns of customers',
    sql: `
      ALTER TABLE customers ADD COLUMN service_id ${KEY} NOT NULL DEFAULT '';
      ALTER TABLE customers ADD COLUMN desk_id ${KEY};
      ALTER TABLE customers ADD COLUMN prioritized BOOLEAN NOT NULL DEFAULT false;
      ALTER TABLE customers ADD COLUMN sort_ms BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE customers ADD COLUMN arrival_seq BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE customers ADD COLUMN appointment_ms BIGINT;
      ALTER TABLE customers ADD COLUMN external_id ${KEY};
      ALTER TABLE customers ADD COLUMN ticket ${KEY} NOT NULL DEFAULT '';
      ALTER TABLE customers ADD COLUMN finished_ms BIGINT;
      UPDATE customers SET
        service_id = data::jsonb->>'serviceId',
        desk_id = data::jsonb->>'deskId',
        prioritized = (data::jsonb->>'prioritized')::boolean,
        sort_ms = round(extract(epoch FROM (data::jsonb->>'sortAt')::timestamptz) * 1000)::bigint,
        arrival_seq = (data::jsonb->>'arrivalSeq')::bigint,
        appointment_ms = round(extract(epoch FROM (data::jsonb#>>'{appointment,at}')::timestamptz) * 1000)::bigint,
        external_id = data::jsonb#>>'{appointment,externalId}',
        ticket = data::jsonb->>'ticket',
        finished_ms = round(extract(epoch FROM (data::jsonb->>'finishedAt')::timestamptz) * 1000)::bigint;
      CREATE INDEX customers_queue
        ON customers(store_id, state, service_id, desk_id, prioritized DESC, sort_ms, arrival_seq, id);
      CREATE INDEX customers_desk ON customers(store_id, desk_id, state);
      CREATE INDEX customers_done ON customers(store_id, service_id, state, finished_ms);
    `,
  },
  {
    version: 4,
    name: 'FileVirtuelle replay memory and per-minute hits',
    sql: `
      CREATE TABLE fv_replays (nonce ${KEY} PRIMARY KEY, until_ms BIGINT NOT NULL);
      CREATE INDEX fv_replays_until ON fv_replays(until_ms);
      CREATE TABLE fv_hits (
        api_key ${KEY} PRIMARY KEY,
        minute BIGINT NOT NULL,
        count BIGINT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'staff accounts, their tokens, hub secrets, partner ticket ids',
    sql: `
      CREATE TABLE staff (
        id ${KEY} PRIMARY KEY,
        email ${KEY} NOT NULL UNIQUE,
        data TEXT NOT NULL,
        created_at ${KEY} NOT NULL
      );
      CREATE TABLE staff_tokens (
        jti ${KEY} PRIMARY KEY,
        staff_id ${KEY} NOT NULL,
        desk_id ${KEY},
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX staff_tokens_staff ON staff_tokens(staff_id);
      CREATE INDEX staff_tokens_desk ON staff_tokens(desk_id);
      CREATE TABLE hub_secrets (name ${KEY} PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE partner_tickets (
        source ${KEY} NOT NULL,
        external_id ${KEY} NOT NULL,
        customer_id ${KEY} NOT NULL,
        store_id ${KEY} NOT NULL,
        PRIMARY KEY (source, external_id)
      );
    `,
  },
  {
    version: 6,
    name: 'Bloom virtual tickets: phone customers, their tokens, password resets, phone tickets',
    sql: `
      CREATE TABLE bloom_accounts (
        id ${KEY} PRIMARY KEY,
        username ${KEY} UNIQUE,
        email ${KEY},
        data TEXT NOT NULL
      );
      CREATE INDEX bloom_accounts_email ON bloom_accounts(email);
      CREATE TABLE bloom_tokens (
        token_hash ${KEY} PRIMARY KEY,
        account_id ${KEY} NOT NULL,
        expires_ms BIGINT NOT NULL,
        revoked BOOLEAN NOT NULL DEFAULT false
      );
      CREATE INDEX bloom_tokens_account ON bloom_tokens(account_id);
      CREATE TABLE bloom_resets (
        token ${KEY} PRIMARY KEY,
        account_id ${KEY} NOT NULL,
        email TEXT NOT NULL,
        expires_ms BIGINT NOT NULL,
        used BOOLEAN NOT NULL DEFAULT false
      );
      CREATE TABLE bloom_tickets (
        customer_id ${KEY} PRIMARY KEY,
        store_id ${KEY} NOT NULL,
        account_id ${KEY},
        phone_key ${KEY} NOT NULL,
        created_ms BIGINT NOT NULL
      );
      CREATE INDEX bloom_tickets_account ON bloom_tickets(account_id);
      CREATE INDEX bloom_tickets_phone ON bloom_tickets(phone_key);
    `,
  },
  {
    version: 7,
    name: 'notification outbox, push subscriptions, notification settings',
    sql: `
      CREATE TABLE outbox (
        id ${KEY} PRIMARY KEY,
        row_no BIGINT GENERATED ALWAYS AS IDENTITY,
        store_id ${KEY} NOT NULL,
        customer_id ${KEY} NOT NULL,
        channel ${KEY} NOT NULL,
        endpoint TEXT NOT NULL,
        status ${KEY} NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        created_ms BIGINT NOT NULL,
        next_ms BIGINT NOT NULL,
        order_ms BIGINT NOT NULL,
        done_ms BIGINT,
        last_error TEXT,
        data TEXT NOT NULL
      );
      CREATE INDEX outbox_due ON outbox(status, next_ms);
      CREATE INDEX outbox_ticket ON outbox(customer_id, channel, status, order_ms);
      CREATE TABLE push_subscriptions (
        customer_id ${KEY} PRIMARY KEY,
        push_id TEXT NOT NULL,
        subscribed_at TEXT NOT NULL
      );
      CREATE TABLE notify_settings (key ${KEY} PRIMARY KEY, data TEXT NOT NULL);
    `,
  },
  // ---- device health (issue 16) ----
  {
    version: 8,
    name: 'device health: the last hardware report of each device',
    sql: `
      CREATE TABLE device_health (
        device_id ${KEY} PRIMARY KEY,
        store_id ${KEY} NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX device_health_store ON device_health(store_id);
    `,
  },
  // ---- phantom tickets (issue 17) ----
  {
    version: 9,
    name: 'held tickets: a ticket machine has not handed them out yet, desks skip them',
    sql: `
      ALTER TABLE customers ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
    `,
  },
  // ---- hub console (issue 12) ----
  {
    version: 10,
    name: 'hub console: waiting devices, sign-in lock-out, log by time',
    sql: `
      CREATE TABLE waiting_devices (
        id ${KEY} PRIMARY KEY,
        knock_key TEXT NOT NULL UNIQUE,
        last_seen ${KEY} NOT NULL,
        data TEXT NOT NULL
      );
      CREATE TABLE console_sign_in (
        staff_id ${KEY} PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until TEXT
      );
      CREATE INDEX log_store_at ON log(store_id, ((data::jsonb)->>'at'));
    `,
  },
  {
    version: 11,
    name: 'fleet alerts: what the store was last told about each device',
    sql: `
      CREATE TABLE fleet_alert_state (
        device_id ${KEY} PRIMARY KEY,
        store_id ${KEY} NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX fleet_alert_state_store ON fleet_alert_state(store_id);
    `,
  },
];

/** The advisory lock key hub nodes take to migrate one at a time ('lineup:migrate'). */
const MIGRATE_LOCK = 0x6c696e6d6967;

/**
 * Runs DDL outside the versioned migrations (the relay's table, in the adapter's own format) in
 * one transaction under the migration lock: `CREATE ... IF NOT EXISTS` alone races when two
 * nodes start at once (the loser fails on the catalog's unique index).
 */
export async function runUnderMigrationLock(pool: pg.Pool, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await client.query(sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  } finally {
    client.release();
  }
}

/**
 * Applies the migrations this database lacks, each in one transaction holding the migration
 * lock (a node that starts at the same time waits, then finds them applied). Refuses a database
 * newer than this program.
 */
export async function migratePg(
  pool: pg.Pool,
  migrations: readonly Migration[] = PG_MIGRATIONS,
): Promise<number> {
  const client = await pool.connect();
  try {
    const latest = migrations.at(-1)?.version ?? 0;
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
        );
        const current = await schemaVersionPg(client);
        if (current > latest) {
          throw new Error(
            `This hub database is at schema ${current}, newer than this program (${latest}).`,
          );
        }
        if (m.version > current) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return await schemaVersionPg(client);
  } finally {
    client.release();
  }
}

export async function schemaVersionPg(db: pg.ClientBase | pg.Pool): Promise<number> {
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}
