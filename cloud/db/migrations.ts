// Numbered schema migrations, applied in order inside one transaction each; PRAGMA user_version
// holds the number of the last one applied. Never edit a shipped migration: add the next one.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'entities, per-store log, idempotency, numbering',
    sql: `
      CREATE TABLE organizations (id TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT;
      -- A store's log position lives with the store: (epoch, head_seq). arrival_seq orders
      -- registrations in the store (the queue's last tie breaker).
      CREATE TABLE stores (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL REFERENCES organizations(id),
        epoch TEXT NOT NULL,
        head_seq INTEGER NOT NULL DEFAULT 0,
        arrival_seq INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TABLE services (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(id),
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX services_store ON services(store_id);
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(id),
        mac TEXT NOT NULL,
        hostname TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX devices_store ON devices(store_id);
      CREATE INDEX devices_mac ON devices(mac);
      -- Only a hash of each sync token is kept.
      CREATE TABLE device_credentials (
        device_id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE TABLE customers (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(id),
        state TEXT NOT NULL,
        ticket_prefix TEXT NOT NULL,
        ticket_day TEXT NOT NULL,
        ticket_number INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      -- One ticket number per (store, prefix, day), whoever issued it.
      CREATE UNIQUE INDEX customers_ticket ON customers(store_id, ticket_prefix, ticket_day, ticket_number);
      CREATE INDEX customers_store_state ON customers(store_id, state);
      CREATE TABLE log (
        store_id TEXT NOT NULL,
        epoch TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (store_id, epoch, seq)
      ) STRICT, WITHOUT ROWID;
      -- Each command id is applied once; its result is returned again on a retry.
      CREATE TABLE applied_commands (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        type TEXT NOT NULL,
        result TEXT NOT NULL,
        applied_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE ticket_counters (
        store_id TEXT NOT NULL,
        prefix TEXT NOT NULL,
        day TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (store_id, prefix, day)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE ticket_blocks (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        prefix TEXT NOT NULL,
        day TEXT NOT NULL,
        first INTEGER NOT NULL,
        last INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX ticket_blocks_range ON ticket_blocks(store_id, prefix, day);
      CREATE TABLE api_keys (
        key TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'device credentials are claimed once',
    // claimed_at: when the device took its token with POST /provision. NULL = claimable (the next
    // /provision hands out a token). Tokens issued before this migration were already handed out.
    sql: `
      ALTER TABLE device_credentials ADD COLUMN claimed_at TEXT;
      UPDATE device_credentials SET claimed_at = issued_at;
    `,
  },
  {
    version: 3,
    name: 'indexed queue columns of customers',
    // The queue rule's keys as columns, so the next customer, people before and observed service
    // times are indexed reads instead of parsing the store's customers on every command. Times
    // are epoch milliseconds (ISO strings with offsets do not sort as text).
    sql: `
      ALTER TABLE customers ADD COLUMN service_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE customers ADD COLUMN desk_id TEXT;
      ALTER TABLE customers ADD COLUMN prioritized INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE customers ADD COLUMN sort_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE customers ADD COLUMN arrival_seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE customers ADD COLUMN appointment_ms INTEGER;
      ALTER TABLE customers ADD COLUMN external_id TEXT;
      ALTER TABLE customers ADD COLUMN ticket TEXT NOT NULL DEFAULT '';
      ALTER TABLE customers ADD COLUMN finished_ms INTEGER;
      UPDATE customers SET
        service_id = json_extract(data, '$.serviceId'),
        desk_id = json_extract(data, '$.deskId'),
        prioritized = json_extract(data, '$.prioritized'),
        sort_ms = CAST(round(unixepoch(json_extract(data, '$.sortAt'), 'subsec') * 1000) AS INTEGER),
        arrival_seq = json_extract(data, '$.arrivalSeq'),
        appointment_ms = CAST(round(unixepoch(json_extract(data, '$.appointment.at'), 'subsec') * 1000) AS INTEGER),
        external_id = json_extract(data, '$.appointment.externalId'),
        ticket = json_extract(data, '$.ticket'),
        finished_ms = CAST(round(unixepoch(json_extract(data, '$.finishedAt'), 'subsec') * 1000) AS INTEGER);
      -- Each service's queue in call order (prioritized customers first).
      CREATE INDEX customers_queue
        ON customers(store_id, state, service_id, desk_id, prioritized DESC, sort_ms, arrival_seq, id);
      -- Customers sent to (or called by) a desk.
      CREATE INDEX customers_desk ON customers(store_id, desk_id, state);
      CREATE INDEX customers_done ON customers(store_id, service_id, state, finished_ms);
      -- Typed check-in codes (appointment id, ticket) look among booked customers only, through
      -- customers_store_state: no index of their own to keep up on every write.
    `,
  },
  {
    version: 4,
    name: 'FileVirtuelle replay memory and per-minute hits',
    // Kept in the database so that a hub restart neither re-opens the replay window nor resets
    // the rate limit. Bounded: replay rows leave with their window, one hit row per API key.
    sql: `
      CREATE TABLE fv_replays (nonce TEXT PRIMARY KEY, until_ms INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      CREATE INDEX fv_replays_until ON fv_replays(until_ms);
      CREATE TABLE fv_hits (
        api_key TEXT PRIMARY KEY,
        minute INTEGER NOT NULL,
        count INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'staff accounts, their tokens, hub secrets, partner ticket ids',
    // Staff (agents, managers, technicians, owners) are stored whole as JSON beside their
    // unique email. Every JWT issued is recorded by its jti, so it can be revoked before it
    // expires. partner_tickets maps a partner's ticket id (Ombori) to the customer it became.
    sql: `
      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE staff_tokens (
        jti TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        desk_id TEXT,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX staff_tokens_staff ON staff_tokens(staff_id);
      CREATE INDEX staff_tokens_desk ON staff_tokens(desk_id);
      CREATE TABLE hub_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE partner_tickets (
        source TEXT NOT NULL,
        external_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        store_id TEXT NOT NULL,
        PRIMARY KEY (source, external_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'Bloom virtual tickets: phone customers, their tokens, password resets, phone tickets',
    // Records are opaque JSON owned by cloud/bloom; only what is looked up is a column.
    // Bearer and page tokens are stored hashed; reset tokens in clear (the CLI shows them).
    sql: `
      CREATE TABLE bloom_accounts (
        id TEXT PRIMARY KEY,
        username TEXT UNIQUE,
        email TEXT,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX bloom_accounts_email ON bloom_accounts(email);
      CREATE TABLE bloom_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX bloom_tokens_account ON bloom_tokens(account_id);
      CREATE TABLE bloom_resets (
        token TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        email TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE bloom_tickets (
        customer_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        account_id TEXT,
        phone_key TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX bloom_tickets_account ON bloom_tickets(account_id);
      CREATE INDEX bloom_tickets_phone ON bloom_tickets(phone_key);
    `,
  },
  {
    version: 7,
    name: 'notification outbox, push subscriptions, notification settings',
    // One row per (ticket, event, channel): its id is the idempotency key every message carries,
    // so INSERT OR IGNORE makes a second write of the same notification a no-op. Rows are written
    // in the transaction of the log change they report; the worker picks due rows by next_ms.
    sql: `
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        next_ms INTEGER NOT NULL,
        -- A ticket's notifications on one channel go out in this order (retries keep it).
        order_ms INTEGER NOT NULL,
        done_ms INTEGER,
        last_error TEXT,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX outbox_due ON outbox(status, next_ms);
      CREATE INDEX outbox_ticket ON outbox(customer_id, channel, status, order_ms);
      CREATE TABLE push_subscriptions (
        customer_id TEXT PRIMARY KEY,
        push_id TEXT NOT NULL,
        subscribed_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE notify_settings (key TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT, WITHOUT ROWID;
    `,
  },
  // ---- device health (issue 16) ----
  {
    version: 8,
    name: 'device health: the last hardware report of each device',
    // Beside the log, not in it: a heartbeat every 30 s per device would drown the store's log.
    sql: `
      CREATE TABLE device_health (
        device_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX device_health_store ON device_health(store_id);
    `,
  },
  // ---- phantom tickets (issue 17) ----
  {
    version: 9,
    name: 'held tickets: a ticket machine has not handed them out yet, desks skip them',
    // A column, so the queue heads skip held customers in the same indexed read (they are few).
    sql: `
      ALTER TABLE customers ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    `,
  },
  // ---- hub console (issue 12) ----
  {
    version: 10,
    name: 'hub console: waiting devices, sign-in lock-out, log by time',
    // Unknown devices that knocked on /provision (one row per hostname + MAC set); failed console
    // sign-ins per staff account (the lock-out survives a restart); and the log by time, so the
    // statistics read a day range without scanning a store's whole history.
    sql: `
      CREATE TABLE waiting_devices (
        id TEXT PRIMARY KEY,
        knock_key TEXT NOT NULL UNIQUE,
        last_seen TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TABLE console_sign_in (
        staff_id TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX log_store_at ON log(store_id, json_extract(data, '$.at'));
    `,
  },
  {
    version: 11,
    name: 'fleet alerts: what the store was last told about each device',
    // Quiet / out-of-paper as last alerted, per device: a node raises an alert only by changing
    // this row (under its store's lock), so several nodes and a restart alert once per change.
    sql: `
      CREATE TABLE fleet_alert_state (
        device_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX fleet_alert_state_store ON fleet_alert_state(store_id);
    `,
  },
];
