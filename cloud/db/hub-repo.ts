// The hub's storage port: everything the engine, the REST routes, the sync server and the CLI
// read or write goes through this interface, so none of them knows SQL or the engine behind it.
// It is asynchronous so that a networked engine (Postgres through `pg`) implements it as well as
// `SqliteHubRepo` (better-sqlite3, synchronous inside). Write transactions are scoped to the
// stores they write (`TxScope`) and handed their own `tx`: see `HubRepo.transaction` for what is
// atomic, what is locked and what a retry may see. The queue queries (`queueHeads`,
// `countWaitingAhead`, `latestServiceTimes`) are plain indexed SELECTs in either engine.
import type {
  Customer,
  Device,
  Organization,
  Service,
  Store,
} from '../../shared/domain/entities.js';
import type { ServiceTime } from '../../shared/domain/estimate.js';
import type {
  Change,
  DeviceHealthEntry,
  CommandResult,
  LogPosition,
  TicketBlock,
} from '../../shared/protocol/sync.js';

/** The result a command id got the first time, returned again on a retry. */
export interface AppliedCommand {
  deviceId: string;
  type: string;
  result: CommandResult;
}

/** Where a customer stands in call order (the domain's `compareQueueOrder` keys). */
export interface QueuePlace {
  id: string;
  sortAt: string;
  arrivalSeq: number;
  /** In the prioritized tier (customer flag, or a prioritized / PRM service). */
  prioritized: boolean;
}

export interface QueueHeadsQuery {
  storeId: string;
  deskId: string;
  /** Services the desk serves (redirects included): the head of each one's queue. */
  serviceIds: readonly string[];
  /** Services whose customers are all in the prioritized tier. */
  prioritizedServiceIds: readonly string[];
  now: Date;
  /** Appointments are callable from this many minutes before their time. */
  appointmentLeadMinutes: number;
}

export interface CountAheadQuery {
  storeId: string;
  /** Services competing for the same desks (the subject's own included). */
  serviceIds: readonly string[];
  /** Services whose customers are all in the prioritized tier. */
  prioritizedServiceIds: readonly string[];
  subject: QueuePlace;
}

/** What a wait estimate reads: people ahead, and the service's latest service times. */
export interface EstimateReadsQuery {
  ahead: CountAheadQuery;
  finished: { serviceId: string; day: string; limit: number };
}

/**
 * What the FileVirtuelle door remembers between requests: the signed requests already seen inside
 * the timestamp window (replays) and each API key's hits in the current minute (rate limit). In
 * the database, so a hub restart forgets neither.
 */
export interface RequestLedger {
  /** Records `nonce` until `untilMs` (forgetting expired ones); false when already there (a replay). */
  rememberSignedRequest(nonce: string, untilMs: number, nowMs: number): Promise<boolean>;
  /** Counts one hit of `apiKey` in `minute` and answers that minute's count so far. */
  countApiHit(apiKey: string, minute: number): Promise<number>;
}

// --- Notifications (issue 10): outbox, push subscriptions, settings ---------------------------

/** What the outbox delivers through. */
export type OutboxChannel = 'webhook' | 'sms' | 'email' | 'fv_next' | 'fv_processed';
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** A notification to deliver; `id` is its idempotency key (ticket, event, channel). */
export interface OutboxEntry {
  id: string;
  storeId: string;
  customerId: string;
  channel: OutboxChannel;
  /** Where it goes (a URL, a phone number, an address): per-endpoint concurrency keys on it. */
  endpoint: string;
  /** Not before this time (reminders are scheduled ahead), epoch ms. */
  notBeforeMs: number;
  /** The rendered message (opaque to the repo; cloud/notify owns its schema). */
  message: unknown;
}

export interface OutboxRecord extends OutboxEntry {
  status: OutboxStatus;
  attempts: number;
  createdMs: number;
  nextMs: number;
  doneMs: number | null;
  lastError: string | null;
}

export interface NotifyRepo {
  /** Adds entries not already there (same id = same notification); returns how many were new. */
  enqueueOutbox(entries: readonly OutboxEntry[], nowMs: number): Promise<number>;
  /**
   * Claims the pending entries due at `nowMs` (per ticket and channel only the first one), oldest
   * first, until `leaseUntilMs`: no other worker (another hub node, or this one's next look) gets
   * them meanwhile. A claimed entry stays pending and is due again at `leaseUntilMs` unless its
   * outcome is settled first (its worker died mid-send: sent again, with the same key).
   */
  claimOutbox(nowMs: number, limit: number, leaseUntilMs: number): Promise<OutboxRecord[]>;
  /** Gives back claimed entries not started (still pending under that lease): due at `nextMs`. */
  releaseOutbox(ids: readonly string[], leaseUntilMs: number, nextMs: number): Promise<void>;
  outboxEntry(id: string): Promise<OutboxRecord | null>;
  outboxEntries(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxRecord[]>;
  /** Records one attempt's outcome: sent, retry at `nextMs`, or parked/skipped. */
  settleOutbox(
    id: string,
    outcome:
      | { status: 'sent' | 'skipped'; atMs: number; note?: string }
      | { status: 'pending'; nextMs: number; error: string }
      | { status: 'failed'; atMs: number; error: string },
  ): Promise<void>;
  /** Puts a failed (or any) entry back to pending, due now, with a fresh time budget. */
  requeueOutbox(id: string, nowMs: number): Promise<boolean>;
  setPushId(customerId: string, pushId: string, at: string): Promise<void>;
  pushId(customerId: string): Promise<string | null>;
  notifySetting(key: string): Promise<unknown>;
  setNotifySetting(key: string, value: unknown): Promise<void>;
}
// --- end notifications -------------------------------------------------------------------------

/**
 * Where a write transaction writes: the stores whose logs it appends to (and whose queues it
 * reads to decide). The engine names them before the first statement so that an engine with
 * row locks takes them up front, in one order (sorted ids), and two transactions that span the
 * same stores cannot deadlock.
 */
export interface TxScope {
  storeIds: readonly string[];
  /**
   * Device command ids the transaction will look up (`appliedCommand`): an engine may read them
   * all with the stores' locks, in one round trip, instead of one by one.
   */
  commandIds?: readonly string[];
}

/**
 * The storage port as seen inside a write transaction: every method runs on the transaction's
 * connection (Postgres: the pooled client that ran BEGIN; SQLite: the one connection).
 */
export interface HubTx extends HubData {
  /**
   * Runs `fn` so that what it wrote is undone alone if it throws (SQL SAVEPOINT in both
   * engines); the error is rethrown and the transaction goes on.
   */
  savepoint<T>(fn: (tx: HubTx) => Promise<T>): Promise<T>;
  /**
   * Takes the write lock of a store not named in the scope (no-op when already held). Lock
   * late only when the store could not be known before (e.g. a batch that finds a command's
   * store in the transaction): on Postgres a late lock taken out of order may deadlock, which
   * fails the transaction (see `HubRepo.transaction` on retries).
   */
  lockStore(storeId: string): Promise<void>;
}

/**
 * The hub's storage. Every method returns a promise: SQLite answers them at once (better-sqlite3
 * is synchronous), Postgres over the network. Calls made on the repo itself, outside a
 * transaction, each run alone (autocommit) and see only committed data on Postgres; on SQLite
 * they share the one connection, so they may run between two statements of an open transaction
 * and see what it wrote so far (reads outside transactions may run anytime). Anything that reads
 * to decide what to write goes in `transaction` and uses the `tx` it is given, never the repo.
 */
export interface HubRepo extends HubData {
  /**
   * Runs `fn` as one write transaction, through `tx` (bound to the transaction's connection),
   * and commits when its promise resolves; rolls back and rethrows when it rejects.
   *
   * Atomic: everything `fn` writes through `tx` (log appends, entities, applied commands, the
   * outbox rows written by append hooks) commits together or not at all.
   *
   * Locked: from the first statement, the write lock of every store in `scope.storeIds` — SQLite
   * takes the database's write lock (BEGIN IMMEDIATE) and serialises transactions on its one
   * connection with an in-process mutex, so no two transactions interleave even across
   * `await`s; Postgres locks each store's sequence row (`SELECT … FOR UPDATE` on `stores`) in
   * sorted id order, so per-store sequencing is exclusive across hub nodes. A store's
   * read-decide-write (next seq, who is next, ticket numbers, blocks) therefore never races.
   * Other stores' writers are not blocked on Postgres.
   *
   * Retries: an engine may run `fn` again, from the start, on a fresh transaction when the
   * first attempt failed for a reason the database says is transient (Postgres serialization
   * failure or deadlock). A retry sees the database as committed by others meanwhile, never
   * anything of the failed attempt; so `fn` must keep its own state per attempt and have no
   * effects outside `tx` (publish after `transaction` resolves). `fn` should await only `tx`:
   * the locks are held until it returns.
   */
  transaction<T>(scope: TxScope, fn: (tx: HubTx) => Promise<T>): Promise<T>;
  /**
   * Whether write transactions of different stores run at once (Postgres: row locks per store)
   * or one after another (SQLite: one writer), so callers batch per store or for all.
   */
  readonly parallelStores: boolean;
  /** Runs `fn` on one consistent read snapshot (a read-only transaction). */
  read<T>(fn: (tx: HubData) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The data methods of the port: on the repo (autocommit) or on a transaction's `tx`. */
export interface HubData extends RequestLedger, NotifyRepo {
  // Entities.
  organization(id: string): Promise<Organization | null>;
  organizations(): Promise<Organization[]>;
  store(id: string): Promise<Store | null>;
  stores(): Promise<Store[]>;
  service(id: string): Promise<Service | null>;
  services(storeId?: string): Promise<Service[]>;
  device(id: string): Promise<Device | null>;
  devices(storeId?: string): Promise<Device[]>;
  devicesByMac(macs: readonly string[]): Promise<Device[]>;
  customer(id: string): Promise<Customer | null>;
  customers(storeId?: string): Promise<Customer[]>;
  /** The store's working set: anyone still in the flow or booked, and everything of `day`. */
  queueCustomers(storeId: string, day: string): Promise<Customer[]>;
  /** A booked customer of the store by appointment id, or by ticket (typed check-in codes). */
  bookedCustomer(
    storeId: string,
    by: { externalId: string } | { ticket: string },
  ): Promise<Customer | null>;
  /** Customers this desk has called or is serving. */
  customersAtDesk(storeId: string, deskId: string): Promise<Customer[]>;

  // Queue queries: bounded work whatever the size of the day.
  /**
   * The candidates for a desk's next call: the first callable waiting customer sent to this
   * desk, and the first of each served service's queue (sent to no desk; one per tier of the
   * customer's own flag). Held tickets (issue 17) are never candidates. The domain's
   * `compareQueueOrder` picks among them.
   */
  queueHeads(query: QueueHeadsQuery): Promise<Customer[]>;
  /** Waiting customers of these services ahead of `subject` in call order. */
  countWaitingAhead(query: CountAheadQuery): Promise<number>;
  /** `countWaitingAhead` and `latestServiceTimes` of one estimate, read together. */
  estimateReads(query: EstimateReadsQuery): Promise<{ ahead: number; finished: ServiceTime[] }>;
  /** Service times of the latest finished (done) customers of a service since `day`, newest first. */
  latestServiceTimes(
    storeId: string,
    serviceId: string,
    day: string,
    limit: number,
  ): Promise<ServiceTime[]>;

  // Numbering.
  block(id: string): Promise<TicketBlock | null>;
  blocks(storeId: string, prefix?: string, day?: string): Promise<TicketBlock[]>;
  lastIssued(storeId: string, prefix: string, day: string): Promise<number>;
  setLastIssued(storeId: string, prefix: string, day: string, last: number): Promise<void>;
  ticketTaken(storeId: string, prefix: string, day: string, n: number): Promise<boolean>;
  nextArrivalSeq(storeId: string): Promise<number>;

  // The log.
  head(storeId: string): Promise<LogPosition | null>;
  /** Every store's head, in one read (the sync server's tail looks at all of them each tick). */
  heads(): Promise<Map<string, LogPosition>>;
  changesSince(storeId: string, epoch: string, seq: number, limit: number): Promise<Change[]>;
  /** Creates a store's row (and its first epoch) before its first change is logged. */
  createStore(store: Store): Promise<void>;
  upsertOrganization(org: Organization): Promise<void>;
  /**
   * Appends one change to its store's log (next seq) and applies its entity, in the caller's
   * transaction. Nothing else writes entities of a store, so the log and the tables agree.
   */
  append(
    storeId: string,
    entry: Pick<Change, 'origin' | 'commandId' | 'event' | 'entity'> & { at?: string },
  ): Promise<Change>;

  // Idempotency of device commands.
  appliedCommand(id: string): Promise<AppliedCommand | null>;
  recordCommand(
    id: string,
    entry: AppliedCommand & { storeId: string; appliedAt: string },
  ): Promise<void>;

  // Device credentials: one token per device, handed out once.
  /** Issues and records a token if the device may claim one; null when it already claimed. */
  claimCredential(deviceId: string): Promise<string | null>;
  /** Revokes the current token (if any) and lets the device claim a new one. */
  reopenClaim(deviceId: string): Promise<void>;
  claimState(deviceId: string): Promise<'claimable' | 'claimed'>;
  credential(deviceId: string): Promise<{ tokenHash: string; revoked: boolean } | null>;

  // FileVirtuelle API accounts, stored as opaque records (rest/api-keys.ts owns their schema).
  insertApiAccount(
    account: { key: string; secret: string; name: string },
    record: unknown,
    createdAt: string,
  ): Promise<void>;
  apiAccount(key: string): Promise<unknown>;
  apiAccounts(): Promise<unknown[]>;
  updateApiAccount(key: string, record: unknown): Promise<void>;

  // --- Staff accounts and the agent API (staff/, agent/, ombori/) ---
  // Staff records are opaque here (cloud/staff/staff.ts owns their schema).
  insertStaff(
    staff: { id: string; email: string },
    record: unknown,
    createdAt: string,
  ): Promise<void>;
  staffById(id: string): Promise<unknown>;
  staffByEmail(email: string): Promise<unknown>;
  staffList(): Promise<unknown[]>;
  updateStaff(staff: { id: string; email: string }, record: unknown): Promise<void>;
  deleteStaff(id: string): Promise<void>;
  insertStaffToken(token: StaffTokenRow): Promise<void>;
  staffToken(jti: string): Promise<StaffTokenRow | null>;
  /** Revokes the live tokens of a staff member, or of whoever is signed in at a desk. */
  revokeStaffTokens(
    by: { staffId: string } | { deskId: string } | { jti: string },
    at: string,
  ): Promise<void>;
  /** A secret the hub made once (e.g. the JWT signing key): made by `make` the first time. */
  hubSecret(name: string, make: () => string): Promise<string>;
  /** The customer a partner's ticket became, by the partner's id. */
  partnerTicket(
    source: string,
    externalId: string,
  ): Promise<{ customerId: string; storeId: string } | null>;
  insertPartnerTicket(
    source: string,
    externalId: string,
    at: { customerId: string; storeId: string },
  ): Promise<void>;
  // --- Bloom virtual tickets (cloud/bloom owns the record schemas) ---
  insertBloomAccount(row: BloomAccountRow): Promise<void>;
  updateBloomAccount(row: BloomAccountRow): Promise<void>;
  bloomAccount(by: { id: string } | { username: string } | { email: string }): Promise<unknown>;
  insertBloomToken(tokenHash: string, accountId: string, expiresMs: number): Promise<void>;
  /** The account a live (unexpired, unrevoked) bearer token belongs to. */
  bloomTokenAccount(tokenHash: string, nowMs: number): Promise<string | null>;
  revokeBloomTokens(accountId: string): Promise<void>;
  insertBloomReset(reset: BloomReset): Promise<void>;
  /** Uses a pending reset token once: its account, or null when unknown, used or expired. */
  takeBloomReset(token: string, nowMs: number): Promise<string | null>;
  pendingBloomResets(nowMs: number): Promise<BloomReset[]>;
  insertBloomTicket(ticket: BloomTicketRow): Promise<void>;
  bloomTicket(customerId: string): Promise<BloomTicketRow | null>;
  bloomTickets(by: { accountId: string } | { phoneKey: string }): Promise<BloomTicketRow[]>;
  // ---- device health (issue 16): the last report of each device, beside the log ----
  /** The store's devices' last health reports (the console's fleet view reads these too). */
  deviceHealth(storeId: string): Promise<DeviceHealthEntry[]>;
  /** Keeps a device's last report (replacing the one before). */
  putDeviceHealth(entry: DeviceHealthEntry): Promise<void>;
  /** What the store was last alerted about each of its devices (opaque: cloud/notify owns it). */
  fleetAlertStates(storeId: string): Promise<{ deviceId: string; state: unknown }[]>;
  putFleetAlertState(deviceId: string, storeId: string, state: unknown): Promise<void>;
  // ---- hub console (issue 12): waiting devices and the sign-in lock-out ----
  /** Records a knock of an unknown device on /provision (first seen kept, last seen moved). */
  recordWaitingDevice(knock: WaitingDeviceKnock): Promise<void>;
  /** Every device that knocked and was not dismissed, latest first. */
  waitingDevices(): Promise<WaitingDeviceRow[]>;
  waitingDevice(id: string): Promise<WaitingDeviceRow | null>;
  deleteWaitingDevice(id: string): Promise<void>;
  /**
   * Failed sign-ins of a staff account in a row (console and agent API alike: one lock per
   * account, `cloud/staff/sign-in.ts`), and until when it is locked.
   */
  consoleSignIn(staffId: string): Promise<ConsoleSignInRow>;
  setConsoleSignIn(staffId: string, row: ConsoleSignInRow): Promise<void>;
  // ---- end hub console ----
}

/** A knock on /provision by a device the hub does not know. */
export interface WaitingDeviceKnock {
  macs: string[];
  hostname: string;
  address: string;
  at: string;
}
export interface WaitingDeviceRow {
  id: string;
  macs: string[];
  hostname: string;
  address: string;
  firstSeen: string;
  lastSeen: string;
  knocks: number;
}
export interface ConsoleSignInRow {
  failures: number;
  lockedUntil: string | null;
}

/** One issued staff JWT, by its id (`jti`). */
export interface StaffTokenRow {
  jti: string;
  staffId: string;
  deskId: string | null;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface BloomAccountRow {
  id: string;
  username: string | null;
  email: string | null;
  record: unknown;
}
export interface BloomReset {
  token: string;
  accountId: string;
  email: string;
  expiresMs: number;
}
export interface BloomTicketRow {
  customerId: string;
  storeId: string;
  accountId: string | null;
  /** Who holds it, for "one ticket per phone": the account, or the browser's key. */
  phoneKey: string;
  createdMs: number;
}
