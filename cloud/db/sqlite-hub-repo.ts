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
import type { AppliedCommand, CountAheadQuery, HubRepo, QueueHeadsQuery } from './hub-repo.js';
import { hashToken, newObjectId } from './ids.js';

interface DataRow {
  data: string;
}

const parseRows = <T>(rows: unknown[]): T[] =>
  rows.map((r) => JSON.parse((r as DataRow).data) as T);
const parseRow = <T>(row: unknown): T | null =>
  row === undefined ? null : (JSON.parse((row as DataRow).data) as T);

const ACTIVE_OR_BOOKED = `('booked','waiting','called','serving')`;
const ms = (iso: string | null | undefined): number | null =>
  iso === null || iso === undefined ? null : Date.parse(iso);

/** Opens (creates, migrates) `DIR/hub.sqlite` as the hub's repo. */
export function openHubRepo(dataDir: string): SqliteHubRepo {
  return new SqliteHubRepo(openHubDb(dataDir));
}

export class SqliteHubRepo implements HubRepo {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
  // better-sqlite3 nests a transaction inside another as a SAVEPOINT.
  savepoint<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }
  close(): void {
    this.db.close();
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

  organization(id: string): Organization | null {
    return this.one('SELECT data FROM organizations WHERE id = ?', id);
  }
  organizations(): Organization[] {
    return this.all('SELECT data FROM organizations ORDER BY id');
  }
  store(id: string): Store | null {
    return this.one('SELECT data FROM stores WHERE id = ?', id);
  }
  stores(): Store[] {
    return this.all('SELECT data FROM stores ORDER BY id');
  }
  service(id: string): Service | null {
    return this.one('SELECT data FROM services WHERE id = ?', id);
  }
  services(storeId?: string): Service[] {
    return storeId === undefined
      ? this.all('SELECT data FROM services ORDER BY store_id, id')
      : this.all('SELECT data FROM services WHERE store_id = ? ORDER BY id', storeId);
  }
  device(id: string): Device | null {
    return this.one('SELECT data FROM devices WHERE id = ?', id);
  }
  devices(storeId?: string): Device[] {
    return storeId === undefined
      ? this.all('SELECT data FROM devices ORDER BY store_id, id')
      : this.all('SELECT data FROM devices WHERE store_id = ? ORDER BY id', storeId);
  }
  devicesByMac(macs: readonly string[]): Device[] {
    const out: Device[] = [];
    const stmt = this.prepare('SELECT data FROM devices WHERE mac = ? ORDER BY id');
    for (const mac of macs) out.push(...parseRows<Device>(stmt.all(mac)));
    return out;
  }
  customer(id: string): Customer | null {
    return this.one('SELECT data FROM customers WHERE id = ?', id);
  }
  customers(storeId?: string): Customer[] {
    return storeId === undefined
      ? this.all('SELECT data FROM customers ORDER BY store_id, ticket_day, rowid')
      : this.all(
          'SELECT data FROM customers WHERE store_id = ? ORDER BY ticket_day, rowid',
          storeId,
        );
  }
  /** The store's working set: anyone still in the flow or booked, and everything of `day`. */
  queueCustomers(storeId: string, day: string): Customer[] {
    return this.all(
      `SELECT data FROM customers WHERE store_id = ?
         AND (state IN ${ACTIVE_OR_BOOKED} OR ticket_day >= ?) ORDER BY rowid`,
      storeId,
      day,
    );
  }
  bookedCustomer(
    storeId: string,
    by: { externalId: string } | { ticket: string },
  ): Customer | null {
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
  customersAtDesk(storeId: string, deskId: string): Customer[] {
    return this.all(
      `SELECT data FROM customers WHERE store_id = ? AND desk_id = ? AND state IN ('called','serving')
         ORDER BY rowid`,
      storeId,
      deskId,
    );
  }

  queueHeads(q: QueueHeadsQuery): Customer[] {
    // Callable: no appointment, or its time minus the lead has come.
    const latestAppointment = q.now.getTime() + q.appointmentLeadMinutes * 60_000;
    const heads: Customer[] = [];
    // Sent to this desk (any service): the first of the prioritized tier if there is one, else
    // the first by time (then everyone there is in the same tier).
    const sentToDesk =
      this.one<Customer>(
        `SELECT data FROM customers WHERE store_id = ? AND desk_id = ? AND state = 'waiting'
           AND (appointment_ms IS NULL OR appointment_ms <= ?)
           AND (prioritized = 1 OR service_id IN (SELECT value FROM json_each(?)))
           ORDER BY sort_ms, arrival_seq, id LIMIT 1`,
        q.storeId,
        q.deskId,
        latestAppointment,
        JSON.stringify(q.prioritizedServiceIds),
      ) ??
      this.one<Customer>(
        `SELECT data FROM customers WHERE store_id = ? AND desk_id = ? AND state = 'waiting'
           AND (appointment_ms IS NULL OR appointment_ms <= ?)
           ORDER BY sort_ms, arrival_seq, id LIMIT 1`,
        q.storeId,
        q.deskId,
        latestAppointment,
      );
    if (sentToDesk !== null) heads.push(sentToDesk);
    // Each service's own queue: its tier is the customer's flag (the service's is constant).
    const head = this.prepare(
      `SELECT data FROM customers INDEXED BY customers_queue
         WHERE store_id = ? AND state = 'waiting' AND service_id = ? AND desk_id IS NULL
         AND (appointment_ms IS NULL OR appointment_ms <= ?)
         ORDER BY prioritized DESC, sort_ms, arrival_seq, id LIMIT 1`,
    );
    for (const serviceId of q.serviceIds) {
      const c = parseRow<Customer>(head.get(q.storeId, serviceId, latestAppointment));
      if (c !== null) heads.push(c);
    }
    return heads;
  }

  countWaitingAhead(q: CountAheadQuery): number {
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

  latestServiceTimes(
    storeId: string,
    serviceId: string,
    day: string,
    limit: number,
  ): ServiceTime[] {
    // Only the two times are read out of the JSON: no customer is parsed.
    return this.prepare(
      `SELECT service_id AS serviceId, state, json_extract(data, '$.servingAt') AS servingAt,
              json_extract(data, '$.finishedAt') AS finishedAt
         FROM customers WHERE store_id = ? AND service_id = ? AND state = 'done'
         AND ticket_day >= ? ORDER BY finished_ms DESC LIMIT ?`,
    ).all(storeId, serviceId, day, limit) as ServiceTime[];
  }

  block(id: string): TicketBlock | null {
    return this.one('SELECT data FROM ticket_blocks WHERE id = ?', id);
  }
  blocks(storeId: string, prefix?: string, day?: string): TicketBlock[] {
    return prefix === undefined || day === undefined
      ? this.all('SELECT data FROM ticket_blocks WHERE store_id = ? ORDER BY rowid', storeId)
      : this.all(
          'SELECT data FROM ticket_blocks WHERE store_id = ? AND prefix = ? AND day = ? ORDER BY first',
          storeId,
          prefix,
          day,
        );
  }
  lastIssued(storeId: string, prefix: string, day: string): number {
    const row = this.prepare(
      'SELECT last FROM ticket_counters WHERE store_id = ? AND prefix = ? AND day = ?',
    ).get(storeId, prefix, day) as { last: number } | undefined;
    return row?.last ?? 0;
  }
  setLastIssued(storeId: string, prefix: string, day: string, last: number): void {
    this.prepare(
      `INSERT INTO ticket_counters (store_id, prefix, day, last) VALUES (?, ?, ?, ?)
         ON CONFLICT (store_id, prefix, day) DO UPDATE SET last = max(last, excluded.last)`,
    ).run(storeId, prefix, day, last);
  }
  ticketTaken(storeId: string, prefix: string, day: string, n: number): boolean {
    return (
      this.prepare(
        'SELECT 1 FROM customers WHERE store_id = ? AND ticket_prefix = ? AND ticket_day = ? AND ticket_number = ?',
      ).get(storeId, prefix, day, n) !== undefined
    );
  }
  nextArrivalSeq(storeId: string): number {
    const row = this.prepare(
      'UPDATE stores SET arrival_seq = arrival_seq + 1 WHERE id = ? RETURNING arrival_seq',
    ).get(storeId) as { arrival_seq: number } | undefined;
    if (row === undefined) throw new Error(`Unknown store ${storeId}.`);
    return row.arrival_seq;
  }

  head(storeId: string): LogPosition | null {
    const row = this.prepare('SELECT epoch, head_seq FROM stores WHERE id = ?').get(storeId) as
      { epoch: string; head_seq: number } | undefined;
    return row === undefined ? null : { epoch: row.epoch, seq: row.head_seq };
  }
  changesSince(storeId: string, epoch: string, seq: number, limit: number): Change[] {
    return this.all(
      'SELECT data FROM log WHERE store_id = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?',
      storeId,
      epoch,
      seq,
      limit,
    );
  }

  /** Creates a store's row (and its first epoch) before its first change is logged. */
  createStore(store: Store): void {
    const s = StoreSchema.parse(store);
    this.prepare('INSERT INTO stores (id, organization_id, epoch, data) VALUES (?, ?, ?, ?)').run(
      s.id,
      s.organizationId,
      newObjectId(),
      JSON.stringify(s),
    );
  }
  upsertOrganization(org: Organization): void {
    const o = OrganizationSchema.parse(org);
    this.prepare(
      'INSERT INTO organizations (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
    ).run(o.id, JSON.stringify(o));
  }

  /**
   * Appends one change to its store's log (next seq) and applies its entity, in the caller's
   * transaction. Nothing else writes entities of a store, so the log and the tables agree.
   */
  append(
    storeId: string,
    entry: Pick<Change, 'origin' | 'commandId' | 'event' | 'entity'> & { at?: string },
  ): Change {
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
        const c = entity.customer;
        this.prepare(
          `INSERT INTO customers (id, store_id, state, ticket_prefix, ticket_day, ticket_number,
               service_id, desk_id, prioritized, sort_ms, arrival_seq, appointment_ms, external_id,
               ticket, finished_ms, data)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, ticket_prefix = excluded.ticket_prefix,
               ticket_day = excluded.ticket_day, ticket_number = excluded.ticket_number,
               service_id = excluded.service_id, desk_id = excluded.desk_id,
               prioritized = excluded.prioritized, sort_ms = excluded.sort_ms,
               arrival_seq = excluded.arrival_seq, appointment_ms = excluded.appointment_ms,
               external_id = excluded.external_id, ticket = excluded.ticket,
               finished_ms = excluded.finished_ms, data = excluded.data`,
        ).run(
          c.id,
          storeId,
          c.state,
          c.ticketPrefix,
          c.ticketDay,
          c.ticketNumber,
          c.serviceId,
          c.deskId,
          c.prioritized ? 1 : 0,
          Date.parse(c.sortAt),
          c.arrivalSeq,
          ms(c.appointment?.at),
          c.appointment?.externalId ?? null,
          c.ticket,
          ms(c.finishedAt),
          JSON.stringify(c),
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
        this.upsertOrganization(entity.organization);
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
  claimCredential(deviceId: string): string | null {
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
  reopenClaim(deviceId: string): void {
    this.prepare(
      `UPDATE device_credentials SET revoked_at = COALESCE(revoked_at, ?), claimed_at = NULL
         WHERE device_id = ?`,
    ).run(new Date().toISOString(), deviceId);
  }
  claimState(deviceId: string): 'claimable' | 'claimed' {
    const row = this.prepare('SELECT claimed_at FROM device_credentials WHERE device_id = ?').get(
      deviceId,
    ) as { claimed_at: string | null } | undefined;
    return row !== undefined && row.claimed_at !== null ? 'claimed' : 'claimable';
  }
  credential(deviceId: string): { tokenHash: string; revoked: boolean } | null {
    const row = this.prepare(
      'SELECT token_hash, revoked_at FROM device_credentials WHERE device_id = ?',
    ).get(deviceId) as { token_hash: string; revoked_at: string | null } | undefined;
    return row === undefined
      ? null
      : { tokenHash: row.token_hash, revoked: row.revoked_at !== null };
  }

  appliedCommand(id: string): AppliedCommand | null {
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
  recordCommand(id: string, entry: AppliedCommand & { storeId: string; appliedAt: string }): void {
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

  insertApiAccount(
    account: { key: string; secret: string; name: string },
    record: unknown,
    createdAt: string,
  ): void {
    this.prepare(
      'INSERT INTO api_keys (key, secret, name, data, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(account.key, account.secret, account.name, JSON.stringify(record), createdAt);
  }
  apiAccount(key: string): unknown {
    return this.one('SELECT data FROM api_keys WHERE key = ?', key);
  }
  apiAccounts(): unknown[] {
    return this.all('SELECT data FROM api_keys ORDER BY created_at');
  }
  updateApiAccount(key: string, record: unknown): void {
    this.prepare('UPDATE api_keys SET data = ? WHERE key = ?').run(JSON.stringify(record), key);
  }

  rememberSignedRequest(nonce: string, untilMs: number, nowMs: number): boolean {
    return this.transaction(() => {
      this.prepare('DELETE FROM fv_replays WHERE until_ms < ?').run(nowMs);
      return (
        this.prepare('INSERT OR IGNORE INTO fv_replays (nonce, until_ms) VALUES (?, ?)').run(
          nonce,
          untilMs,
        ).changes === 1
      );
    });
  }
  countApiHit(apiKey: string, minute: number): number {
    const row = this.prepare(
      `INSERT INTO fv_hits (api_key, minute, count) VALUES (?, ?, 1)
         ON CONFLICT(api_key) DO UPDATE SET
           count = CASE WHEN minute = excluded.minute THEN count + 1 ELSE 1 END,
           minute = excluded.minute
         RETURNING count`,
    ).get(apiKey, minute) as { count: number };
    return row.count;
  }

  // ---- device health (issue 16) ----
  deviceHealth(storeId: string): DeviceHealthEntry[] {
    return this.all<unknown>(
      'SELECT data FROM device_health WHERE store_id = ? ORDER BY device_id',
      storeId,
    )
      .map((raw) => DeviceHealthEntrySchema.safeParse(raw))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []));
  }
  putDeviceHealth(entry: DeviceHealthEntry): void {
    this.prepare(
      `INSERT INTO device_health (device_id, store_id, data) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET store_id = excluded.store_id, data = excluded.data`,
    ).run(entry.deviceId, entry.storeId, JSON.stringify(entry));
  }
}
