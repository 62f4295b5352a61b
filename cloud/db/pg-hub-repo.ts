// The hub's storage port (hub-repo.ts) on Postgres through a `pg` Pool, for a hub of several
// nodes on one database. Same tables, same JSON entities and the same semantics as
// SqliteHubRepo; every statement is constant text with bound parameters.
//
// Isolation: READ COMMITTED plus explicit row locks, taken first in every write transaction.
// - A transaction locks the `stores` rows of its scope (each store's sequence row: it holds
//   head_seq and arrival_seq) FOR UPDATE, in sorted id order, so two transactions never wait on
//   each other in a circle; a store found later is locked late (`lockStore`), and the deadlock
//   that may then cause is undone by Postgres and the transaction runs again (40P01).
// - So a store's read-decide-write (the next customer, a ticket block, the next seq) runs alone
//   across every node, and because READ COMMITTED reads each statement from a fresh snapshot,
//   every read after the lock sees all that the previous holder committed. REPEATABLE READ or
//   SERIALIZABLE would freeze the snapshot at the first statement and make a waiter fail and
//   retry instead of wait; waiting is what a queue wants. Writers of other stores never wait.
// - The log: head_seq is bumped by an UPDATE of the locked row, so seqs are handed out one at a
//   time and commit in order: a reader never sees seq n+1 without seq n (gapless).
// - A device command id is looked up under its store's lock (the sequencer's rule): a duplicate
//   sent to another node at the same time waits for the first to commit, then gets its result;
//   the primary key of applied_commands refuses a second insert whatever happens.
// - Savepoints (one per device command) are not released: a commit-time merge, one round trip
//   less per command. A batch holds at most 32 (the sync server's cap), within the 64
//   subtransactions Postgres keeps in shared memory without overflowing.
// - Read-only views (`read`) run on one REPEATABLE READ READ ONLY snapshot.
// Calls outside a transaction (rate counters, replay memory, secrets, claims) are each one
// atomic statement (INSERT ... ON CONFLICT / UPDATE ... RETURNING), correct across nodes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  OrganizationSchema,
  StoreSchema,
  type Customer,
  type Device,
  type Organization,
  type Service,
  type Store,
} from '../../shared/domain/entities.js';
import type { ServiceTime } from '../../shared/domain/estimate.js';
import {
  ChangeSchema,
  DeviceHealthEntrySchema,
  type Change,
  type ChangeEntity,
  type CommandResult,
  type DeviceHealthEntry,
  type LogPosition,
  type TicketBlock,
} from '../../shared/protocol/sync.js';
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
import { hashToken, newObjectId } from './ids.js';
import { migratePg } from './pg-migrations.js';

/** Serialization failure and deadlock: the database undid the attempt, which may run again. */
const TRANSIENT = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** Unknown devices remembered at most (the latest knocks), as in SQLite. */
const MAX_WAITING_DEVICES = 500;

// BIGINT (epoch ms, seqs, counts) as numbers: every value the hub stores is below 2^53.
const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

interface DataRow {
  data: string;
}
const parseRows = <T>(rows: DataRow[]): T[] => rows.map((r) => JSON.parse(r.data) as T);
const parseRow = <T>(row: DataRow | undefined): T | null =>
  row === undefined ? null : (JSON.parse(row.data) as T);

/** A customer's row, inserted or replaced: its columns are what the queue reads are indexed on. */
function customerUpsert(storeId: string, c: Customer): { text: string; values: unknown[] } {
  return {
    text: `INSERT INTO customers (${CUSTOMER_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (id) DO UPDATE SET state = excluded.state,
             ticket_prefix = excluded.ticket_prefix, ticket_day = excluded.ticket_day,
             ticket_number = excluded.ticket_number, service_id = excluded.service_id,
             desk_id = excluded.desk_id, prioritized = excluded.prioritized,
             sort_ms = excluded.sort_ms, arrival_seq = excluded.arrival_seq,
             appointment_ms = excluded.appointment_ms, external_id = excluded.external_id,
             ticket = excluded.ticket, finished_ms = excluded.finished_ms, held = excluded.held,
             data = excluded.data`,
    values: customerRow(storeId, c),
  };
}

/** Waiting customers of `q.serviceIds` ahead of `q.subject` in call order, counted. */
function countAheadSql(q: CountAheadQuery, at: number): { text: string; values: unknown[] } {
  const p = (n: number) => `$${String(at + n)}`;
  return {
    text: `SELECT count(*)::int AS n FROM (
         SELECT CASE WHEN prioritized OR service_id = ANY(${p(1)}::text[]) THEN 0 ELSE 1 END AS tier,
                sort_ms, arrival_seq, id
           FROM customers
          WHERE store_id = ${p(2)} AND state = 'waiting' AND id <> ${p(3)}
            AND service_id = ANY(${p(4)}::text[])) w
       WHERE tier < ${p(5)}
          OR (tier = ${p(5)} AND (sort_ms, arrival_seq, id) < (${p(6)}::bigint, ${p(7)}::bigint, ${p(8)}))`,
    values: [
      q.prioritizedServiceIds,
      q.storeId,
      q.subject.id,
      q.serviceIds,
      q.subject.prioritized ? 0 : 1,
      Date.parse(q.subject.sortAt),
      q.subject.arrivalSeq,
      q.subject.id,
    ],
  };
}

/** The latest done customers of a service since a day (store, service, day, limit from `$at+1`). */
const SERVICE_TIMES_SQL = (at: number): string => {
  const p = (n: number) => `$${String(at + n)}`;
  return `SELECT service_id, state, data::jsonb->>'servingAt' AS serving_at,
                 data::jsonb->>'finishedAt' AS finished_at, finished_ms
            FROM customers WHERE store_id = ${p(1)} AND service_id = ${p(2)} AND state = 'done'
             AND ticket_day >= ${p(3)} ORDER BY finished_ms DESC LIMIT ${p(4)}`;
};

/** Statement names by text, for every connection: each parses and plans a text once. */
const statementNames = new Map<string, string>();

/** Connects to `url`, migrates the schema (one node at a time) and returns the repo. */
export async function openPgHubRepo(
  url: string,
  options: { max?: number } = {},
): Promise<PgHubRepo> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20, types });
  // An idle client losing its server (a restart) must not crash the hub: the next query fails.
  pool.on('error', () => undefined);
  // A checked-out client (mid-transaction) losing its server emits 'error' outside any query.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await migratePg(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PgHubRepo(pool);
}

/** Every data method of the port, on a connection: the pool (autocommit) or a transaction's. */
class PgData implements HubData {
  constructor(protected readonly db: pg.Pool | pg.PoolClient) {}

  protected async run<R = DataRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<{ rows: R[]; rowCount: number }> {
    let name = statementNames.get(text);
    if (name === undefined) {
      name = `lineup_${statementNames.size}`;
      statementNames.set(text, name);
    }
    this.statementSent(text);
    const r = await this.db.query<R & pg.QueryResultRow>({ name, text, values });
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  }
  /** Told of every statement before it is sent. */
  protected statementSent(_text: string): void {}
  private async all<T>(text: string, ...values: unknown[]): Promise<T[]> {
    return parseRows<T>((await this.run(text, values)).rows);
  }
  private async one<T>(text: string, ...values: unknown[]): Promise<T | null> {
    return parseRow<T>((await this.run(text, values)).rows[0]);
  }

  // Entities.
  organization(id: string): Promise<Organization | null> {
    return this.one('SELECT data FROM organizations WHERE id = $1', id);
  }
  organizations(): Promise<Organization[]> {
    return this.all('SELECT data FROM organizations ORDER BY id');
  }
  store(id: string): Promise<Store | null> {
    return this.one('SELECT data FROM stores WHERE id = $1', id);
  }
  stores(): Promise<Store[]> {
    return this.all('SELECT data FROM stores ORDER BY id');
  }
  service(id: string): Promise<Service | null> {
    return this.one('SELECT data FROM services WHERE id = $1', id);
  }
  services(storeId?: string): Promise<Service[]> {
    return storeId === undefined
      ? this.all('SELECT data FROM services ORDER BY store_id, id')
      : this.all('SELECT data FROM services WHERE store_id = $1 ORDER BY id', storeId);
  }
  device(id: string): Promise<Device | null> {
    return this.one('SELECT data FROM devices WHERE id = $1', id);
  }
  devices(storeId?: string): Promise<Device[]> {
    return storeId === undefined
      ? this.all('SELECT data FROM devices ORDER BY store_id, id')
      : this.all('SELECT data FROM devices WHERE store_id = $1 ORDER BY id', storeId);
  }
  async devicesByMac(macs: readonly string[]): Promise<Device[]> {
    const out: Device[] = [];
    for (const mac of macs) {
      out.push(
        ...(await this.all<Device>('SELECT data FROM devices WHERE mac = $1 ORDER BY id', mac)),
      );
    }
    return out;
  }
  customer(id: string): Promise<Customer | null> {
    return this.one('SELECT data FROM customers WHERE id = $1', id);
  }
  customers(storeId?: string): Promise<Customer[]> {
    return storeId === undefined
      ? this.all('SELECT data FROM customers ORDER BY store_id, ticket_day, row_no')
      : this.all(
          'SELECT data FROM customers WHERE store_id = $1 ORDER BY ticket_day, row_no',
          storeId,
        );
  }
  queueCustomers(storeId: string, day: string): Promise<Customer[]> {
    return this.all(
      `SELECT data FROM customers WHERE store_id = $1
         AND (state IN ${ACTIVE_OR_BOOKED} OR ticket_day >= $2) ORDER BY row_no`,
      storeId,
      day,
    );
  }
  bookedCustomer(
    storeId: string,
    by: { externalId: string } | { ticket: string },
  ): Promise<Customer | null> {
    return 'externalId' in by
      ? this.one(
          `SELECT data FROM customers WHERE store_id = $1 AND external_id = $2 AND state = 'booked'
             ORDER BY row_no LIMIT 1`,
          storeId,
          by.externalId,
        )
      : this.one(
          `SELECT data FROM customers WHERE store_id = $1 AND ticket = $2 AND state = 'booked'
             ORDER BY row_no LIMIT 1`,
          storeId,
          by.ticket,
        );
  }
  customersAtDesk(storeId: string, deskId: string): Promise<Customer[]> {
    return this.all(
      `SELECT data FROM customers WHERE store_id = $1 AND desk_id = $2
         AND state IN ('called','serving') ORDER BY row_no`,
      storeId,
      deskId,
    );
  }

  async queueHeads(q: QueueHeadsQuery): Promise<Customer[]> {
    // Callable: no appointment, or its time minus the lead has come.
    const callable = 'NOT held AND (appointment_ms IS NULL OR appointment_ms <= $3)';
    const first = 'ORDER BY sort_ms, arrival_seq, id LIMIT 1';
    // One statement (one round trip), three parts:
    // 0, 1: sent to this desk (any service): the first of the prioritized tier if there is one,
    //       else the first by time (then everyone there is in the same tier);
    // 2:    each service's own queue, in the desk's order: the first of its customers flagged
    //       prioritized and the first of the others (in a prioritized service both are in the
    //       same tier: the rule picks by time).
    const { rows } = await this.run<DataRow & { part: number }>(
      `SELECT part, data FROM (
         (SELECT 0 AS part, 0::bigint AS ord, data FROM customers
            WHERE store_id = $1 AND desk_id = $2 AND state = 'waiting' AND ${callable}
              AND (prioritized OR service_id = ANY($4::text[])) ${first})
         UNION ALL
         (SELECT 1, 0, data FROM customers
            WHERE store_id = $1 AND desk_id = $2 AND state = 'waiting' AND ${callable} ${first})
         UNION ALL
         SELECT 2, s.ord * 2 + f.ord, c.data
           FROM unnest($5::text[]) WITH ORDINALITY AS s(id, ord)
           CROSS JOIN (VALUES (true, 0), (false, 1)) AS f(flagged, ord)
           CROSS JOIN LATERAL (SELECT data FROM customers
             WHERE store_id = $1 AND state = 'waiting' AND service_id = s.id AND desk_id IS NULL
               AND prioritized = f.flagged AND ${callable} ${first}) c
       ) heads ORDER BY part, ord`,
      [
        q.storeId,
        q.deskId,
        q.now.getTime() + q.appointmentLeadMinutes * 60_000,
        q.prioritizedServiceIds,
        q.serviceIds,
      ],
    );
    const sentToDesk = rows.find((r) => r.part === 0) ?? rows.find((r) => r.part === 1);
    return parseRows<Customer>([
      ...(sentToDesk === undefined ? [] : [sentToDesk]),
      ...rows.filter((r) => r.part === 2),
    ]);
  }

  async countWaitingAhead(q: CountAheadQuery): Promise<number> {
    const count = countAheadSql(q, 0);
    const { rows } = await this.run<{ n: number }>(count.text, count.values);
    return rows[0]?.n ?? 0;
  }
  async estimateReads(q: EstimateReadsQuery): Promise<{ ahead: number; finished: ServiceTime[] }> {
    const count = countAheadSql(q.ahead, 0);
    const { serviceId, day, limit } = q.finished;
    const at = count.values.length;
    // One statement, one round trip: what a ticket being taken waits on.
    const { rows } = await this.run<{ n: number; finished: string }>(
      `SELECT (${count.text}) AS n,
         (SELECT coalesce(json_agg(json_build_object('serviceId', service_id, 'state', state,
                   'servingAt', serving_at, 'finishedAt', finished_at) ORDER BY finished_ms DESC),
                 '[]'::json)::text
            FROM (${SERVICE_TIMES_SQL(at)}) t) AS finished`,
      [...count.values, q.ahead.storeId, serviceId, day, limit],
    );
    const row = rows[0];
    return { ahead: row?.n ?? 0, finished: JSON.parse(row?.finished ?? '[]') as ServiceTime[] };
  }

  async latestServiceTimes(
    storeId: string,
    serviceId: string,
    day: string,
    limit: number,
  ): Promise<ServiceTime[]> {
    const { rows } = await this.run<{
      service_id: string;
      state: string;
      serving_at: string | null;
      finished_at: string | null;
    }>(SERVICE_TIMES_SQL(0), [storeId, serviceId, day, limit]);
    return rows.map((r) => ({
      serviceId: r.service_id,
      state: r.state,
      servingAt: r.serving_at,
      finishedAt: r.finished_at,
    })) as ServiceTime[];
  }

  // Numbering.
  block(id: string): Promise<TicketBlock | null> {
    return this.one('SELECT data FROM ticket_blocks WHERE id = $1', id);
  }
  blocks(storeId: string, prefix?: string, day?: string): Promise<TicketBlock[]> {
    return prefix === undefined || day === undefined
      ? this.all('SELECT data FROM ticket_blocks WHERE store_id = $1 ORDER BY row_no', storeId)
      : this.all(
          `SELECT data FROM ticket_blocks WHERE store_id = $1 AND prefix = $2 AND day = $3
             ORDER BY first`,
          storeId,
          prefix,
          day,
        );
  }
  async lastIssued(storeId: string, prefix: string, day: string): Promise<number> {
    const { rows } = await this.run<{ last: number }>(
      'SELECT last FROM ticket_counters WHERE store_id = $1 AND prefix = $2 AND day = $3',
      [storeId, prefix, day],
    );
    return rows[0]?.last ?? 0;
  }
  async setLastIssued(storeId: string, prefix: string, day: string, last: number): Promise<void> {
    await this.run(
      `INSERT INTO ticket_counters (store_id, prefix, day, last) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store_id, prefix, day)
         DO UPDATE SET last = GREATEST(ticket_counters.last, excluded.last)`,
      [storeId, prefix, day, last],
    );
  }
  async ticketTaken(storeId: string, prefix: string, day: string, n: number): Promise<boolean> {
    const { rows } = await this.run(
      `SELECT 1 FROM customers WHERE store_id = $1 AND ticket_prefix = $2 AND ticket_day = $3
         AND ticket_number = $4`,
      [storeId, prefix, day, n],
    );
    return rows.length > 0;
  }
  async nextArrivalSeq(storeId: string): Promise<number> {
    const { rows } = await this.run<{ arrival_seq: number }>(
      'UPDATE stores SET arrival_seq = arrival_seq + 1 WHERE id = $1 RETURNING arrival_seq',
      [storeId],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`Unknown store ${storeId}.`);
    return row.arrival_seq;
  }

  // The log.
  async head(storeId: string): Promise<LogPosition | null> {
    const { rows } = await this.run<{ epoch: string; head_seq: number }>(
      'SELECT epoch, head_seq FROM stores WHERE id = $1',
      [storeId],
    );
    const row = rows[0];
    return row === undefined ? null : { epoch: row.epoch, seq: row.head_seq };
  }
  async heads(): Promise<Map<string, LogPosition>> {
    const { rows } = await this.run<{ id: string; epoch: string; head_seq: number }>(
      'SELECT id, epoch, head_seq FROM stores',
    );
    return new Map(rows.map((r) => [r.id, { epoch: r.epoch, seq: r.head_seq }]));
  }
  changesSince(storeId: string, epoch: string, seq: number, limit: number): Promise<Change[]> {
    return this.all(
      `SELECT data FROM log WHERE store_id = $1 AND epoch = $2 AND seq > $3
         ORDER BY seq LIMIT $4`,
      storeId,
      epoch,
      seq,
      limit,
    );
  }
  async createStore(store: Store): Promise<void> {
    const s = StoreSchema.parse(store);
    await this.run(
      'INSERT INTO stores (id, organization_id, epoch, data) VALUES ($1, $2, $3, $4)',
      [s.id, s.organizationId, newObjectId(), JSON.stringify(s)],
    );
  }
  async upsertOrganization(org: Organization): Promise<void> {
    const o = OrganizationSchema.parse(org);
    await this.run(
      `INSERT INTO organizations (id, data) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
      [o.id, JSON.stringify(o)],
    );
  }

  /**
   * Appends one change to its store's log (next seq) and applies its entity, in the caller's
   * transaction. The UPDATE holds the store's row until commit: seqs are handed out in order.
   */
  async append(
    storeId: string,
    entry: Pick<Change, 'origin' | 'commandId' | 'event' | 'entity'> & { at?: string },
  ): Promise<Change> {
    const head = await this.nextLogPosition(storeId);
    const change = ChangeSchema.parse({
      storeId,
      epoch: head.epoch,
      seq: head.seq,
      at: entry.at ?? new Date().toISOString(),
      origin: entry.origin,
      commandId: entry.commandId,
      event: entry.event,
      entity: entry.entity,
    });
    const log = [storeId, change.epoch, change.seq, JSON.stringify(change)];
    if (change.entity.kind === 'customer') {
      // The most frequent change: its row and its log line in one statement (one round trip).
      const upsert = customerUpsert(storeId, change.entity.customer);
      const at = upsert.values.length;
      const { rows } = await this.run<{ inserted: boolean }>(
        `WITH upserted AS (${upsert.text} RETURNING (xmax = 0) AS inserted),
           logged AS (INSERT INTO log (store_id, epoch, seq, data)
             VALUES ($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}))
         SELECT inserted FROM upserted`,
        [...upsert.values, ...log],
      );
      if (rows[0]?.inserted === true) this.customerCreated(change.entity.customer.id);
      return change;
    }
    await this.applyEntity(storeId, change.entity);
    await this.run('INSERT INTO log (store_id, epoch, seq, data) VALUES ($1, $2, $3, $4)', log);
    return change;
  }

  /** Told of each customer row inserted (not replaced) by `append`. */
  protected customerCreated(_id: string): void {}

  /** The position of a store's next change, its head bumped (the row stays locked to commit). */
  protected async nextLogPosition(storeId: string): Promise<LogPosition> {
    const { rows } = await this.run<{ epoch: string; head_seq: number }>(
      'UPDATE stores SET head_seq = head_seq + 1 WHERE id = $1 RETURNING epoch, head_seq',
      [storeId],
    );
    const head = rows[0];
    if (head === undefined) throw new Error(`Unknown store ${storeId}.`);
    return { epoch: head.epoch, seq: head.head_seq };
  }

  private async applyEntity(storeId: string, entity: ChangeEntity): Promise<void> {
    switch (entity.kind) {
      case 'customer': {
        const upsert = customerUpsert(storeId, entity.customer);
        await this.run(upsert.text, upsert.values);
        return;
      }
      case 'customer_removed':
        await this.run('DELETE FROM customers WHERE id = $1 AND store_id = $2', [
          entity.id,
          storeId,
        ]);
        return;
      case 'device': {
        const d = entity.device;
        await this.run(
          `INSERT INTO devices (id, store_id, mac, hostname, data) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, mac = excluded.mac,
               hostname = excluded.hostname, data = excluded.data`,
          [d.id, storeId, d.mac, d.hostname, JSON.stringify(d)],
        );
        return;
      }
      case 'device_removed':
        await this.run('DELETE FROM devices WHERE id = $1 AND store_id = $2', [entity.id, storeId]);
        await this.run(
          `UPDATE device_credentials SET revoked_at = $1
             WHERE device_id = $2 AND revoked_at IS NULL`,
          [new Date().toISOString(), entity.id],
        );
        return;
      case 'service': {
        const s = entity.service;
        await this.run(
          `INSERT INTO services (id, store_id, data) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
          [s.id, storeId, JSON.stringify(s)],
        );
        return;
      }
      case 'store': {
        const s = StoreSchema.parse(entity.store);
        await this.run('UPDATE stores SET data = $1 WHERE id = $2', [JSON.stringify(s), storeId]);
        return;
      }
      case 'organization':
        await this.upsertOrganization(entity.organization);
        return;
      case 'block': {
        const b = entity.block;
        await this.run(
          `INSERT INTO ticket_blocks (id, store_id, device_id, prefix, day, first, last, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
          [
            b.id,
            storeId,
            b.deviceId,
            b.ticketPrefix,
            b.ticketDay,
            b.first,
            b.last,
            JSON.stringify(b),
          ],
        );
        return;
      }
    }
  }

  // Device credentials: one token per device, handed out once; one statement, so two nodes
  // provisioning the same device at once hand out one token.
  async claimCredential(deviceId: string): Promise<string | null> {
    const token = randomBytes(24).toString('base64url');
    const now = new Date().toISOString();
    const { rows } = await this.run(
      `INSERT INTO device_credentials (device_id, token_hash, issued_at, revoked_at, claimed_at)
         VALUES ($1, $2, $3, NULL, $3)
         ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash,
           issued_at = excluded.issued_at, revoked_at = NULL, claimed_at = excluded.claimed_at
         WHERE device_credentials.claimed_at IS NULL
         RETURNING device_id`,
      [deviceId, hashToken(token), now],
    );
    return rows.length === 1 ? token : null;
  }
  async reopenClaim(deviceId: string): Promise<void> {
    await this.run(
      `UPDATE device_credentials SET revoked_at = COALESCE(revoked_at, $1), claimed_at = NULL
         WHERE device_id = $2`,
      [new Date().toISOString(), deviceId],
    );
  }
  async claimState(deviceId: string): Promise<'claimable' | 'claimed'> {
    const { rows } = await this.run<{ claimed_at: string | null }>(
      'SELECT claimed_at FROM device_credentials WHERE device_id = $1',
      [deviceId],
    );
    const row = rows[0];
    return row !== undefined && row.claimed_at !== null ? 'claimed' : 'claimable';
  }
  async credential(deviceId: string): Promise<{ tokenHash: string; revoked: boolean } | null> {
    const { rows } = await this.run<{ token_hash: string; revoked_at: string | null }>(
      'SELECT token_hash, revoked_at FROM device_credentials WHERE device_id = $1',
      [deviceId],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : { tokenHash: row.token_hash, revoked: row.revoked_at !== null };
  }

  // Idempotency of device commands.
  async appliedCommand(id: string): Promise<AppliedCommand | null> {
    const { rows } = await this.run<{ device_id: string; type: string; result: string }>(
      'SELECT device_id, type, result FROM applied_commands WHERE id = $1',
      [id],
    );
    const row = rows[0];
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
    await this.run(
      `INSERT INTO applied_commands (id, store_id, device_id, type, result, applied_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        entry.storeId,
        entry.deviceId,
        entry.type,
        JSON.stringify(entry.result),
        entry.appliedAt,
      ],
    );
  }

  // FileVirtuelle API accounts.
  async insertApiAccount(
    account: { key: string; secret: string; name: string },
    record: unknown,
    createdAt: string,
  ): Promise<void> {
    await this.run(
      'INSERT INTO api_keys (key, secret, name, data, created_at) VALUES ($1, $2, $3, $4, $5)',
      [account.key, account.secret, account.name, JSON.stringify(record), createdAt],
    );
  }
  apiAccount(key: string): Promise<unknown> {
    return this.one('SELECT data FROM api_keys WHERE key = $1', key);
  }
  apiAccounts(): Promise<unknown[]> {
    return this.all('SELECT data FROM api_keys ORDER BY created_at');
  }
  async updateApiAccount(key: string, record: unknown): Promise<void> {
    await this.run('UPDATE api_keys SET data = $1 WHERE key = $2', [JSON.stringify(record), key]);
  }

  // The FileVirtuelle door's memory, shared by every node.
  async rememberSignedRequest(nonce: string, untilMs: number, nowMs: number): Promise<boolean> {
    await this.run('DELETE FROM fv_replays WHERE until_ms < $1', [nowMs]);
    // A nonce seen before counts as new again only once its window has passed.
    const { rows } = await this.run(
      `INSERT INTO fv_replays (nonce, until_ms) VALUES ($1, $2)
         ON CONFLICT (nonce) DO UPDATE SET until_ms = excluded.until_ms
         WHERE fv_replays.until_ms < $3
         RETURNING nonce`,
      [nonce, untilMs, nowMs],
    );
    return rows.length === 1;
  }
  async countApiHit(apiKey: string, minute: number): Promise<number> {
    const { rows } = await this.run<{ count: number }>(
      `INSERT INTO fv_hits (api_key, minute, count) VALUES ($1, $2, 1)
         ON CONFLICT (api_key) DO UPDATE SET
           count = CASE WHEN fv_hits.minute = excluded.minute THEN fv_hits.count + 1 ELSE 1 END,
           minute = excluded.minute
         RETURNING count`,
      [apiKey, minute],
    );
    return rows[0]?.count ?? 1;
  }

  // --- Staff accounts and the agent API (staff/, agent/, ombori/) ---
  async insertStaff(
    staff: { id: string; email: string },
    record: unknown,
    createdAt: string,
  ): Promise<void> {
    await this.run('INSERT INTO staff (id, email, data, created_at) VALUES ($1, $2, $3, $4)', [
      staff.id,
      staff.email,
      JSON.stringify(record),
      createdAt,
    ]);
  }
  staffById(id: string): Promise<unknown> {
    return this.one('SELECT data FROM staff WHERE id = $1', id);
  }
  staffByEmail(email: string): Promise<unknown> {
    return this.one('SELECT data FROM staff WHERE email = $1', email);
  }
  staffList(): Promise<unknown[]> {
    return this.all('SELECT data FROM staff ORDER BY created_at, id');
  }
  async updateStaff(staff: { id: string; email: string }, record: unknown): Promise<void> {
    await this.run('UPDATE staff SET email = $1, data = $2 WHERE id = $3', [
      staff.email,
      JSON.stringify(record),
      staff.id,
    ]);
  }
  async deleteStaff(id: string): Promise<void> {
    await this.run('DELETE FROM staff WHERE id = $1', [id]);
  }
  async insertStaffToken(token: StaffTokenRow): Promise<void> {
    await this.run(
      `INSERT INTO staff_tokens (jti, staff_id, desk_id, issued_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
      [token.jti, token.staffId, token.deskId, token.issuedAt, token.expiresAt, token.revokedAt],
    );
  }
  async staffToken(jti: string): Promise<StaffTokenRow | null> {
    const { rows } = await this.run<StaffTokenRow>(
      `SELECT jti, staff_id AS "staffId", desk_id AS "deskId", issued_at AS "issuedAt",
              expires_at AS "expiresAt", revoked_at AS "revokedAt"
         FROM staff_tokens WHERE jti = $1`,
      [jti],
    );
    return rows[0] ?? null;
  }
  async revokeStaffTokens(
    by: { staffId: string } | { deskId: string } | { jti: string },
    at: string,
  ): Promise<void> {
    if ('jti' in by)
      await this.run(
        'UPDATE staff_tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL',
        [at, by.jti],
      );
    else if ('staffId' in by)
      await this.run(
        'UPDATE staff_tokens SET revoked_at = $1 WHERE staff_id = $2 AND revoked_at IS NULL',
        [at, by.staffId],
      );
    else
      await this.run(
        'UPDATE staff_tokens SET revoked_at = $1 WHERE desk_id = $2 AND revoked_at IS NULL',
        [at, by.deskId],
      );
  }
  async hubSecret(name: string, make: () => string): Promise<string> {
    // Two nodes making it at once: the first insert wins and both read that one.
    await this.run(
      'INSERT INTO hub_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, make()],
    );
    const { rows } = await this.run<{ value: string }>(
      'SELECT value FROM hub_secrets WHERE name = $1',
      [name],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`Hub secret ${name} is missing.`);
    return row.value;
  }
  async partnerTicket(
    source: string,
    externalId: string,
  ): Promise<{ customerId: string; storeId: string } | null> {
    const { rows } = await this.run<{ customerId: string; storeId: string }>(
      `SELECT customer_id AS "customerId", store_id AS "storeId" FROM partner_tickets
         WHERE source = $1 AND external_id = $2`,
      [source, externalId],
    );
    return rows[0] ?? null;
  }
  async insertPartnerTicket(
    source: string,
    externalId: string,
    at: { customerId: string; storeId: string },
  ): Promise<void> {
    await this.run(
      `INSERT INTO partner_tickets (source, external_id, customer_id, store_id)
         VALUES ($1, $2, $3, $4)`,
      [source, externalId, at.customerId, at.storeId],
    );
  }

  // --- Bloom virtual tickets ---
  async insertBloomAccount(row: BloomAccountRow): Promise<void> {
    await this.run(
      'INSERT INTO bloom_accounts (id, username, email, data) VALUES ($1, $2, $3, $4)',
      [row.id, row.username, row.email, JSON.stringify(row.record)],
    );
  }
  async updateBloomAccount(row: BloomAccountRow): Promise<void> {
    await this.run('UPDATE bloom_accounts SET username = $1, email = $2, data = $3 WHERE id = $4', [
      row.username,
      row.email,
      JSON.stringify(row.record),
      row.id,
    ]);
  }
  bloomAccount(by: { id: string } | { username: string } | { email: string }): Promise<unknown> {
    if ('id' in by) return this.one('SELECT data FROM bloom_accounts WHERE id = $1', by.id);
    if ('username' in by)
      return this.one('SELECT data FROM bloom_accounts WHERE username = $1', by.username);
    return this.one(
      'SELECT data FROM bloom_accounts WHERE email = $1 ORDER BY id LIMIT 1',
      by.email,
    );
  }
  async insertBloomToken(tokenHash: string, accountId: string, expiresMs: number): Promise<void> {
    await this.run(
      'INSERT INTO bloom_tokens (token_hash, account_id, expires_ms) VALUES ($1, $2, $3)',
      [tokenHash, accountId, expiresMs],
    );
  }
  async bloomTokenAccount(tokenHash: string, nowMs: number): Promise<string | null> {
    const { rows } = await this.run<{ account_id: string }>(
      `SELECT account_id FROM bloom_tokens
         WHERE token_hash = $1 AND NOT revoked AND expires_ms > $2`,
      [tokenHash, nowMs],
    );
    return rows[0]?.account_id ?? null;
  }
  async revokeBloomTokens(accountId: string): Promise<void> {
    await this.run('UPDATE bloom_tokens SET revoked = true WHERE account_id = $1', [accountId]);
  }
  async insertBloomReset(reset: BloomReset): Promise<void> {
    await this.run(
      'INSERT INTO bloom_resets (token, account_id, email, expires_ms) VALUES ($1, $2, $3, $4)',
      [reset.token, reset.accountId, reset.email, reset.expiresMs],
    );
  }
  async takeBloomReset(token: string, nowMs: number): Promise<string | null> {
    const { rows } = await this.run<{ account_id: string }>(
      `UPDATE bloom_resets SET used = true WHERE token = $1 AND NOT used AND expires_ms > $2
         RETURNING account_id`,
      [token, nowMs],
    );
    return rows[0]?.account_id ?? null;
  }
  async pendingBloomResets(nowMs: number): Promise<BloomReset[]> {
    const { rows } = await this.run<BloomReset>(
      `SELECT token, account_id AS "accountId", email, expires_ms AS "expiresMs"
         FROM bloom_resets WHERE NOT used AND expires_ms > $1 ORDER BY expires_ms`,
      [nowMs],
    );
    return rows;
  }
  async insertBloomTicket(t: BloomTicketRow): Promise<void> {
    await this.run(
      `INSERT INTO bloom_tickets (customer_id, store_id, account_id, phone_key, created_ms)
         VALUES ($1, $2, $3, $4, $5)`,
      [t.customerId, t.storeId, t.accountId, t.phoneKey, t.createdMs],
    );
  }
  async bloomTicket(customerId: string): Promise<BloomTicketRow | null> {
    const { rows } = await this.run<BloomTicketRow>(
      `SELECT ${BLOOM_TICKET_COLUMNS} FROM bloom_tickets WHERE customer_id = $1`,
      [customerId],
    );
    return rows[0] ?? null;
  }
  async bloomTickets(by: { accountId: string } | { phoneKey: string }): Promise<BloomTicketRow[]> {
    const { rows } =
      'accountId' in by
        ? await this.run<BloomTicketRow>(
            `SELECT ${BLOOM_TICKET_COLUMNS} FROM bloom_tickets WHERE account_id = $1
               ORDER BY created_ms`,
            [by.accountId],
          )
        : await this.run<BloomTicketRow>(
            `SELECT ${BLOOM_TICKET_COLUMNS} FROM bloom_tickets WHERE phone_key = $1
               ORDER BY created_ms`,
            [by.phoneKey],
          );
    return rows;
  }

  // --- Notifications (issue 10): outbox, push subscriptions, settings -------------------------
  async enqueueOutbox(entries: readonly OutboxEntry[], nowMs: number): Promise<number> {
    let added = 0;
    for (const e of entries) {
      const due = Math.max(nowMs, e.notBeforeMs);
      const { rowCount } = await this.run(
        `INSERT INTO outbox (id, store_id, customer_id, channel, endpoint, status, attempts,
             created_ms, next_ms, order_ms, data)
           VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [
          e.id,
          e.storeId,
          e.customerId,
          e.channel,
          e.endpoint,
          nowMs,
          due,
          JSON.stringify(e.message),
        ],
      );
      added += rowCount;
    }
    return added;
  }
  async claimOutbox(nowMs: number, limit: number, leaseUntilMs: number): Promise<OutboxRecord[]> {
    const { rows } = await this.run<OutboxRow & { row_no: string }>(
      // Only the first pending notification of a ticket on a channel: a retried one holds back
      // the ones after it, so a partner never sees CALLED before BOOKED. Rows another node is
      // claiming are skipped; the outer conditions are checked again on the row as locked, so
      // a row claimed meanwhile (next_ms moved) is not claimed twice.
      `UPDATE outbox SET next_ms = $3 WHERE row_no IN (
         SELECT o.row_no FROM outbox o WHERE status = 'pending' AND next_ms <= $1
           AND NOT EXISTS (SELECT 1 FROM outbox p
             WHERE p.customer_id = o.customer_id AND p.channel = o.channel
               AND p.status = 'pending'
               AND (p.order_ms < o.order_ms OR (p.order_ms = o.order_ms AND p.row_no < o.row_no)))
           ORDER BY next_ms, row_no LIMIT $2
           FOR UPDATE SKIP LOCKED)
         AND status = 'pending' AND next_ms <= $1
       RETURNING *`,
      [nowMs, limit, leaseUntilMs],
    );
    return rows.sort((a, b) => Number(a.row_no) - Number(b.row_no)).map(outboxRecord);
  }
  async releaseOutbox(ids: readonly string[], leaseUntilMs: number, nextMs: number): Promise<void> {
    await this.run(
      `UPDATE outbox SET next_ms = $1
         WHERE id = ANY($2::text[]) AND status = 'pending' AND next_ms = $3`,
      [nextMs, [...ids], leaseUntilMs],
    );
  }
  async outboxEntry(id: string): Promise<OutboxRecord | null> {
    const { rows } = await this.run<OutboxRow>('SELECT * FROM outbox WHERE id = $1', [id]);
    const row = rows[0];
    return row === undefined ? null : outboxRecord(row);
  }
  async outboxEntries(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxRecord[]> {
    const { rows } =
      filter.status === undefined
        ? await this.run<OutboxRow>('SELECT * FROM outbox ORDER BY row_no DESC LIMIT $1', [
            filter.limit,
          ])
        : await this.run<OutboxRow>(
            'SELECT * FROM outbox WHERE status = $1 ORDER BY row_no DESC LIMIT $2',
            [filter.status, filter.limit],
          );
    return rows.map(outboxRecord);
  }
  async settleOutbox(
    id: string,
    outcome:
      | { status: 'sent' | 'skipped'; atMs: number; note?: string }
      | { status: 'pending'; nextMs: number; error: string }
      | { status: 'failed'; atMs: number; error: string },
  ): Promise<void> {
    if (outcome.status === 'pending') {
      await this.run(
        'UPDATE outbox SET attempts = attempts + 1, next_ms = $1, last_error = $2 WHERE id = $3',
        [outcome.nextMs, outcome.error, id],
      );
      return;
    }
    const error = outcome.status === 'failed' ? outcome.error : (outcome.note ?? null);
    await this.run(
      `UPDATE outbox SET status = $1, attempts = attempts + $2, done_ms = $3, last_error = $4
         WHERE id = $5`,
      [outcome.status, outcome.status === 'skipped' ? 0 : 1, outcome.atMs, error, id],
    );
  }
  async requeueOutbox(id: string, nowMs: number): Promise<boolean> {
    const { rowCount } = await this.run(
      `UPDATE outbox SET status = 'pending', next_ms = $1, created_ms = $1, done_ms = NULL
         WHERE id = $2`,
      [nowMs, id],
    );
    return rowCount === 1;
  }
  async setPushId(customerId: string, pushId: string, at: string): Promise<void> {
    await this.run(
      `INSERT INTO push_subscriptions (customer_id, push_id, subscribed_at) VALUES ($1, $2, $3)
         ON CONFLICT (customer_id) DO UPDATE SET push_id = excluded.push_id,
           subscribed_at = excluded.subscribed_at`,
      [customerId, pushId, at],
    );
  }
  async pushId(customerId: string): Promise<string | null> {
    const { rows } = await this.run<{ push_id: string }>(
      'SELECT push_id FROM push_subscriptions WHERE customer_id = $1',
      [customerId],
    );
    return rows[0]?.push_id ?? null;
  }
  notifySetting(key: string): Promise<unknown> {
    return this.one('SELECT data FROM notify_settings WHERE key = $1', key);
  }
  async setNotifySetting(key: string, value: unknown): Promise<void> {
    await this.run(
      `INSERT INTO notify_settings (key, data) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET data = excluded.data`,
      [key, JSON.stringify(value)],
    );
  }
  // --- end notifications ---------------------------------------------------------------------

  // ---- device health (issue 16) ----
  async deviceHealth(storeId: string): Promise<DeviceHealthEntry[]> {
    const raw = await this.all<unknown>(
      'SELECT data FROM device_health WHERE store_id = $1 ORDER BY device_id',
      storeId,
    );
    return raw
      .map((r) => DeviceHealthEntrySchema.safeParse(r))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []));
  }
  async putDeviceHealth(entry: DeviceHealthEntry): Promise<void> {
    await this.run(
      `INSERT INTO device_health (device_id, store_id, data) VALUES ($1, $2, $3)
         ON CONFLICT (device_id) DO UPDATE SET store_id = excluded.store_id, data = excluded.data`,
      [entry.deviceId, entry.storeId, JSON.stringify(entry)],
    );
  }
  async fleetAlertStates(storeId: string): Promise<{ deviceId: string; state: unknown }[]> {
    const { rows } = await this.run<{ device_id: string; data: string }>(
      'SELECT device_id, data FROM fleet_alert_state WHERE store_id = $1 ORDER BY device_id',
      [storeId],
    );
    return rows.map((row) => ({ deviceId: row.device_id, state: JSON.parse(row.data) as unknown }));
  }
  async putFleetAlertState(deviceId: string, storeId: string, state: unknown): Promise<void> {
    await this.run(
      `INSERT INTO fleet_alert_state (device_id, store_id, data) VALUES ($1, $2, $3)
         ON CONFLICT (device_id) DO UPDATE SET store_id = excluded.store_id, data = excluded.data`,
      [deviceId, storeId, JSON.stringify(state)],
    );
  }
  // ---- hub console (issue 12): waiting devices and the sign-in lock-out ----
  async recordWaitingDevice(knock: WaitingDeviceKnock): Promise<void> {
    const macs = [...new Set(knock.macs)].sort();
    const key = `${knock.hostname.toLowerCase()}|${macs.join(',')}`;
    const row: WaitingDeviceRow = {
      id: newObjectId(),
      macs,
      hostname: knock.hostname,
      address: knock.address,
      firstSeen: knock.at,
      lastSeen: knock.at,
      knocks: 1,
    };
    // One statement: knocks racing on two nodes count both and keep the first id and first seen.
    await this.run(
      `INSERT INTO waiting_devices (id, knock_key, last_seen, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (knock_key) DO UPDATE SET last_seen = excluded.last_seen,
           data = (excluded.data::jsonb || jsonb_build_object(
             'id', waiting_devices.data::jsonb->'id',
             'firstSeen', waiting_devices.data::jsonb->'firstSeen',
             'knocks', (waiting_devices.data::jsonb->>'knocks')::int + 1))::text`,
      [row.id, key, row.lastSeen, JSON.stringify(row)],
    );
    // /provision is open to anyone: keep only the latest knocks.
    await this.run(
      `DELETE FROM waiting_devices WHERE id NOT IN
         (SELECT id FROM waiting_devices ORDER BY last_seen DESC LIMIT ${MAX_WAITING_DEVICES})`,
    );
  }
  async waitingDevices(): Promise<WaitingDeviceRow[]> {
    return this.all('SELECT data FROM waiting_devices ORDER BY last_seen DESC, id');
  }
  async waitingDevice(id: string): Promise<WaitingDeviceRow | null> {
    return this.one('SELECT data FROM waiting_devices WHERE id = $1', id);
  }
  async deleteWaitingDevice(id: string): Promise<void> {
    await this.run('DELETE FROM waiting_devices WHERE id = $1', [id]);
  }
  async consoleSignIn(staffId: string): Promise<ConsoleSignInRow> {
    const { rows } = await this.run<{ failures: number; locked_until: string | null }>(
      'SELECT failures, locked_until FROM console_sign_in WHERE staff_id = $1',
      [staffId],
    );
    const row = rows[0];
    return { failures: row?.failures ?? 0, lockedUntil: row?.locked_until ?? null };
  }
  async setConsoleSignIn(staffId: string, row: ConsoleSignInRow): Promise<void> {
    await this.run(
      `INSERT INTO console_sign_in (staff_id, failures, locked_until) VALUES ($1, $2, $3)
         ON CONFLICT (staff_id) DO UPDATE SET failures = excluded.failures,
           locked_until = excluded.locked_until`,
      [staffId, row.failures, row.lockedUntil],
    );
  }
  // ---- end hub console ----
}

/** A write transaction's view of the port: its pooled client, which ran BEGIN. */
/** The savepoint a transaction's `begin` makes for its first command. */
const FIRST_SAVEPOINT = 'lineup_sp0';

/** A locked store's sequence row, kept in memory to commit: the lock makes it this tx's alone. */
interface SequenceRow {
  epoch: string;
  head: number;
  arrival: number;
  /** The values read with the lock: the row is written at commit only if they moved. */
  read: { head: number; arrival: number };
}

type AppliedRecord = AppliedCommand & { storeId: string; appliedAt: string };

/** A locked store's ticket counters and blocks of recent days, kept in memory to commit. */
interface Numbering {
  /** By `prefix \n day`: the last number issued, and whether this transaction moved it. */
  counters: Map<string, { last: number; moved: boolean }>;
  /** Null once the transaction adds a block: read from the table again. */
  blocks: TicketBlock[] | null;
}

const counterKey = (prefix: string, day: string) => `${prefix}\n${day}`;

/**
 * The first numbering day a transaction reads up front: a store's day (its time zone's date) is
 * never before yesterday in UTC. A day before it is read from the tables, as it always was.
 */
const numberingSince = (now: Date): string =>
  new Date(now.getTime() - 36 * 3600_000).toISOString().slice(0, 10);

/**
 * A write transaction. Round trips are what a command costs on Postgres (each is a wake-up on
 * both sides), so it spends as few as it can without giving up a guarantee:
 * - BEGIN, the scope's locks, the locked stores' configuration and the batch's command ids
 *   go in one message (simple protocol, literals escaped by the driver);
 * - a locked store's head and arrival counters are handed out from memory (the lock makes them
 *   this transaction's alone) and written with COMMIT, as are the applied-command records: one
 *   message at the end. A savepoint rolled back puts both back where they were.
 */
class PgTx extends PgData implements HubTx {
  private savepoints = 0;
  private readonly sequences = new Map<string, SequenceRow>();
  /**
   * Reads of configuration (stores, services, devices, API keys, notification settings) kept
   * for the rest of the transaction: a batch of commands reads them once, not once per command.
   * Sound because a store's entities are written only by transactions holding its lock (this
   * one, once it has read them); a write of this transaction, or a rolled back savepoint,
   * forgets them all. Customers are never kept.
   */
  private readonly kept = new Map<string, Promise<unknown>>();
  /** Command ids read with the scope's locks (null: not applied); void once a store locks late. */
  private prefetched: Map<string, AppliedCommand | null> | null = null;
  /** Commands recorded by this transaction, inserted at commit. */
  private readonly records = new Map<string, AppliedRecord>();
  /** Locked stores' ticket numbering from `since` on, read with the lock (see `begin`). */
  private readonly numbering = new Map<string, Numbering>();
  private since = '';
  /**
   * The savepoint `begin` made: 'untouched' until a statement that writes or locks (whatever
   * rolling back to it would undo) is sent, or a savepoint is asked for.
   */
  private firstSavepoint: 'none' | 'untouched' | 'used' = 'none';
  /** Whether `begin` read a notification setting (so its absence is known). */
  private settingsRead: (key: string) => boolean = () => false;
  /** Customers inserted (not updated) by this transaction. */
  private readonly created = new Set<string>();

  constructor(private readonly client: pg.PoolClient) {
    super(client);
  }

  private literal(value: string): string {
    return this.client.escapeLiteral(value);
  }

  /** BEGIN, the scope's locks and what the transaction will read first: one round trip. */
  async begin(scope: TxScope): Promise<void> {
    const ids = [...new Set(scope.storeIds)].sort();
    if (ids.length === 0) {
      await this.client.query('BEGIN');
      return;
    }
    const stores = ids.map((id) => this.literal(id)).join(', ');
    const commandIds = [...new Set(scope.commandIds ?? [])];
    const statements = [
      'BEGIN',
      `SELECT id, epoch, head_seq, arrival_seq, data FROM stores WHERE id IN (${stores})
         ORDER BY id FOR UPDATE`,
      // After the lock (statements run in order, each on a fresh snapshot): what the previous
      // holder committed is seen.
      `SELECT store_id, data FROM services WHERE store_id IN (${stores}) ORDER BY store_id, id`,
      `SELECT store_id, id, data FROM devices WHERE store_id IN (${stores}) ORDER BY store_id, id`,
    ];
    this.since = numberingSince(new Date());
    const since = this.literal(this.since);
    statements.push(
      `SELECT store_id, prefix, day, last FROM ticket_counters
         WHERE store_id IN (${stores}) AND day >= ${since}`,
      `SELECT store_id, data FROM ticket_blocks
         WHERE store_id IN (${stores}) AND day >= ${since} ORDER BY store_id, first`,
      // What the notification hook reads for a customer of these stores: the settings (global
      // ones, named without a colon, and `kind:<organization>` ones of the stores'
      // organizations) and the API accounts named like the stores' devices (a customer's
      // registeredBy is a device or an API key).
      `SELECT key, data FROM notify_settings WHERE position(':' in key) = 0
         OR substr(key, position(':' in key) + 1)
            IN (SELECT organization_id FROM stores WHERE id IN (${stores}))`,
      `SELECT key, data FROM api_keys
         WHERE key IN (SELECT id FROM devices WHERE store_id IN (${stores}))`,
    );
    if (commandIds.length > 0) {
      statements.push(
        `SELECT id, device_id, type, result FROM applied_commands
           WHERE id IN (${commandIds.map((id) => this.literal(id)).join(', ')})`,
      );
    }
    // The first command's savepoint, made here rather than in a round trip of its own: still
    // untouched when the command starts, it undoes exactly what the command does.
    statements.push(`SAVEPOINT ${FIRST_SAVEPOINT}`);
    const results = (await this.client.query(
      statements.join(';\n'),
    )) as unknown as pg.QueryResult[];
    this.firstSavepoint = 'untouched';
    const [, locked, services, devices, counters, blocks, settings, accounts, applied] = results;
    const organizations = new Set(this.lockedRows(locked?.rows ?? []).map((s) => s.organizationId));
    this.settingsRead = (key) => {
      const colon = key.indexOf(':');
      return colon < 0 || organizations.has(key.slice(colon + 1));
    };
    for (const row of settings?.rows ?? []) {
      this.preload(`notify:${row.key as string}`, JSON.parse(row.data as string));
    }
    for (const row of devices?.rows ?? []) this.preload(`api:${row.id as string}`, null);
    for (const row of accounts?.rows ?? []) {
      this.preload(`api:${row.key as string}`, JSON.parse(row.data as string));
    }
    for (const id of ids) {
      if (this.sequences.has(id)) this.numbering.set(id, { counters: new Map(), blocks: [] });
    }
    for (const row of counters?.rows ?? []) {
      this.numbering
        .get(row.store_id as string)
        ?.counters.set(counterKey(row.prefix as string, row.day as string), {
          last: Number(row.last),
          moved: false,
        });
    }
    for (const row of blocks?.rows ?? []) {
      this.numbering.get(row.store_id as string)?.blocks?.push(JSON.parse(row.data as string));
    }
    const byStore = (rows: pg.QueryResult['rows'] | undefined) => {
      const out = new Map<string, unknown[]>(ids.map((id) => [id, []]));
      for (const row of rows ?? [])
        out.get(row.store_id as string)?.push(JSON.parse(row.data as string));
      return out;
    };
    for (const [id, list] of byStore(services?.rows)) this.preload(`services:${id}`, list);
    for (const [id, list] of byStore(devices?.rows)) {
      this.preload(`devices:${id}`, list);
      for (const device of list as Device[]) this.preload(`device:${device.id}`, device);
    }
    if (applied !== undefined) {
      this.prefetched = new Map(commandIds.map((id) => [id, null]));
      for (const row of applied.rows) {
        this.prefetched.set(row.id as string, {
          deviceId: row.device_id as string,
          type: row.type as string,
          result: JSON.parse(row.result as string) as CommandResult,
        });
      }
    }
  }

  /** Rows of `SELECT id, epoch, head_seq, arrival_seq, data FROM stores ... FOR UPDATE`. */
  private lockedRows(rows: pg.QueryResult['rows']): Store[] {
    return rows.map((row) => {
      const id = row.id as string;
      const head = Number(row.head_seq);
      const arrival = Number(row.arrival_seq);
      this.sequences.set(id, {
        epoch: row.epoch as string,
        head,
        arrival,
        read: { head, arrival },
      });
      const store = JSON.parse(row.data as string) as Store;
      this.preload(`store:${id}`, store);
      return store;
    });
  }

  /** Forgets every kept read, and what `begin` read up front. */
  private forget(): void {
    this.kept.clear();
    this.settingsRead = () => false;
  }

  private preload(key: string, value: unknown): void {
    this.kept.set(key, Promise.resolve(value));
  }

  /** The counters and records held in memory, written, then COMMIT: one round trip. */
  async commit(): Promise<void> {
    const statements: string[] = [];
    for (const [id, row] of this.sequences) {
      if (row.head === row.read.head && row.arrival === row.read.arrival) continue;
      statements.push(
        `UPDATE stores SET head_seq = ${String(row.head)}, arrival_seq = ${String(row.arrival)}
           WHERE id = ${this.literal(id)}`,
      );
    }
    const counters = [...this.numbering].flatMap(([storeId, n]) =>
      [...n.counters].flatMap(([key, c]) => {
        if (!c.moved) return [];
        const [prefix = '', day = ''] = key.split('\n');
        const literals = [storeId, prefix, day].map((v) => this.literal(v));
        return [`${literals.join(', ')}, ${String(c.last)}`];
      }),
    );
    if (counters.length > 0) {
      statements.push(
        `INSERT INTO ticket_counters (store_id, prefix, day, last) VALUES (${counters.join('), (')})
           ON CONFLICT (store_id, prefix, day)
           DO UPDATE SET last = GREATEST(ticket_counters.last, excluded.last)`,
      );
    }
    if (this.records.size > 0) {
      const values = [...this.records].map(([id, r]) =>
        [id, r.storeId, r.deviceId, r.type, JSON.stringify(r.result), r.appliedAt]
          .map((v) => this.literal(v))
          .join(', '),
      );
      statements.push(
        `INSERT INTO applied_commands (id, store_id, device_id, type, result, applied_at)
           VALUES (${values.join('), (')})`,
      );
    }
    statements.push('COMMIT');
    const answered = (await this.client.query(statements.join(';\n'))) as
      pg.QueryResult | pg.QueryResult[];
    const last = Array.isArray(answered) ? answered.at(-1) : answered;
    // Postgres answers COMMIT of a transaction an error broke with ROLLBACK, not an error.
    if (last?.command !== 'COMMIT') throw new Error('The transaction was rolled back.');
  }

  private keep<T>(key: string, read: () => Promise<T>): Promise<T> {
    let found = this.kept.get(key) as Promise<T> | undefined;
    if (found === undefined) {
      found = read();
      this.kept.set(key, found);
      found.catch(() => this.kept.delete(key));
    }
    // A copy each time: no caller can change what the next one reads.
    return found.then((value) => structuredClone(value));
  }

  override store(id: string): Promise<Store | null> {
    return this.keep(`store:${id}`, () => super.store(id));
  }
  override services(storeId?: string): Promise<Service[]> {
    return this.keep(`services:${storeId ?? '*'}`, () => super.services(storeId));
  }
  override device(id: string): Promise<Device | null> {
    return this.keep(`device:${id}`, () => super.device(id));
  }
  override devices(storeId?: string): Promise<Device[]> {
    return this.keep(`devices:${storeId ?? '*'}`, () => super.devices(storeId));
  }
  override apiAccount(key: string): Promise<unknown> {
    return this.keep(`api:${key}`, () => super.apiAccount(key));
  }
  override notifySetting(key: string): Promise<unknown> {
    // Read up front by `begin` when it covers the key: absent there is absent.
    const read = this.settingsRead(key) ? async () => null : () => super.notifySetting(key);
    return this.keep(`notify:${key}`, read);
  }
  protected override customerCreated(id: string): void {
    this.created.add(id);
  }
  override async pushId(customerId: string): Promise<string | null> {
    // A customer this transaction created cannot have been subscribed yet.
    return this.created.has(customerId) ? null : super.pushId(customerId);
  }
  override async setPushId(customerId: string, pushId: string, at: string): Promise<void> {
    this.created.delete(customerId);
    return super.setPushId(customerId, pushId, at);
  }

  override async head(storeId: string): Promise<LogPosition | null> {
    const row = this.sequences.get(storeId);
    return row === undefined ? super.head(storeId) : { epoch: row.epoch, seq: row.head };
  }
  override async heads(): Promise<Map<string, LogPosition>> {
    const heads = await super.heads();
    for (const [id, row] of this.sequences) heads.set(id, { epoch: row.epoch, seq: row.head });
    return heads;
  }
  protected override async nextLogPosition(storeId: string): Promise<LogPosition> {
    const row = this.sequences.get(storeId);
    if (row === undefined) return super.nextLogPosition(storeId);
    row.head += 1;
    return { epoch: row.epoch, seq: row.head };
  }
  override async nextArrivalSeq(storeId: string): Promise<number> {
    const row = this.sequences.get(storeId);
    if (row === undefined) return super.nextArrivalSeq(storeId);
    row.arrival += 1;
    return row.arrival;
  }

  /** The store's numbering read up front, when it covers `day`. */
  private numberingOf(storeId: string, day: string | undefined): Numbering | undefined {
    return day !== undefined && day >= this.since ? this.numbering.get(storeId) : undefined;
  }
  override async lastIssued(storeId: string, prefix: string, day: string): Promise<number> {
    const n = this.numberingOf(storeId, day);
    if (n === undefined) return super.lastIssued(storeId, prefix, day);
    return n.counters.get(counterKey(prefix, day))?.last ?? 0;
  }
  override async setLastIssued(
    storeId: string,
    prefix: string,
    day: string,
    last: number,
  ): Promise<void> {
    const n = this.numberingOf(storeId, day);
    if (n === undefined) return super.setLastIssued(storeId, prefix, day, last);
    const key = counterKey(prefix, day);
    const now = n.counters.get(key)?.last ?? 0;
    // As the statement does: a counter never goes back.
    n.counters.set(key, { last: Math.max(now, last), moved: true });
  }
  override async blocks(storeId: string, prefix?: string, day?: string): Promise<TicketBlock[]> {
    const blocks = this.numberingOf(storeId, day)?.blocks;
    if (blocks === null || blocks === undefined || prefix === undefined) {
      return super.blocks(storeId, prefix, day);
    }
    return structuredClone(blocks.filter((b) => b.ticketPrefix === prefix && b.ticketDay === day));
  }

  override async appliedCommand(id: string): Promise<AppliedCommand | null> {
    const mine = this.records.get(id);
    if (mine !== undefined) {
      return structuredClone({ deviceId: mine.deviceId, type: mine.type, result: mine.result });
    }
    const known = this.prefetched?.get(id);
    if (known !== undefined) return structuredClone(known);
    return super.appliedCommand(id);
  }
  override async recordCommand(id: string, entry: AppliedRecord): Promise<void> {
    // The primary key would refuse it at commit, failing the whole batch: refuse it here (the
    // sequencer looks every id up first, so this is only a guard).
    if (this.records.has(id) || (this.prefetched?.get(id) ?? null) !== null) {
      throw new Error(`Command ${id} is already recorded.`);
    }
    this.records.set(id, structuredClone(entry));
  }

  override append(storeId: string, entry: Parameters<PgData['append']>[1]): Promise<Change> {
    if (entry.entity.kind !== 'customer') this.forget();
    const numbering = this.numbering.get(storeId);
    if (entry.entity.kind === 'block' && numbering !== undefined) numbering.blocks = null;
    return super.append(storeId, entry);
  }
  override createStore(store: Store): Promise<void> {
    this.forget();
    return super.createStore(store);
  }
  override upsertOrganization(org: Organization): Promise<void> {
    this.forget();
    return super.upsertOrganization(org);
  }
  override insertApiAccount(...args: Parameters<PgData['insertApiAccount']>): Promise<void> {
    this.forget();
    return super.insertApiAccount(...args);
  }
  override updateApiAccount(key: string, record: unknown): Promise<void> {
    this.forget();
    return super.updateApiAccount(key, record);
  }
  override setNotifySetting(key: string, value: unknown): Promise<void> {
    this.forget();
    return super.setNotifySetting(key, value);
  }

  protected override statementSent(text: string): void {
    if (
      this.firstSavepoint === 'untouched' &&
      (!/^\s*SELECT\b/i.test(text) || /\bFOR\s+(UPDATE|SHARE|NO\s+KEY|KEY)\b/i.test(text))
    ) {
      this.firstSavepoint = 'used';
    }
  }

  /** Locks a store found late (the up-front ones were locked by `begin`). */
  async lockStore(storeId: string): Promise<void> {
    if (this.sequences.has(storeId)) return;
    const { rows } = await this.run<pg.QueryResultRow>(
      'SELECT id, epoch, head_seq, arrival_seq, data FROM stores WHERE id = $1 FOR UPDATE',
      [storeId],
    );
    this.lockedRows(rows);
    // Ids read before this lock may have been applied by its holder since.
    this.prefetched = null;
  }

  /**
   * A savepoint kept to the end of the transaction on success (no RELEASE: one round trip per
   * command saved; names are unique, so a rollback to one also drops those made after it).
   * Rolled back, it also puts back the counters and records held in memory.
   */
  async savepoint<T>(fn: (tx: HubTx) => Promise<T>): Promise<T> {
    let name = FIRST_SAVEPOINT;
    if (this.firstSavepoint === 'untouched') {
      this.firstSavepoint = 'used';
    } else {
      name = `lineup_sp${++this.savepoints}`;
      await this.client.query(`SAVEPOINT ${name}`);
    }
    const counters = new Map([...this.sequences].map(([id, r]) => [id, [r.head, r.arrival]]));
    const recorded = new Set(this.records.keys());
    const numbering = new Map(
      [...this.numbering].map(([id, n]) => [id, structuredClone(n.counters)] as const),
    );
    try {
      return await fn(this);
    } catch (error) {
      this.forget();
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      for (const [id, row] of this.sequences) {
        const before = counters.get(id);
        // A row lock taken inside a savepoint is released when it is rolled back: a store
        // locked in it is locked again (and read again) by the next lockStore.
        if (before === undefined) this.sequences.delete(id);
        else [row.head, row.arrival] = before as [number, number];
      }
      for (const id of this.records.keys()) if (!recorded.has(id)) this.records.delete(id);
      for (const [id, counters] of numbering) {
        const n = this.numbering.get(id);
        if (n !== undefined) n.counters = counters;
      }
      throw error;
    }
  }
}

export class PgHubRepo extends PgData implements HubRepo {
  /** Writers lock their stores' rows: different stores commit side by side. */
  readonly parallelStores = true;
  constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  /**
   * One write transaction on its own pooled client: BEGIN (READ COMMITTED), the scope's store
   * rows locked, `fn`, COMMIT. A serialization failure or deadlock runs `fn` again on a fresh
   * transaction (the port allows it: `fn` keeps its state per attempt).
   */
  async transaction<T>(scope: TxScope, fn: (tx: HubTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.within(async (client) => {
          const tx = new PgTx(client);
          await tx.begin(scope);
          const out = await fn(tx);
          await tx.commit();
          return out;
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !TRANSIENT.has(code)) {
          throw error;
        }
      }
    }
  }

  /** One consistent snapshot, read only. */
  read<T>(fn: (tx: HubData) => Promise<T>): Promise<T> {
    return this.within(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const out = await fn(new PgData(client));
      await client.query('COMMIT');
      return out;
    });
  }

  /** `fn` on a pooled client that it leaves in a transaction; rolled back if `fn` throws. */
  private async within<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: do not hand it out again
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const BLOOM_TICKET_COLUMNS = `customer_id AS "customerId", store_id AS "storeId",
  account_id AS "accountId", phone_key AS "phoneKey", created_ms AS "createdMs"`;
