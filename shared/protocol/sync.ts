// The sync protocol between an appliance and the hub, over socket.io namespace SYNC_NAMESPACE.
// socket.io is only the transport: resends are driven by the outbox (command ids) and the
// cursor (log positions), never by library buffers.
import { z } from 'zod';
import {
  AppointmentSchema,
  ContactModeSchema,
  ContactSchema,
  CustomerSchema,
  DeviceSchema,
  IdSchema,
  IsoDateTimeSchema,
  LangSchema,
  OrganizationSchema,
  ServiceSchema,
  StoreSchema,
} from '../domain/entities.js';
import { CUSTOMER_LOG_EVENTS, CUSTOMER_OTHER_LOG_EVENTS } from '../domain/customer.js';
import { MAX_POSTPONE_PLACES } from '../domain/postpone.js';
import { ScanPayloadSchema, parseScanPayload, type ScanParseOptions } from '../scanner/payload.js';

export const SYNC_NAMESPACE = '/sync';
/** Largest socket.io payload either side accepts; anything bigger is refused unread. */
export const MAX_SYNC_PAYLOAD_BYTES = 256 * 1024;

/** Where a device is in its store's log: (store, epoch, seq). A new epoch restarts seq at 1. */
export const LogPositionSchema = z.object({
  epoch: z.string().min(1).max(64),
  seq: z.number().int().min(0),
});
export type LogPosition = z.infer<typeof LogPositionSchema>;

export const DeviceCredentialSchema = z.object({
  deviceId: IdSchema,
  token: z.string().min(16).max(200),
});
export type DeviceCredential = z.infer<typeof DeviceCredentialSchema>;

const customerRef = z.object({ customerId: IdSchema });

export const RegisterPayloadSchema = z.object({
  serviceId: IdSchema,
  servicePath: z.array(IdSchema).max(16).default([]),
  lang: LangSchema,
  contactMode: ContactModeSchema,
  contact: ContactSchema.prefault({}),
  pager: z.number().int().min(0).max(99999).nullable().default(null),
  appointment: AppointmentSchema.pick({ at: true, externalId: true }).nullable().default(null),
});
export type RegisterPayload = z.infer<typeof RegisterPayloadSchema>;

/**
 * A ticket machine's registration: `held` until the machine says the ticket reached the
 * customer (`hand_out`), so desks never call a ticket nobody holds. Partners and phones register
 * through other routes and are never held.
 */
export const MachineRegisterPayloadSchema = RegisterPayloadSchema.extend({
  held: z.boolean().optional(),
});
export type MachineRegisterPayload = z.infer<typeof MachineRegisterPayloadSchema>;

/**
 * A ticket a machine numbered itself from a block the hub reserved for it, online or offline:
 * the customer id is made by the machine, so the command can wait in its outbox.
 */
export const BlockRegisterPayloadSchema = MachineRegisterPayloadSchema.extend({
  customerId: IdSchema,
  blockId: IdSchema,
  ticketNumber: z.number().int().min(1),
  issuedAt: IsoDateTimeSchema,
});
export type BlockRegisterPayload = z.infer<typeof BlockRegisterPayloadSchema>;

/**
 * What a check-in names, as the device classified it: a scanned code (shared/scanner), or a
 * booking reference typed on the kiosk, which the hub matches against the booked customer's id,
 * appointment id and ticket.
 */
export const CheckInPayloadSchema = z.discriminatedUnion('kind', [
  ...ScanPayloadSchema.options,
  z.object({ kind: z.literal('typed'), code: IdSchema }),
]);
export type CheckInPayload = z.infer<typeof CheckInPayloadSchema>;

/**
 * The `check_in` payload for what a scanner read or a person typed: a recognised code as
 * classified, else a bare identifier (letters, digits, _ and -) as typed; else why not.
 */
export function checkInPayloadOf(
  text: string,
  options: ScanParseOptions = {},
): { ok: true; payload: CheckInPayload } | { ok: false; reason: string } {
  const scanned = parseScanPayload(text, options);
  if (scanned.ok) return { ok: true, payload: scanned.payload };
  const typed = CheckInPayloadSchema.safeParse({
    kind: 'typed',
    code: typeof text === 'string' ? text.trim() : '',
  });
  return typed.success ? { ok: true, payload: typed.data } : { ok: false, reason: scanned.reason };
}

/**
 * A receipt printer's condition in one word (the printer driver reports these): `unknown` before
 * its first answer, `offline` when it does not answer, `error` for a jam or fault.
 */
export const PRINTER_CONDITIONS = [
  'unknown',
  'ready',
  'paper_near_end',
  'paper_out',
  'cover_open',
  'offline',
  'error',
] as const;
export const PrinterConditionSchema = z.enum(PRINTER_CONDITIONS);
export type PrinterCondition = z.infer<typeof PrinterConditionSchema>;

const PeripheralReportSchema = z.object({
  ok: z.boolean(),
  message: z.string().max(500).nullable().default(null),
});

/**
 * A device's hardware as it reports it over the sync link (on change and as a heartbeat); null
 * for a peripheral it does not have.
 */
export const DeviceHealthSchema = z.object({
  printer: PrinterConditionSchema.nullable().default(null),
  printerMessage: z.string().max(500).nullable().default(null),
  pager: PeripheralReportSchema.nullable().default(null),
  scanner: PeripheralReportSchema.nullable().default(null),
});
export type DeviceHealth = z.infer<typeof DeviceHealthSchema>;

/** A connected appliance reports its health at least this often (a heartbeat). */
export const HEALTH_HEARTBEAT_MS = 30_000;

/** The longest app version the hub keeps of what a device says in its handshake. */
const MAX_VERSION_LENGTH = 64;

/** The app version a device said in its socket handshake (`auth.version`), as the hub keeps it. */
export function handshakeVersion(auth: unknown): string | null {
  const version = (auth as { version?: unknown } | null)?.version;
  return typeof version === 'string' ? version.slice(0, MAX_VERSION_LENGTH) : null;
}

/** What the hub keeps per device and tells the store: the last report, when, since when. */
export const DeviceHealthEntrySchema = z.object({
  deviceId: IdSchema,
  storeId: IdSchema,
  health: DeviceHealthSchema,
  /** The last report (heartbeat or change). */
  reportedAt: IsoDateTimeSchema,
  /** When this health began (the last report that differed from the one before). */
  changedAt: IsoDateTimeSchema,
  /** The app version the device said when it connected (every hub node's console shows it). */
  version: z.string().max(MAX_VERSION_LENGTH).nullable().optional(),
});
export type DeviceHealthEntry = z.infer<typeof DeviceHealthEntrySchema>;

export const DeskStatusChangeSchema = z.enum([
  'open',
  'pause',
  'pre_close',
  'close',
  'close_redirect',
]);
export type DeskStatusChange = z.infer<typeof DeskStatusChangeSchema>;

export const CommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('register'), payload: MachineRegisterPayloadSchema }),
  z.object({ type: z.literal('register_from_block'), payload: BlockRegisterPayloadSchema }),
  z.object({ type: z.literal('check_in'), payload: CheckInPayloadSchema }),
  z.object({ type: z.literal('call_next'), payload: z.object({}).default({}) }),
  z.object({ type: z.literal('call_customer'), payload: customerRef }),
  z.object({ type: z.literal('recall'), payload: customerRef }),
  z.object({ type: z.literal('start_serving'), payload: customerRef }),
  z.object({ type: z.literal('finish'), payload: customerRef }),
  z.object({ type: z.literal('no_show'), payload: customerRef }),
  z.object({ type: z.literal('cancel'), payload: customerRef }),
  /** "I'm running late": a waiting customer moves back this many places in its queue. */
  z.object({
    type: z.literal('postpone'),
    payload: customerRef.extend({ places: z.number().int().min(1).max(MAX_POSTPONE_PLACES) }),
  }),
  z.object({
    type: z.literal('transfer'),
    payload: customerRef.extend({
      toServiceId: IdSchema.optional(),
      toDeskId: IdSchema.optional(),
    }),
  }),
  z.object({
    type: z.literal('set_desk_status'),
    payload: z.object({
      status: DeskStatusChangeSchema,
      pauseMinutes: z.number().int().min(1).max(480).optional(),
    }),
  }),
  /** The machine that issued a ticket says whether it is on paper. */
  z.object({
    type: z.literal('print_result'),
    payload: customerRef.extend({
      printed: z.boolean(),
      reason: z.string().max(500).nullable().default(null),
    }),
  }),
  /** The machine that issued a held ticket says it reached the customer (see Customer.held). */
  z.object({ type: z.literal('hand_out'), payload: customerRef }),
  /** A desk (or the machine) asks the machine that issued a ticket to print it again. */
  z.object({ type: z.literal('reprint'), payload: customerRef }),
  z.object({
    type: z.literal('reserve_block'),
    payload: z.object({ serviceId: IdSchema, size: z.number().int().min(1).max(500) }),
  }),
]);
export type Command = z.infer<typeof CommandSchema>;
export type CommandType = Command['type'];

/** What a device sends: a command with the id that makes it idempotent. */
export const CommandEnvelopeSchema = z.intersection(
  z.object({ id: z.uuid(), issuedAt: IsoDateTimeSchema }),
  CommandSchema,
);
export type CommandEnvelope = z.infer<typeof CommandEnvelopeSchema>;

export const RefusalCodeSchema = z.enum([
  'invalid', // payload does not fit the schema
  'not_found', // customer, service or device unknown
  'illegal_transition', // the customer is not in a state that allows it
  'not_allowed', // wrong device role, contact mode off, service not handled by this desk
  'desk_closed',
  'queue_empty',
  'conflict', // e.g. a block ticket number already used
  'internal',
]);
export type RefusalCode = z.infer<typeof RefusalCodeSchema>;

export const RefusalSchema = z.object({ code: RefusalCodeSchema, message: z.string() });
export type Refusal = z.infer<typeof RefusalSchema>;

/** The hub's answer to a health report: kept (and told to the store), or refused. */
export const HealthAckSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), entry: DeviceHealthEntrySchema }),
  z.object({ ok: z.literal(false), refusal: RefusalSchema }),
]);
export type HealthAck = z.infer<typeof HealthAckSchema>;

export const TicketBlockSchema = z.object({
  id: IdSchema,
  storeId: IdSchema,
  deviceId: IdSchema,
  serviceId: IdSchema,
  ticketPrefix: z.string(),
  ticketDay: z.string(),
  first: z.number().int().min(1),
  last: z.number().int().min(1),
});
export type TicketBlock = z.infer<typeof TicketBlockSchema>;

export const CommandResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    position: LogPositionSchema,
    customer: CustomerSchema.nullable().default(null),
    block: TicketBlockSchema.nullable().default(null),
  }),
  z.object({ ok: z.literal(false), refusal: RefusalSchema }),
]);
export type CommandResult = z.infer<typeof CommandResultSchema>;

/**
 * The event a change records: one vocabulary for screens (`called`, `recalled`), notifications
 * and statistics. Customer lifecycle events are named by the domain (CUSTOMER_LOG_EVENTS).
 */
export const ChangeEventSchema = z.enum([
  ...CUSTOMER_OTHER_LOG_EVENTS,
  ...Object.values(CUSTOMER_LOG_EVENTS),
  'customer_removed',
  'desk_status',
  'device_updated',
  'device_removed',
  'service_updated',
  'store_updated',
  'organization_updated',
  'block_reserved',
]);
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;

export const ChangeEntitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('customer'), customer: CustomerSchema }),
  z.object({ kind: z.literal('customer_removed'), id: IdSchema }),
  z.object({ kind: z.literal('device'), device: DeviceSchema }),
  z.object({ kind: z.literal('device_removed'), id: IdSchema }),
  z.object({ kind: z.literal('service'), service: ServiceSchema }),
  z.object({ kind: z.literal('store'), store: StoreSchema }),
  z.object({ kind: z.literal('organization'), organization: OrganizationSchema }),
  z.object({ kind: z.literal('block'), block: TicketBlockSchema }),
]);
export type ChangeEntity = z.infer<typeof ChangeEntitySchema>;

/** One entry of a store's log. Entities are carried whole, so applying a change is an upsert. */
export const ChangeSchema = z.object({
  storeId: IdSchema,
  epoch: z.string(),
  seq: z.number().int().min(1),
  at: IsoDateTimeSchema,
  /** Device id, or `rest:<api key>` for changes made through the REST API. */
  origin: z.string(),
  commandId: z.string().nullable(),
  event: ChangeEventSchema,
  entity: ChangeEntitySchema,
});
export type Change = z.infer<typeof ChangeSchema>;

export const PullRequestSchema = z.object({
  since: LogPositionSchema,
  limit: z.number().int().min(1).max(5000).default(1000),
});
/** `reset` is set when the device's epoch is not the hub's: it must take a snapshot. */
export const PullResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    changes: z.array(ChangeSchema),
    head: LogPositionSchema,
    reset: z.boolean().default(false),
    /** The store's device health now (not part of the log: the last report of each device). */
    health: z.array(DeviceHealthEntrySchema).default([]),
  }),
  z.object({ ok: z.literal(false), refusal: RefusalSchema }),
]);
export type PullResponse = z.infer<typeof PullResponseSchema>;

/** Everything a device needs to start: its store's config and today's queue at `position`. */
export const StoreSnapshotSchema = z.object({
  position: LogPositionSchema,
  organization: OrganizationSchema,
  store: StoreSchema,
  services: z.array(ServiceSchema),
  devices: z.array(DeviceSchema),
  customers: z.array(CustomerSchema),
  blocks: z.array(TicketBlockSchema).default([]),
});
export type StoreSnapshot = z.infer<typeof StoreSnapshotSchema>;

/** The hub's answer to a snapshot request: the snapshot, or a refusal (unknown store). */
export const SnapshotResponseSchema = z.union([
  StoreSnapshotSchema,
  z.object({ ok: z.literal(false), refusal: RefusalSchema }),
]);
export type SnapshotResponse = z.infer<typeof SnapshotResponseSchema>;

/** socket.io event names. Client → hub events take an ack callback. */
export const SyncEvents = {
  command: 'command',
  pull: 'pull',
  snapshot: 'snapshot',
  change: 'change',
  /** Device → hub, acked with HealthAck: this device's hardware now. */
  health: 'health',
  /** Hub → store room: one device's health changed (a DeviceHealthEntry). */
  deviceHealth: 'device_health',
} as const;

/** Provisioning, over plain HTTP: `POST /provision` with what the device knows of itself. */
export const PROVISION_PATH = '/provision';
export const ProvisionRequestSchema = z.object({
  macs: z.array(z.string()).min(1).max(32),
  hostname: z.string().min(1).max(253),
  /**
   * The credential a provisioned device holds: when the hub accepts it, the answer is the
   * device's current record with that same credential (a refresh, e.g. after a store move).
   */
  credential: DeviceCredentialSchema.optional(),
});
export type ProvisionRequest = z.infer<typeof ProvisionRequestSchema>;
export const ProvisionResponseSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('provisioned'),
    device: DeviceSchema,
    credential: DeviceCredentialSchema,
  }),
  z.object({ status: z.literal('unknown'), message: z.string() }),
  // Known device whose credential was already handed out (once): nothing is revealed or rotated.
  // An installer lets it claim a new one with `lineup-hub device reset --id ID`.
  z.object({ status: z.literal('claimed'), deviceId: IdSchema, message: z.string() }),
]);
export type ProvisionResponse = z.infer<typeof ProvisionResponseSchema>;

/** Reasons the hub gives when it refuses a socket (socket.io `connect_error` message). */
export const ConnectRefusalSchema = z.enum(['unknown_device', 'revoked', 'bad_credential']);
