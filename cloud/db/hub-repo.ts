// The hub's storage port: everything the engine, the REST routes, the sync server and the CLI
// read or write goes through this interface, so none of them knows SQL or the engine behind it.
// `SqliteHubRepo` (better-sqlite3, synchronous) is the one implementation today.
//
// A second engine (Postgres) implements the same methods. The port is synchronous because
// better-sqlite3 is; a networked engine makes every method return a promise (an `AsyncHubRepo`
// with the same names), and the sequencer then awaits inside `transaction`, which maps to
// `BEGIN` + a per-store advisory lock (`pg_advisory_xact_lock(hash(store_id))`) instead of
// SQLite's IMMEDIATE write lock; `savepoint` maps to SQL SAVEPOINT in both. The queue queries
// (`queueHeads`, `countWaitingAhead`, `latestServiceTimes`) are plain indexed SELECTs in either engine.
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

/**
 * What the FileVirtuelle door remembers between requests: the signed requests already seen inside
 * the timestamp window (replays) and each API key's hits in the current minute (rate limit). In
 * the database, so a hub restart forgets neither.
 */
export interface RequestLedger {
  /** Records `nonce` until `untilMs` (forgetting expired ones); false when already there (a replay). */
  rememberSignedRequest(nonce: string, untilMs: number, nowMs: number): boolean;
  /** Counts one hit of `apiKey` in `minute` and answers that minute's count so far. */
  countApiHit(apiKey: string, minute: number): number;
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
  enqueueOutbox(entries: readonly OutboxEntry[], nowMs: number): number;
  /** Pending entries due at `nowMs`, oldest first: per ticket and channel only the first one. */
  dueOutbox(nowMs: number, limit: number): OutboxRecord[];
  outboxEntry(id: string): OutboxRecord | null;
  outboxEntries(filter: { status?: OutboxStatus; limit: number }): OutboxRecord[];
  /** Records one attempt's outcome: sent, retry at `nextMs`, or parked/skipped. */
  settleOutbox(
    id: string,
    outcome:
      | { status: 'sent' | 'skipped'; atMs: number; note?: string }
      | { status: 'pending'; nextMs: number; error: string }
      | { status: 'failed'; atMs: number; error: string },
  ): void;
  /** Puts a failed (or any) entry back to pending, due now, with a fresh time budget. */
  requeueOutbox(id: string, nowMs: number): boolean;
  setPushId(customerId: string, pushId: string, at: string): void;
  pushId(customerId: string): string | null;
  notifySetting(key: string): unknown;
  setNotifySetting(key: string, value: unknown): void;
}
// --- end notifications -------------------------------------------------------------------------

export interface HubRepo extends RequestLedger, NotifyRepo {
  /**
   * Runs `fn` as one write transaction that holds the store's write lock from its first
   * statement (SQLite IMMEDIATE), so a read-decide-write cannot interleave with another.
   */
  transaction<T>(fn: () => T): T;
  /** Inside a transaction: runs `fn` so that what it wrote is undone alone if it throws. */
  savepoint<T>(fn: () => T): T;
  /** Runs `fn` on one consistent read snapshot. */
  read<T>(fn: () => T): T;
  close(): void;

  // Entities.
  organization(id: string): Organization | null;
  organizations(): Organization[];
  store(id: string): Store | null;
  stores(): Store[];
  service(id: string): Service | null;
  services(storeId?: string): Service[];
  device(id: string): Device | null;
  devices(storeId?: string): Device[];
  devicesByMac(macs: readonly string[]): Device[];
  customer(id: string): Customer | null;
  customers(storeId?: string): Customer[];
  /** The store's working set: anyone still in the flow or booked, and everything of `day`. */
  queueCustomers(storeId: string, day: string): Customer[];
  /** A booked customer of the store by appointment id, or by ticket (typed check-in codes). */
  bookedCustomer(storeId: string, by: { externalId: string } | { ticket: string }): Customer | null;
  /** Customers this desk has called or is serving. */
  customersAtDesk(storeId: string, deskId: string): Customer[];

  // Queue queries: bounded work whatever the size of the day.
  /**
   * The candidates for a desk's next call: the first callable waiting customer sent to this
   * desk, and the first of each served service's queue (sent to no desk). The domain's
   * `compareQueueOrder` picks among them.
   */
  queueHeads(query: QueueHeadsQuery): Customer[];
  /** Waiting customers of these services ahead of `subject` in call order. */
  countWaitingAhead(query: CountAheadQuery): number;
  /** Service times of the latest finished (done) customers of a service since `day`, newest first. */
  latestServiceTimes(storeId: string, serviceId: string, day: string, limit: number): ServiceTime[];

  // Numbering.
  block(id: string): TicketBlock | null;
  blocks(storeId: string, prefix?: string, day?: string): TicketBlock[];
  lastIssued(storeId: string, prefix: string, day: string): number;
  setLastIssued(storeId: string, prefix: string, day: string, last: number): void;
  ticketTaken(storeId: string, prefix: string, day: string, n: number): boolean;
  nextArrivalSeq(storeId: string): number;

  // The log.
  head(storeId: string): LogPosition | null;
  changesSince(storeId: string, epoch: string, seq: number, limit: number): Change[];
  /** Creates a store's row (and its first epoch) before its first change is logged. */
  createStore(store: Store): void;
  upsertOrganization(org: Organization): void;
  /**
   * Appends one change to its store's log (next seq) and applies its entity, in the caller's
   * transaction. Nothing else writes entities of a store, so the log and the tables agree.
   */
  append(
    storeId: string,
    entry: Pick<Change, 'origin' | 'commandId' | 'event' | 'entity'> & { at?: string },
  ): Change;

  // Idempotency of device commands.
  appliedCommand(id: string): AppliedCommand | null;
  recordCommand(id: string, entry: AppliedCommand & { storeId: string; appliedAt: string }): void;

  // Device credentials: one token per device, handed out once.
  /** Issues and records a token if the device may claim one; null when it already claimed. */
  claimCredential(deviceId: string): string | null;
  /** Revokes the current token (if any) and lets the device claim a new one. */
  reopenClaim(deviceId: string): void;
  claimState(deviceId: string): 'claimable' | 'claimed';
  credential(deviceId: string): { tokenHash: string; revoked: boolean } | null;

  // FileVirtuelle API accounts, stored as opaque records (rest/api-keys.ts owns their schema).
  insertApiAccount(
    account: { key: string; secret: string; name: string },
    record: unknown,
    createdAt: string,
  ): void;
  apiAccount(key: string): unknown;
  apiAccounts(): unknown[];
  updateApiAccount(key: string, record: unknown): void;

  // --- Staff accounts and the agent API (staff/, agent/, ombori/) ---
  // Staff records are opaque here (cloud/staff/staff.ts owns their schema).
  insertStaff(staff: { id: string; email: string }, record: unknown, createdAt: string): void;
  staffById(id: string): unknown;
  staffByEmail(email: string): unknown;
  staffList(): unknown[];
  updateStaff(staff: { id: string; email: string }, record: unknown): void;
  deleteStaff(id: string): void;
  insertStaffToken(token: StaffTokenRow): void;
  staffToken(jti: string): StaffTokenRow | null;
  /** Revokes the live tokens of a staff member, or of whoever is signed in at a desk. */
  revokeStaffTokens(
    by: { staffId: string } | { deskId: string } | { jti: string },
    at: string,
  ): void;
  /** A secret the hub made once (e.g. the JWT signing key): made by `make` the first time. */
  hubSecret(name: string, make: () => string): string;
  /** The customer a partner's ticket became, by the partner's id. */
  partnerTicket(source: string, externalId: string): { customerId: string; storeId: string } | null;
  insertPartnerTicket(
    source: string,
    externalId: string,
    at: { customerId: string; storeId: string },
  ): void;
  // --- Bloom virtual tickets (cloud/bloom owns the record schemas) ---
  insertBloomAccount(row: BloomAccountRow): void;
  updateBloomAccount(row: BloomAccountRow): void;
  bloomAccount(by: { id: string } | { username: string } | { email: string }): unknown;
  insertBloomToken(tokenHash: string, accountId: string, expiresMs: number): void;
  /** The account a live (unexpired, unrevoked) bearer token belongs to. */
  bloomTokenAccount(tokenHash: string, nowMs: number): string | null;
  revokeBloomTokens(accountId: string): void;
  insertBloomReset(reset: BloomReset): void;
  /** Uses a pending reset token once: its account, or null when unknown, used or expired. */
  takeBloomReset(token: string, nowMs: number): string | null;
  pendingBloomResets(nowMs: number): BloomReset[];
  insertBloomTicket(ticket: BloomTicketRow): void;
  bloomTicket(customerId: string): BloomTicketRow | null;
  bloomTickets(by: { accountId: string } | { phoneKey: string }): BloomTicketRow[];
  // ---- device health (issue 16): the last report of each device, beside the log ----
  /** The store's devices' last health reports (the console's fleet view reads these too). */
  deviceHealth(storeId: string): DeviceHealthEntry[];
  /** Keeps a device's last report (replacing the one before). */
  putDeviceHealth(entry: DeviceHealthEntry): void;
  // ---- hub console (issue 12): waiting devices and the sign-in lock-out ----
  /** Records a knock of an unknown device on /provision (first seen kept, last seen moved). */
  recordWaitingDevice(knock: WaitingDeviceKnock): void;
  /** Every device that knocked and was not dismissed, latest first. */
  waitingDevices(): WaitingDeviceRow[];
  waitingDevice(id: string): WaitingDeviceRow | null;
  deleteWaitingDevice(id: string): void;
  /** Failed console sign-ins of a staff account in a row, and until when it is locked. */
  consoleSignIn(staffId: string): ConsoleSignInRow;
  setConsoleSignIn(staffId: string, row: ConsoleSignInRow): void;
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
