// The device's local database, behind one facade whose write methods are the transactions: a
// local command and its effect (a ticket, its block number and its outbox row) commit together
// or not at all, and no caller sees the SQLite handle. The parts live in their own modules:
// config, replica (+ cursor), outbox, ticket blocks, announcements, set-aside rows.
import { ApplianceError, type StoreDelta } from '../../shared/api/appliance-api.js';
import { observedServiceMinutes } from '../../shared/domain/estimate.js';
import type {
  Customer,
  Device,
  Organization,
  Service,
  Store,
} from '../../shared/domain/entities.js';
import type {
  Change,
  CommandEnvelope,
  LogPosition,
  StoreSnapshot,
  TicketBlock,
} from '../../shared/protocol/sync.js';
import { Announcements } from './announcements.js';
import {
  readCredentialFile,
  removeCredentialFile,
  writeCredentialFile,
} from './credential-file.js';
import { ConfigTable, type LoadedConfig, type ProvisionedConfig } from './config.js';
import type { Db } from './database.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import type { Salvage } from './salvage.js';
import { Replica, type ApplyOutcome } from './replica.js';
import { SetAside, type SetAsideReporter } from './set-aside.js';
import { TicketBlocks, type UsableBlock } from './ticket-blocks.js';

export type { ProvisionedConfig } from './config.js';
export { ProvisionedConfigSchema } from './config.js';
export type { OutboxEntry } from './outbox.js';
export type { ApplyOutcome } from './replica.js';
export type { UsableBlock } from './ticket-blocks.js';

/** What a ticket numbered here is made of, once its number and arrival order are known. */
export interface LocalTicket {
  customer: Customer;
  envelope: CommandEnvelope;
}

/** What a person is told when the disk is full (SQLite's own words mean nothing to them). */
export const DISK_FULL_MESSAGE =
  "This device's storage is full, so nothing was saved. Please ask a member of staff to free space on it.";

/** SQLITE_FULL as an error fit to show; any other error unchanged. */
export function plainStorageError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' ? new ApplianceError('internal', DISK_FULL_MESSAGE) : error;
}

const BURN_BLOCKS = 'burn_blocks_on_snapshot';

export class LocalDb {
  private readonly config: ConfigTable;
  private readonly replica: Replica;
  private readonly outboxRows: Outbox;
  private readonly ticketBlocks: TicketBlocks;
  private readonly announcements: Announcements;
  readonly setAside: SetAside;

  private readonly credentialPath: string | null;
  private readonly observed = new Map<string, { stamp: number; minutes: number | null }>();

  constructor(
    private readonly db: Db,
    options: {
      /** Told when a damaged row is set aside (the runtime logs it and tells staff). */
      report?: SetAsideReporter;
      /** Where the credential is also kept, outside the database (see credential-file.ts). */
      credentialPath?: string;
    } = {},
  ) {
    this.credentialPath = options.credentialPath ?? null;
    this.setAside = new SetAside(db, options.report ?? (() => {}));
    this.config = new ConfigTable(db);
    this.ticketBlocks = new TicketBlocks(db);
    this.replica = new Replica(db, this.setAside, {
      customer: (c) => this.ticketBlocks.noteUsed(c),
      block: (b) => this.ticketBlocks.track(b),
    });
    this.outboxRows = new Outbox(db, this.setAside);
    this.announcements = new Announcements(db);
  }

  /**
   * Runs `fn` as one transaction; a rollback also drops what the replica cached meanwhile, and
   * a full disk is said plainly.
   */
  private tx<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (error) {
      this.replica.dropCache();
      throw plainStorageError(error);
    }
  }

  close(): void {
    this.db.close();
  }

  // ---- config -------------------------------------------------------------------------------

  loadConfig(): LoadedConfig {
    return this.config.load();
  }
  /** Saves the config, and the credential in its own small file too. */
  saveConfig(config: ProvisionedConfig): void {
    this.tx(() => this.config.save(config));
    if (this.credentialPath !== null)
      writeCredentialFile(this.credentialPath, {
        hubUrl: config.hubUrl,
        credential: config.credential,
      });
  }
  clearConfig(): void {
    this.tx(() => this.config.clear());
    if (this.credentialPath !== null) removeCredentialFile(this.credentialPath);
  }
  /** The credential kept outside the database for `hubUrl` (when the config was lost). */
  savedCredential(hubUrl: string) {
    return this.credentialPath === null ? null : readCredentialFile(this.credentialPath, hubUrl);
  }

  /**
   * Takes in what was salvaged from a set-aside file, in one transaction. Blocks whose usage was
   * lost are burned when the hub next sends them: a number that may have been handed out is
   * never issued again.
   */
  restore(salvaged: Salvage | null): string {
    return this.tx(() => {
      const found: string[] = [];
      if (salvaged?.config != null) {
        this.config.save(salvaged.config);
        found.push("the device's configuration");
      }
      for (const customer of salvaged?.localCustomers ?? [])
        this.replica.putLocalCustomer(customer);
      for (const envelope of salvaged?.outbox ?? []) this.outboxRows.add(envelope);
      if ((salvaged?.outbox.length ?? 0) > 0)
        found.push(`${salvaged?.outbox.length ?? 0} unsent command(s)`);
      for (const { block, next } of salvaged?.blocks ?? []) this.ticketBlocks.restore(block, next);
      if (salvaged === null || !salvaged.blocksKnown) {
        this.config.setFlag(BURN_BLOCKS, true);
        found.push('no ticket block usage (blocks held now will not be used)');
      } else found.push(`the usage of ${salvaged.blocks.length} ticket block(s)`);
      return salvaged === null
        ? 'Nothing could be read from the damaged file; ticket blocks held now will not be used.'
        : `Recovered from the damaged file: ${found.join(', ')}.`;
    });
  }

  // ---- replica reads ------------------------------------------------------------------------

  cursor(): { storeId: string; position: LogPosition } | null {
    return this.replica.cursor();
  }
  customers(): Customer[] {
    return [...this.replica.all('customer')];
  }
  /** Customers not ended yet (booked, waiting, called, serving): what the queue rules read. */
  openCustomers(): Customer[] {
    return [...this.replica.openCustomers()];
  }
  /**
   * What desks actually took lately for a service (see observedServiceMinutes), recomputed only
   * after a customer ended: a ticket costs the same late in a long day.
   */
  observedMinutes(serviceId: string): number | null {
    const stamp = this.replica.endedStamp();
    const cached = this.observed.get(serviceId);
    if (cached !== undefined && cached.stamp === stamp) return cached.minutes;
    const minutes = observedServiceMinutes([...this.replica.all('customer')], serviceId);
    this.observed.set(serviceId, { stamp, minutes });
    return minutes;
  }
  customer(id: string): Customer | null {
    return this.replica.get('customer', id);
  }
  services(): Service[] {
    return this.replica.list('service');
  }
  service(id: string): Service | null {
    return this.replica.get('service', id);
  }
  devices(): Device[] {
    return this.replica.list('device');
  }
  device(id: string): Device | null {
    return this.replica.get('device', id);
  }
  blocks(): TicketBlock[] {
    return this.replica.list('block');
  }
  /** The shop this replica follows (the cursor's), or null before its first snapshot. */
  store(): Store | null {
    const cur = this.cursor();
    if (cur !== null) return this.replica.get('store', cur.storeId);
    return this.replica.list('store')[0] ?? null;
  }
  organization(): Organization | null {
    const store = this.store();
    return store === null ? null : this.replica.get('organization', store.organizationId);
  }

  /** The store as this device knows it (lists in id order), or null before its first snapshot. */
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
      customers: this.replica.list('customer'),
      blocks: this.blocks(),
    };
  }

  /**
   * What changed in the store since the last call (drained), for the UI's state deltas; `reset`
   * when a delta cannot say it (a new snapshot, a move, no store yet): send a full state then.
   */
  takeStoreDelta(): StoreDelta | 'reset' {
    const { reset, ids } = this.replica.takeChanges();
    const cur = this.cursor();
    const store = this.store();
    if (reset || cur === null || store === null) return 'reset';
    const delta: StoreDelta = {
      position: cur.position,
      removed: { services: [], devices: [], customers: [], blocks: [] },
    };
    if (ids.store?.has(store.id) === true) delta.store = store;
    const organization = this.organization();
    if (organization !== null && ids.organization?.has(organization.id) === true)
      delta.organization = organization;
    const lists = {
      services: 'service',
      devices: 'device',
      customers: 'customer',
      blocks: 'block',
    } as const;
    for (const [list, kind] of Object.entries(lists) as [
      keyof typeof lists,
      (typeof lists)[keyof typeof lists],
    ][]) {
      const changed = ids[kind];
      if (changed === undefined) continue;
      const upserts: { id: string }[] = [];
      for (const id of changed) {
        const entity = this.replica.get(kind, id);
        if (entity === null) delta.removed[list].push(id);
        else upserts.push(entity);
      }
      (delta as Record<string, unknown>)[list] = upserts;
    }
    return delta;
  }

  // ---- replica writes -----------------------------------------------------------------------

  /** Applies changes that follow the cursor, in seq order; stops at the first gap. */
  applyChanges(changes: readonly Change[]): ApplyOutcome {
    return this.tx(() => this.replica.applyChanges(changes));
  }

  /** Replaces the replica by the hub's snapshot; optimistic rows still in the outbox stay. */
  applySnapshot(snapshot: StoreSnapshot): void {
    this.tx(() => {
      this.replica.applySnapshot(snapshot);
      // After a set-aside whose block usage was lost: the blocks the hub says we hold are burned.
      if (this.config.flag(BURN_BLOCKS)) {
        this.ticketBlocks.burnAll();
        this.config.setFlag(BURN_BLOCKS, false);
      }
    });
  }

  /** Forgets the replica (the device moved to another store). Unsent commands are kept. */
  resetReplica(): void {
    this.tx(() => this.replica.forget());
  }

  /** A command's result carries the customer as of `position`: keep it unless we know newer. */
  applyResultCustomer(customer: Customer, position: LogPosition): void {
    this.tx(() => this.replica.applyResultCustomer(customer, position));
  }

  /** A block the hub just reserved for this device (its change follows in the log). */
  putBlock(block: TicketBlock, position: LogPosition): void {
    this.tx(() => this.replica.putBlock(block, position));
  }

  /** Drops finished customers of past days (the replica is today's queue, not an archive). */
  pruneCustomers(today: string): number {
    return this.tx(() => this.replica.pruneCustomers(today));
  }

  // ---- offline ticket blocks ----------------------------------------------------------------

  /** This device's blocks for a service, day and prefix with numbers left, in order. */
  usableBlocks(deviceId: string, serviceId: string, day: string, prefix: string): UsableBlock[] {
    return this.ticketBlocks.usable(deviceId, serviceId, day, prefix);
  }

  /**
   * Issues a ticket numbered from `block`: takes its next number, then writes the customer and
   * the command `make` builds, all in one transaction. Null when the block is used up.
   */
  issueLocalTicket(
    block: TicketBlock,
    make: (ticketNumber: number, arrivalSeq: number) => LocalTicket,
  ): LocalTicket | null {
    return this.tx(() => {
      const n = this.ticketBlocks.take(block.id);
      if (n === null) return null;
      const ticket = make(n, this.replica.maxArrivalSeq() + 1);
      this.replica.putLocalCustomer(ticket.customer);
      this.outboxRows.add(ticket.envelope);
      return ticket;
    });
  }

  /** Takes a ticket the hub refused out of the local queue (never one the hub knows). */
  dropLocalCustomer(id: string): void {
    this.tx(() => this.replica.dropLocalCustomer(id));
  }

  // ---- outbox -------------------------------------------------------------------------------

  outbox(): OutboxEntry[] {
    return this.outboxRows.list();
  }
  outboxCount(): number {
    return this.outboxRows.count();
  }

  /** Queues a command with no local effect (it waits for the hub's answer). */
  queueCommand(envelope: CommandEnvelope): void {
    this.tx(() => this.outboxRows.add(envelope));
  }

  /** The hub accepted a queued command: it leaves the outbox with its result, together. */
  settleCommand(id: string, result: { customer: Customer | null; position: LogPosition }): void {
    this.tx(() => {
      this.outboxRows.remove(id);
      if (result.customer !== null)
        this.replica.applyResultCustomer(result.customer, result.position);
    });
  }

  /**
   * A register nobody saw the answer to was accepted: it leaves the outbox and its cancel is
   * queued in the same transaction, so a crash in between cannot leave a ghost ticket.
   */
  settleAbandonedRegister(
    id: string,
    result: { customer: Customer; position: LogPosition },
    cancel: CommandEnvelope,
  ): void {
    this.tx(() => {
      this.outboxRows.remove(id);
      this.replica.applyResultCustomer(result.customer, result.position);
      this.outboxRows.add(cancel);
    });
  }

  /** The hub refused a queued command (its local effect is undone by the caller). */
  dropCommand(id: string): void {
    this.tx(() => this.outboxRows.remove(id));
  }

  /** An online register whose answer never reached the customer: cancel it once it lands. */
  markAbandoned(id: string): void {
    this.tx(() => this.outboxRows.markAbandoned(id));
  }

  /** At boot: online registers left from a previous run never reached a customer. */
  abandonPendingRegisters(): number {
    return this.tx(() => this.outboxRows.abandonPendingRegisters());
  }

  // ---- tickets not handed out yet (phantom tickets, issue 17) -------------------------------

  /**
   * This machine's held tickets (see Customer.held) with neither a hand-out nor a cancel queued:
   * at boot, tickets that never reached a customer (the machine died before printing).
   */
  unhandedTickets(machineId: string): Customer[] {
    const decided = new Set<string>();
    for (const { envelope } of this.outbox())
      if (envelope.type === 'hand_out' || envelope.type === 'cancel')
        decided.add(envelope.payload.customerId);
    return this.openCustomers().filter(
      (c) => c.machineId === machineId && c.held && !decided.has(c.id),
    );
  }

  /**
   * Withdraws a ticket that never reached its customer, in one transaction: its registration
   * leaves the outbox if still there (its number stays used: a block only moves forward), it
   * leaves the local queue, and `cancel` goes first in the outbox, as the hub may have it.
   */
  withdrawTicket(customerId: string, cancel: CommandEnvelope): void {
    this.tx(() => {
      this.outboxRows.removeBlockRegistration(customerId);
      this.replica.dropLocalCustomer(customerId);
      this.outboxRows.addFirst(cancel);
    });
  }

  // ---- screen announcements and pages -------------------------------------------------------

  /** True the first time a key is seen; false when it was announced already. */
  markAnnounced(key: string, at: string): boolean {
    return this.tx(() => this.announcements.mark(key, at));
  }
}
