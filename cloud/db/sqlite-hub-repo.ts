// The hub's storage port (hub-repo.ts) on SQLite through better-sqlite3. Entities are stored
// whole as JSON (validated before they are written) beside the columns that are indexed (the
// queue rule's keys among them); every statement is constant text with bound parameters.
import { randomBytes } from 'node:crypto';
import {
  OrganizationSchema,
  StoreSchema,
  type Customer,
  type Device,
  type Organization,
  type Service,
  type Store,
} from '../../shared/domain/entities.js';
import {
  ChangeSchema,
  DeviceHealthEntrySchema,
  type Change,
  type DeviceHealthEntry,
  type ChangeEntity,
  type CommandResult,
  type LogPosition,
  type TicketBlock,
} from '../../shared/protocol/sync.js';
import type { Statement } from 'better-sqlite3';
import type { ServiceTime } from '../../shared/domain/estimate.js';
import { openHubDb, type Db } from './hub-db.js';
import type {
  AppliedCommand,
  BloomAccountRow,
  BloomReset,
  BloomTicketRow,
  ConsoleSignInRow,
  CountAheadQuery,
  EstimateReadsQuery,
  HubData,
  HubRepo,
  HubTx,
  OutboxEntry,
  OutboxRecord,
  OutboxStatus,
  QueueHeadsQuery,
  StaffTokenRow,
  TxScope,
  WaitingDeviceKnock,
  WaitingDeviceRow,
} from './hub-repo.js';
import {
  ACTIVE_OR_BOOKED,
  CUSTOMER_COLUMNS,
  customerRow,
  outboxRecord,
  type OutboxRow,
} from './rows.js';
import { AsyncMutex } from './async-mutex.js';
import { hashToken, newObjectId } from './ids.js';

interface DataRow {
  data: string;
}

const parseRows = <T>(rows: unknown[]): T[] =>
  rows.map((r) => JSON.parse((r as DataRow).data) as T);
const parseRow = <T>(row: unknown): T | null =>
  row === undefined ? null : (JSON.parse((row as DataRow).data) as T);

/** Unknown devices remembered at most (the latest knocks). */
const MAX_WAITING_DEVICES = 500;

/** Opens (creates, migrates) `DIR/hub.sqlite` as the hub's repo. */
export function openHubRepo(dataDir: string): SqliteHubRepo {
  return new SqliteHubRepo(openHubDb(dataDir));
}

/**
 * The port on one better-sqlite3 connection. Every statement runs synchronously and the promise
 * is already settled when a method returns. A transaction spans `await`s, so transactions are
 * serialised on the connection by a mutex (the next BEGIN waits for the last COMMIT); the
 * IMMEDIATE lock keeps other processes (the CLI) out meanwhile. The repo is its own `tx`: there
 * is one connection.
 */
export class SqliteHubRepo implements HubRepo, HubTx {
  /** One writer for the whole file: batch every store together. */
  readonly parallelStores = false;
  private readonly statements = new Map<string, Statement>();
  private readonly writer = new AsyncMutex();
  private savepoints = 0;

  constructor(private readonly db: Db) {}

  // The scope is not needed here: IMMEDIATE locks the whole file, every store at once.
  async transaction<T>(_scope: TxScope, fn: (tx: HubTx) => Promise<T>): Promise<T> {
    return this.writer.run(() => this.inTransaction('BEGIN IMMEDIATE', fn));
  }
  async read<T>(fn: (tx: HubData) => Promise<T>): Promise<T> {
    return this.writer.run(() => this.inTransaction('BEGIN DEFERRED', fn));
  }
  private async inTransaction<T>(begin: string, fn: (tx: HubTx) => Promise<T>): Promise<T> {
    this.prepare(begin).run();
    try {
      const out = await fn(this);
      this.prepare('COMMIT').run();
      return out;
    } catch (error) {
      if (this.db.inTransaction) this.prepare('ROLLBACK').run();
      throw error;
    }
  }
  async savepoint<T>(fn: (tx: HubTx) => Promise<T>): Promise<T> {
    // Nested savepoints get their own names (sp1, sp2, ...), released innermost first.
    const name = `sp${++this.savepoints}`;
    this.prepare(`SAVEPOINT ${name}`).run();
    try {
      const out = await fn(this);
      this.prepare(`RELEASE ${name}`).run();
      return out;
    } catch (error) {
      this.prepare(`ROLLBACK TO ${name}`).run();
      this.prepare(`RELEASE ${name}`).run();
      throw error;
    } finally {
      this.savepoints -= 1;
    }
  }
  async lockStore(_storeId: string): Promise<void> {
    // BEGIN IMMEDIATE already holds the write lock of every store.
  }
  async close(): Promise<void> {
    // After the transaction in flight (if any) has committed.
    await this.writer.run(async () => this.db.close());
  }

  /** Prepared once per SQL text: every statement here is constant, parameters are bound. */
  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
  private all<T>(sql: string, ...params: unknown[]): T[] {
    return parseRows<T>(this.prepare(sql).all(...params));
  }
  private one<T>(sql: string, ...params: unknown[]): T | null {
    return parseRow<T>(this.prepare(sql).get(...params));
  }

  async organization(id: string): Promise<Organization | null> {
    return this.one('SELECT data FROM organizations WHERE id = ?', id);
  }
  async organizations(): Promise<Organization[]> {
    return this.all('SELECT data FROM organizations ORDER BY id');
  }
  async store(id: string): Promise<Store | null> {
    return this.one('SELECT data FROM stores WHERE id = ?', id);
  }
  async stores(): Promise<Store[]> {
    return this.all('SELECT data FROM stores ORDER BY id');
  }
  async service(id: string): Promise<Service | null> {
    return this.one('SELECT data FROM services WHERE id = ?', id);
  }
  async services(storeId?: string): Promise<Service[]> {
    return storeId === undefined
      ? this.all('SELECT data FROM services ORDER BY store_id, id')
      : this.all('SELECT data FROM services WHERE store_id = ? ORDER BY id', storeId);
  }
  async device(id: string): Promise<Device | null> {
    return this.one('SELECT data FROM devices WHERE id = ?', id);
  }
  async devices(storeId?: string): Promise<Device[]> {
    return storeId === undefined
      ? this.all('SELECT data FROM devices ORDER BY store_id, id')
      : this.all('SELECT data FROM devices WHERE store_id = ? ORDER BY id', storeId);
  }
  async devicesByMac(macs: readonly string[]): Promise<Device[]> {
    const out: Device[] = [];
    const stmt = this.prepare('SELECT data FROM devices WHERE mac = ? ORDER BY id');
    for (const mac of macs) out.push(...parseRows<Device>(stmt.all(mac)));
    return out;
  }
  async customer(id: string): Promise<Customer | null> {
    return this.one('SELECT data FROM customers WHERE id = ?', id);
  }
  async customers(storeId?: string): Promise<Customer[]> {
    return storeId === undefined
      ? this.all('SELECT data FROM customers ORDER BY store_id, ticket_day, rowid')
      : this.all(
          'SELECT data FROM customers WHERE store_id = ? ORDER BY ticket_day, rowid',
          storeId,
        );
  }
  /** The store's working set: anyone still in the flow or booked, and everything of `day`. */
  async queueCustomers(storeId: string, day: string): Promise<Customer[]> {
    return this.all(
      `SELECT data FROM customers WHERE store_id = ?
         AND (state IN ${ACTIVE_OR_BOOKED} OR ticket_day >= ?) ORDER BY rowid`,
      storeId,
      day,
    );
  }
  async bookedCustomer(
    storeId: string,
    by: { externalId: string } | { ticket: string },
  ): Promise<Customer | null> {
    return 'externalId' in by
      ? this.one(
          `SELECT data FROM customers WHERE store_id = ? AND external_id = ? AND state = 'booked'
             ORDER BY rowid LIMIT 1`,
          storeId,
          by.externalId,
        )
      : this.one(
          `SELECT data FROM customers WHERE store_id = ? AND ticket = ? AND state = 'booked'
             ORDER BY rowid LIMIT 1`,
          storeId,
          by.ticket,
        );
  }
  async customersAtDesk(storeId: string, deskId: string): Promise<Customer[]> {
    return this.all(
      `SELECT data FROM customers WHERE store_id = ? AND desk_id = ? AND state IN ('called','serving')
         ORDER BY rowid`,
      storeId,
      deskId,
    );
  }

  async queueHeads(q: QueueHeadsQuery): Promise<Customer[]> {
    // Callable: no appointment, or its time minus the lead has come.
    const latestAppointment = q.now.getTime() + q.appointmentLeadMinutes * 60_000;
    const heads: Customer[] = [];
    // Sent to this desk (any service): the first of the prioritized tier if there is one, else
    // the first by time (then everyone there is in the same tier).
    const sentToDesk =
      this.one<Customer>(
        `SELECT data FROM customers WHERE store_id = ? AND desk_id = ? AND state = 'waiting'
           AND held = 0 AND (appointment_ms IS NULL OR appointment_ms <= ?)
           AND (prioritized = 1 OR service_id IN (SELECT value FROM json_each(?)))
           ORDER BY sort_ms, arrival_seq, id LIMIT 1`,
        q.storeId,
        q.deskId,
        latestAppointment,
        JSON.stringify(q.prioritizedServiceIds),
      ) ??
      this.one<Customer>(
        `SELECT data FROM customers WHERE store_id = ? AND desk_id = ? AND state = 'waiting'
           AND held = 0 AND (appointment_ms IS NULL OR appointment_ms <= ?)
           ORDER BY sort_ms, arrival_seq, id LIMIT 1`,
        q.storeId,
        q.deskId,
        latestAppointment,
      );
    if (sentToDesk !== null) heads.push(sentToDesk);
    // Each service's own queue: the first of its customers flagged prioritized and the first of
    // the others (in a prioritized service both are in the same tier: the rule picks by time).
    const head = this.prepare(
      `SELECT data FROM customers INDEXED BY customers_queue
         WHERE store_id = ? AND state = 'waiting' AND service_id = ? AND desk_id IS NULL
         AND prioritized = ? AND held = 0 AND (appointment_ms IS NULL OR appointment_ms <= ?)
         ORDER BY sort_ms, arrival_seq, id LIMIT 1`,
    );
    for (const serviceId of q.serviceIds) {
      for (const flagged of [1, 0]) {
        const c = parseRow<Customer>(head.get(q.storeId, serviceId, flagged, latestAppointment));
        if (c !== null) heads.push(c);
      }
    }
    return heads;
  }

  async countWaitingAhead(q: CountAheadQuery): Promise<number> {
    const { subject } = q;
    const tier = subject.prioritized ? 0 : 1;
    const row = this.prepare(
      `SELECT count(*) AS n FROM (
         SELECT CASE WHEN prioritized = 1 OR service_id IN (SELECT value FROM json_each(?))
                  THEN 0 ELSE 1 END AS tier, sort_ms, arrival_seq, id
           FROM customers
          WHERE store_id = ? AND state = 'waiting' AND id <> ?
            AND service_id IN (SELECT value FROM json_each(?)))
       WHERE tier < ? OR (tier = ? AND (sort_ms, arrival_seq, id) < (?, ?, ?))`,
    ).get(
      JSON.stringify(q.prioritizedServiceIds),
      q.storeId,
      subject.id,
      JSON.stringify(q.serviceIds),
      tier,
      tier,
      Date.parse(subject.sortAt),
      subject.arrivalSeq,
      subject.id,
    ) as { n: number };
    return row.n;
  }

  async estimateReads(q: EstimateReadsQuery): Promise<{ ahead: number; finished: ServiceTime[] }> {
    const { serviceId, day, limit } = q.finished;
    return {
      ahead: await this.countWaitingAhead(q.ahead),
      finished: await this.latestServiceTimes(q.ahead.storeId, serviceId, day, limit),
    };
  }
  async latestServiceTimes(
    storeId: string,
    serviceId: string,
    day: string,
    limit: number,
  ): Promise<ServiceTime[]> {
    // Only the two times are read out of the JSON: no customer is parsed.
    return this.prepare(
      `SELECT service_id AS serviceId, state, json_extract(data, '$.servingAt') AS servingAt,
              json_extract(data, '$.finishedAt') AS finishedAt
         FROM customers WHERE store_id = ? AND service_id = ? AND state = 'done'
         AND ticket_day >= ? ORDER BY finished_ms DESC LIMIT ?`,
    ).all(storeId, serviceId, day, limit) as ServiceTime[];
  }

  async block(id: string): Promise<TicketBlock | null> {
    return this.one('SELECT data FROM ticket_blocks WHERE id = ?', id);
  }
  async blocks(storeId: string, prefix?: string, day?: string): Promise<TicketBlock[]> {
    return prefix === undefined || day === undefined
      ? this.all('SELECT data FROM ticket_blocks WHERE store_id = ? ORDER BY rowid', storeId)
      : this.all(
          'SELECT data FROM ticket_blocks WHERE store_id = ? AND prefix = ? AND day = ? ORDER BY first',
          storeId,
          prefix,
          day,
        );
  }
  async lastIssued(storeId: string, prefix: string, day: string): Promise<number> {
    const row = this.prepare(
      'SELECT last FROM ticket_counters WHERE store_id = ? AND prefix = ? AND day = ?',
    ).get(storeId, prefix, day) as { last: number } | undefined;
    return row?.last ?? 0;
  }
  async setLastIssued(storeId: string, prefix: string, day: string, last: number): Promise<void> {
    this.prepare(
      `INSERT INTO ticket_counters (store_id, prefix, day, last) VALUES (?, ?, ?, ?)
         ON CONFLICT (store_id, prefix, day) DO UPDATE SET last = max(last, excluded.last)`,
    ).run(storeId, prefix, day, last);
  }
  async ticketTaken(storeId: string, prefix: string, day: string, n: number): Promise<boolean> {
    return (
      this.prepare(
        'SELECT 1 FROM customers WHERE store_id = ? AND ticket_prefix = ? AND ticket_day = ? AND ticket_number = ?',
      ).get(storeId, prefix, day, n) !== undefined
    );
  }
  async nextArrivalSeq(storeId: string): Promise<number> {
    const row = this.prepare(
      'UPDATE stores SET arrival_seq = arrival_seq + 1 WHERE id = ? RETURNING arrival_seq',
    ).get(storeId) as { arrival_seq: number } | undefined;
    if (row === undefined) throw new Error(`Unknown store ${storeId}.`);
    return row.arrival_seq;
  }

  async head(storeId: string): Promise<LogPosition | null> {
    const row = this.prepare('SELECT epoch, head_seq FROM stores WHERE id = ?').get(storeId) as
      { epoch: string; head_seq: number } | undefined;
    return row === undefined ? null : { epoch: row.epoch, seq: row.head_seq };
  }
  async heads(): Promise<Map<string, LogPosition>> {
    const rows = this.prepare('SELECT id, epoch, head_seq FROM stores').all() as {
      id: string;
      epoch: string;
      head_seq: number;
    }[];
    return new Map(rows.map((r) => [r.id, { epoch: r.epoch, seq: r.head_seq }]));
  }
  async changesSince(
    storeId: string,
    epoch: string,
    seq: number,
    limit: number,
  ): Promise<Change[]> {
    return this.all(
      'SELECT data FROM log WHERE store_id = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?',
      storeId,
      epoch,
      seq,
      limit,
    );
  }

  /** Creates a store's row (and its first epoch) before its first change is logged. */
  async createStore(store: Store): Promise<void> {
    const s = StoreSchema.parse(store);
    this.prepare('INSERT INTO stores (id, organization_id, epoch, data) VALUES (?, ?, ?, ?)').run(
      s.id,
      s.organizationId,
      newObjectId(),
      JSON.stringify(s),
    );
  }
  async upsertOrganization(org: Organization): Promise<void> {
    this.putOrganization(org);
  }
  private putOrganization(org: Organization): void {
    const o = OrganizationSchema.parse(org);
    this.prepare(
      'INSERT INTO organizations (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
    ).run(o.id, JSON.stringify(o));
  }

  /**
   * Appends one change to its store's log (next seq) and applies its entity, in the caller's
   * transaction. Nothing else writes entities of a store, so the log and the tables agree.
   */
  async append(
    storeId: string,
    entry: Pick<Change, 'origin' | 'commandId' | 'event' | 'entity'> & { at?: string },
  ): Promise<Change> {
    const head = this.prepare(
      'UPDATE stores SET head_seq = head_seq + 1 WHERE id = ? RETURNING epoch, head_seq',
    ).get(storeId) as { epoch: string; head_seq: number } | undefined;
    if (head === undefined) throw new Error(`Unknown store ${storeId}.`);
    const change = ChangeSchema.parse({
      storeId,
      epoch: head.epoch,
      seq: head.head_seq,
      at: entry.at ?? new Date().toISOString(),
      origin: entry.origin,
      commandId: entry.commandId,
      event: entry.event,
      entity: entry.entity,
    });
    // `change` is parsed: its entity was validated just now, once.
    this.applyEntity(storeId, change.entity);
    this.prepare('INSERT INTO log (store_id, epoch, seq, data) VALUES (?, ?, ?, ?)').run(
      storeId,
      change.epoch,
      change.seq,
      JSON.stringify(change),
    );
    return change;
  }

  private applyEntity(storeId: string, entity: ChangeEntity): void {
    switch (entity.kind) {
      case 'customer': {
        this.prepare(
          `INSERT INTO customers (${CUSTOMER_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, ticket_prefix = excluded.ticket_prefix,
               ticket_day = excluded.ticket_day, ticket_number = excluded.ticket_number,
               service_id = excluded.service_id, desk_id = excluded.desk_id,
               prioritized = excluded.prioritized, sort_ms = excluded.sort_ms,
               arrival_seq = excluded.arrival_seq, appointment_ms = excluded.appointment_ms,
               external_id = excluded.external_id, ticket = excluded.ticket,
               finished_ms = excluded.finished_ms, held = excluded.held, data = excluded.data`,
          // SQLite keeps booleans as 0/1.
        ).run(
          ...customerRow(storeId, entity.customer).map((v) =>
            typeof v === 'boolean' ? Number(v) : v,
          ),
        );
        return;
      }
      case 'customer_removed':
        this.prepare('DELETE FROM customers WHERE id = ? AND store_id = ?').run(entity.id, storeId);
        return;
      case 'device': {
        const d = entity.device;
        this.prepare(
          `INSERT INTO devices (id, store_id, mac, hostname, data) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, mac = excluded.mac,
               hostname = excluded.hostname, data = excluded.data`,
        ).run(d.id, storeId, d.mac, d.hostname, JSON.stringify(d));
        return;
      }
      case 'device_removed':
        this.prepare('DELETE FROM devices WHERE id = ? AND store_id = ?').run(entity.id, storeId);
        this.prepare(
          'UPDATE device_credentials SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL',
        ).run(new Date().toISOString(), entity.id);
        return;
      case 'service': {
        const s = entity.service;
        this.prepare(
          `INSERT INTO services (id, store_id, data) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
        ).run(s.id, storeId, JSON.stringify(s));
        return;
      }
      case 'store': {
        const s = StoreSchema.parse(entity.store);
        this.prepare('UPDATE stores SET data = ? WHERE id = ?').run(JSON.stringify(s), storeId);
        return;
      }
      case 'organization':
        this.putOrganization(entity.organization);
        return;
      case 'block': {
        const b = entity.block;
        this.prepare(
          `INSERT INTO ticket_blocks (id, store_id, device_id, prefix, day, first, last, data)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        ).run(
          b.id,
          storeId,
          b.deviceId,
          b.ticketPrefix,
          b.ticketDay,
          b.first,
          b.last,
          JSON.stringify(b),
        );
        return;
      }
    }
  }

  // Device credentials: one token per device, handed out once. A device with no row, or whose
  // row has no claimed_at, may claim; claiming stores only the token's hash.
  /** Issues and records a token if the device may claim one; null when it already claimed. */
  async claimCredential(deviceId: string): Promise<string | null> {
    const row = this.prepare('SELECT claimed_at FROM device_credentials WHERE device_id = ?').get(
      deviceId,
    ) as { claimed_at: string | null } | undefined;
    if (row !== undefined && row.claimed_at !== null) return null;
    const token = randomBytes(24).toString('base64url');
    const now = new Date().toISOString();
    this.prepare(
      `INSERT INTO device_credentials (device_id, token_hash, issued_at, revoked_at, claimed_at)
         VALUES (?, ?, ?, NULL, ?)
         ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash,
           issued_at = excluded.issued_at, revoked_at = NULL, claimed_at = excluded.claimed_at`,
    ).run(deviceId, hashToken(token), now, now);
    return token;
  }
  /** Revokes the current token (if any) and lets the device claim a new one. */
  async reopenClaim(deviceId: string): Promise<void> {
    this.prepare(
      `UPDATE device_credentials SET revoked_at = COALESCE(revoked_at, ?), claimed_at = NULL
         WHERE device_id = ?`,
    ).run(new Date().toISOString(), deviceId);
  }
  async claimState(deviceId: string): Promise<'claimable' | 'claimed'> {
    const row = this.prepare('SELECT claimed_at FROM device_credentials WHERE device_id = ?').get(
      deviceId,
    ) as { claimed_at: string | null } | undefined;
    return row !== undefined && row.claimed_at !== null ? 'claimed' : 'claimable';
  }
  async credential(deviceId: string): Promise<{ tokenHash: string; revoked: boolean } | null> {
    const row = this.prepare(
      'SELECT token_hash, revoked_at FROM device_credentials WHERE device_id = ?',
    ).get(deviceId) as { token_hash: string; revoked_at: string | null } | undefined;
    return row === undefined
      ? null
      : { tokenHash: row.token_hash, revoked: row.revoked_at !== null };
  }

  async appliedCommand(id: string): Promise<AppliedCommand | null> {
    const row = this.prepare(
      'SELECT device_id, type, result FROM applied_commands WHERE id = ?',
    ).get(id) as { device_id: string; type: string; result: string } | undefined;
    return row === undefined
      ? null
      : {
          deviceId: row.device_id,
          type: row.type,
          result: JSON.parse(row.result) as CommandResult,
        };
  }
  async recordCommand(
    id: string,
    entry: AppliedCommand & { storeId: string; appliedAt: string },
  ): Promise<void> {
    this.prepare(
      'INSERT INTO applied_commands (id, store_id, device_id, type, result, applied_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      entry.storeId,
      entry.deviceId,
      entry.type,
      JSON.stringify(entry.result),
      entry.appliedAt,
    );
  }

  async insertApiAccount(
    account: { key: string; secret: string; name: string },
    record: unknown,
    createdAt: string,
  ): Promise<void> {
    this.prepare(
      'INSERT INTO api_keys (key, secret, name, data, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(account.key, account.secret, account.name, JSON.stringify(record), createdAt);
  }
  async apiAccount(key: string): Promise<unknown> {
    return this.one('SELECT data FROM api_keys WHERE key = ?', key);
  }
  async apiAccounts(): Promise<unknown[]> {
    return this.all('SELECT data FROM api_keys ORDER BY created_at');
  }
  async updateApiAccount(key: string, record: unknown): Promise<void> {
    this.prepare('UPDATE api_keys SET data = ? WHERE key = ?').run(JSON.stringify(record), key);
  }

  async rememberSignedRequest(nonce: string, untilMs: number, nowMs: number): Promise<boolean> {
    // Its own short transaction (a savepoint when it runs inside an open one).
    return this.db.transaction(() => {
      this.prepare('DELETE FROM fv_replays WHERE until_ms < ?').run(nowMs);
      return (
        this.prepare('INSERT OR IGNORE INTO fv_replays (nonce, until_ms) VALUES (?, ?)').run(
          nonce,
          untilMs,
        ).changes === 1
      );
    })();
  }
  async countApiHit(apiKey: string, minute: number): Promise<number> {
    const row = this.prepare(
      `INSERT INTO fv_hits (api_key, minute, count) VALUES (?, ?, 1)
         ON CONFLICT(api_key) DO UPDATE SET
           count = CASE WHEN minute = excluded.minute THEN count + 1 ELSE 1 END,
           minute = excluded.minute
         RETURNING count`,
    ).get(apiKey, minute) as { count: number };
    return row.count;
  }

  // --- Staff accounts and the agent API (staff/, agent/, ombori/) ---
  async insertStaff(
    staff: { id: string; email: string },
    record: unknown,
    createdAt: string,
  ): Promise<void> {
    this.prepare('INSERT INTO staff (id, email, data, created_at) VALUES (?, ?, ?, ?)').run(
      staff.id,
      staff.email,
      JSON.stringify(record),
      createdAt,
    );
  }
  async staffById(id: string): Promise<unknown> {
    return this.one('SELECT data FROM staff WHERE id = ?', id);
  }
  async staffByEmail(email: string): Promise<unknown> {
    return this.one('SELECT data FROM staff WHERE email = ?', email);
  }
  async staffList(): Promise<unknown[]> {
    return this.all('SELECT data FROM staff ORDER BY created_at, id');
  }
  async updateStaff(staff: { id: string; email: string }, record: unknown): Promise<void> {
    this.prepare('UPDATE staff SET email = ?, data = ? WHERE id = ?').run(
      staff.email,
      JSON.stringify(record),
      staff.id,
    );
  }
  async deleteStaff(id: string): Promise<void> {
    this.prepare('DELETE FROM staff WHERE id = ?').run(id);
  }
  async insertStaffToken(token: StaffTokenRow): Promise<void> {
    this.prepare(
      `INSERT INTO staff_tokens (jti, staff_id, desk_id, issued_at, expires_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(token.jti, token.staffId, token.deskId, token.issuedAt, token.expiresAt, token.revokedAt);
  }
  async staffToken(jti: string): Promise<StaffTokenRow | null> {
    const row = this.prepare(
      `SELECT jti, staff_id AS staffId, desk_id AS deskId, issued_at AS issuedAt,
              expires_at AS expiresAt, revoked_at AS revokedAt
         FROM staff_tokens WHERE jti = ?`,
    ).get(jti) as StaffTokenRow | undefined;
    return row ?? null;
  }
  async revokeStaffTokens(
    by: { staffId: string } | { deskId: string } | { jti: string },
    at: string,
  ): Promise<void> {
    if ('jti' in by)
      this.prepare(
        'UPDATE staff_tokens SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL',
      ).run(at, by.jti);
    else if ('staffId' in by)
      this.prepare(
        'UPDATE staff_tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL',
      ).run(at, by.staffId);
    else
      this.prepare(
        'UPDATE staff_tokens SET revoked_at = ? WHERE desk_id = ? AND revoked_at IS NULL',
      ).run(at, by.deskId);
  }
  async hubSecret(name: string, make: () => string): Promise<string> {
    this.prepare('INSERT OR IGNORE INTO hub_secrets (name, value) VALUES (?, ?)').run(name, make());
    const row = this.prepare('SELECT value FROM hub_secrets WHERE name = ?').get(name) as {
      value: string;
    };
    return row.value;
  }
  // --- Bloom virtual tickets ---
  async insertBloomAccount(row: BloomAccountRow): Promise<void> {
    this.prepare('INSERT INTO bloom_accounts (id, username, email, data) VALUES (?, ?, ?, ?)').run(
      row.id,
      row.username,
      row.email,
      JSON.stringify(row.record),
    );
  }
  async updateBloomAccount(row: BloomAccountRow): Promise<void> {
    this.prepare('UPDATE bloom_accounts SET username = ?, email = ?, data = ? WHERE id = ?').run(
      row.username,
      row.email,
      JSON.stringify(row.record),
      row.id,
    );
  }
  async bloomAccount(
    by: { id: string } | { username: string } | { email: string },
  ): Promise<unknown> {
    if ('id' in by) return this.one('SELECT data FROM bloom_accounts WHERE id = ?', by.id);
    if ('username' in by)
      return this.one('SELECT data FROM bloom_accounts WHERE username = ?', by.username);
    return this.one(
      'SELECT data FROM bloom_accounts WHERE email = ? ORDER BY id LIMIT 1',
      by.email,
    );
  }
  async insertBloomToken(tokenHash: string, accountId: string, expiresMs: number): Promise<void> {
    this.prepare(
      'INSERT INTO bloom_tokens (token_hash, account_id, expires_ms) VALUES (?, ?, ?)',
    ).run(tokenHash, accountId, expiresMs);
  }
  async bloomTokenAccount(tokenHash: string, nowMs: number): Promise<string | null> {
    const row = this.prepare(
      'SELECT account_id FROM bloom_tokens WHERE token_hash = ? AND revoked = 0 AND expires_ms > ?',
    ).get(tokenHash, nowMs) as { account_id: string } | undefined;
    return row?.account_id ?? null;
  }
  async revokeBloomTokens(accountId: string): Promise<void> {
    this.prepare('UPDATE bloom_tokens SET revoked = 1 WHERE account_id = ?').run(accountId);
  }
  async insertBloomReset(reset: BloomReset): Promise<void> {
    this.prepare(
      'INSERT INTO bloom_resets (token, account_id, email, expires_ms) VALUES (?, ?, ?, ?)',
    ).run(reset.token, reset.accountId, reset.email, reset.expiresMs);
  }
  async takeBloomReset(token: string, nowMs: number): Promise<string | null> {
    const row = this.prepare(
      `UPDATE bloom_resets SET used = 1 WHERE token = ? AND used = 0 AND expires_ms > ?
         RETURNING account_id`,
    ).get(token, nowMs) as { account_id: string } | undefined;
    return row?.account_id ?? null;
  }
  async pendingBloomResets(nowMs: number): Promise<BloomReset[]> {
    const rows = this.prepare(
      `SELECT token, account_id, email, expires_ms FROM bloom_resets
         WHERE used = 0 AND expires_ms > ? ORDER BY expires_ms`,
    ).all(nowMs) as { token: string; account_id: string; email: string; expires_ms: number }[];
    return rows.map((r) => ({
      token: r.token,
      accountId: r.account_id,
      email: r.email,
      expiresMs: r.expires_ms,
    }));
  }
  async insertBloomTicket(t: BloomTicketRow): Promise<void> {
    this.prepare(
      `INSERT INTO bloom_tickets (customer_id, store_id, account_id, phone_key, created_ms)
         VALUES (?, ?, ?, ?, ?)`,
    ).run(t.customerId, t.storeId, t.accountId, t.phoneKey, t.createdMs);
  }
  async bloomTicket(customerId: string): Promise<BloomTicketRow | null> {
    const row = this.prepare('SELECT * FROM bloom_tickets WHERE customer_id = ?').get(
      customerId,
    ) as BloomTicketDbRow | undefined;
    return row === undefined ? null : bloomTicketOf(row);
  }
  async bloomTickets(by: { accountId: string } | { phoneKey: string }): Promise<BloomTicketRow[]> {
    const rows = (
      'accountId' in by
        ? this.prepare('SELECT * FROM bloom_tickets WHERE account_id = ? ORDER BY created_ms').all(
            by.accountId,
          )
        : this.prepare('SELECT * FROM bloom_tickets WHERE phone_key = ? ORDER BY created_ms').all(
            by.phoneKey,
          )
    ) as BloomTicketDbRow[];
    return rows.map(bloomTicketOf);
  }
  async partnerTicket(
    source: string,
    externalId: string,
  ): Promise<{ customerId: string; storeId: string } | null> {
    const row = this.prepare(
      `SELECT customer_id AS customerId, store_id AS storeId FROM partner_tickets
         WHERE source = ? AND external_id = ?`,
    ).get(source, externalId) as { customerId: string; storeId: string } | undefined;
    return row ?? null;
  }
  async insertPartnerTicket(
    source: string,
    externalId: string,
    at: { customerId: string; storeId: string },
  ): Promise<void> {
    this.prepare(
      'INSERT INTO partner_tickets (source, external_id, customer_id, store_id) VALUES (?, ?, ?, ?)',
    ).run(source, externalId, at.customerId, at.storeId);
  }
  // --- Notifications (issue 10): outbox, push subscriptions, settings -------------------------
  async enqueueOutbox(entries: readonly OutboxEntry[], nowMs: number): Promise<number> {
    const stmt = this.prepare(
      `INSERT OR IGNORE INTO outbox
         (id, store_id, customer_id, channel, endpoint, status, attempts, created_ms, next_ms,
          order_ms, data)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
    );
    let added = 0;
    for (const e of entries) {
      added += stmt.run(
        e.id,
        e.storeId,
        e.customerId,
        e.channel,
        e.endpoint,
        nowMs,
        Math.max(nowMs, e.notBeforeMs),
        Math.max(nowMs, e.notBeforeMs),
        JSON.stringify(e.message),
      ).changes;
    }
    return added;
  }
  async claimOutbox(nowMs: number, limit: number, leaseUntilMs: number): Promise<OutboxRecord[]> {
    // One statement: the rows picked are the rows claimed.
    const rows = this.prepare(
      // Only the first pending notification of a ticket on a channel: a retried one holds back
      // the ones after it, so a partner never sees CALLED before BOOKED.
      `UPDATE outbox SET next_ms = ? WHERE rowid IN (
         SELECT o.rowid FROM outbox o WHERE status = 'pending' AND next_ms <= ?
           AND NOT EXISTS (SELECT 1 FROM outbox p
             WHERE p.customer_id = o.customer_id AND p.channel = o.channel
               AND p.status = 'pending'
               AND (p.order_ms < o.order_ms OR (p.order_ms = o.order_ms AND p.rowid < o.rowid)))
           ORDER BY next_ms, rowid LIMIT ?)
       RETURNING rowid AS row_order, *`,
    ).all(leaseUntilMs, nowMs, limit) as (OutboxRow & { row_order: number })[];
    return rows.sort((a, b) => a.row_order - b.row_order).map((r) => outboxRecord(r));
  }
  async releaseOutbox(ids: readonly string[], leaseUntilMs: number, nextMs: number): Promise<void> {
    const release = this.prepare(
      `UPDATE outbox SET next_ms = ? WHERE id = ? AND status = 'pending' AND next_ms = ?`,
    );
    for (const id of ids) release.run(nextMs, id, leaseUntilMs);
  }
  async outboxEntry(id: string): Promise<OutboxRecord | null> {
    const row = this.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
    return row === undefined ? null : outboxRecord(row);
  }
  async outboxEntries(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxRecord[]> {
    const rows =
      filter.status === undefined
        ? this.prepare('SELECT * FROM outbox ORDER BY rowid DESC LIMIT ?').all(filter.limit)
        : this.prepare('SELECT * FROM outbox WHERE status = ? ORDER BY rowid DESC LIMIT ?').all(
            filter.status,
            filter.limit,
          );
    return rows.map((r) => outboxRecord(r as OutboxRow));
  }
  async settleOutbox(
    id: string,
    outcome:
      | { status: 'sent' | 'skipped'; atMs: number; note?: string }
      | { status: 'pending'; nextMs: number; error: string }
      | { status: 'failed'; atMs: number; error: string },
  ): Promise<void> {
    if (outcome.status === 'pending') {
      this.prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_ms = ?, last_error = ? WHERE id = ?`,
      ).run(outcome.nextMs, outcome.error, id);
      return;
    }
    const error = outcome.status === 'failed' ? outcome.error : (outcome.note ?? null);
    this.prepare(
      `UPDATE outbox SET status = ?, attempts = attempts + ?, done_ms = ?, last_error = ?
         WHERE id = ?`,
    ).run(outcome.status, outcome.status === 'skipped' ? 0 : 1, outcome.atMs, error, id);
  }
  async requeueOutbox(id: string, nowMs: number): Promise<boolean> {
    return (
      this.prepare(
        `UPDATE outbox SET status = 'pending', next_ms = ?, created_ms = ?, done_ms = NULL
           WHERE id = ?`,
      ).run(nowMs, nowMs, id).changes === 1
    );
  }
  async setPushId(customerId: string, pushId: string, at: string): Promise<void> {
    this.prepare(
      `INSERT INTO push_subscriptions (customer_id, push_id, subscribed_at) VALUES (?, ?, ?)
         ON CONFLICT(customer_id) DO UPDATE SET push_id = excluded.push_id,
           subscribed_at = excluded.subscribed_at`,
    ).run(customerId, pushId, at);
  }
  async pushId(customerId: string): Promise<string | null> {
    const row = this.prepare('SELECT push_id FROM push_subscriptions WHERE customer_id = ?').get(
      customerId,
    ) as { push_id: string } | undefined;
    return row?.push_id ?? null;
  }
  async notifySetting(key: string): Promise<unknown> {
    return this.one('SELECT data FROM notify_settings WHERE key = ?', key);
  }
  async setNotifySetting(key: string, value: unknown): Promise<void> {
    this.prepare(
      `INSERT INTO notify_settings (key, data) VALUES (?, ?)
         ON CONFLICT(key) DO UPDATE SET data = excluded.data`,
    ).run(key, JSON.stringify(value));
  }
  // --- end notifications ---------------------------------------------------------------------
  // ---- device health (issue 16) ----
  async deviceHealth(storeId: string): Promise<DeviceHealthEntry[]> {
    return this.all<unknown>(
      'SELECT data FROM device_health WHERE store_id = ? ORDER BY device_id',
      storeId,
    )
      .map((raw) => DeviceHealthEntrySchema.safeParse(raw))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []));
  }
  async putDeviceHealth(entry: DeviceHealthEntry): Promise<void> {
    this.prepare(
      `INSERT INTO device_health (device_id, store_id, data) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET store_id = excluded.store_id, data = excluded.data`,
    ).run(entry.deviceId, entry.storeId, JSON.stringify(entry));
  }
  async fleetAlertStates(storeId: string): Promise<{ deviceId: string; state: unknown }[]> {
    return this.prepare(
      'SELECT device_id, data FROM fleet_alert_state WHERE store_id = ? ORDER BY device_id',
    )
      .all(storeId)
      .map((row) => {
        const { device_id, data } = row as { device_id: string; data: string };
        return { deviceId: device_id, state: JSON.parse(data) as unknown };
      });
  }
  async putFleetAlertState(deviceId: string, storeId: string, state: unknown): Promise<void> {
    this.prepare(
      `INSERT INTO fleet_alert_state (device_id, store_id, data) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET store_id = excluded.store_id, data = excluded.data`,
    ).run(deviceId, storeId, JSON.stringify(state));
  }
  // ---- hub console (issue 12): waiting devices and the sign-in lock-out ----
  async recordWaitingDevice(knock: WaitingDeviceKnock): Promise<void> {
    const macs = [...new Set(knock.macs)].sort();
    const key = `${knock.hostname.toLowerCase()}|${macs.join(',')}`;
    const current = this.one<WaitingDeviceRow>(
      'SELECT data FROM waiting_devices WHERE knock_key = ?',
      key,
    );
    const row: WaitingDeviceRow = {
      id: current?.id ?? newObjectId(),
      macs,
      hostname: knock.hostname,
      address: knock.address,
      firstSeen: current?.firstSeen ?? knock.at,
      lastSeen: knock.at,
      knocks: (current?.knocks ?? 0) + 1,
    };
    this.prepare(
      `INSERT INTO waiting_devices (id, knock_key, last_seen, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(knock_key) DO UPDATE SET last_seen = excluded.last_seen, data = excluded.data`,
    ).run(row.id, key, row.lastSeen, JSON.stringify(row));
    // /provision is open to anyone: keep only the latest knocks.
    this.prepare(
      `DELETE FROM waiting_devices WHERE id NOT IN
         (SELECT id FROM waiting_devices ORDER BY last_seen DESC LIMIT ${MAX_WAITING_DEVICES})`,
    ).run();
  }
  async waitingDevices(): Promise<WaitingDeviceRow[]> {
    return this.all('SELECT data FROM waiting_devices ORDER BY last_seen DESC, id');
  }
  async waitingDevice(id: string): Promise<WaitingDeviceRow | null> {
    return this.one('SELECT data FROM waiting_devices WHERE id = ?', id);
  }
  async deleteWaitingDevice(id: string): Promise<void> {
    this.prepare('DELETE FROM waiting_devices WHERE id = ?').run(id);
  }
  async consoleSignIn(staffId: string): Promise<ConsoleSignInRow> {
    const row = this.prepare(
      'SELECT failures, locked_until FROM console_sign_in WHERE staff_id = ?',
    ).get(staffId) as { failures: number; locked_until: string | null } | undefined;
    return { failures: row?.failures ?? 0, lockedUntil: row?.locked_until ?? null };
  }
  async setConsoleSignIn(staffId: string, row: ConsoleSignInRow): Promise<void> {
    this.prepare(
      `INSERT INTO console_sign_in (staff_id, failures, locked_until) VALUES (?, ?, ?)
         ON CONFLICT(staff_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
    ).run(staffId, row.failures, row.lockedUntil);
  }
  // ---- end hub console ----
}

interface BloomTicketDbRow {
  customer_id: string;
  store_id: string;
  account_id: string | null;
  phone_key: string;
  created_ms: number;
}
const bloomTicketOf = (r: BloomTicketDbRow): BloomTicketRow => ({
  customerId: r.customer_id,
  storeId: r.store_id,
  accountId: r.account_id,
  phoneKey: r.phone_key,
  createdMs: r.created_ms,
});
