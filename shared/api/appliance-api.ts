// The ONE typed API between the appliance runtime (main/) and its UI (renderer/). The Electron
// preload and the browser's WebSocket client both implement `ApplianceApi`; the runtime serves
// the same table. Every params/result is validated with these schemas at each door.
import { z } from 'zod';
import { CustomerSchema, DeviceRoleSchema, IdSchema, LangSchema } from '../domain/entities.js';
import {
  CommandSchema,
  DeviceHealthEntrySchema,
  LogPositionSchema,
  RegisterPayloadSchema,
  StoreSnapshotSchema,
  type Command,
} from '../protocol/sync.js';

export const PrinterStatusSchema = z.object({
  online: z.boolean(),
  coverOpen: z.boolean().default(false),
  paperNearEnd: z.boolean().default(false),
  paperOut: z.boolean().default(false),
  cutterError: z.boolean().default(false),
  /** A plain sentence for staff when something is wrong. */
  message: z.string().nullable().default(null),
});
export type PrinterStatus = z.infer<typeof PrinterStatusSchema>;

export const PeripheralHealthSchema = z.object({
  configured: z.boolean(),
  ok: z.boolean(),
  message: z.string().nullable().default(null),
});

export const HealthSchema = z.object({
  printer: PrinterStatusSchema.nullable(),
  pager: PeripheralHealthSchema.nullable(),
  scanner: PeripheralHealthSchema.nullable(),
});
export type Health = z.infer<typeof HealthSchema>;

export const IdentitySchema = z.object({
  macs: z.array(z.string()),
  hostname: z.string(),
  hubUrl: z.string(),
  appVersion: z.string(),
  deviceId: IdSchema.nullable(),
  deviceName: z.string().nullable(),
  role: DeviceRoleSchema.nullable(),
  storeId: IdSchema.nullable(),
  storeName: z.string().nullable(),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const SyncStateSchema = z.object({
  connected: z.boolean(),
  position: LogPositionSchema.nullable(),
  outbox: z.number().int().min(0),
  lastSyncAt: z.string().nullable(),
});
export type SyncState = z.infer<typeof SyncStateSchema>;

export const AppliancePhaseSchema = z.enum(['booting', 'unprovisioned', 'ready', 'error']);

export const ApplianceStateSchema = z.object({
  phase: AppliancePhaseSchema,
  /** Shown on screen when phase is error or unprovisioned (e.g. "Hub unreachable"). */
  message: z.string().nullable(),
  identity: IdentitySchema,
  sync: SyncStateSchema,
  health: HealthSchema,
  /** The hub acknowledged this device's health as it is now (so staff have been told). */
  healthReported: z.boolean().default(false),
  /** The store's devices' health as the hub last said (desks tell staff of trouble). */
  fleet: z.array(DeviceHealthEntrySchema).default([]),
  /** The store and today's queue as this device knows it (null until first provisioned). */
  store: StoreSnapshotSchema.nullable(),
});
export type ApplianceState = z.infer<typeof ApplianceStateSchema>;

/**
 * What changed in the store since the previous state event: entities carried whole (an upsert
 * by id), ids removed, and the new log position. Lists left out did not change.
 */
export const StoreDeltaSchema = StoreSnapshotSchema.partial().extend({
  position: LogPositionSchema,
  removed: z
    .object({
      services: z.array(IdSchema).default([]),
      devices: z.array(IdSchema).default([]),
      customers: z.array(IdSchema).default([]),
      blocks: z.array(IdSchema).default([]),
    })
    .prefault({}),
});
export type StoreDelta = z.infer<typeof StoreDeltaSchema>;

/**
 * A state event after the first: everything small is sent whole, the store as a delta. Sent only
 * while the store stays known; otherwise (first event, a new snapshot, a move) a full state is.
 */
export const ApplianceStateDeltaSchema = ApplianceStateSchema.omit({ store: true }).extend({
  store: StoreDeltaSchema,
});
export type ApplianceStateDelta = z.infer<typeof ApplianceStateDeltaSchema>;

export const CallAnnouncementSchema = z.object({
  /** The change's log position as `epoch:seq`: announcements are de-duplicated by it. */
  key: z.string(),
  customerId: IdSchema,
  ticket: z.string(),
  deskId: IdSchema,
  deskName: z.string(),
  lang: LangSchema,
  /** What the store's display rule allows to show besides the ticket. */
  display: z.string().nullable(),
  recall: z.boolean(),
  at: z.string(),
});
export type CallAnnouncement = z.infer<typeof CallAnnouncementSchema>;

export const NoticeSchema = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
});

export const ApplianceEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: ApplianceStateSchema }),
  z.object({ type: z.literal('call'), call: CallAnnouncementSchema }),
  z.object({ type: z.literal('notice'), notice: NoticeSchema }),
]);
export type ApplianceEvent = z.infer<typeof ApplianceEventSchema>;

/**
 * What the runtime sends: the events above, with `state` after the first one sent as a
 * `state_delta`. The client (client.ts) folds deltas back into `state` events, so a UI only
 * ever sees `ApplianceEvent`.
 */
export const ApplianceWireEventSchema = z.discriminatedUnion('type', [
  ...ApplianceEventSchema.options,
  z.object({ type: z.literal('state_delta'), delta: ApplianceStateDeltaSchema }),
]);
export type ApplianceWireEvent = z.infer<typeof ApplianceWireEventSchema>;

export const PrintOutcomeSchema = z.object({
  printed: z.boolean(),
  /** The printer confirmed the whole job with paper left (false on a one-way link). */
  confirmed: z.boolean().default(false),
  reason: z.string().nullable().default(null),
  /** The driver's error code, or `no_printer`; null when printed. */
  code: z.string().nullable().default(null),
  /** Some of the job reached the printer before it failed (a stub may be on the paper). */
  partial: z.boolean().default(false),
});

/** What a kiosk sends to register: the sync command's payload; appointments come by check-in. */
export const RegisterParamsSchema = RegisterPayloadSchema.omit({ appointment: true });
export type RegisterParams = z.output<typeof RegisterParamsSchema>;

/** The payload schema of one sync command: desk actions send exactly what the hub takes. */
function commandPayload<T extends Command['type']>(type: T) {
  const option = CommandSchema.options.find((o) => o.shape.type.value === type);
  if (option === undefined) throw new Error(`no sync command ${type}`);
  return option.shape.payload as Extract<
    (typeof CommandSchema.options)[number],
    { shape: { type: z.ZodLiteral<T> } }
  >['shape']['payload'];
}
export const TransferParamsSchema = commandPayload('transfer');
export const DeskStatusParamsSchema = commandPayload('set_desk_status');
export type DeskStatusParams = z.output<typeof DeskStatusParamsSchema>;

export const TicketResultSchema = z.object({
  customer: CustomerSchema,
  peopleBefore: z.number().int().min(0),
  waitMinutes: z.number().min(0),
  print: PrintOutcomeSchema,
  /** True when issued from a reserved block while the hub was unreachable. */
  offline: z.boolean(),
});

const customerRef = commandPayload('call_customer');
const none = z.object({}).default({});
const customerOrNone = z.object({ customer: CustomerSchema.nullable() });

/** The method table: name → params and result schemas. */
export const applianceMethods = {
  getState: { params: none, result: ApplianceStateSchema },
  register: { params: RegisterParamsSchema, result: TicketResultSchema },
  checkIn: {
    params: z.object({ code: z.string().min(1).max(512) }),
    result: z.object({ customer: CustomerSchema }),
  },
  callNext: { params: none, result: customerOrNone },
  callCustomer: { params: customerRef, result: customerOrNone },
  recall: { params: customerRef, result: customerOrNone },
  startServing: { params: customerRef, result: customerOrNone },
  finish: { params: customerRef, result: customerOrNone },
  noShow: { params: customerRef, result: customerOrNone },
  transfer: { params: TransferParamsSchema, result: customerOrNone },
  setDeskStatus: { params: DeskStatusParamsSchema, result: z.object({ ok: z.literal(true) }) },
  testPrint: { params: none, result: PrintOutcomeSchema },
  /**
   * Prints a ticket again: on the machine that issued it (technician view) at once; from a desk,
   * the hub asks that machine (its answer shows as the ticket's print state).
   */
  reprint: { params: customerRef, result: z.object({ customer: CustomerSchema }) },
} as const;

export type ApplianceMethod = keyof typeof applianceMethods;
export type MethodParams<M extends ApplianceMethod> = z.input<
  (typeof applianceMethods)[M]['params']
>;
export type MethodResult<M extends ApplianceMethod> = z.output<
  (typeof applianceMethods)[M]['result']
>;

export type ApplianceApi = {
  [M in ApplianceMethod]: (params?: MethodParams<M>) => Promise<MethodResult<M>>;
} & {
  /** Receives a `state` event at once, then every event; returns the unsubscribe. */
  subscribe(listener: (event: ApplianceEvent) => void): () => void;
};

export const ApplianceErrorCodeSchema = z.enum([
  'invalid', // bad params
  'offline', // needs the hub and the hub is unreachable (a desk never calls offline)
  'refused', // the hub refused (message says why)
  'not_ready', // unprovisioned or booting
  'wrong_role', // e.g. callNext on a kiosk
  'internal',
]);
export type ApplianceErrorCode = z.infer<typeof ApplianceErrorCodeSchema>;
export const ApplianceErrorSchema = z.object({
  code: ApplianceErrorCodeSchema,
  message: z.string(),
});

/** Thrown by clients when the runtime answers with an error; message is fit to show a person. */
export class ApplianceError extends Error {
  constructor(
    readonly code: ApplianceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApplianceError';
  }
}

/** Wire frames of the localhost WebSocket (and, as values, of Electron IPC). */
export const RpcRequestSchema = z.object({
  id: z.number().int().min(0),
  method: z.string().max(64),
  params: z.unknown(),
});
export const RpcResponseSchema = z.union([
  z.object({ id: z.number().int(), result: z.unknown() }),
  z.object({ id: z.number().int(), error: ApplianceErrorSchema }),
  z.object({ event: ApplianceWireEventSchema }),
]);

/** The IPC channel names used by main/electron and its preload. */
export const IPC_INVOKE_CHANNEL = 'lineup:invoke';
export const IPC_EVENT_CHANNEL = 'lineup:event';
