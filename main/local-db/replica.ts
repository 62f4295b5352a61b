// The replica of the store's log: entities carried whole (applying a change is an upsert), the
// cursor, and customers this device made before the hub knows them (`local = 1`). Parsed
// entities are kept in memory (this process is the file's only writer), so reads do not
// re-parse the day; the LocalDb facade drops the cache when a transaction rolls back.
import type { z } from 'zod';
import {
  CustomerSchema,
  DeviceSchema,
  OrganizationSchema,
  ServiceSchema,
  StoreSchema,
  type Customer,
} from '../../shared/domain/entities.js';
import {
  TicketBlockSchema,
  type Change,
  type LogPosition,
  type StoreSnapshot,
} from '../../shared/protocol/sync.js';
import { isFinalState } from '../../shared/domain/lifecycle.js';
import { statements, type Db } from './database.js';
import { readBody, type SetAside } from './set-aside.js';

const schemas = {
  organization: OrganizationSchema,
  store: StoreSchema,
  service: ServiceSchema,
  device: DeviceSchema,
  customer: CustomerSchema,
  block: TicketBlockSchema,
} as const;

export type EntityKind = keyof typeof schemas;
export type EntityOf<K extends EntityKind> = z.output<(typeof schemas)[K]>;
type Cache = { [K in EntityKind]?: Map<string, EntityOf<K>> };

export interface ApplyOutcome {
  /** Changes applied now, in order (duplicates skipped). */
  applied: Change[];
  /** A change did not follow the cursor: the caller must pull. */
  gap: boolean;
}

/** What changed since the last `takeChanges`: ids per kind, or `reset` when everything may have. */
export interface ReplicaChanges {
  reset: boolean;
  ids: { [K in EntityKind]?: Set<string> };
}

export class Replica {
  private readonly sql: ReturnType<typeof statements>;
  private cache: Cache = {};
  private maxArrival = 0;
  /** Customers not ended (booked, waiting, called, serving): the queue reads only these. */
  private open = new Map<string, Customer>();
  /** Bumped when a customer ends or leaves: observed service times are recomputed then. */
  private endedVersion = 0;
  private changes: ReplicaChanges = { reset: false, ids: {} };

  constructor(
    private readonly db: Db,
    private readonly setAside: SetAside,
    /** Told of every customer and block written, so the ticket blocks track their numbers. */
    private readonly onWritten: {
      customer(customer: Customer): void;
      block(block: EntityOf<'block'>): void;
    },
  ) {
    this.sql = statements(db);
  }

  // ---- cursor -------------------------------------------------------------------------------

  cursor(): { storeId: string; position: LogPosition } | null {
    const row = this.sql('SELECT store_id, epoch, seq FROM cursor WHERE id = 1').get() as
      { store_id: string; epoch: string; seq: number } | undefined;
    return row === undefined
      ? null
      : { storeId: row.store_id, position: { epoch: row.epoch, seq: row.seq } };
  }

  private setCursor(storeId: string, position: LogPosition): void {
    this.sql('INSERT OR REPLACE INTO cursor (id, store_id, epoch, seq) VALUES (1, ?, ?, ?)').run(
      storeId,
      position.epoch,
      position.seq,
    );
  }

  // ---- reads --------------------------------------------------------------------------------

  private load<K extends EntityKind>(kind: K): Map<string, EntityOf<K>> {
    const cached = this.cache[kind] as Map<string, EntityOf<K>> | undefined;
    if (cached !== undefined) return cached;
    const rows = this.sql('SELECT id, body FROM entities WHERE kind = ? ORDER BY id').all(kind) as {
      id: string;
      body: string;
    }[];
    const map = new Map<string, EntityOf<K>>();
    for (const row of rows) {
      const read = readBody(row.body, schemas[kind] as unknown as z.ZodType<EntityOf<K>>);
      if (read.ok) map.set(row.id, read.value);
      else {
        this.setAside.keep(kind, row.id, row.body, read.reason);
        this.sql('DELETE FROM entities WHERE kind = ? AND id = ?').run(kind, row.id);
      }
    }
    if (kind === 'customer')
      for (const c of map.values() as Iterable<Customer>) {
        this.maxArrival = Math.max(this.maxArrival, c.arrivalSeq);
        if (!isFinalState(c.state)) this.open.set(c.id, c);
      }
    (this.cache as Record<string, unknown>)[kind] = map;
    return map;
  }

  /** Every entity of a kind, in id order. */
  list<K extends EntityKind>(kind: K): EntityOf<K>[] {
    const map = this.load(kind);
    return [...map.keys()].sort().map((id) => map.get(id) as EntityOf<K>);
  }

  /** Every entity of a kind, in no particular order (cheaper: for lookups and counts). */
  all<K extends EntityKind>(kind: K): Iterable<EntityOf<K>> {
    return this.load(kind).values();
  }

  get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | null {
    return this.load(kind).get(id) ?? null;
  }

  /** Customers not ended yet, in no particular order. */
  openCustomers(): Iterable<Customer> {
    this.load('customer');
    return this.open.values();
  }

  /** Changes whenever a customer ends or leaves (a cache key for observed service times). */
  endedStamp(): number {
    return this.endedVersion;
  }

  /** The highest arrival order known (a new local ticket comes after it). */
  maxArrivalSeq(): number {
    this.load('customer');
    return this.maxArrival;
  }

  // ---- writes -------------------------------------------------------------------------------

  private touch(kind: EntityKind, id: string): void {
    (this.changes.ids[kind] ??= new Set()).add(id);
  }

  private write<K extends EntityKind>(
    kind: K,
    entity: EntityOf<K> & { id: string },
    at: LogPosition,
    local: 0 | 1,
  ): void {
    const c = kind === 'customer' ? (entity as Customer) : null;
    this.sql(
      `INSERT INTO entities (kind, id, body, epoch, seq, local, ticket_prefix, ticket_day,
           ticket_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, epoch = excluded.epoch,
           seq = excluded.seq, local = excluded.local, ticket_prefix = excluded.ticket_prefix,
           ticket_day = excluded.ticket_day, ticket_number = excluded.ticket_number`,
    ).run(
      kind,
      entity.id,
      JSON.stringify(entity),
      at.epoch,
      at.seq,
      local,
      c?.ticketPrefix ?? null,
      c?.ticketDay ?? null,
      c?.ticketNumber ?? null,
    );
    const map = this.cache[kind] as Map<string, EntityOf<K>> | undefined;
    map?.set(entity.id, entity);
    this.touch(kind, entity.id);
    if (c !== null) {
      this.maxArrival = Math.max(this.maxArrival, c.arrivalSeq);
      if (!isFinalState(c.state)) this.open.set(c.id, c);
      else if (this.open.delete(c.id) || map === undefined) this.endedVersion += 1;
      this.onWritten.customer(c);
    }
    if (kind === 'block') this.onWritten.block(entity as EntityOf<'block'>);
  }

  private remove(kind: EntityKind, id: string, onlyLocal = false): boolean {
    const sql = `DELETE FROM entities WHERE kind = ? AND id = ?${onlyLocal ? ' AND local = 1' : ''}`;
    const removed = this.sql(sql).run(kind, id).changes > 0;
    if (removed) {
      this.cache[kind]?.delete(id);
      this.touch(kind, id);
      if (kind === 'customer') {
        this.open.delete(id);
        this.endedVersion += 1;
      }
    }
    return removed;
  }

  private applyOne(change: Change): void {
    const at = { epoch: change.epoch, seq: change.seq };
    const e = change.entity;
    switch (e.kind) {
      case 'customer':
        return this.write('customer', e.customer, at, 0);
      case 'customer_removed':
        return void this.remove('customer', e.id);
      case 'device':
        return this.write('device', e.device, at, 0);
      case 'device_removed':
        return void this.remove('device', e.id);
      case 'service':
        return this.write('service', e.service, at, 0);
      case 'store':
        return this.write('store', e.store, at, 0);
      case 'organization':
        return this.write('organization', e.organization, at, 0);
      case 'block':
        return this.write('block', e.block, at, 0);
    }
  }

  /** Applies changes that follow the cursor, in seq order; stops at the first gap. */
  applyChanges(changes: readonly Change[]): ApplyOutcome {
    const sorted = [...changes].sort((a, b) => a.seq - b.seq);
    const applied: Change[] = [];
    const cur = this.cursor();
    if (cur === null) return { applied, gap: sorted.length > 0 };
    let { seq } = cur.position;
    let gap = false;
    for (const change of sorted) {
      if (change.storeId !== cur.storeId) continue;
      if (change.epoch !== cur.position.epoch) {
        gap = true;
        break;
      }
      if (change.seq <= seq) continue;
      if (change.seq !== seq + 1) {
        gap = true;
        break;
      }
      this.applyOne(change);
      seq = change.seq;
      applied.push(change);
    }
    if (seq !== cur.position.seq) this.setCursor(cur.storeId, { epoch: cur.position.epoch, seq });
    return { applied, gap };
  }

  /** Replaces the replica by the hub's snapshot; optimistic rows still in the outbox stay. */
  applySnapshot(snapshot: StoreSnapshot): void {
    this.forget();
    const at = snapshot.position;
    this.write('organization', snapshot.organization, at, 0);
    this.write('store', snapshot.store, at, 0);
    for (const s of snapshot.services) this.write('service', s, at, 0);
    for (const d of snapshot.devices) this.write('device', d, at, 0);
    for (const c of snapshot.customers) this.write('customer', c, at, 0);
    for (const b of snapshot.blocks) this.write('block', b, at, 0);
    this.setCursor(snapshot.store.id, at);
  }

  /** Forgets everything the hub sent (not what it does not know yet) and the cursor. */
  forget(): void {
    this.sql('DELETE FROM cursor').run();
    this.sql('DELETE FROM entities WHERE local = 0').run();
    this.dropCache();
    this.changes.reset = true;
  }

  /** A command result carries the customer as of `position`: keep it unless we know newer. */
  applyResultCustomer(customer: Customer, position: LogPosition): void {
    const row = this.sql(
      `SELECT epoch, seq, local FROM entities WHERE kind = 'customer' AND id = ?`,
    ).get(customer.id) as { epoch: string; seq: number; local: number } | undefined;
    const newer =
      row === undefined ||
      row.local === 1 ||
      row.epoch !== position.epoch ||
      row.seq <= position.seq;
    if (newer) this.write('customer', customer, position, 0);
  }

  /** A customer this device created before the hub knows it (an offline ticket). */
  putLocalCustomer(customer: Customer): void {
    this.write('customer', CustomerSchema.parse(customer), { epoch: '', seq: 0 }, 1);
  }

  /** Removes an optimistic customer the hub refused (never one the hub already knows). */
  dropLocalCustomer(id: string): void {
    this.remove('customer', id, true);
  }

  putBlock(block: EntityOf<'block'>, position: LogPosition): void {
    this.write('block', block, position, 0);
  }

  /** Drops finished customers of past days (the replica is today's queue, not an archive). */
  pruneCustomers(today: string): number {
    const stale = [...this.all('customer')].filter(
      (c) => c.ticketDay < today && ['done', 'no_show', 'cancelled'].includes(c.state),
    );
    let n = 0;
    for (const c of stale) {
      const gone = this.sql(
        `DELETE FROM entities WHERE kind = 'customer' AND id = ? AND local = 0`,
      ).run(c.id).changes;
      if (gone > 0) {
        this.cache.customer?.delete(c.id);
        this.endedVersion += 1;
        this.touch('customer', c.id);
        n += 1;
      }
    }
    return n;
  }

  /** After a rollback the cache may hold what was not written: read again from the file. */
  dropCache(): void {
    this.cache = {};
    this.maxArrival = 0;
    this.open = new Map();
    this.endedVersion += 1;
  }

  /** What changed since the last call (for the UI's state deltas). */
  takeChanges(): ReplicaChanges {
    const taken = this.changes;
    this.changes = { reset: false, ids: {} };
    return taken;
  }
}
