// The device's local state: its last good config, a replica of its store's log (entities carried
// whole, so applying a change is an upsert), the cursor, and the outbox of local commands. Every
// local command is written to the outbox in the same transaction as its optimistic effect.
import { z } from 'zod';
import {
  CustomerSchema,
  DeviceSchema,
  OrganizationSchema,
  ServiceSchema,
  StoreSchema,
  type Customer,
  type Device,
  type Organization,
  type Service,
  type Store,
} from '../../shared/domain/entities.js';
import {
  CommandEnvelopeSchema,
  DeviceCredentialSchema,
  TicketBlockSchema,
  type Change,
  type CommandEnvelope,
  type LogPosition,
  type StoreSnapshot,
  type TicketBlock,
} from '../../shared/protocol/sync.js';
import type { Db } from './database.js';

export const ProvisionedConfigSchema = z.object({
  hubUrl: z.string().min(1),
  device: DeviceSchema,
  credential: DeviceCredentialSchema,
  savedAt: z.string(),
});
export type ProvisionedConfig = z.infer<typeof ProvisionedConfigSchema>;

type EntityKind = 'organization' | 'store' | 'service' | 'device' | 'customer' | 'block';

const schemas = {
  organization: OrganizationSchema,
  store: StoreSchema,
  service: ServiceSchema,
  device: DeviceSchema,
  customer: CustomerSchema,
  block: TicketBlockSchema,
} as const;

export interface OutboxEntry {
  seq: number;
  envelope: CommandEnvelope;
  abandoned: boolean;
}

export interface ApplyOutcome {
  /** Changes applied now, in order (duplicates skipped). */
  applied: Change[];
  /** A change did not follow the cursor: the caller must pull. */
  gap: boolean;
}

interface EntityRow {
  body: string;
  epoch: string;
  seq: number;
  local: number;
}

export class LocalStore {
  constructor(readonly db: Db) {}

  // ---- config -------------------------------------------------------------------------------

  /** The last good config, or why it could not be read (a damaged row never stops the boot). */
  loadConfig(): { config: ProvisionedConfig | null; problem: string | null } {
    const row = this.db.prepare(`SELECT value FROM config WHERE key = 'provisioned'`).get() as
      { value: string } | undefined;
    if (row === undefined) return { config: null, problem: null };
    try {
      const parsed = ProvisionedConfigSchema.safeParse(JSON.parse(row.value));
      if (parsed.success) return { config: parsed.data, problem: null };
      return {
        config: null,
        problem: `The saved device configuration is invalid (${parsed.error.issues[0]?.message ?? 'unknown'}); waiting for the hub.`,
      };
    } catch {
      return {
        config: null,
        problem: 'The saved device configuration is unreadable; waiting for the hub.',
      };
    }
  }

  saveConfig(config: ProvisionedConfig): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO config (key, value) VALUES ('provisioned', ?)`)
      .run(JSON.stringify(config));
  }

  clearConfig(): void {
    this.db.prepare(`DELETE FROM config WHERE key = 'provisioned'`).run();
  }

  /** Forgets the replica (the device moved to another store). Unsent commands are kept. */
  resetReplica(): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM cursor').run();
      this.db.prepare('DELETE FROM entities WHERE local = 0').run();
    })();
  }

  // ---- replica ------------------------------------------------------------------------------

  cursor(): { storeId: string; position: LogPosition } | null {
    const row = this.db.prepare('SELECT store_id, epoch, seq FROM cursor WHERE id = 1').get() as
      { store_id: string; epoch: string; seq: number } | undefined;
    return row === undefined
      ? null
      : { storeId: row.store_id, position: { epoch: row.epoch, seq: row.seq } };
  }

  private setCursor(storeId: string, position: LogPosition): void {
    this.db
      .prepare('INSERT OR REPLACE INTO cursor (id, store_id, epoch, seq) VALUES (1, ?, ?, ?)')
      .run(storeId, position.epoch, position.seq);
  }

  private upsert(kind: EntityKind, id: string, body: unknown, position: LogPosition): void {
    this.db
      .prepare(
        `INSERT INTO entities (kind, id, body, epoch, seq, local) VALUES (?, ?, ?, ?, ?, 0)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, epoch = excluded.epoch,
           seq = excluded.seq, local = 0`,
      )
      .run(kind, id, JSON.stringify(body), position.epoch, position.seq);
  }

  private remove(kind: EntityKind, id: string): void {
    this.db.prepare('DELETE FROM entities WHERE kind = ? AND id = ?').run(kind, id);
  }

  private applyOne(change: Change): void {
    const at = { epoch: change.epoch, seq: change.seq };
    const e = change.entity;
    switch (e.kind) {
      case 'customer':
        return this.upsert('customer', e.customer.id, e.customer, at);
      case 'customer_removed':
        return this.remove('customer', e.id);
      case 'device':
        return this.upsert('device', e.device.id, e.device, at);
      case 'device_removed':
        return this.remove('device', e.id);
      case 'service':
        return this.upsert('service', e.service.id, e.service, at);
      case 'store':
        return this.upsert('store', e.store.id, e.store, at);
      case 'organization':
        return this.upsert('organization', e.organization.id, e.organization, at);
      case 'block':
        return this.upsert('block', e.block.id, e.block, at);
    }
  }

  /** Applies changes that follow the cursor, in seq order; stops at the first gap. */
  applyChanges(changes: readonly Change[]): ApplyOutcome {
    const sorted = [...changes].sort((a, b) => a.seq - b.seq);
    return this.db.transaction((): ApplyOutcome => {
      const applied: Change[] = [];
      const cur = this.cursor();
      if (cur === null) return { applied, gap: sorted.length > 0 };
      let { seq } = cur.position;
      for (const change of sorted) {
        if (change.storeId !== cur.storeId) continue;
        if (change.epoch !== cur.position.epoch) return { applied, gap: true };
        if (change.seq <= seq) continue;
        if (change.seq !== seq + 1) {
          this.setCursor(cur.storeId, { epoch: cur.position.epoch, seq });
          return { applied, gap: true };
        }
        this.applyOne(change);
        seq = change.seq;
        applied.push(change);
      }
      this.setCursor(cur.storeId, { epoch: cur.position.epoch, seq });
      return { applied, gap: false };
    })();
  }

  /** Replaces the replica by the hub's snapshot; optimistic rows still in the outbox stay. */
  applySnapshot(snapshot: StoreSnapshot): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM entities WHERE local = 0').run();
      const at = snapshot.position;
      this.upsert('organization', snapshot.organization.id, snapshot.organization, at);
      this.upsert('store', snapshot.store.id, snapshot.store, at);
      for (const s of snapshot.services) this.upsert('service', s.id, s, at);
      for (const d of snapshot.devices) this.upsert('device', d.id, d, at);
      for (const c of snapshot.customers) this.upsert('customer', c.id, c, at);
      for (const b of snapshot.blocks) this.upsert('block', b.id, b, at);
      this.setCursor(snapshot.store.id, at);
    })();
  }

  /** A command result carries the customer as of `position`: keep it unless we know newer. */
  applyResultCustomer(customer: Customer, position: LogPosition): void {
    this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT epoch, seq, local FROM entities WHERE kind = 'customer' AND id = ?`)
        .get(customer.id) as Omit<EntityRow, 'body'> | undefined;
      const newer =
        row === undefined ||
        row.local === 1 ||
        row.epoch !== position.epoch ||
        row.seq <= position.seq;
      if (newer) this.upsert('customer', customer.id, customer, position);
    })();
  }

  /** A block the hub just reserved for us (its change follows in the log). */
  putBlock(block: TicketBlock, position: LogPosition): void {
    this.upsert('block', block.id, block, position);
  }

  private list<K extends EntityKind>(kind: K): z.output<(typeof schemas)[K]>[] {
    const rows = this.db
      .prepare('SELECT body FROM entities WHERE kind = ? ORDER BY id')
      .all(kind) as { body: string }[];
    const out: z.output<(typeof schemas)[K]>[] = [];
    for (const row of rows) {
      const parsed = schemas[kind].safeParse(JSON.parse(row.body));
      if (parsed.success) out.push(parsed.data as z.output<(typeof schemas)[K]>);
    }
    return out;
  }

  customers(): Customer[] {
    return this.list('customer');
  }
  services(): Service[] {
    return this.list('service');
  }
  devices(): Device[] {
    return this.list('device');
  }
  blocks(): TicketBlock[] {
    return this.list('block');
  }
  store(): Store | null {
    const cur = this.cursor();
    return this.list('store').find((s) => cur === null || s.id === cur.storeId) ?? null;
  }
  organization(): Organization | null {
    const store = this.store();
    return this.list('organization').find((o) => o.id === store?.organizationId) ?? null;
  }

  customer(id: string): Customer | null {
    const row = this.db
      .prepare(`SELECT body FROM entities WHERE kind = 'customer' AND id = ?`)
      .get(id) as { body: string } | undefined;
    if (row === undefined) return null;
    const parsed = CustomerSchema.safeParse(JSON.parse(row.body));
    return parsed.success ? parsed.data : null;
  }

  /** The store as this device knows it, or null before its first snapshot. */
  snapshot(): StoreSnapshot | null {
    const cur = this.cursor();
    const store = this.store();
    const organization = this.organization();
    if (cur === null || store === null || organization === null) return null;
    return {
      position: cur.position,
      organization,
      store,
      services: this.services(),
      devices: this.devices(),
      customers: this.customers(),
      blocks: this.blocks(),
    };
  }

  /** Drops finished customers of past days (the replica is today's queue, not an archive). */
  pruneCustomers(today: string): number {
    const stale = this.customers().filter(
      (c) => c.ticketDay < today && ['done', 'no_show', 'cancelled'].includes(c.state),
    );
    const del = this.db.prepare(
      `DELETE FROM entities WHERE kind = 'customer' AND id = ? AND local = 0`,
    );
    this.db.transaction(() => {
      for (const c of stale) del.run(c.id);
    })();
    return stale.length;
  }

  // ---- outbox -------------------------------------------------------------------------------

  /** Writes a command and its optimistic effect atomically: both or neither. */
  enqueue(envelope: CommandEnvelope, effect: () => void = () => {}): void {
    this.db.transaction(() => {
      effect();
      this.db
        .prepare('INSERT INTO outbox (id, type, body, created_at) VALUES (?, ?, ?, ?)')
        .run(envelope.id, envelope.type, JSON.stringify(envelope), envelope.issuedAt);
    })();
  }

  /** A customer this device created before the hub knows it (an offline ticket). */
  putLocalCustomer(customer: Customer): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO entities (kind, id, body, epoch, seq, local)
         VALUES ('customer', ?, ?, '', 0, 1)`,
      )
      .run(customer.id, JSON.stringify(CustomerSchema.parse(customer)));
  }

  /** Removes an optimistic customer the hub refused (never one the hub already knows). */
  dropLocalCustomer(id: string): void {
    this.db
      .prepare(`DELETE FROM entities WHERE kind = 'customer' AND id = ? AND local = 1`)
      .run(id);
  }

  outbox(): OutboxEntry[] {
    const rows = this.db.prepare('SELECT seq, body, abandoned FROM outbox ORDER BY seq').all() as {
      seq: number;
      body: string;
      abandoned: number;
    }[];
    const out: OutboxEntry[] = [];
    for (const row of rows) {
      const parsed = CommandEnvelopeSchema.safeParse(JSON.parse(row.body));
      if (parsed.success)
        out.push({ seq: row.seq, envelope: parsed.data, abandoned: row.abandoned === 1 });
    }
    return out;
  }

  outboxCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  removeOutbox(id: string, effect: () => void = () => {}): void {
    this.db.transaction(() => {
      effect();
      this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
    })();
  }

  /** An online register whose answer never reached the customer: cancel it once it lands. */
  markAbandoned(id: string): void {
    this.db.prepare('UPDATE outbox SET abandoned = 1 WHERE id = ?').run(id);
  }

  /** At boot: online registers left from a previous run never reached a customer. */
  abandonPendingRegisters(): number {
    return this.db.prepare(`UPDATE outbox SET abandoned = 1 WHERE type = 'register'`).run().changes;
  }

  // ---- offline ticket blocks ----------------------------------------------------------------

  private blockNext(block: TicketBlock): number {
    const row = this.db.prepare('SELECT next FROM block_usage WHERE block_id = ?').get(block.id) as
      { next: number } | undefined;
    // Numbers already used by customers we know (e.g. after a fresh database) stay used.
    let used = block.first - 1;
    for (const c of this.customers()) {
      if (
        c.ticketPrefix === block.ticketPrefix &&
        c.ticketDay === block.ticketDay &&
        c.ticketNumber >= block.first &&
        c.ticketNumber <= block.last
      )
        used = Math.max(used, c.ticketNumber);
    }
    return Math.max(row?.next ?? block.first, used + 1);
  }

  /** Offline blocks of this device for a service and day, with what is left in each. */
  usableBlocks(
    deviceId: string,
    serviceId: string,
    day: string,
  ): { block: TicketBlock; left: number }[] {
    return this.blocks()
      .filter((b) => b.deviceId === deviceId && b.serviceId === serviceId && b.ticketDay === day)
      .sort((a, b) => a.first - b.first)
      .map((block) => ({ block, left: Math.max(0, block.last - this.blockNext(block) + 1) }))
      .filter((x) => x.left > 0);
  }

  /** Takes the next number of a block; call inside the enqueue transaction. */
  takeBlockNumber(block: TicketBlock): number | null {
    const n = this.blockNext(block);
    if (n > block.last) return null;
    this.db
      .prepare('INSERT OR REPLACE INTO block_usage (block_id, next) VALUES (?, ?)')
      .run(block.id, n + 1);
    return n;
  }

  // ---- screen announcements -----------------------------------------------------------------

  /** True the first time a key is seen; false when it was announced already. */
  markAnnounced(key: string, at: string): boolean {
    return (
      this.db.prepare('INSERT OR IGNORE INTO announced (key, at) VALUES (?, ?)').run(key, at)
        .changes === 1
    );
  }
}
